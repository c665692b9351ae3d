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


def send_telegram(
    settings: Settings,
    chat_id: str,
    text: str,
    buttons: list[tuple[str, str]] | None = None,
) -> None:
    """sendMessage; `buttons` (title, payload) become an inline keyboard, one per row, with
    the payload as callback_data, the way the bot's Telegram channel sends its buttons."""
    if not settings.telegram_access_token:
        raise DeliveryFailed("TELEGRAM_ACCESS_TOKEN is not set")
    base, token = settings.telegram_api_base.rstrip("/"), settings.telegram_access_token
    url = f"{base}/bot{token}/sendMessage"
    body: dict[str, object] = {"chat_id": chat_id, "text": text}
    if buttons:
        body["reply_markup"] = {
            "inline_keyboard": [[{"text": t, "callback_data": p}] for t, p in buttons]
        }
    try:
        response = httpx.post(
            url,
            json=body,
            timeout=settings.telegram_timeout_seconds,
        )
    except httpx.HTTPError as exc:
        # The exception text would hold the URL, and the URL the token: name only the kind.
        raise DeliveryFailed(f"Telegram unreachable ({type(exc).__name__})") from None
    try:
        answer_body = response.json()
    except ValueError:
        answer_body = {}
    if (
        response.status_code != 200
        or not isinstance(answer_body, dict)
        or not answer_body.get("ok")
    ):
        reason = answer_body.get("description", "") if isinstance(answer_body, dict) else ""
        answer = f"Telegram answered {response.status_code} {str(reason)[:120]}"
        raise DeliveryFailed(answer.strip())
    log.info("message delivered on telegram")
