"""Delivering a staff message to her channel.

Telegram gets it at once through the Bot API (`sendMessage` to her chat id). The web widget
(socket.io) and the REST channel cannot be pushed to from here: their messages stay stored
and the widget fetches them from GET /v1/handoffs/replies.
"""

from __future__ import annotations

import logging

import httpx

from app.core.config import Settings

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """Her channel did not accept the message; the reason is short and holds no personal data."""


# Channels a staff message is pushed to; the others poll for it.
PUSHED = ("telegram",)


def send_telegram(settings: Settings, chat_id: str, text: str) -> None:
    if not settings.telegram_access_token:
        raise DeliveryFailed("TELEGRAM_ACCESS_TOKEN is not set")
    base, token = settings.telegram_api_base.rstrip("/"), settings.telegram_access_token
    url = f"{base}/bot{token}/sendMessage"
    try:
        response = httpx.post(
            url,
            json={"chat_id": chat_id, "text": text},
            timeout=settings.telegram_timeout_seconds,
        )
    except httpx.HTTPError as exc:
        # The exception text would hold the URL, and the URL the token: name only the kind.
        raise DeliveryFailed(f"Telegram unreachable ({type(exc).__name__})") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict) or not body.get("ok"):
        reason = body.get("description", "") if isinstance(body, dict) else ""
        answer = f"Telegram answered {response.status_code} {str(reason)[:120]}"
        raise DeliveryFailed(answer.strip())
    log.info("staff message delivered on telegram")
