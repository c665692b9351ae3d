"""Property-based fuzzing of the whole OpenAPI schema with Schemathesis.

Every operation gets valid and invalid requests generated from the schema; none may
answer 5xx, and answers must match what the schema documents (status codes, content
types, bodies). Runs against the ASGI app in-process, on a SQLite database of its own
with the real knowledge/ synced into it (so the schema's examples name snippets that
exist), with the service key sent on every request (auth is tested in
test_conversations.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from app.core.config import REPO_ROOT, Settings, get_settings
from app.db import get_session, make_engine
from app.knowledge.sync import sync_knowledge
from app.knowledge.validate import Knowledge, load_knowledge
from app.main import create_app
from support_pg import postgres_server

from .conftest import migrate

KEY = "fuzz-" + "k" * 32
KNOWLEDGE = REPO_ROOT / "knowledge"
# More for a deeper run: FUZZ_MAX_EXAMPLES=500 pytest tests/api/test_fuzz.py
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# The app and its schema are built at import, so that pytest collects one test per
# operation; the database behind it is made by the fixture below, before the first request.
APP_SETTINGS = Settings(
    environment="test",
    knowledge_dir=KNOWLEDGE,
    service_api_key=KEY,
    rate_limit="1000000/minute",
    log_level="WARNING",
)
APP = create_app(APP_SETTINGS)
APP.dependency_overrides[get_settings] = lambda: APP_SETTINGS
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.update(headers={"X-Service-Key": KEY})
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    database="none",
)
# A body over MAX_BODY_BYTES is rejected before validation, with 413 (documented).
_rejection = schema.config.checks.negative_data_rejection
_rejection.expected_statuses = [*_rejection.expected_statuses, "413"]


@pytest.fixture(scope="module", autouse=True)
def fuzz_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    knowledge = load_knowledge(KNOWLEDGE, check_language=False)
    assert not knowledge.problems, knowledge.problems
    with ExitStack() as stack:
        if os.environ.get("FUZZ_POSTGRES") == "1":  # a deeper, slower run on PostgreSQL
            url = stack.enter_context(postgres_server())
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
        yield from _serve(url, knowledge)


def _serve(url: str, knowledge: Knowledge) -> Iterator[None]:
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        sync_knowledge(session, knowledge)

    def request_session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as db:
            yield db

    APP.dependency_overrides[get_session] = request_session
    try:
        yield
    finally:
        APP.dependency_overrides.pop(get_session)
        engine.dispose()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_survives_fuzzing(case: schemathesis.Case) -> None:
    response = case.call(headers={"X-Service-Key": KEY})
    case.validate_response(response, checks=CHECKS)
