"""The staff console in real Chromium: sign-in, lookup, copy, referrals, roles, a11y."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.orm import Session

from app.db import make_engine
from app.models import Feedback, Handoff, Question
from browser.conftest import ROOT, axe_violations, sign_in

SCREENSHOTS = ROOT / "docs" / "screenshots"
# `UPDATE_SCREENSHOTS=1 make test-browser` rewrites the README's pictures.
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"


def test_sign_in_search_three_languages_and_copy(
    api: dict[str, Any], context: BrowserContext, page: Page
) -> None:
    base = api["url"]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    sign_in(page, base, "staff")
    search = page.get_by_label("Question or keywords, in Kazakh, Russian or English")
    search.fill("мектепке тіркеу")  # Kazakh: enrol at school
    search.press("Enter")
    first = page.locator("article.answer").first
    expect(first).to_be_visible()
    for lang in ("kk", "ru", "en"):
        expect(first.locator(f'section[lang="{lang}"] p.body')).not_to_be_empty()
    expect(first.locator("ul.sources a").first).to_have_attribute("href", re.compile("^https://"))
    expect(first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\d$"))
    ru_text = first.locator('section[lang="ru"] p.body').inner_text().strip()
    first.get_by_role("button", name="Copy RU").click()
    expect(first.locator('section[lang="ru"] .copied')).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == ru_text
    assert re.search("[а-яё]", ru_text)


def test_referral_lookup(api: dict[str, Any], page: Page) -> None:
    base = api["url"]
    sign_in(page, base, "staff")
    page.get_by_role("link", name="Referrals").click()
    page.get_by_label("City").select_option("almaty")
    page.get_by_label("Speaks").select_option("ru")
    page.get_by_role("button", name="Find").click()
    cards = page.locator("li.card.referral")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 1
    for card in cards.all():
        cities = card.locator("dt:text-is('Cities') + dd").inner_text()
        assert "almaty" in cities or "nationwide" in cities
        assert "ru" in card.locator("dt:text-is('Languages') + dd").inner_text()
    expect(page.get_by_role("status")).to_contain_text(f"Organisations found: {cards.count()}")


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("staff", ["Answers", "Referrals"], ["Content review", "Statistics", "Staff accounts"]),
        ("editor", ["Answers", "Content review"], ["Statistics", "Staff accounts"]),
        ("admin", ["Answers", "Content review", "Statistics", "Staff accounts"], []),
    ],
)
def test_navigation_follows_the_role(
    api: dict[str, Any], page: Page, role: str, visible: list[str], hidden: list[str]
) -> None:
    base = api["url"]
    sign_in(page, base, role)
    nav = page.get_by_role("navigation", name="Console sections")
    for name in visible:
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    for name in hidden:
        expect(nav.get_by_role("link", name=name)).to_have_count(0)
    if role != "admin":
        response = page.goto(f"{base}/console/stats")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_admin_adds_disables_and_resets_an_account(api: dict[str, Any], page: Page) -> None:
    base = api["url"]
    sign_in(page, base, "admin")
    page.goto(f"{base}/console/staff")
    page.get_by_label("Username").fill("leaving-worker")
    page.get_by_label("Password (at least 12 characters)", exact=True).fill("first password 1")
    page.get_by_role("button", name="Add", exact=True).click()
    row = page.get_by_role("row").filter(has_text="leaving-worker")
    expect(row.get_by_role("cell").nth(2)).to_have_text("active")

    row.get_by_role("button", name="Disable leaving-worker").click()
    expect(row.get_by_role("cell").nth(2)).to_have_text("disabled")
    # Her own account has no such button: an admin cannot lock herself out.
    me = page.get_by_role("row").filter(has_text="coordinator")
    expect(me.get_by_role("button", name=re.compile("Disable"))).to_have_count(0)

    row.locator("summary").click()
    row.get_by_label("New password (at least 12 characters) leaving-worker").fill(
        "second password 2"
    )
    row.get_by_role("button", name="Set the password").click()
    row.get_by_role("button", name="Enable leaving-worker").click()
    expect(row.get_by_role("cell").nth(2)).to_have_text("active")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill("leaving-worker")
    page.get_by_label("Password").fill("first password 1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    page.get_by_label("Username").fill("leaving-worker")
    page.get_by_label("Password").fill("second password 2")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/console/lookup")


def test_keyboard_skip_link_and_language_switch(api: dict[str, Any], page: Page) -> None:
    base = api["url"]
    sign_in(page, base, "staff")
    page.goto(f"{base}/console/referrals")  # the lookup page focuses its search box
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.get_by_role("link", name="Қазақша").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("button", name="Шығу")).to_be_visible()  # Sign out
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# Records browser notifications instead of showing them (headless Chromium has no
# notification centre), with permission already given as after "Notify me".
FAKE_NOTIFICATION = """
window.__notifications = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title) { window.__notifications.push(title); }
};
"""


def _service(api: dict[str, Any]) -> dict[str, str]:
    return {"X-Service-Key": api["env"]["SERVICE_API_KEY"]}


def _availability(api: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.get(f"{api['url']}/v1/handoffs/availability", headers=_service(api), timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _new_handoff(api: dict[str, Any], **body: Any) -> int:
    answer = httpx.post(
        f"{api['url']}/v1/handoffs",
        json={"consent": True, "lang": "ru", "transcript": [], **body},
        headers=_service(api),
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_waiting_count_updates_and_notifies(
    api: dict[str, Any], context: BrowserContext, page: Page
) -> None:
    base = api["url"]
    context.add_init_script(FAKE_NOTIFICATION)
    sign_in(page, base, "staff")
    count = page.locator("#waiting-count")
    expect(count).to_have_attribute("data-waiting", re.compile(r"^\d+$"))
    before = int(count.get_attribute("data-waiting") or "0")
    _new_handoff(api, channel="rest", sender_id="count-test-0123456789", topic="child.school")
    # The count polls every 15 s: wait for the next round, not for a time.
    expect(count).to_have_text(str(before + 1), timeout=40_000)
    notes = page.evaluate("() => window.__notifications")
    assert notes == ["New handoff"]


def test_availability_toggle_is_what_the_bot_reads(api: dict[str, Any], page: Page) -> None:
    base = api["url"]
    sign_in(page, base, "editor")
    before = _availability(api)["available"]
    page.get_by_role("button", name="I am available").click()
    expect(page.locator("#presence-state")).to_have_text("You are available for handoffs")
    expect(page).to_have_url(f"{base}/console/lookup")  # back where she was
    assert _availability(api)["available"] == before + 1
    page.get_by_role("button", name="I am away").click()
    expect(page.locator("#presence-state")).to_have_text("You are away")
    assert _availability(api)["available"] == before


def test_queue_shows_names_waiting_time_and_how_she_asked(api: dict[str, Any], page: Page) -> None:
    base = api["url"]
    message = _new_handoff(
        api,
        channel="telegram",
        sender_id="777000222",
        topic="stay.registration",
        mode="message",
    )
    callback = _new_handoff(
        api,
        channel="socketio",
        sender_id="sio-queue-test-0123456789",
        topic="health.pregnancy",
        lang="kk",
        mode="callback",
        callback_phone="+7 701 555 44 33",
    )
    sign_in(page, base, "staff")
    page.get_by_role("link", name=re.compile("^Handoffs")).click()
    # Rows found by their link's address, which stays the same in every language.
    first = page.locator(f'tr:has(a[href="/console/handoffs/{message}"])')
    for text in ("Registration after arrival", "Telegram", "out of hours (left a message)", "min"):
        expect(first).to_contain_text(text)
    expect(first).not_to_contain_text("stay.registration")
    second = page.locator(f'tr:has(a[href="/console/handoffs/{callback}"])')
    for text in ("Pregnancy and childbirth", "Web chat", "Қазақша", "callback requested"):
        expect(second).to_contain_text(text)
    expect(page.locator("table.queue")).not_to_contain_text("555 44 33")
    page.get_by_role("link", name="Русский").click()
    expect(first).to_contain_text("Регистрация после приезда")
    expect(first).to_contain_text("Телеграм")
    page.get_by_role("link", name="English").click()
    # The number in full for the one who takes it, a link she can call.
    page.get_by_role("link", name=f"Handoff #{callback}").click()
    expect(page.locator("#callback-phone")).to_have_text(re.compile(r"^\+7 \*\*\* \*\*\* 44 33"))
    page.get_by_role("button", name="Take this conversation").click()
    expect(page.get_by_role("link", name="+7 701 555 44 33")).to_have_attribute(
        "href", "tel:+77015554433"
    )
    page.get_by_role("button", name="I called her back").click()
    expect(page.locator("#callback-done")).to_have_text("yes")


def _seed_statistics(env: dict[str, str]) -> None:
    """Four weeks of questions, handoffs and feedback: enough for charts, with small cells."""
    engine = make_engine(env["DATABASE_URL"])
    start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    plan = [
        ("stay.registration", "ru", "telegram", 23),
        ("stay.registration", "kk", "socketio", 11),
        ("child.school", "kk", "telegram", 14),
        ("health.pregnancy", "en", "rest", 8),
        ("work.labour_migrant_permit", "ru", "socketio", 3),
        (None, "kk", "telegram", 6),
    ]
    with Session(engine) as session:
        n = 0
        for topic, lang, channel, count in plan:
            for _ in range(count):
                n += 1
                moment = start + dt.timedelta(hours=11 * n)
                session.add(
                    Question(
                        channel=channel,
                        lang=lang,
                        topic=topic,
                        answered=topic is not None,
                        text_masked=None if topic else "где получить ИИН [phone]",
                        created_at=moment,
                    )
                )
        for i in range(9):
            session.add(
                Handoff(
                    channel="telegram" if i % 3 else "socketio",
                    sender_hash=f"{i:064x}",
                    lang="kk" if i % 2 else "ru",
                    topic="stay.registration",
                    consent=True,
                    status="closed",
                    created_at=start + dt.timedelta(days=i * 2),
                )
            )
        for helpful, count in ((True, 17), (False, 4)):
            for _ in range(count):
                session.add(
                    Feedback(
                        snippet_id="stay.registration.host-notifies",
                        helpful=helpful,
                        lang="ru",
                        channel="telegram",
                    )
                )
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def seeded(api: dict[str, Any]) -> dict[str, Any]:
    _seed_statistics(api["env"])
    return api


def test_statistics_page_charts_and_csv(seeded: dict[str, Any], page: Page) -> None:
    base = seeded["url"]
    sign_in(page, base, "admin")
    page.get_by_role("link", name="Statistics").click()
    table = page.locator("section#t-questions-topic, section:has(h2#t-questions-topic)")
    row = table.locator("tr", has=page.locator("th", has_text="stay.registration"))
    expect(row.locator("td.num")).to_have_text("34")
    expect(row.locator("svg rect")).to_have_count(1)
    small = table.locator("tr", has=page.locator("th", has_text="work.labour_migrant_permit"))
    expect(small.locator("td.num")).to_have_text("<5")
    expect(small.locator("svg")).to_have_count(0)
    with page.expect_download() as download_info:
        table.get_by_role("link", name=re.compile("Download CSV")).click()
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    cells = dict(line.split(",", 1) for line in exported.splitlines()[1:])
    assert cells["work.labour_migrant_permit"] == "<5" and cells["stay.registration"] == "34"
    assert "3" not in cells.values()  # the real count of work.labour_migrant_permit
    if UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.screenshot(path=str(SCREENSHOTS / "console-stats.png"))


@pytest.mark.parametrize("width", [1280, 768])
def test_pages_fit_laptop_and_tablet_widths(seeded: dict[str, Any], page: Page, width: int) -> None:
    base = seeded["url"]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "admin")
    for path in (
        "/console/lookup?q=registration",
        "/console/referrals?city=almaty",
        "/console/review",
        "/console/stats",
        "/console/staff",
    ):
        page.goto(base + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at {width}px by {overflow}px"


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    # Injecting axe is an inline script, which the console's CSP rightly refuses.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield ctx.new_page()
    ctx.close()


def test_no_serious_accessibility_violations(seeded: dict[str, Any], axe_page: Page) -> None:
    base = seeded["url"]
    axe_page.goto(f"{base}/console/login")
    found = {"/console/login": axe_violations(axe_page)}
    sign_in(axe_page, base, "admin")
    for path in (
        "/console/lookup?q=тіркеу",
        "/console/referrals?city=almaty",
        "/console/review",
        "/console/stats",
        "/console/staff",
        "/console/lookup?q=school&lang=kk",
    ):
        axe_page.goto(base + path)
        found[path] = axe_violations(axe_page)
    assert all(not v for v in found.values()), {p: v for p, v in found.items() if v}
