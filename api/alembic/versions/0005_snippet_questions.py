"""Snippets carry the questions they answer: kept per language beside the title, so the
search index (which ranks them with the title) can be rebuilt from the database alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("snippet_texts") as batch:
        batch.add_column(sa.Column("questions", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("snippet_texts") as batch:
        batch.drop_column("questions")
