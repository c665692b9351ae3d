"""Shapes of the hand-off: what the action server sends, what the API and console answer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.handoffs.callback import InvalidPhone, check_phone
from app.i18n import Lang
from app.schemas import Channel, FreeText, TopicId

MAX_ID = 2**31 - 1  # a PostgreSQL integer; larger ids cannot exist
# A handoff's id in a path, for the API's routes and the console's pages alike.
HandoffId = Annotated[int, Path(ge=1, le=MAX_ID, examples=[42])]

Status = Literal["open", "taken", "closed"]
Author = Literal["user", "staff", "bot"]
HandoffMode = Literal["live", "message", "callback"]
# Stored in UTC; SQLite gives the value back without its zone, so it is put back here.
Utc = Annotated[dt.datetime, AfterValidator(lambda t: t if t.tzinfo else t.replace(tzinfo=dt.UTC))]


class UserMessageIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"text": "Спасибо, я жду. Мой номер 8 701 123 45 67"}]},
    )

    text: FreeText = Field(description="stored with phone, e-mail and document numbers masked")


class MessageOut(BaseModel):
    id: int = Field(examples=[7])
    author: Author
    text: str = Field(description="masked", examples=["Позвоните мне: [phone]"])
    created_at: Utc
    delivered_at: Utc | None = Field(
        default=None, description="staff messages pushed to Telegram: when Telegram took it"
    )
    delivery_error: str | None = Field(
        default=None,
        description="staff messages: why her channel did not accept it (not delivered)",
        examples=[None],
    )


class HandoffDetail(BaseModel):
    id: int = Field(examples=[42])
    status: Status
    channel: Channel
    lang: Lang
    topic: str | None = Field(examples=["stay.registration"])
    created_at: Utc
    taken_by: str | None = None
    taken_at: Utc | None = None
    closed_at: Utc | None = None
    mode: HandoffMode = "live"
    in_hours: bool | None = Field(
        default=None, description="staff hours were on when it opened (null: opened before 0006)"
    )
    position: int | None = Field(
        default=None, description="open, untaken hand-offs before this one; null unless open"
    )
    messages: list[MessageOut]


class ButtonOut(BaseModel):
    title: str = Field(examples=["Продолжать ждать"])
    payload: str = Field(
        examples=["/handoff_wait"], description="what the widget sends to the bot when tapped"
    )


class ReplyOut(BaseModel):
    id: int = Field(examples=[12])
    text: str = Field(examples=["Здравствуйте! Я юрист центра. Чем могу помочь?"])
    author: Literal["staff"] = "staff"
    created_at: Utc
    buttons: list[ButtonOut] = Field(
        default_factory=list,
        description="her choices under the message (the untaken notice); empty for a reply",
    )


class RepliesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "taken",
                    "messages": [
                        {
                            "id": 12,
                            "text": "Здравствуйте! Я юрист центра. Чем могу помочь?",
                            "author": "staff",
                            "created_at": "2026-11-28T18:30:00Z",
                        }
                    ],
                },
                {"status": None, "messages": []},
            ]
        }
    )

    status: Status | None = Field(
        description="status of her latest handoff from this session; null when there is none"
    )
    messages: list[ReplyOut]


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
