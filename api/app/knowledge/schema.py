"""The shape of knowledge files (docs/CONTENT_GUIDE.md), as pydantic models."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

Group = Literal["eaeu", "non_eaeu"]
Status = Literal["draft", "approved", "retired"]
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
MAX_TEXT = 900
MAX_TITLE = 80
MAX_SOURCE_TITLE = 90
QUESTIONS_PER_LANGUAGE = (4, 8)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Localized(Strict):
    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def items(self) -> list[tuple[str, str]]:
        return [("kk", self.kk), ("ru", self.ru), ("en", self.en)]


class _Bounded(Localized):
    """Text in three languages, each at most `limit` characters."""

    limit: ClassVar[int]
    why: ClassVar[str] = ""

    @field_validator("kk", "ru", "en")
    @classmethod
    def _within(cls, value: str) -> str:
        if len(value) > cls.limit:
            raise ValueError(f"longer than {cls.limit} characters{cls.why}")
        return value


class Title(_Bounded):
    limit = MAX_TITLE


class Body(_Bounded):
    limit = MAX_TEXT
    why = " (one phone screen)"


class SourceTitle(_Bounded):
    """A source's publisher and document in each language: the line under an answer must
    not switch to English in a Kazakh or Russian reply."""

    limit = MAX_SOURCE_TITLE
    why = " (one line on a phone)"


class Source(Strict):
    # A plain string is accepted for drafts written before titles were translated;
    # the validator refuses it on an approved snippet.
    title: str | SourceTitle
    article: str | Localized | None = None
    url: HttpUrl

    @field_validator("title")
    @classmethod
    def _not_empty(cls, value: str | SourceTitle) -> str | SourceTitle:
        if isinstance(value, str) and len(value) < 3:
            raise ValueError("at least 3 characters")
        return value

    def title_in(self, lang: str) -> str:
        return self.title if isinstance(self.title, str) else getattr(self.title, lang)

    def article_in(self, lang: str) -> str | None:
        if self.article is None or isinstance(self.article, str):
            return self.article
        return str(getattr(self.article, lang))


class Questions(Strict):
    """The questions a snippet answers, as mothers type them: indexed by the search, so
    her own words rank the snippet that answers them."""

    kk: list[str] = Field(default_factory=list)
    ru: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def items(self) -> list[tuple[str, list[str]]]:
        return [("kk", self.kk), ("ru", self.ru), ("en", self.en)]


class SnippetFile(Strict):
    id: str
    topic: str
    applies_to: list[Group] = Field(min_length=1)
    title: Title
    text: Body
    sources: list[Source] = Field(min_length=1)
    questions: Questions | None = None
    last_reviewed: dt.date
    status: Status

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("must be lowercase letters, digits, '.', '-' or '_'")
        return value


# A number she can dial from a Kazakh SIM: +7 and ten digits, 8 800 and seven (toll-free),
# or a short service number (111, 1414). Spaces, brackets and hyphens only group digits.
DIALABLE = re.compile(r"^(?:\+7\d{10}|8800\d{7}|1\d{2,3})$")
ReferralKind = Literal["state", "ngo", "international"]
Serves = Literal[
    "everyone",
    "women",
    "children",
    "families",
    "foreigners",
    "migrants",
    "refugees",
    "stateless",
    "kandas",
    "victims_of_violence",
    "victims_of_trafficking",
    "workers",
]


def digits_of(number: str) -> str:
    """The number as dialled: '+7 (727) 300-00-00' -> '+77273000000'."""
    return re.sub(r"[^\d+]", "", number)


class Phone(Strict):
    number: str = Field(pattern=r"^\+?[0-9][0-9 ()-]{1,24}$")
    label: Localized

    @field_validator("number")
    @classmethod
    def _dialable(cls, value: str) -> str:
        if not DIALABLE.match(digits_of(value)):
            raise ValueError(
                "not dialable from Kazakhstan: write +7 and ten digits, 8 800 and seven, "
                "or a short number such as 111"
            )
        return value


class City(Strict):
    id: str = Field(pattern=r"^[a-z]+$")
    name: Localized
    words: list[str] = Field(min_length=1)
    near: str | None = None


class ReferralFile(Strict):
    id: str
    name: Localized
    description: Localized
    kind: ReferralKind
    serves: list[Serves] = Field(min_length=1)
    services: list[str] = Field(min_length=1)
    cities: list[str] = Field(min_length=1)
    address: Localized | None = None
    languages: list[str] = Field(min_length=1)
    # Empty only in a draft: an organisation found, its number not yet confirmed.
    phone: list[Phone] = Field(default_factory=list)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    whatsapp: str | None = Field(default=None, pattern=r"^\+[0-9][0-9 ()-]{6,24}$")
    telegram: str | None = Field(default=None, pattern=r"^@[A-Za-z0-9_]{4,32}$")
    url: HttpUrl | None = None
    hours: Localized
    source: HttpUrl
    # The words of the source page that give the phone, so a second reader can find them.
    source_quote: str | None = Field(default=None, max_length=600)
    source_date: dt.date | None = None
    last_verified: dt.date
    # The day a second person re-read every phone number against `source` (needed to approve).
    rechecked: dt.date | None = None
    status: Status = "approved"

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("must be lowercase letters, digits, '.', '-' or '_'")
        return value
