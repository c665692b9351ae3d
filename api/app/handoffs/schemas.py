"""Shapes of the handoff routes (HandoffIn and HandoffOut stay in app.schemas)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.schemas import Author, Channel, FreeText, HandoffMode, Lang

MAX_ID = 2**31 - 1  # a PostgreSQL integer; larger ids cannot exist
# A handoff's id in a path, for the API's routes and the console's pages alike.
HandoffId = Annotated[int, Path(ge=1, le=MAX_ID, examples=[42])]

Status = Literal["open", "taken", "closed"]
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


class ReplyOut(BaseModel):
    id: int = Field(examples=[12])
    text: str = Field(examples=["Здравствуйте! Я юрист центра. Чем могу помочь?"])
    author: Literal["staff"] = "staff"
    created_at: Utc


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
