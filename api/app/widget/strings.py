"""Interface strings of the widget and its demo page, translated from locales/.

The texts are marked with N_ so `make catalogs` extracts them into messages.pot; the
script and the page get them from here, already translated: there is no interface text
in the JavaScript.
"""

from __future__ import annotations

from pathlib import Path

import catalogs

from app.i18n import SUPPORTED


def N_(message: str) -> str:  # the gettext marker Babel extracts
    return message


WIDGET = {
    # Translators: the name of the chat service, the title of the chat panel.
    "title": N_("Ana Komek"),
    # Translators: button that opens the chat panel.
    "open": N_("Chat with us"),
    # Translators: button that hides the chat panel (the conversation stays).
    "hide": N_("Hide the chat"),
    # Translators: screen-reader label of the "×" button that closes the chat panel.
    "close": N_("Close the chat"),
    # Translators: always-visible button that leaves the site at once and clears the chat.
    "exit": N_("Quick exit"),
    # Translators: tooltip of the quick-exit button.
    "exit_hint": N_("Leave this site at once and clear the chat (or press Esc twice)"),
    # Translators: short privacy notice at the top of the chat panel. Keep /forget as is.
    "privacy": N_(
        "No name or account needed. This chat is kept only in this browser tab and is gone "
        "when you close it. Send /forget to delete it from our server too."
    ),
    # Translators: screen-reader label of the list of messages.
    "conversation": N_("Conversation"),
    # Translators: screen-reader label of the text field.
    "input_label": N_("Your message"),
    # Translators: placeholder in the empty text field.
    "placeholder": N_("Write your question"),
    # Translators: the button that sends her message.
    "send": N_("Send"),
    # Translators: screen-reader prefix of her own messages.
    "you": N_("You:"),
    # Translators: screen-reader prefix of the bot's messages.
    "bot": N_("Ana Komek:"),
    # Translators: screen-reader prefix of messages written by a person of the helping organisation.
    "person": N_("Staff member:"),
    # Translators: button under an answer: the answer helped.
    "helpful": N_("Helpful"),
    # Translators: button under an answer: the answer did not help.
    "not_helpful": N_("Not helpful"),
    # Translators: shown in place of the two buttons once she rated an answer.
    "thanks": N_("Thank you for your feedback."),
    # Translators: status line when rating an answer failed.
    "feedback_failed": N_("Your feedback could not be sent. Please try again later."),
    # Translators: status line while the chat connects.
    "connecting": N_("Connecting..."),
    # Translators: status line after the connection dropped.
    "reconnecting": N_("Connection lost. Reconnecting..."),
}

DEMO = {
    # Translators: title of the demo page that shows the chat widget.
    "demo_title": N_("Ana Komek web chat"),
    # Translators: text of the demo page that shows the chat widget.
    "demo_text": N_(
        "This page shows the chat as a helping organisation's website would embed it. Open "
        "it with the button at the bottom right. It answers in Kazakh, Russian and English."
    ),
    # Translators: label of the list of language links on the demo page.
    "demo_languages": N_("Language"),
}


def translated(locales: Path, lang: str, strings: dict[str, str]) -> dict[str, str]:
    found = catalogs.load(locales, lang)
    return {key: found.get(text, text) for key, text in strings.items()}


def widget_strings(locales: Path) -> dict[str, dict[str, str]]:
    return {lang: translated(locales, lang, WIDGET) for lang in SUPPORTED}
