"""Staff accounts and their server-side sessions (migration 0004)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.i18n.translate import N_
from app.models import Base, UtcDateTime, utcnow

# Each role includes the ones before it. The names are shown translated in the console.
ROLES = (N_("staff"), N_("editor"), N_("admin"))


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint("role IN ('staff', 'editor', 'admin')", name="ck_staff_users_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # argon2id, with its parameters and salt (argon2-cffi's encoded form).
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    # Migration 0006. Set while she has marked herself available for hand-offs; she counts
    # as available only while also seen in the console lately (app/handoffs/presence.py),
    # so a tab left open over the weekend does not promise her to anyone.
    available_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    sessions: Mapped[list[StaffSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # SHA-256 of the cookie's token: a copy of the table signs no one in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)

    user: Mapped[StaffUser] = relationship(back_populates="sessions", lazy="joined")
