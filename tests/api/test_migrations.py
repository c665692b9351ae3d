"""Alembic is the only way the schema changes: it must go up and down on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine

from .conftest import migrate


@pytest.fixture
def fresh(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A database to move up and down: its own file on SQLite; on PostgreSQL the shared
    one, brought back to the head afterwards so that the other tests find their schema."""
    if engine.dialect.name == "sqlite":
        own = make_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
        yield own
        own.dispose()
    else:
        yield engine
        migrate(engine)


def columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def store_handoff(conn: Connection, handoff_id: int) -> None:
    """A hand-off as the oldest schema that has one stores it."""
    conn.execute(
        text(
            "INSERT INTO handoffs (id, created_at, channel, sender_hash, lang, consent, "
            "status) VALUES (:id, :at, 'rest', 'h', 'ru', true, 'open')"
        ),
        {"id": handoff_id, "at": dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)},
    )


def test_downgrade_to_base_and_upgrade_again(fresh: Engine) -> None:
    migrate(fresh)
    assert {"snippets", "snippet_texts", "referrals"} <= set(inspect(fresh).get_table_names())
    migrate(fresh, "base", down=True)
    assert not {"snippets", "snippet_texts", "referrals"} & set(inspect(fresh).get_table_names())
    migrate(fresh)
    assert "snippets" in inspect(fresh).get_table_names()


def test_handoff_delivery_columns_go_up_and_down(fresh: Engine) -> None:
    """0003 adds the delivery columns; going back to 0002 removes exactly them."""
    migrate(fresh)
    assert {"reply_to", "taken_at"} <= columns(fresh, "handoffs")
    assert {"delivered_at", "delivery_error"} <= columns(fresh, "handoff_messages")
    migrate(fresh, "0002", down=True)
    assert not {"reply_to", "taken_at"} & columns(fresh, "handoffs")
    assert not {"delivered_at", "delivery_error"} & columns(fresh, "handoff_messages")
    assert {"status", "taken_by", "closed_at"} <= columns(fresh, "handoffs")
    migrate(fresh)
    assert {"reply_to", "taken_at"} <= columns(fresh, "handoffs")


def test_handoff_hours_columns_go_up_and_down(fresh: Engine) -> None:
    """0006 adds the hand-off hours, callback and presence columns; 0005 has none of them,
    and a hand-off stored before 0006 comes back live, with its activity at its creation."""
    added = {
        "mode",
        "in_hours",
        "callback_phone",
        "callback_done_at",
        "untaken_notice_at",
        "last_activity_at",
    }
    migrate(fresh)
    migrate(fresh, "0005", down=True)
    assert not added & columns(fresh, "handoffs")
    assert not {"available_since", "last_seen_at"} & columns(fresh, "staff_users")
    with fresh.begin() as conn:
        store_handoff(conn, 900001)
    migrate(fresh, "0006")
    assert added <= columns(fresh, "handoffs")
    assert {"available_since", "last_seen_at"} <= columns(fresh, "staff_users")
    with fresh.begin() as conn:
        mode, activity, created = conn.execute(
            text("SELECT mode, last_activity_at, created_at FROM handoffs WHERE id = 900001")
        ).one()
        assert mode == "live" and activity == created
        # The mode is one of three, in the database too.
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(text("UPDATE handoffs SET mode = 'later' WHERE id = 900001"))
        conn.execute(text("DELETE FROM handoffs WHERE id = 900001"))


def test_handoff_message_buttons_go_up_and_down(fresh: Engine) -> None:
    """0007 adds the buttons of a message to her; 0006 has none, and going back and up again
    keeps every message (its buttons, added later, start empty)."""
    migrate(fresh)
    assert "buttons" in columns(fresh, "handoff_messages")
    migrate(fresh, "0006", down=True)
    assert "buttons" not in columns(fresh, "handoff_messages")
    with fresh.begin() as conn:
        store_handoff(conn, 900002)
        conn.execute(
            text(
                "INSERT INTO handoff_messages (id, handoff_id, created_at, author, "
                "text_masked) VALUES (900002, 900002, :at, 'staff', 'Сәлем')"
            ),
            {"at": dt.datetime(2026, 12, 1, 9, 5, tzinfo=dt.UTC)},
        )
    migrate(fresh, "0007")
    with fresh.begin() as conn:
        kept, buttons = conn.execute(
            text("SELECT text_masked, buttons FROM handoff_messages WHERE id = 900002")
        ).one()
        assert kept == "Сәлем" and buttons is None
        conn.execute(text("DELETE FROM handoff_messages WHERE id = 900002"))
        conn.execute(text("DELETE FROM handoffs WHERE id = 900002"))
