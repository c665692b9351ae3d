"""Database tables. Alembic migrations in api/alembic are the only way they change."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment stored in UTC that always comes back time-zone aware.

    PostgreSQL keeps the zone; SQLite keeps none and hands back naive datetimes, which
    cannot be compared with `utcnow()`, neither in our code nor in SQLAlchemy's in-session
    check of a bulk DELETE's criteria (a TypeError on SQLite only). The schema is the same
    as DateTime(timezone=True): no migration.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return value.astimezone(dt.UTC) if value is not None and value.tzinfo else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None and not value.tzinfo else value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
    }


class Snippet(Base):
    __tablename__ = "snippets"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    applies_to: Mapped[list[str]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    last_reviewed: Mapped[dt.date] = mapped_column(Date)
    sources: Mapped[list[dict[str, Any]]]
    source_file: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now()
    )

    texts: Mapped[list[SnippetText]] = relationship(
        back_populates="snippet", cascade="all, delete-orphan", lazy="selectin"
    )

    def text_in(self, lang: str) -> SnippetText:
        return next(t for t in self.texts if t.lang == lang)


class SnippetText(Base):
    __tablename__ = "snippet_texts"

    snippet_id: Mapped[str] = mapped_column(
        ForeignKey("snippets.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The questions this snippet answers, one per line (search.questions matches them).
    questions: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Normalised, stemmed words of title and body: what the search backends index.
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")

    snippet: Mapped[Snippet] = relationship(back_populates="texts")


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    cities: Mapped[list[str]]
    services: Mapped[list[str]]
    languages: Mapped[list[str]]
    # name, description, hours (each kk/ru/en), phone list, url, source.
    data: Mapped[dict[str, Any]]
    last_verified: Mapped[dt.date] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now()
    )


# --- Conversations: what the bot hands to people, and what it learns (migration 0002). ---
# Nothing here holds a raw sender id or unmasked free text; rows older than
# settings.retention_days are deleted by `python -m app.cli purge` / POST /v1/privacy/purge.

CHANNELS = ("telegram", "socketio", "rest")
HANDOFF_STATUSES = ("open", "taken", "closed")
AUTHORS = ("user", "staff", "bot")
# live: she waits for a person now; message: she left a message for when staff are back;
# callback: she asked to be called back (migration 0006).
HANDOFF_MODES = ("live", "message", "callback")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (
        _one_of("channel", CHANNELS, "ck_handoffs_channel"),
        _one_of("status", HANDOFF_STATUSES, "ck_handoffs_status"),
        _one_of("mode", HANDOFF_MODES, "ck_handoffs_mode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now(), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    # HMAC-SHA256 of the sender id with a server-side secret; never the raw id.
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    topic: Mapped[str | None] = mapped_column(String(80), index=True)
    consent: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    taken_by: Mapped[str | None] = mapped_column(String(120))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Migration 0003. The raw channel address staff replies are delivered to (Telegram
    # chat id or socket.io session id); cleared on close and by the retention purge.
    reply_to: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Migration 0006: how she asked (HANDOFF_MODES), and whether staff hours were on then
    # (null for hand-offs opened before 0006: nobody knows).
    mode: Mapped[str] = mapped_column(String(16), default="live", server_default="live")
    in_hours: Mapped[bool | None] = mapped_column(Boolean)
    # The number she asked to be called back on, as she typed it: never in a message text,
    # shown masked except to the staff member who took it; cleared on close and by the purge.
    callback_phone: Mapped[str | None] = mapped_column(String(32))
    callback_done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # When the sweep told her nobody had taken it yet (once).
    untaken_notice_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Her last message, a staff message or the take: the sweep closes it when this is old.
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(
        UtcDateTime(), default=utcnow, index=True
    )

    messages: Mapped[list[HandoffMessage]] = relationship(
        back_populates="handoff",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="HandoffMessage.id",
    )


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"
    __table_args__ = (_one_of("author", AUTHORS, "ck_handoff_messages_author"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now(), index=True
    )
    author: Mapped[str] = mapped_column(String(8))
    text_masked: Mapped[str] = mapped_column(Text)
    # Migration 0003. Staff messages only: when her channel accepted it, or why it did not.
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    delivery_error: Mapped[str | None] = mapped_column(String(200))
    # Migration 0007. [[title, payload], ...] in her language, for the widget, which reads
    # messages later (Telegram gets the buttons with the message); null for a plain reply.
    buttons: Mapped[list[list[str]] | None] = mapped_column(JSON)

    handoff: Mapped[Handoff] = relationship(back_populates="messages")


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (_one_of("channel", CHANNELS, "ck_feedback_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now(), index=True
    )
    # Not a foreign key: feedback outlives a snippet that is later retired or removed.
    snippet_id: Mapped[str] = mapped_column(String(160), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    lang: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(16))


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (_one_of("channel", CHANNELS, "ck_questions_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now(), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(2))
    topic: Mapped[str | None] = mapped_column(String(80), index=True)
    answered: Mapped[bool] = mapped_column(Boolean, index=True)
    # Masked text, kept only for questions the bot could not answer.
    text_masked: Mapped[str | None] = mapped_column(Text)
