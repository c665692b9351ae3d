"""The bot's settings, one object for the Rasa server (channels, components) and the action
server, from the environment and .env (pydantic 1: Rasa pins it); a bad value stops the
process at start with the variable's name (.env.example describes each)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from catalogs import LANGUAGES
from limits import parse_many
from pydantic import BaseSettings, Field, validator

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    api_url: str = "http://127.0.0.1:8000"
    service_api_key: str = "changethis"
    api_timeout_seconds: float = Field(3.0, gt=0, le=30)
    knowledge_dir: Path = REPO_ROOT / "knowledge"
    default_language: str = "ru"
    # Prometheus metrics on this port (actions/metrics.py); off when unset or empty.
    actions_metrics_port: int | None = Field(None, ge=1, le=65535)
    actions_metrics_host: str = "0.0.0.0"  # noqa: S104 - scraped from the compose network

    @validator("actions_metrics_port", pre=True)
    def _empty_is_off(cls, value: object) -> object:
        return None if value == "" else value

    # The channel layer in the Rasa server (bot/channels/guard.py).
    sender_rate_limit: str = "30/minute;10/10 seconds"
    sender_rate_limit_storage: str = "memory://"
    max_message_chars: int = Field(4096, ge=64, le=100_000)
    # Messages one Rasa process works on at once; beyond it she is told at once to write
    # again in a minute, instead of waiting in a queue (README "Load").
    max_messages_in_progress: int = Field(50, ge=1, le=10_000)

    # The Telegram channel (bot/channels/telegram.py), on when the access token is set;
    # bot/credentials.telegram.yml may name other values, which win.
    telegram_access_token: str = ""
    telegram_bot_username: str = ""
    telegram_webhook_url: str = ""
    telegram_secret_token: str = ""
    telegram_api_base: str = "https://api.telegram.org"

    @validator("api_url")
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("API_URL must start with http:// or https://")
        return value.rstrip("/")

    @validator("default_language")
    def _supported(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        return value

    @validator("sender_rate_limit")
    def _rate_limit(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(
                f"SENDER_RATE_LIMIT {value!r}: use limits' notation, e.g. 30/minute;10/10 seconds"
            ) from exc
        return value

    @validator("sender_rate_limit_storage")
    def _storage(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://", "redis+sentinel://")):
            raise ValueError("SENDER_RATE_LIMIT_STORAGE must be memory:// or a redis:// URL")
        return value

    class Config:
        env_file = REPO_ROOT / ".env"
        extra = "ignore"


@lru_cache
def get_settings() -> Settings:
    return Settings()
