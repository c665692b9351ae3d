"""Public shapes of the API (what clients read), apart from the database rows."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

Lang = Literal["kk", "ru", "en"]
Group = Literal["eaeu", "non_eaeu"]


class ErrorOut(BaseModel):
    error: str = Field(examples=["validation_error"])
    detail: Any = Field(examples=["lang: Input should be 'kk', 'ru' or 'en'"])
    request_id: str | None = None


class TopicOut(BaseModel):
    id: str = Field(examples=["stay.registration"])
    area: str = Field(examples=["stay"])
    description: str
    approved_snippets: int


class TopicList(BaseModel):
    results: list[TopicOut]


class SourceOut(BaseModel):
    title: str
    article: str | None = None
    url: str


class TextOut(BaseModel):
    title: str
    text: str


class SnippetOut(BaseModel):
    snippet_id: str = Field(examples=["stay.registration.host-notifies-3-days"])
    topic: str = Field(examples=["stay.registration"])
    applies_to: list[Group]
    last_reviewed: dt.date
    sources: list[SourceOut]
    texts: dict[Lang, TextOut]


class SnippetList(BaseModel):
    results: list[SnippetOut]
    total: int
    limit: int
    offset: int


class SearchHit(BaseModel):
    snippet_id: str
    topic: str
    lang: Lang = Field(description="language of the text that matched best")
    score: float
    title: str


class SearchOut(BaseModel):
    query: str
    results: list[SearchHit]


class PhoneOut(BaseModel):
    number: str
    label: dict[Lang, str]


class ReferralOut(BaseModel):
    id: str
    name: dict[Lang, str]
    description: dict[Lang, str]
    services: list[str]
    cities: list[str]
    languages: list[str]
    phone: list[PhoneOut]
    url: str | None = None
    hours: dict[Lang, str]
    source: str
    last_verified: dt.date


class ReferralList(BaseModel):
    results: list[ReferralOut]
