"""One settings object for the API, read from the environment (and `.env`).

It fails at start-up, with a message naming the setting, when a value is
missing or unsafe for the environment it runs in.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse as parse_limit
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.handoffs.hours import StaffHours, parse_holidays, parse_hours, parse_zone
from app.i18n import Lang

REPO_ROOT = Path(__file__).resolve().parents[3]
DEV_SECRET = "changethis"  # noqa: S105 - the placeholder that is refused in production


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=REPO_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["local", "test", "production"] = "local"
    database_url: str = f"sqlite:///{REPO_ROOT / 'data' / 'app.db'}"
    knowledge_dir: Path = REPO_ROOT / "knowledge"
    locales_dir: Path = REPO_ROOT / "locales"
    # Shared secret the action server sends in X-Service-Key for writes.
    service_api_key: str = DEV_SECRET
    # Secret mixed into the pseudonym of a handoff's sender (HMAC-SHA256); when empty, the
    # service key is used. Changing it only means old and new handoffs no longer link up.
    sender_hash_salt: str = ""
    stale_after_days: int = Field(default=180, ge=1)
    retention_days: int = Field(default=30, ge=1)
    # Rasa's SQL tracker store; when set, the purge deletes its events older than
    # RETENTION_DAYS too (app/tracker_retention.py). Empty: Rasa keeps trackers in memory.
    tracker_database_url: str = ""
    # Database connections kept open, and extra ones under a burst (see app/db.py).
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=30, ge=0, le=500)
    # A handoff transcript (50 messages of up to 2,000 characters) must fit.
    max_body_bytes: int = Field(default=262_144, ge=1_000)
    rate_limit: str = "120/minute"
    cors_origins: list[str] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Staff console (api/app/console): sign-in lockout, session length, cookie flags.
    console_max_failed_logins: int = Field(default=5, ge=1)
    console_lockout_minutes: int = Field(default=15, ge=1)
    console_session_hours: int = Field(default=12, ge=1, le=24 * 30)
    # None: Secure cookies in production (behind HTTPS) and not for local plain http.
    console_cookie_secure: bool | None = None
    # Staff replies to a handoff from Telegram go out through the Bot API, with the bot's
    # own token and API server (the same variables the bot reads; empty = not delivered).
    telegram_access_token: str = ""
    telegram_api_base: str = Field(default="https://api.telegram.org", pattern=r"^https?://")
    telegram_timeout_seconds: float = Field(default=10, gt=0, le=60)
    # Hand-off to a person (app/handoffs; README "Handing the conversation to a person").
    # Staffed hours per week day and the holidays with none, in Kazakhstan time
    # (app/handoffs/hours.py has the format); checked here so a typo stops the start.
    staff_timezone: str = "Asia/Almaty"
    staff_hours: str = "mon-fri 09:00-18:00"
    staff_holidays: str = ""
    # In hours, an open hand-off nobody took for this long: she is told once and offered
    # to keep waiting, leave a message or go back to the bot.
    handoff_untaken_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # A hand-off nobody wrote in for this long is closed with the closing notice.
    handoff_stale_hours: int = Field(default=72, ge=1, le=24 * 365)
    # A Telegram group (its chat id, e.g. -1001234567890) told of each new hand-off with
    # no personal data; empty: not told. Sent with TELEGRAM_ACCESS_TOKEN.
    staff_telegram_chat_id: str = Field(default="", pattern=r"^(-?\d{1,20}|@\w{5,32})?$")
    # The language of that group message (topic and channel names).
    staff_telegram_lang: Lang = "en"
    # Web widget (api/app/widget). Sites that embed it, JSON list of origins: they may post
    # feedback and read handoff replies from the browser.
    widget_origins: list[str] = []
    # Ratings per client (IP) on the public feedback route, in `limits` syntax.
    widget_feedback_rate_limit: str = "30/minute"
    # Where quick exit sends her unless the embedding tag sets data-exit-url.
    widget_exit_url: str = "https://www.google.com/search?q=weather"
    # Rasa's socket.io URL for the demo page; empty: the widget's host on port 5005.
    widget_socket_url: str = ""

    @field_validator("widget_feedback_rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        try:
            parse_limit(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit like '30/minute': {value!r}") from exc
        return value

    @field_validator("widget_exit_url", "widget_socket_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"must be an http(s) URL: {value!r}")
        return value

    @model_validator(mode="after")
    def _staff_hours_parse(self) -> Settings:
        # Each part is named in the error, so the message says which variable to fix.
        for name, check in (
            ("STAFF_TIMEZONE", lambda: parse_zone(self.staff_timezone)),
            ("STAFF_HOURS", lambda: parse_hours(self.staff_hours)),
            ("STAFF_HOLIDAYS", lambda: parse_holidays(self.staff_holidays)),
        ):
            try:
                check()
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return self

    @property
    def hours(self) -> StaffHours:
        return _staff_hours(self.staff_hours, self.staff_holidays, self.staff_timezone)

    @model_validator(mode="after")
    def _secrets_are_safe(self) -> Settings:
        if self.service_api_key == DEV_SECRET:
            message = (
                'SERVICE_API_KEY is "changethis"; set a long random value '
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
            if self.environment == "production":
                raise ValueError(message)
            warnings.warn(message, stacklevel=1)
        elif self.environment == "production" and len(self.service_api_key) < 24:
            raise ValueError("SERVICE_API_KEY must be at least 24 characters in production")
        return self

    @property
    def sender_salt(self) -> str:
        return self.sender_hash_salt or self.service_api_key

    @property
    def console_secure_cookie(self) -> bool:
        if self.console_cookie_secure is None:
            return self.environment == "production"
        return self.console_cookie_secure

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=8)
def _staff_hours(hours: str, holidays: str, zone: str) -> StaffHours:
    return StaffHours.parse(hours, holidays, zone)


@lru_cache
def get_settings() -> Settings:
    return Settings()
