"""Telegram channel: Rasa's TelegramInput/TelegramOutput made safe for this bot.

Registered in bot/credentials.telegram.yml as `channels.telegram.TelegramInput`; the
name stays "telegram", so the webhook is POST /webhooks/telegram/webhook. Its settings
are the bot's (common/settings.py, .env.example): TELEGRAM_ACCESS_TOKEN,
TELEGRAM_BOT_USERNAME, TELEGRAM_WEBHOOK_URL, TELEGRAM_SECRET_TOKEN and TELEGRAM_API_BASE.

This module keeps only what is Telegram's: the webhook and its secret, an update turned
into messages (commands, button presses, the text-only answer) and the output (split
texts, inline keyboards). Every message then goes through the same pipeline as REST and
socket.io: the guard (channels/guard.py: clean text, length, rate limit, crowd, "back
soon" with the emergency numbers when Rasa sends nothing) and /forget
(channels/forgetting.py); answers in her language are Rasa's NLG's.

What it changes from Rasa's channel (rasa/core/channels/telegram.py):

- The Bot API base URL is configurable (a fake server in tests), and the aiogram 2.15
  "Event loop is closed" bug is fixed: the start-up calls (getMe, setWebhook) run in
  their own event loop and close the aiohttp session they opened, so the server's loop
  opens a fresh one (docs/ARCHITECTURE.md, "Rasa facts"). getMe runs once, at start-up,
  not on every update.
- Only requests with Telegram's X-Telegram-Bot-Api-Secret-Token header equal to
  TELEGRAM_SECRET_TOKEN are accepted (403 otherwise); setWebhook registers it.
- Texts go out as plain text, without parse_mode. Knowledge texts and sources are full
  of characters that Markdown reads as markup (`_`, `*`, `[`, `(`, `.` in MarkdownV2),
  and one missed escape makes Telegram reject the whole message; plain text cannot
  break. Texts longer than Telegram's 4096 characters are split between paragraphs,
  lines, sentences or words, never inside a word or a link.
- Buttons become an inline keyboard, one button per row; callback_data is the payload,
  or a short id for payloads over Telegram's 64 bytes. Button presses are answered
  (answerCallbackQuery) and go to Rasa as the payload.
- `custom` payloads ({"snippet_id", "topic", "lang"}) are for the web clients: they are
  never sent to Telegram.
- from.language_code goes into the message metadata as `language_code` (the actions take
  it as a hint only).
- Commands: /start (greeting and language menu), /language, /help, /human, /forget.
- Stickers, photos, voice notes, files: a kind answer in her language. Edited messages
  are answered like new ones: she usually edits to fix a typo in her question.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError, Unauthorized
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.forgetting import forgetting
from channels.guard import Guard, OnNewMessage, clean_text
from common.settings import get_settings

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
MAX_TEXT = 4096  # Telegram counts UTF-16 code units
MAX_CALLBACK_BYTES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
# Telegram commands → intent payloads. /start also shows the language menu.
COMMANDS = {
    "start": ["/greet", "/choose_language"],
    "language": ["/choose_language"],
    "help": ["/help_menu"],
    "human": ["/human_handoff"],
    "forget": ["/forget"],
}
UNKNOWN_COMMAND = "/help_menu"
COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\w+)?(?![A-Za-z0-9_])")
TEXT_ONLY = "utter_text_only"


# --------------------------------------------------------------------------- text


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The number of characters of `text` that fit in `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split `text` into messages of at most `limit`, at the largest boundary that fits:
    a paragraph, a line, a sentence, a clause, a space; a single word longer than the
    limit is the only thing ever cut."""
    text = text.strip()
    chunks: list[str] = []
    while utf16_len(text) > limit:
        end = _fitting_prefix(text, limit)
        window = text[:end]
        cut = end
        for separator in ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " "):
            at = window.rfind(separator)
            if at > 0 and (at >= end // 2 or separator == " "):
                cut = at + len(separator)
                break
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


# ---------------------------------------------------------------------- callbacks


def short_id(payload: str) -> str:
    return "#" + hashlib.sha256(payload.encode()).hexdigest()[:24]


class CallbackPayloads:
    """callback_data for buttons: the payload itself when it fits in 64 bytes, else a
    short id. Ids of payloads this process sent are remembered; the domain's own button
    payloads are found by id on any replica, even after a restart."""

    def __init__(self, size: int = 10_000) -> None:
        self._by_id: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def data_for(self, payload: str) -> str:
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith("#"):
            return payload
        key = short_id(payload)
        self._by_id[key] = payload
        self._by_id.move_to_end(key)
        while len(self._by_id) > self._size:
            self._by_id.popitem(last=False)
        return key

    def payload_for(self, data: str, known: Iterable[str] = ()) -> str | None:
        if not data.startswith("#"):
            return data
        if data in self._by_id:
            return self._by_id[data]
        return next((p for p in known if short_id(p) == data), None)


def domain_payloads(domain: Any) -> Iterable[str]:
    for variations in getattr(domain, "responses", {}).values():
        for variation in variations:
            for button in variation.get("buttons") or []:
                yield str(button.get("payload", ""))


# ------------------------------------------------------------------------- output


class TelegramOutput(RasaTelegramOutput):
    """Sends to the Bot API at `api_base`, as plain text, never a custom payload."""

    def __init__(self, access_token: str, api_base: str, callbacks: CallbackPayloads) -> None:
        Bot.__init__(
            self, access_token, server=TelegramAPIServer.from_base(api_base), parse_mode=None
        )
        self.callbacks = callbacks

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text):
            await self.send_message(recipient_id, part, disable_web_page_preview=True)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        button_type: str | None = "inline",
        **kwargs: Any,
    ) -> None:
        keyboard = InlineKeyboardMarkup()
        for button in buttons:
            keyboard.row(
                InlineKeyboardButton(
                    button["title"], callback_data=self.callbacks.data_for(button["payload"])
                )
            )
        parts = split_text(text) or ["…"]
        for part in parts[:-1]:
            await self.send_message(recipient_id, part, disable_web_page_preview=True)
        await self.send_message(
            recipient_id, parts[-1], reply_markup=keyboard, disable_web_page_preview=True
        )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """The custom payload is for the web clients (docs/ARCHITECTURE.md): never sent here."""
        log.debug("custom payload not sent to Telegram: %s", sorted(json_message))


