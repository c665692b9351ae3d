"""Knowledge: snippets, their texts in kk/ru/en, referrals, and the search index.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "snippets",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("topic", sa.String(80), nullable=False, index=True),
        sa.Column("applies_to", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("last_reviewed", sa.Date(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("source_file", sa.String(255), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_table(
        "snippet_texts",
        sa.Column(
            "snippet_id",
            sa.String(160),
            sa.ForeignKey("snippets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("lang", sa.String(2), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("search_title", sa.Text(), nullable=False, server_default=""),
        sa.Column("search_body", sa.Text(), nullable=False, server_default=""),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("cities", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_snippet_texts_fts ON snippet_texts USING GIN "
            "(to_tsvector('simple', search_title || ' ' || search_body))"
        )
        op.execute(
            "CREATE INDEX ix_snippet_texts_title_trgm ON snippet_texts USING GIN "
            "(search_title gin_trgm_ops)"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE snippet_fts USING fts5("
            "snippet_id UNINDEXED, lang UNINDEXED, title, body, tokenize='unicode61')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS snippet_fts")
    op.drop_table("referrals")
    op.drop_table("snippet_texts")
    op.drop_table("snippets")
