"""Alembic is the only way the schema changes: it must go up and down on both engines."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from app.db import make_engine

from .conftest import migrate


def test_downgrade_to_base_and_upgrade_again(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A separate database, so the shared test schema stays intact.
    if engine.dialect.name == "sqlite":
        fresh = make_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
    else:
        fresh = engine
        migrate(fresh, "base", down=True)
    try:
        migrate(fresh)
        assert {"snippets", "snippet_texts", "referrals"} <= set(inspect(fresh).get_table_names())
        migrate(fresh, "base", down=True)
        assert not {"snippets", "snippet_texts", "referrals"} & set(
            inspect(fresh).get_table_names()
        )
        migrate(fresh)
        assert "snippets" in inspect(fresh).get_table_names()
    finally:
        if fresh is not engine:
            fresh.dispose()


def test_handoff_delivery_columns_go_up_and_down(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0003 adds the delivery columns; going back to 0002 removes exactly them."""
    if engine.dialect.name == "sqlite":
        fresh = make_engine(f"sqlite:///{tmp_path / 'migrate0003.db'}")
    else:
        fresh = engine
    try:

        def columns(table: str) -> set[str]:
            return {c["name"] for c in inspect(fresh).get_columns(table)}

        migrate(fresh)
        assert {"reply_to", "taken_at"} <= columns("handoffs")
        assert {"delivered_at", "delivery_error"} <= columns("handoff_messages")
        migrate(fresh, "0002", down=True)
        assert not {"reply_to", "taken_at"} & columns("handoffs")
        assert not {"delivered_at", "delivery_error"} & columns("handoff_messages")
        assert {"status", "taken_by", "closed_at"} <= columns("handoffs")
        migrate(fresh)
        assert {"reply_to", "taken_at"} <= columns("handoffs")
    finally:
        if fresh is not engine:
            fresh.dispose()
        else:
            migrate(fresh)
