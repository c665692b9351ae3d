"""Buttons under a message to her: the untaken notice's choices reach the web widget too.

Telegram gets them with the message at once; the widget fetches messages later from
/v1/handoffs/replies, so they are kept with the message: a list of [title, payload] in her
language. Null for a message without buttons (every staff reply).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.add_column(sa.Column("buttons", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_messages") as batch:
        batch.drop_column("buttons")
