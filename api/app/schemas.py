"""Public shapes of the API (what clients read), apart from the database rows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.i18n import Lang

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
    tel: str = Field(description="the number as a tel: link", examples=["tel:+77273000000"])


class ReferralOut(BaseModel):
    id: str
    name: dict[Lang, str]
    description: dict[Lang, str]
    kind: Literal["state", "ngo", "international"]
    serves: list[str]
    services: list[str]
    cities: list[str]
    address: dict[Lang, str] | None = None
    languages: list[str]
    phone: list[PhoneOut]
    email: str | None = None
    whatsapp: str | None = None
    telegram: str | None = None
    url: str | None = None
    hours: dict[Lang, str]
    source: str
    last_verified: dt.date


class ReferralList(BaseModel):
    city: str | None = Field(default=None, description="the city asked for")
    service: str | None = None
    city_used: str | None = Field(
        default=None,
        description="whose organisations come first: the city asked for, the regional centre "
        "it fell back to when it has none for this service, or 'nationwide'",
    )
    results: list[ReferralOut]


# --- Conversations: feedback, questions (writes by the action server); the hand-off's
# shapes are app/handoffs/schemas.py. ---

Channel = Literal["telegram", "socketio", "rest"]
TopicId = Annotated[
    str,
    Field(
        max_length=80,
        pattern=r"^[a-z_]+(\.[a-z_]+)*$",
        description="a taxonomy topic id",
        examples=["stay.registration"],
    ),
]
FreeText = Annotated[
    str,
    Field(min_length=1, max_length=2000),
    # NUL cannot be stored in PostgreSQL text and is never meant; drop it, keep the rest.
    AfterValidator(lambda text: text.replace("\x00", "")),
]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # JSON types as documented: no "true" for true, no 0 for false
        json_schema_extra={
            "examples": [
                {
                    "snippet_id": "stay.registration.host-notifies-3-days",
                    "helpful": True,
                    "lang": "kk",
                    "channel": "socketio",
                }
            ]
        },
    )

    snippet_id: str = Field(min_length=1, max_length=160, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    helpful: bool
    lang: Lang
    channel: Channel


class QuestionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # JSON types as documented: no "true" for true, no 0 for false
        json_schema_extra={
            "examples": [
                {
                    "channel": "telegram",
                    "lang": "kk",
                    "topic": None,
                    "answered": False,
                    "text": "балабақшаға кезекке қалай тұрамын?",
                }
            ]
        },
    )

    channel: Channel
    lang: Lang
    topic: TopicId | None = None
    answered: bool
    text: FreeText = Field(description="kept, masked, only when the bot could not answer")


class CreatedOut(BaseModel):
    id: int = Field(examples=[1207])


# --- Statistics: every count under the threshold is withheld. ---


class Count(BaseModel):
    count: int | None = Field(description="null when suppressed", examples=[12])
    suppressed: bool = False


class KeyedCount(Count):
    key: str | None = Field(
        description="topic id, language, channel or ISO week (2026-W48); null: no topic"
    )


class Breakdown(BaseModel):
    total: Count
    by_topic: list[KeyedCount]
    by_lang: list[KeyedCount]
    by_channel: list[KeyedCount]
    by_week: list[KeyedCount]


class QuestionStats(Breakdown):
    answered: Count
    unanswered: Count


class SnippetFeedback(BaseModel):
    snippet_id: str
    helpful: Count
    not_helpful: Count


class FeedbackStats(BaseModel):
    total: Count
    by_snippet: list[SnippetFeedback]


class UnansweredQuestion(BaseModel):
    text: str = Field(examples=["[phone] балабақшаға кезек"])
    count: int


class StatsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "min_count": 5,
                    "retention_days": 30,
                    "questions": {
                        "total": {"count": 212, "suppressed": False},
                        "answered": {"count": 171, "suppressed": False},
                        "unanswered": {"count": 41, "suppressed": False},
                        "by_topic": [
                            {"key": "child.school", "count": 38, "suppressed": False},
                            {"key": "safety.trafficking", "count": None, "suppressed": True},
                            {"key": "stay.registration", "count": 96, "suppressed": False},
                            {"key": "work.eaeu", "count": None, "suppressed": True},
                            {"key": None, "count": 66, "suppressed": False},
                        ],
                        "by_lang": [
                            {"key": "en", "count": 9, "suppressed": False},
                            {"key": "kk", "count": 61, "suppressed": False},
                            {"key": "ru", "count": 142, "suppressed": False},
                        ],
                        "by_channel": [
                            {"key": "socketio", "count": 80, "suppressed": False},
                            {"key": "telegram", "count": 132, "suppressed": False},
                        ],
                        "by_week": [
                            {"key": "2026-W47", "count": 97, "suppressed": False},
                            {"key": "2026-W48", "count": 115, "suppressed": False},
                        ],
                    },
                    "handoffs": {
                        "total": {"count": 7, "suppressed": False},
                        "by_topic": [{"key": "stay.registration", "count": 7}],
                        "by_lang": [
                            {"key": "kk", "count": None, "suppressed": True},
                            {"key": "ru", "count": None, "suppressed": True},
                        ],
                        "by_channel": [{"key": "telegram", "count": 7}],
                        "by_week": [{"key": "2026-W48", "count": 7}],
                    },
                    "feedback": {
                        "total": {"count": 58, "suppressed": False},
                        "by_snippet": [
                            {
                                "snippet_id": "stay.registration.host-notifies-3-days",
                                "helpful": {"count": 31, "suppressed": False},
                                "not_helpful": {"count": 6, "suppressed": False},
                            }
                        ],
                    },
                    "top_unanswered": [
                        {"text": "балабақшаға кезекке қалай тұрамын? [phone]", "count": 6}
                    ],
                }
            ]
        }
    )

    min_count: int = Field(description="counts below this are suppressed", examples=[5])
    retention_days: int = Field(description="the statistics cover at most this many days")
    questions: QuestionStats
    handoffs: Breakdown
    feedback: FeedbackStats
    top_unanswered: list[UnansweredQuestion] = Field(
        description="masked texts of unanswered questions asked at least min_count times"
    )


class PurgeOut(BaseModel):
    cutoff: dt.datetime
    deleted: dict[str, int] = Field(
        examples=[{"handoffs": 2, "handoff_messages": 9, "feedback": 40, "questions": 130}]
    )


class ForgottenOut(BaseModel):
    deleted: dict[str, int] = Field(examples=[{"handoffs": 1, "handoff_messages": 7}])
