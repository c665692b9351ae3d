"""Telegram channel: Rasa's TelegramInput/TelegramOutput made safe for this bot.

Registered in bot/credentials.telegram.yml as `channels.telegram.TelegramInput`; the
name stays "telegram", so the webhook is POST /webhooks/telegram/webhook. Every setting
comes from the environment (.env.example): TELEGRAM_ACCESS_TOKEN, TELEGRAM_BOT_USERNAME,
TELEGRAM_WEBHOOK_URL, TELEGRAM_SECRET_TOKEN and TELEGRAM_API_BASE.

What it changes from Rasa's channel (rasa/core/channels/telegram.py):

- The Bot API base URL is configurable (a fake server in tests), and the aiogram 2.15
  "Event loop is closed" bug is fixed: the start-up calls (getMe, setWebhook) run in
  their own event loop and close the aiohttp session they opened, so the server's loop
  opens a fresh one (shared/RASA_NOTES.md, section 2). getMe runs once, at start-up,
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
  /forget deletes her conversation from the tracker store, then confirms.
- Stickers, photos, voice notes, files: a kind answer in her language. Edited messages
  are answered like new ones: she usually edits to fix a typo in her question.
- The guard of every channel (bot/channels/guard.py): control characters removed, the
  per-sender rate limit (never for a cry for help), over-long texts answered with a
  request to write shorter, and "back soon" (after the emergency numbers for a cry for
  help) when Rasa sends nothing or fails.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
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

from channels import texts as texts_
from channels.guard import Guard, clean_text, emergency_response, relayed_to_a_person
from channels.privacy import FORGET_FAILED, HoldForget, forget_and_confirm

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org"
MAX_TEXT = 4096  # Telegram counts UTF-16 code units
MAX_CALLBACK_BYTES = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
SUPPORTED_LANGUAGES = ("kk", "ru", "en")
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
API_DOWN = "utter_api_down"


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
        """The custom payload is for the web clients (shared/DESIGN.md): never sent here."""
        log.debug("custom payload not sent to Telegram: %s", sorted(json_message))


class _HoldForget(HoldForget):
    """One update's output: holds back the /forget confirmation (channels/privacy.py)
    and counts what it passed on, so an update that got no answer can be noticed."""

    def __init__(self, out: TelegramOutput) -> None:
        super().__init__(out)
        self.sent = 0

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await super().send_response(recipient_id, message)


# -------------------------------------------------------------------------- input


def _setting(credentials: dict[str, Any], key: str, env: str, default: str = "") -> str:
    value = credentials.get(key)
    if value in (None, ""):
        value = os.environ.get(env, default)
    return str(value).strip()


class TelegramInput(RasaTelegramInput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        credentials = credentials or {}
        return cls(
            access_token=_setting(credentials, "access_token", "TELEGRAM_ACCESS_TOKEN"),
            verify=_setting(credentials, "verify", "TELEGRAM_BOT_USERNAME"),
            webhook_url=_setting(credentials, "webhook_url", "TELEGRAM_WEBHOOK_URL"),
            secret_token=_setting(credentials, "secret_token", "TELEGRAM_SECRET_TOKEN"),
            api_base=_setting(credentials, "api_base", "TELEGRAM_API_BASE", DEFAULT_API_BASE),
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
        self.default_language = os.environ.get("DEFAULT_LANGUAGE", "ru")
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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
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
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
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
            if not isinstance(text, str) or not text.strip():
                chat_id = str(chat if chat is not None else sender.get("id"))
                await self._send_response(agent, out, chat_id, TEXT_ONLY, sender)
                return
            texts = self._texts_for(clean_text(text))
        chat_id = str(chat if chat is not None else sender.get("id"))
        if any(self.guard.too_long(text) for text in texts):
            await self._say(agent, out, chat_id, sender, texts_.TOO_LONG)
            return
        if not self.guard.allowed(chat_id, " ".join(texts)):
            await self._say(agent, out, chat_id, sender, texts_.TOO_FAST)
            return
        metadata = self._metadata(sender)
        conversation = _HoldForget(out)
        try:
            for text in texts:
                await on_new_message(
                    UserMessage(
                        text, conversation, chat_id, input_channel=self.name(), metadata=metadata
                    )
                )
        except Exception:
            # Never leave her without an answer: "back soon", with the emergency numbers.
            log.exception("Rasa failed on a Telegram message")
            await self._cannot_answer(agent, out, chat_id, texts, sender)
            return
        if conversation.held:
            await self._forget(agent, out, chat_id, conversation.held, sender)
        elif conversation.sent == 0 and not await relayed_to_a_person(agent, chat_id):
            # Rasa goes on silently when the action server is down: say so. Silence is
            # deliberate while a person has her conversation (her words went to them).
            await self._cannot_answer(agent, out, chat_id, texts, sender)

    async def _cannot_answer(
        self,
        agent: Any,
        out: TelegramOutput,
        chat_id: str,
        texts: list[str],
        sender: dict[str, Any],
    ) -> None:
        """ "Back soon", after the emergency numbers when she asked for help."""
        emergency = next(filter(None, map(emergency_response, texts)), None)
        if emergency:
            await self._send_response(agent, out, chat_id, emergency, sender)
        await self._send_response(agent, out, chat_id, API_DOWN, sender)

    async def _say(
        self, agent: Any, out: TelegramOutput, chat_id: str, sender: dict[str, Any], msgid: str
    ) -> None:
        """A text of the channel layer (bot/channels/texts.py) in her language."""
        language = await self._language(agent, chat_id, sender)
        values = {"limit": self.guard.max_chars} if msgid == texts_.TOO_LONG else {}
        await out.send_response(chat_id, {"text": texts_.translate(msgid, language, **values)})

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

    async def _language(self, agent: Any, chat_id: str, sender: dict[str, Any]) -> str:
        """Her language: the conversation's, else Telegram's hint, else the default."""
        try:
            tracker = await agent.tracker_store.retrieve(chat_id)
        except Exception as exc:  # the tracker store is down: she still gets her answer
            log.warning("tracker not read for her language: %s", exc)
            tracker = None
        language = tracker.get_slot("language") if tracker is not None else None
        if language in SUPPORTED_LANGUAGES:
            return str(language)
        hint = str(sender.get("language_code") or "")[:2]
        return hint if hint in SUPPORTED_LANGUAGES else self.default_language

    async def _send_response(
        self,
        agent: Any,
        out: TelegramOutput,
        chat_id: str,
        name: str,
        sender: dict[str, Any],
        language: str | None = None,
    ) -> None:
        """Send a domain response in her language without storing anything."""
        language = language or await self._language(agent, chat_id, sender)
        variations = [
            v
            for v in agent.domain.responses.get(name) or []
            if v.get("channel") in (None, self.name())
        ]
        chosen = next(
            (
                v
                for v in variations
                if any(c.get("value") == language for c in v.get("condition") or [])
            ),
            variations[-1] if variations else None,
        )
        if chosen is None:
            log.error("response %s is missing from the domain", name)
            return
        message = {key: chosen[key] for key in ("text", "buttons") if chosen.get(key)}
        await out.send_response(chat_id, message)

    async def _forget(
        self,
        agent: Any,
        out: TelegramOutput,
        chat_id: str,
        held: list[dict[str, Any]],
        sender: dict[str, Any],
    ) -> None:
        """Delete her conversation, then confirm (the confirmation Rasa wrote is already
        in her language); if it could not be deleted, say so."""
        language = await self._language(agent, chat_id, sender)
        if not await forget_and_confirm(agent, chat_id, out, held):
            await self._send_response(agent, out, chat_id, FORGET_FAILED, sender, language)
