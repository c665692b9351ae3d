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