# -------------------------------------------------------------------------- input


def _setting(credentials: dict[str, Any], key: str, default: str) -> str:
    """The credentials file's value when it names one, else the bot's setting."""
    value = credentials.get(key)
    return str(default if value in (None, "") else value).strip()


class TelegramInput(RasaTelegramInput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        credentials = credentials or {}
        settings = get_settings()
        return cls(
            access_token=_setting(credentials, "access_token", settings.telegram_access_token),
            verify=_setting(credentials, "verify", settings.telegram_bot_username),
            webhook_url=_setting(credentials, "webhook_url", settings.telegram_webhook_url),
            secret_token=_setting(credentials, "secret_token", settings.telegram_secret_token),
            api_base=_setting(credentials, "api_base", settings.telegram_api_base),
        )

    def __init__(
        self,
        access_token: str,
        verify: str,
        webhook_url: str,
        secret_token: str,
        api_base: str = DEFAULT_API_BASE,
        debug_mode: bool = False,
    ) -> None:
        missing = [
            env
            for env, value in (
                ("TELEGRAM_ACCESS_TOKEN", access_token),
                ("TELEGRAM_BOT_USERNAME", verify),
                ("TELEGRAM_WEBHOOK_URL", webhook_url),
                ("TELEGRAM_SECRET_TOKEN", secret_token),
            )
            if not value
        ]
        if missing:
            raise RasaException(f"Telegram channel: set {', '.join(missing)} (.env.example)")
        if not SECRET_SHAPE.match(secret_token):
            raise RasaException(
                "TELEGRAM_SECRET_TOKEN: 1-256 characters, only A-Z, a-z, 0-9, _ and -"
            )
        if not api_base.startswith(("http://", "https://")):
            raise RasaException("TELEGRAM_API_BASE must start with http:// or https://")
        super().__init__(access_token, verify.lstrip("@"), webhook_url, debug_mode)
        self.secret_token = secret_token
        self.api_base = api_base.rstrip("/")
        self.callbacks = CallbackPayloads()
        self._out: TelegramOutput | None = None
        self.guard = Guard(self.name())

    def _new_output(self) -> TelegramOutput:
        return TelegramOutput(self.access_token or "", self.api_base, self.callbacks)

    def get_output_channel(self) -> TelegramOutput:
        """The channel to send with, one per process. No network call here: Rasa calls
        this for external events too, inside the server's running loop."""
        if self._out is None:
            self._out = self._new_output()
        return self._out

    # ------------------------------------------------------------ start-up

    async def _register_webhook(self, channel: TelegramOutput) -> bool:
        result = await channel.request(
            "setWebhook",
            {
                "url": self.webhook_url,
                "secret_token": self.secret_token,
                "allowed_updates": json.dumps(ALLOWED_UPDATES),
            },
        )
        return bool(result)

    def _start_up(self) -> None:
        """Check the token (getMe) and register the webhook, in a loop of their own;
        close the session they opened so that the server's loop opens its own."""

        async def run() -> None:
            channel = self._new_output()
            try:
                try:
                    me = await channel.get_me()
                except Unauthorized as exc:
                    raise RasaException(f"TELEGRAM_ACCESS_TOKEN was refused: {exc}") from exc
                if me.username != self.verify:
                    raise RasaException(
                        f"TELEGRAM_BOT_USERNAME is {self.verify!r}, but the token is the "
                        f"bot @{me.username}"
                    )
                await self._register_webhook(channel)
                log.info("Telegram webhook set to %s", self.webhook_url)
            finally:
                # Bot.close() is deprecated in aiogram 2.x (the name clashes with the Bot API
                # method `close`): close the aiohttp session it opened ourselves.
                await channel.session.close()

        try:
            asyncio.run(run())
        except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            # Telegram being down must not keep the web chat from starting; Telegram
            # keeps the last webhook, and POST /webhooks/telegram/set_webhook retries.
            log.error("Telegram start-up failed (webhook not set): %s", exc)

    # ------------------------------------------------------------ webhook

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret_token.encode())

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        on_new_message = forgetting(on_new_message)
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        self._start_up()
        out_channel = self.get_output_channel()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/set_webhook", methods=["POST"])
        async def set_webhook(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                ok = await self._register_webhook(out_channel)
            except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.error("setWebhook failed: %s", exc)
                ok = False
            return response.json({"ok": ok}, status=200 if ok else 502)

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                update = json.loads(request.body or b"null")
            except ValueError:
                update = None
            if not isinstance(update, dict):
                return response.json({"error": "expected a Telegram Update object"}, status=400)
            try:
                await self._handle(update, request, out_channel, on_new_message)
            except Exception:
                # Answer 200 all the same: Telegram would resend the update again and again.
                log.exception("Telegram update %s failed", update.get("update_id"))
            return response.text("success")

        return telegram_webhook

    # ------------------------------------------------------------ updates

    async def _handle(
        self,
        update: dict[str, Any],
        request: Request,
        out: TelegramOutput,
        on_new_message: OnNewMessage,
    ) -> None:
        """One update → her messages, run through the guard as one."""
        agent = request.app.ctx.agent
        query = update.get("callback_query")
        if isinstance(query, dict):
            await self._answer_callback(out, query)
            chat = ((query.get("message") or {}).get("chat") or {}).get("id")
            sender = query.get("from") or {}
            data = str(query.get("data") or "")
            payload = self.callbacks.payload_for(data, domain_payloads(agent.domain))
            texts = [payload or UNKNOWN_COMMAND]
        else:
            message = update.get("message") or update.get("edited_message")
            if not isinstance(message, dict):
                return  # an update kind we did not ask for
            chat = (message.get("chat") or {}).get("id")
            sender = message.get("from") or {}
            text = message.get("text")
            has_text = isinstance(text, str) and bool(text.strip())
            texts = self._texts_for(clean_text(text)) if has_text else []
        chat_id = str(chat if chat is not None else sender.get("id"))
        messages = [
            UserMessage(
                text, out, chat_id, input_channel=self.name(), metadata=self._metadata(sender)
            )
            for text in texts
        ]
        if not messages:  # a sticker, a photo, a voice note, a file
            empty = UserMessage(None, out, chat_id, metadata=self._metadata(sender))
            await self.guard.respond(agent, out, empty, TEXT_ONLY)
            return
        await self.guard.handle(agent, on_new_message, *messages)

    @staticmethod
    def _texts_for(text: str) -> list[str]:
        """What goes to Rasa for a typed text: commands become intent payloads, and a
        text that only looks like one loses its slashes (Rasa reads "/x" as intent x)."""
        text = text.strip()
        if not text.startswith("/"):
            return [text]
        command = COMMAND.match(text)
        if command:
            return COMMANDS.get(command.group(1).lower(), [UNKNOWN_COMMAND])
        rest = text.lstrip("/").strip()
        return [rest] if rest else [UNKNOWN_COMMAND]

    @staticmethod
    def _metadata(sender: dict[str, Any]) -> dict[str, Any]:
        code = sender.get("language_code")
        return {"language_code": str(code)} if code else {}

    @staticmethod
    async def _answer_callback(out: TelegramOutput, query: dict[str, Any]) -> None:
        try:
            await out.answer_callback_query(str(query.get("id", "")))
        except TelegramAPIError as exc:  # too late, or already answered: not her problem
            log.warning("answerCallbackQuery failed: %s", exc)
