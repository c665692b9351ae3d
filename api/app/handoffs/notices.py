"""What the service itself says to her during a handoff, in her language, from the catalogs.

The strings are marked with `_` so `make catalogs` extracts them into locales/; at run time
they are looked up in locales/<lang>/LC_MESSAGES/messages.po by the one catalog reader
(`catalogs`; English is the source).
"""

from __future__ import annotations

from pathlib import Path

import catalogs


def _(text: str) -> str:
    """Marks a string for extraction; the translation is looked up by `translate`."""
    return text


# Translators: sent to her when a staff member closes the conversation they took over from
# the bot; after it, the bot answers her again.
CLOSED = _(
    "The person from the helping organisation has closed this conversation. The bot answers "
    "you again: write your question or choose a topic. If you are in danger, call 112."
)


def translate(text: str, lang: str, locales_dir: Path) -> str:
    """The text in `lang`; the English source when the language has no catalog or entry."""
    return catalogs.gettext(locales_dir, lang, text)


# Translators: sent to her when, in staff hours, nobody has taken her conversation after
# HANDOFF_UNTAKEN_MINUTES; the three buttons below follow it on Telegram.
UNTAKEN = _(
    "Nobody has taken your conversation yet. You can keep waiting, leave a message for a "
    "person to answer later, or go back to the bot's answers."
)
# Translators: buttons under the message above.
KEEP_WAITING = _("Keep waiting")
LEAVE_MESSAGE = _("Leave a message")
BACK_TO_BOT = _("Back to the bot")
# (title, payload): the payloads are intents of the bot (the hand-off contract).
UNTAKEN_BUTTONS = (
    (KEEP_WAITING, "/handoff_wait"),
    (LEAVE_MESSAGE, "/handoff_leave_message"),
    (BACK_TO_BOT, "/handoff_back"),
)
# Translators: sent to her when a conversation nobody wrote in for HANDOFF_STALE_HOURS is
# closed by the service itself; after it, the bot answers her again.
CLOSED_STALE = _(
    "This conversation with a person was closed because nobody wrote in it for a long "
    "time. The bot answers you again: write your question or choose a topic. If you want "
    'a person again, choose "Talk to a person". If you are in danger, call 112.'
)


def buttons(
    pairs: tuple[tuple[str, str], ...], lang: str, locales_dir: Path
) -> list[tuple[str, str]]:
    return [(translate(title, lang, locales_dir), payload) for title, payload in pairs]
