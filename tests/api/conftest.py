"""API tests run on the real engines: SQLite always, PostgreSQL when its server binaries
are installed (.ci/run installs them). Each test runs in a transaction that is rolled back."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from e2e.fake_telegram import FakeTelegram  # noqa: E402

from app.core.config import Settings, get_settings  # noqa: E402
from app.db import get_session, make_engine  # noqa: E402
from app.knowledge.sync import sync_knowledge  # noqa: E402
from app.knowledge.validate import Knowledge, load_knowledge  # noqa: E402
from app.main import create_app  # noqa: E402
from support_pg import available as pg_available  # noqa: E402
from support_pg import postgres_server  # noqa: E402

FIXTURE_KNOWLEDGE = TESTS / "fixtures" / "knowledge"
REQUIRE_PG = os.environ.get("REQUIRE_POSTGRES") == "1"


def migrate(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    config = Config(str(ROOT / "api" / "alembic.ini"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _engine_params() -> list[object]:
    pg = pytest.param("postgresql", marks=pytest.mark.postgres)
    if not pg_available() and not REQUIRE_PG:
        pg = pytest.param("postgresql", marks=pytest.mark.skip("PostgreSQL not installed"))
    return ["sqlite", pg]


@pytest.fixture(scope="session", params=_engine_params())
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
        migrate(eng)
        yield eng
        eng.dispose()
        return
    with postgres_server() as url:
        eng = make_engine(url)
        migrate(eng)
        yield eng
        eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    conn = engine.connect()
    outer = conn.begin()
    db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        conn.close()


@pytest.fixture(scope="session")
def fixture_knowledge() -> Knowledge:
    knowledge = load_knowledge(FIXTURE_KNOWLEDGE)
    assert not knowledge.problems, knowledge.problems
    return knowledge


@pytest.fixture
def synced(session: Session, fixture_knowledge: Knowledge) -> Session:
    sync_knowledge(session, fixture_knowledge)
    return session


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test",
        knowledge_dir=FIXTURE_KNOWLEDGE,
        service_api_key="t" * 32,
        rate_limit="100000/minute",
        max_body_bytes=10_000,
    )


@pytest.fixture
def client(synced: Session, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    app.dependency_overrides[get_session] = lambda: synced
    app.dependency_overrides[get_settings] = lambda: settings
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def service_headers(settings: Settings) -> dict[str, str]:
    """What the action server sends with its writes."""
    return {"X-Service-Key": settings.service_api_key}


# A Telegram bot token for the fake Bot API (tests/e2e/fake_telegram.py): staff replies,
# notices and the staff group's announcements are pushed to it.
TELEGRAM_TOKEN = "123456:fake-token-for-tests"


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN, "ana_komek_test_bot").start()
    yield fake
    fake.stop()


@pytest.fixture
def tg_settings(settings: Settings, telegram: FakeTelegram) -> Settings:
    return settings.model_copy(
        update={"telegram_access_token": TELEGRAM_TOKEN, "telegram_api_base": telegram.url}
    )
