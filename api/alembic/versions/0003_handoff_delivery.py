"""Handoff delivery: where staff replies go, when staff took the handoff, delivery failures.

`handoffs.reply_to` is the one raw channel address kept (Telegram chat id or the widget's
socket.io session id): without it a staff reply cannot reach her. It is cleared when the
handoff closes and by the retention purge. A staff message that could not be delivered
keeps the reason in `handoff_messages.delivery_error`, so it is never silently lost.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("reply_to", sa.String(200), nullable=True))
        batch.add_column(sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("handoff_messages") as batch:
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delivery_error", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.drop_column("delivery_error")
        batch.drop_column("delivered_at")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("taken_at")
        batch.drop_column("reply_to")
