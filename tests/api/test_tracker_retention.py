"""The purge of Rasa's tracker events (app/tracker_retention.py) on a table shaped like
Rasa's SQLTrackerStore `events`. tests/e2e/test_replicas.py runs it on the PostgreSQL
tracker database that two real Rasa servers wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from app.cli import main
from app.tracker_retention import purge_tracker_events

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def _tracker_db(path: Path, ages_in_days: dict[str, float]) -> str:
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
                "type_name VARCHAR(255), timestamp FLOAT, data TEXT)"
            )
        )
        for sender, age in ages_in_days.items():
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (:s, 'user', :t, '{}')"
                ),
                {"s": sender, "t": (NOW - dt.timedelta(days=age)).timestamp()},
            )
    engine.dispose()
    return url


def _senders(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = set(connection.execute(sa.text("SELECT sender_id FROM events")).scalars())
    engine.dispose()
    return found


def test_events_older_than_the_retention_go_and_recent_ones_stay(tmp_path: Path) -> None:
    url = _tracker_db(tmp_path / "t.db", {"old": 45, "just-old": 30.01, "recent": 29.99})
    assert purge_tracker_events(url, 30, now=NOW) == 2
    assert _senders(url) == {"recent"}
    assert purge_tracker_events(url, 30, now=NOW) == 0


def test_no_events_table_yet_means_nothing_to_delete(tmp_path: Path) -> None:
    assert purge_tracker_events(f"sqlite:///{tmp_path / 'empty.db'}", 30) == 0


def test_the_cli_purge_includes_tracker_events_when_configured(
    tmp_path: Path,
    monkeypatch,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    from app.core.config import get_settings

    url = _tracker_db(tmp_path / "t.db", {"old": 400, "today": 0})
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'api.db'}")
    get_settings.cache_clear()
    try:
        from app.db import get_engine

        get_engine.cache_clear()
        from app.models import Base

        Base.metadata.create_all(get_engine())
        assert main(["purge"]) == 0
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert '"tracker_events": 1' in capsys.readouterr().out
    assert _senders(url) == {"today"}
