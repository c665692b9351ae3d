"""Conversations: handoffs to staff and their (masked) transcripts, feedback, questions.

No raw sender id and no unmasked free text is stored; rows older than the retention
period are deleted by the purge command.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = "'telegram', 'socketio', 'rest'"


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        server_default=sa.func.now(),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _created_at(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False, index=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("topic", sa.String(80), nullable=True, index=True),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("taken_by", sa.String(120), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name="ck_handoffs_channel"),
        sa.CheckConstraint("status IN ('open', 'taken', 'closed')", name="ck_handoffs_status"),
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "handoff_id",
            sa.Integer(),
            sa.ForeignKey("handoffs.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _created_at(),
        sa.Column("author", sa.String(8), nullable=False),
        sa.Column("text_masked", sa.Text(), nullable=False),
        sa.CheckConstraint("author IN ('user', 'staff', 'bot')", name="ck_handoff_messages_author"),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _created_at(),
        sa.Column("snippet_id", sa.String(160), nullable=False, index=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name="ck_feedback_channel"),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _created_at(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("topic", sa.String(80), nullable=True, index=True),
        sa.Column("answered", sa.Boolean(), nullable=False, index=True),
        sa.Column("text_masked", sa.Text(), nullable=True),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name="ck_questions_channel"),
    )


def downgrade() -> None:
    op.drop_table("questions")
    op.drop_table("feedback")
    op.drop_table("handoff_messages")
    op.drop_table("handoffs")
