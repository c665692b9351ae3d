"""Database tables. Alembic migrations in api/alembic are the only way they change."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

LANGS = ("kk", "ru", "en")


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
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
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
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
