"""Under a burst the API waits for database connections, and says "busy", never 500."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.config import Settings
from app.db import make_engine
from app.main import create_app


def test_the_pool_is_as_large_as_the_threads_that_serve_requests(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=7, max_overflow=33)
    assert engine.pool.size() == 7  # type: ignore[attr-defined]
    assert engine.pool._max_overflow == 33  # type: ignore[attr-defined]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.db_pool_size + defaults.db_max_overflow >= 40


def test_no_free_connection_is_a_503_with_retry_after() -> None:
    app = create_app()

    @app.get("/burst")
    def burst() -> None:
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    response = TestClient(app).get("/burst")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "busy" in str(response.json())
