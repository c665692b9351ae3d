"""Hand-off hours, presence and callbacks (#19).

handoffs: how she asked (mode: live, message for the morning, callback), whether staff
hours were on, the callback number (its own column, never in a message; cleared on close
and by the purge), when it was called back, when the sweep told her nobody took it yet,
and the last activity the stale sweep looks at. staff_users: marked available since, and
last seen in the console.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("mode", sa.String(16), nullable=False, server_default="live"))
        batch.add_column(sa.Column("in_hours", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("callback_phone", sa.String(32), nullable=True))
        batch.add_column(sa.Column("callback_done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("untaken_notice_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint("ck_handoffs_mode", "mode IN ('live', 'message', 'callback')")
        batch.create_index("ix_handoffs_last_activity_at", ["last_activity_at"])
    # Hand-offs opened before: their last known activity is their creation (the stale sweep
    # then closes old ones instead of skipping them for ever).
    op.execute("UPDATE handoffs SET last_activity_at = created_at")
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("available_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("last_seen_at")
        batch.drop_column("available_since")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_index("ix_handoffs_last_activity_at")
        batch.drop_constraint("ck_handoffs_mode", type_="check")
        batch.drop_column("last_activity_at")
        batch.drop_column("untaken_notice_at")
        batch.drop_column("callback_done_at")
        batch.drop_column("callback_phone")
        batch.drop_column("in_hours")
        batch.drop_column("mode")
