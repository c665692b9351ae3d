"""Public shapes of the API (what clients read), apart from the database rows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.handoffs.callback import InvalidPhone, check_phone

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


# --- Conversations: handoffs, feedback, questions (writes by the action server). ---

Channel = Literal["telegram", "socketio", "rest"]
Author = Literal["user", "staff", "bot"]
HandoffMode = Literal["live", "message", "callback"]
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


class TranscriptItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    author: Author
    text: FreeText = Field(description="stored with phone, e-mail and document numbers masked")


class HandoffIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # JSON types as documented: no "true" for true, no 0 for false
        json_schema_extra={
            "examples": [
                {
                    "channel": "telegram",
                    "sender_id": "123456789",
                    "lang": "ru",
                    "topic": "stay.registration",
                    "consent": True,
                    "transcript": [
                        {"author": "user", "text": "Хозяин не делает мне регистрацию"},
                        {"author": "bot", "text": "Регистрацию делает принимающая сторона…"},
                        {"author": "user", "text": "Позвоните мне: +7 701 123 45 67"},
                    ],
                },
                {
                    "channel": "socketio",
                    "sender_id": "b1946ac92492d2347c6235b4d2611184",
                    "lang": "kk",
                    "topic": "child.school",
                    "consent": True,
                    "mode": "callback",
                    "callback_phone": "+7 701 123 45 67",
                    "transcript": [],
                },
            ]
        },
    )

    channel: Channel
    sender_id: str = Field(
        min_length=1,
        max_length=200,
        description="the channel's id of her chat; only a keyed hash of it is stored",
    )
    lang: Lang
    topic: TopicId | None = None
    consent: Literal[True] = Field(
        description="she agreed that a person reads the conversation; must be true"
    )
    transcript: list[TranscriptItem] = Field(default_factory=list, max_length=50)
    mode: HandoffMode = Field(
        default="live",
        description="live: she waits for a person now; message: she leaves a message for "
        "when staff are back (out of hours); callback: she asked to be called back",
    )
    callback_phone: str | None = Field(
        default=None,
        max_length=40,
        description="required with mode callback, refused otherwise: the number as she typed "
        "it (7-20 digits besides spaces, brackets, hyphens and a leading +); never stored in "
        "a message, shown masked in lists, deleted when the hand-off closes",
        examples=["+7 701 123 45 67"],
    )

    @model_validator(mode="after")
    def _callback_phone_with_callback_only(self) -> HandoffIn:
        if self.mode == "callback" and self.callback_phone is None:
            raise ValueError("callback_phone is required when mode is 'callback'")
        if self.mode != "callback" and self.callback_phone is not None:
            raise ValueError("callback_phone is only accepted when mode is 'callback'")
        if self.callback_phone is not None:
            try:
                check_phone(self.callback_phone)
            except InvalidPhone as exc:
                raise ValueError(f"callback_phone: {exc}") from None
        return self


class HandoffOut(BaseModel):
    id: int = Field(examples=[42])
    status: Literal["open", "taken", "closed"]


class HandoffCreated(HandoffOut):
    position: int | None = Field(
        examples=[2],
        description="open, untaken hand-offs created before this one (0: she is next)",
    )
    in_hours: bool = Field(description="staff hours were on when it was opened")


class AvailabilityOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"in_hours": True, "available": 2, "waiting": 3, "next_open": None},
                {
                    "in_hours": False,
                    "available": 0,
                    "waiting": 1,
                    "next_open": "2026-12-08T09:00:00+05:00",
                },
            ]
        }
    )

    in_hours: bool = Field(description="now is inside STAFF_HOURS and not a holiday")
    available: int = Field(
        description="staff marked available in the console and seen there in the last 30 min"
    )
    waiting: int = Field(description="hand-offs open and not taken")
    next_open: dt.datetime | None = Field(
        description="start of the next staffed period, Kazakhstan time (+05:00); null in hours"
    )


class SweepOut(BaseModel):
    untaken_notified: list[int] = Field(description="hand-offs told nobody has taken them yet")
    closed_stale: list[int] = Field(description="hand-offs closed after no activity")


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
