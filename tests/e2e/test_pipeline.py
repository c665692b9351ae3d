"""A message goes into Rasa, an action asks the API, the answer comes back in her language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from .conftest import ROOT, Chat

pytestmark = pytest.mark.e2e
GREETING = (
    "Hello! I help mothers who have moved to Kazakhstan: stay and registration, work, health, "
    "children's documents and school, legal aid and safety. Write your question or choose a "
    "topic. If you are in danger, call 112."
)


def translated(msgid: str, lang: str) -> str:
    if lang == "en":
        return msgid
    path = Path(ROOT, "locales", lang, "LC_MESSAGES", "messages.po")
    with path.open("rb") as fh:
        return str(read_po(fh, locale=lang)[msgid].string)


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in replies if "text" in r]


def customs(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["custom"] for r in replies if "custom" in r]


@pytest.mark.parametrize(
    ("message", "lang"), [("Сәлеметсіз бе", "kk"), ("Hello", "en"), ("Здравствуйте", "ru")]
)
def test_greeting_comes_back_in_her_language(chat: Chat, message: str, lang: str) -> None:
    replies = chat(message)
    assert texts(replies)[0] == translated(GREETING, lang)
    assert replies[0]["buttons"], "the greeting offers buttons"


def test_metadata_language_wins(chat: Chat) -> None:
    assert texts(chat("Hello", {"lang": "kk"}))[0] == translated(GREETING, "kk")


@pytest.mark.parametrize(
    ("question", "lang", "topic"),
    [
        ("Как записать ребенка в школу?", "ru", "child.school"),
        ("How do I enrol my child in school?", "en", "child.school"),
        ("Баланы мектепке қалай беремін?", "kk", "child.school"),
    ],
)
def test_question_answered_from_the_knowledge_base(
    chat: Chat, question: str, lang: str, topic: str
) -> None:
    replies = chat(question)
    payloads = customs(replies)
    assert payloads, replies
    assert payloads[0]["topic"] == topic
    assert payloads[0]["lang"] == lang
    assert payloads[0]["snippet_id"].startswith(topic + ".")
    source_word = {"kk": "Дереккөз", "ru": "Источник", "en": "Source"}[lang]
    assert any(source_word in t for t in texts(replies)), texts(replies)


def test_she_can_switch_language(chat: Chat) -> None:
    chat("Здравствуйте")
    replies = chat("in English please", {})
    assert any("English" in t for t in texts(replies)), texts(replies)
    assert texts(chat("Hello"))[0] == GREETING


@pytest.mark.parametrize(
    ("message", "topic", "numbers"),
    [
        ("он меня бьёт, я боюсь", "safety.domestic_violence", ["112", "102"]),
        ("my boss took my passport and won't let me leave", "safety.trafficking", ["102"]),
        ("ребенок не дышит", "health.emergency", ["103", "112"]),
        ("толғақ басталды, қан кетіп жатыр", "health.emergency", ["103"]),
    ],
)
def test_a_cry_for_help_gets_the_emergency_numbers_first(
    chat: Chat, message: str, topic: str, numbers: list[str]
) -> None:
    replies = chat(message)
    first = texts(replies)[0]
    assert all(n in first for n in numbers), first
    assert customs(replies)[0]["topic"] == topic


@pytest.mark.parametrize("message", ["", "   ", "🙂🙂🙂", "<script>alert(1)</script>", "x" * 5000])
def test_odd_input_gets_an_answer_not_a_crash(chat: Chat, message: str) -> None:
    replies = chat(message)
    assert texts(replies), f"no reply to {message[:20]!r}"


def referral_payloads(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in customs(replies) if c.get("topic") == "contacts.referral"]


@pytest.mark.parametrize(
    ("message", "lang", "city"),
    [
        ("Шымкентте күйеуім ұрады, балаларыммен қайда барамын?", "kk", "Шымкент"),
        ("Муж бьёт меня и детей, мы в Караганде, куда идти?", "ru", "Караганда"),
        ("My husband beats me, I am in Almaty with my kids, where can we go?", "en", "Almaty"),
    ],
)
def test_violence_with_her_city_names_who_helps_there_or_says_there_is_nobody_yet(
    chat: Chat, message: str, lang: str, city: str
) -> None:
    replies = chat(message)
    said = texts(replies)
    assert "112" in said[0] and "102" in said[0]  # the emergency numbers first
    [people] = referral_payloads(replies)
    assert people["lang"] == lang
    # knowledge/referrals.yaml has no approved crisis centre in these cities yet: the reply
    # says so in her language, with her city's name, and gives 111 before the police.
    assert people["referral_ids"][:2] == ["hotline-111", "emergency"]
    intro = translated(
        "I have no checked contact for this in {city} yet. These lines help everywhere in "
        "Kazakhstan:",
        lang,
    )
    assert intro.format(city=city) in said
    first = said[said.index(intro.format(city=city)) + 1]
    assert "111" in first


def test_who_helps_in_her_city_asks_nothing_when_she_named_it(chat: Chat) -> None:
    replies = chat("Кто может помочь мигрантке в Астане?")
    [people] = referral_payloads(replies)
    assert people["referral_ids"][0] == "astana-ikomek-109"
    assert translated(
        "Which city are you in? Then I can name people near you who help.", "ru"
    ) not in texts(replies)


def test_who_helps_asks_her_city_once_and_remembers_the_button(chat: Chat) -> None:
    asked = chat("Who can help me?")
    question = "Which city are you in? Then I can name people near you who help."
    assert question in texts(asked)
    buttons = [b["payload"] for r in asked for b in r.get("buttons", [])]
    assert '/contacts_referral{"city": "astana"}' in buttons
    answered = chat('/contacts_referral{"city": "astana"}')
    [people] = referral_payloads(answered)
    assert people["referral_ids"][0] == "astana-ikomek-109"
    again = chat("who else can help")
    assert question not in texts(again)
