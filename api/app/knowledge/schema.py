"""The shape of knowledge files (docs/CONTENT_GUIDE.md), as pydantic models."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

Lang = Literal["kk", "ru", "en"]
Group = Literal["eaeu", "non_eaeu"]
Status = Literal["draft", "approved", "retired"]
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
MAX_TEXT = 900
MAX_TITLE = 80


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Localized(Strict):
    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def items(self) -> list[tuple[str, str]]:
        return [("kk", self.kk), ("ru", self.ru), ("en", self.en)]


class Title(Localized):
    @field_validator("kk", "ru", "en")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > MAX_TITLE:
            raise ValueError(f"longer than {MAX_TITLE} characters")
        return value


class Body(Localized):
    @field_validator("kk", "ru", "en")
    @classmethod
    def _fits_a_screen(cls, value: str) -> str:
        if len(value) > MAX_TEXT:
            raise ValueError(f"longer than {MAX_TEXT} characters (one phone screen)")
        return value


class Source(Strict):
    title: str = Field(min_length=3)
    article: str | None = None
    url: HttpUrl


class SnippetFile(Strict):
    id: str
    topic: str
    applies_to: list[Group] = Field(min_length=1)
    title: Title
    text: Body
    sources: list[Source] = Field(min_length=1)
    last_reviewed: dt.date
    status: Status

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("must be lowercase letters, digits, '.', '-' or '_'")
        return value


class Phone(Strict):
    number: str = Field(pattern=r"^\+?[0-9][0-9 ()-]{1,24}$")
    label: Localized


class ReferralFile(Strict):
    id: str
    name: Localized
    description: Localized
    services: list[str] = Field(min_length=1)
    cities: list[str] = Field(min_length=1)
    languages: list[str] = Field(min_length=1)
    phone: list[Phone] = Field(min_length=1)
    url: HttpUrl | None = None
    hours: Localized
    source: HttpUrl
    last_verified: dt.date
    status: Status = "approved"

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("must be lowercase letters, digits, '.', '-' or '_'")
        return value
