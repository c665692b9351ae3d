"""Retention for Rasa's conversation store: delete tracker events older than N days.

Rasa Open Source has no retention of its own. Its SQL tracker store keeps every event in
one table, `events`, with a `timestamp` column in Unix seconds (rasa/core/tracker_store.py,
SQLTrackerStore.SQLEvent). The bot's Python cannot share the API's SQLAlchemy 2, so the
API's purge (python -m app.cli purge, run daily by docker-compose.yml) reaches the tracker
database directly through TRACKER_DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Float, MetaData, Table, delete, inspect

from app.db import make_engine

# Only the column the purge needs; Rasa owns and creates the table.
EVENTS = Table("events", MetaData(), Column("timestamp", Float))


def purge_tracker_events(
    database_url: str, retention_days: int, now: dt.datetime | None = None
) -> int:
    """Delete events older than `retention_days`; return how many went.

    A conversation that goes on past the cutoff loses only its old events: Rasa rebuilds
    the conversation from what is left. Before Rasa's first start the table does not exist
    yet, and there is nothing to delete.
    """
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)
    engine = make_engine(database_url)
    try:
        if not inspect(engine).has_table(EVENTS.name):
            return 0
        with engine.begin() as connection:
            result = connection.execute(
                delete(EVENTS).where(EVENTS.c.timestamp < cutoff.timestamp())
            )
        return int(result.rowcount)
    finally:
        engine.dispose()
