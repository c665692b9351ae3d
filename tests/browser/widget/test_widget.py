"""The web widget as she uses it: demo page, three languages, buttons, reload, a dropped
connection, feedback, /forget, quick exit, accessibility, a 360-pixel phone, its size."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import BrowserContext, Locator, Page, WebSocketRoute, expect
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.db import make_engine
from app.handoffs import notices, service

from .conftest import ARTIFACTS, EXIT_URL, ROOT, Site

pytestmark = pytest.mark.e2e
GREETING = (
    "Hello! I help mothers who have moved to Kazakhstan: stay and registration, work, health, "
    "children's documents and school, legal aid and safety. Write your question or choose a "
    "topic. If you are in danger, call 112."
)
FORGOTTEN = (
    "Our conversation is deleted: nothing you wrote here is kept any more. If you write again, "
    "we will start afresh."
)
QUESTIONS = {
    "kk": "Баланы мектепке қалай беремін?",
    "ru": "Как записать ребенка в школу?",
    "en": "How do I enrol my child in school?",
}
SOURCE = {"kk": "Дереккөз", "ru": "Источник", "en": "Source"}
KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)
TIMEOUT = 30_000  # ms: the first answer of a cold bot on 2 busy cores


def translated(msgid: str, lang: str) -> str:
    if lang == "en":
        return msgid
    path = Path(ROOT, "locales", lang, "LC_MESSAGES", "messages.po")
    with path.open("rb") as fh:
        return str(read_po(fh, locale=lang)[msgid].string)


def bot_messages(page: Page) -> Locator:
    return page.locator(".ak-bot .ak-text")


def open_chat(page: Page, site: Site, lang: str = "en") -> None:
    page.goto(f"{site.api}/?lang={lang}")
    page.locator(".ak-launcher").click()
    expect(bot_messages(page).first).to_have_text(translated(GREETING, lang), timeout=TIMEOUT)


def ask(page: Page, text: str) -> None:
    before = bot_messages(page).count()
    page.locator(".ak-input").fill(text)
    page.locator(".ak-input").press("Enter")
    expect(bot_messages(page)).not_to_have_count(before, timeout=TIMEOUT)
    page.wait_for_timeout(1500)  # the rest of a multi-part answer


def ask_topic(page: Page, text: str) -> None:
    """Ask a question the knowledge base answers; wait until the whole reply is shown.

    Its messages arrive one by one: the answer with its feedback buttons first, the menu of
    next steps that ends every answer last.
    """
    feedback = page.locator(".ak-feedback").count()
    menus = page.locator(".ak-buttons").count()
    page.locator(".ak-input").fill(text)
    page.locator(".ak-input").press("Enter")
    expect(page.locator(".ak-feedback")).not_to_have_count(feedback, timeout=TIMEOUT)
    expect(page.locator(".ak-buttons")).to_have_count(menus + 1, timeout=TIMEOUT)


def stored(page: Page, name: str) -> Any:
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('anakomek.{name}'))")


def feedback_rows(site: Site) -> list[tuple[str, int, str, str]]:
    with sqlite3.connect(site.database) as db:
        return db.execute("SELECT snippet_id, helpful, lang, channel FROM feedback").fetchall()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_chat_in_each_language(page: Page, site: Site, lang: str) -> None:
    open_chat(page, site, lang)
    expect(page.locator(".ak-send")).to_have_text(translated("Send", lang))
    expect(page.locator(".ak-exit")).to_have_text(translated("Quick exit", lang))
    ask_topic(page, QUESTIONS[lang])
    answer = "\n".join(bot_messages(page).all_inner_texts()[1:])
    assert SOURCE[lang] in answer, answer
    if lang == "kk":
        assert KAZAKH_LETTERS.search(answer), answer
    expect(page.locator(".ak-feedback button").first).to_have_text(translated("Helpful", lang))
    # sources are links that open safely in a new tab
    link = page.locator(".ak-bot a.ak-link").first
    expect(link).to_have_attribute("href", re.compile(r"^https?://"))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile("noopener"))
    # the phone numbers she is given dial with a tap (the greeting names 112)
    phone = page.locator(".ak-bot a.ak-tel").first
    expect(phone).to_have_attribute("href", "tel:112")
    expect(phone).to_have_text("112")


def test_interface_language_follows_the_bot(page: Page, site: Site) -> None:
    open_chat(page, site, "kk")
    expect(page.locator(".ak-send")).to_have_text("Жіберу")
    ask_topic(page, QUESTIONS["ru"])
    expect(page.locator(".ak-send")).to_have_text("Отправить")
    expect(page.locator(".ak-root")).to_have_attribute("lang", "ru")
    expect(page.locator(".ak-input")).to_have_attribute("placeholder", "Напишите ваш вопрос")


def test_tapping_a_button_sends_its_payload(page: Page, site: Site) -> None:
    open_chat(page, site, "en")
    before = bot_messages(page).count()
    page.locator(".ak-bot .ak-buttons button").first.click()
    expect(page.locator(".ak-user").last).to_have_text(re.compile("Topics"))
    expect(bot_messages(page)).not_to_have_count(before, timeout=TIMEOUT)
    # the menu it answers with has its own buttons; the tapped row is spent
    expect(page.locator(".ak-buttons").last.locator("button").first).to_be_enabled()
    expect(page.locator(".ak-buttons").first.locator("button").first).to_be_disabled()


def test_reload_keeps_the_conversation(page: Page, site: Site) -> None:
    open_chat(page, site, "en")
    ask_topic(page, QUESTIONS["en"])
    session = stored(page, "session")
    shown = page.locator(".ak-log").text_content() or ""
    page.reload()
    expect(page.locator(".ak-panel")).to_be_visible()
    expect(page.locator(".ak-log")).to_have_text(shown)
    assert stored(page, "session") == session
    ask(page, "Hello")
    expect(bot_messages(page).last).to_have_text(GREETING)
    assert stored(page, "session") == session


def test_dropped_connection_reconnects_to_the_same_conversation(
    context: BrowserContext, page: Page, site: Site
) -> None:
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), through)
    open_chat(page, site, "en")
    session = stored(page, "session")
    sockets[-1].close(code=1006, reason="dropped")
    expect(page.locator(".ak-status")).to_have_text(
        "Connection lost. Reconnecting...", timeout=TIMEOUT
    )
    expect(page.locator(".ak-status")).to_have_text("", timeout=TIMEOUT)
    assert len(sockets) == 2
    ask_topic(page, QUESTIONS["en"])
    assert SOURCE["en"] in page.locator(".ak-log").inner_text()
    expect(bot_messages(page).first).to_have_text(GREETING)
    assert stored(page, "session") == session


def test_feedback_reaches_the_api(page: Page, site: Site) -> None:
    open_chat(page, site, "ru")
    ask_topic(page, QUESTIONS["ru"])
    before = feedback_rows(site)
    page.locator(".ak-feedback button").nth(1).click()  # not helpful
    expect(page.locator(".ak-feedback").first).to_have_text("Спасибо за отзыв.")
    after = feedback_rows(site)
    assert len(after) == len(before) + 1
    snippet, helpful, lang, channel = after[-1]
    assert snippet.startswith("child.school.")
    assert (helpful, lang, channel) == (0, "ru", "socketio")


def test_forget_deletes_the_conversation(page: Page, site: Site) -> None:
    open_chat(page, site, "en")
    ask_topic(page, QUESTIONS["en"])
    ask(page, "/forget")
    # the confirmation comes only once the tracker store has really deleted it
    expect(bot_messages(page)).to_have_text([FORGOTTEN], timeout=TIMEOUT)
    assert [entry["text"] for entry in stored(page, "log")] == ["/forget", FORGOTTEN]


def test_quick_exit_clears_everything_and_leaves(page: Page, site: Site) -> None:
    open_chat(page, site, "kk")
    assert stored(page, "session")
    page.locator(".ak-exit").click()
    page.wait_for_url(EXIT_URL)
    # back on the site in the same tab: nothing of the chat is left
    page.goto(f"{site.api}/?lang=kk")
    assert page.evaluate("sessionStorage.length") == 0
    expect(page.locator(".ak-panel")).to_be_hidden()
    assert page.locator(".ak-msg").count() == 0
    # the quick exit is also there with the panel closed, as is Esc twice
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(EXIT_URL)


def test_keyboard_only(page: Page, site: Site) -> None:
    page.goto(f"{site.api}/?lang=en")
    page.keyboard.press("Tab")
    order = []
    for _ in range(6):
        order.append(page.evaluate("document.activeElement.className"))
        page.keyboard.press("Tab")
    assert "ak-exit" in order and "ak-launcher" in order
    page.locator(".ak-launcher").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ak-input")).to_be_focused()
    expect(bot_messages(page).first).to_have_text(GREETING, timeout=TIMEOUT)
    page.keyboard.type("How do I enrol my child in school?")
    page.keyboard.press("Enter")
    expect(page.locator(".ak-user").last).to_have_text(re.compile("enrol my child"))
    expect(page.locator(".ak-launcher")).to_have_attribute("aria-expanded", "true")


def run_axe(page: Page) -> list[dict[str, Any]]:
    # Through DevTools, not a <script> tag: the demo page's CSP runs only its own scripts.
    axe = (ROOT / "tests" / "browser" / "vendor" / "axe.min.js").read_text(encoding="utf-8")
    page.evaluate(axe + "\n;void 0")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violations(page: Page, site: Site) -> None:
    open_chat(page, site, "kk")
    ask_topic(page, QUESTIONS["kk"])
    bad = run_axe(page)
    assert not bad, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in bad]


def test_phone_screen_has_no_horizontal_scroll(page: Page, site: Site) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_chat(page, site, "kk")
    ask_topic(page, QUESTIONS["kk"])
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    box = page.locator(".ak-panel").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert not page.evaluate(
        "(() => { const l = document.querySelector('.ak-log'); "
        "return l.scrollWidth > l.clientWidth; })()"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))


def test_size_budget_and_no_third_party_requests(page: Page, site: Site) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    with page.expect_response(re.compile(r"/widget\.js$")) as script:
        open_chat(page, site, "en")
    body = script.value.body()
    assert len(gzip.compress(body, 9)) < 60_000
    hosts = {urlsplit(url).netloc for url in requests}
    assert hosts <= {urlsplit(site.api).netloc, urlsplit(site.rasa).netloc}, hosts


def test_markdown_is_rendered_safely(page: Page, site: Site) -> None:
    """Text only ever becomes text nodes, <strong> and http(s) links; nothing runs."""
    open_chat(page, site, "en")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    typed = (
        '<img src=x onerror="alert(1)"> **bold** [bad](javascript:alert(2)) '
        "[good](https://example.org/a) http://example.org/b."
    )
    page.locator(".ak-input").fill(typed)
    page.locator(".ak-input").press("Enter")
    mine = page.locator(".ak-user .ak-text").last
    expect(mine.locator("strong")).to_have_text("bold")
    expect(mine).to_contain_text('<img src=x onerror="alert(1)">')
    assert page.locator(".ak-root img").count() == 0
    hrefs = mine.locator("a").evaluate_all("links => links.map(a => [a.href, a.rel, a.target])")
    assert hrefs == [
        ["https://example.org/a", "noopener noreferrer", "_blank"],
        ["http://example.org/b", "noopener noreferrer", "_blank"],
    ]
    expect(mine).to_contain_text("[bad](javascript:alert(2))")
    assert dialogs == []


def hand_over(page: Page, site: Site) -> int:
    """She asks for a person and agrees; the id of her handoff, once the widget polls it."""
    open_chat(page, site, "en")
    page.locator(".ak-input").fill("/human_handoff")
    page.locator(".ak-input").press("Enter")
    page.get_by_role("button", name="Yes, pass it on").click(timeout=TIMEOUT)
    # Waited for on the page first: the widget's CSP forbids the eval that polling needs.
    expect(page.locator(".ak-bot .ak-text").last).to_contain_text(
        "A person from the organisation will answer you here", timeout=TIMEOUT
    )
    page.wait_for_function("JSON.parse(sessionStorage.getItem('anakomek.handoff'))")
    return int(stored(page, "handoff")["id"])


@contextmanager
def stack_database(site: Site) -> Iterator[tuple[Session, Settings]]:
    """The console's service functions on the running stack's database (staffed all day)."""
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{site.database}",
        service_api_key="e2e-" + "k" * 28,
        staff_hours="mon-sun 00:00-24:00",
    )
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as db:
            yield db, settings
    finally:
        engine.dispose()


def test_staff_replies_reach_her_during_a_handoff(page: Page, site: Site) -> None:
    """She agrees to a person; a staff reply shows as a person's message; closing stops
    the polling."""
    handoff_id = hand_over(page, site)
    with stack_database(site) as (db, settings):
        service.reply(
            db, settings, handoff_id, "Aigerim", "Hello, I am a lawyer. Call me: 8 701 123 45 67"
        )
    expect(page.locator(".ak-person .ak-text")).to_have_text(
        ["Hello, I am a lawyer. Call me: [phone]"], timeout=TIMEOUT
    )
    with stack_database(site) as (db, settings):
        service.close(db, settings, handoff_id, "Aigerim")
    expect(page.locator(".ak-person .ak-text").last).to_have_text(notices.CLOSED, timeout=TIMEOUT)
    page.wait_for_function("JSON.parse(sessionStorage.getItem('anakomek.handoff')) === null")


def test_untaken_notice_shows_its_choices_and_keep_waiting_is_answered(
    page: Page, site: Site
) -> None:
    """Nobody takes her conversation: the notice comes with its three choices, as on
    Telegram, and tapping one reaches the bot, which answers it."""
    handoff_id = hand_over(page, site)
    with stack_database(site) as (db, settings):
        waited = dt.timedelta(minutes=settings.handoff_untaken_minutes + 1)
        swept = service.sweep(db, settings, now=dt.datetime.now(dt.UTC) + waited)
    assert handoff_id in swept.untaken_notified
    notice = page.locator(".ak-person").last
    expect(notice.locator(".ak-text")).to_have_text(notices.UNTAKEN, timeout=TIMEOUT)
    expect(notice.locator(".ak-chip")).to_have_text(
        ["Keep waiting", "Leave a message", "Back to the bot"]
    )
    notice.get_by_role("button", name="Keep waiting").click()
    expect(page.locator(".ak-user .ak-text").last).to_have_text("Keep waiting")
    expect(bot_messages(page).last).to_have_text(
        "All right: your conversation stays in the queue, and a person will answer here.",
        timeout=TIMEOUT,
    )
    expect(notice.locator(".ak-chip").first).to_be_disabled()
