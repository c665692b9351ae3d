"""Handoffs in the console, in Chromium: open the queue, take, reply, see the reply arrive.

The handoff is opened the way the action server opens it (POST /v1/handoffs with the
service key), on the real API. A Telegram reply must reach the fake Bot API server; a
widget reply must be in GET /v1/handoffs/replies.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.db import make_engine
from app.models import Handoff
from browser.conftest import ROOT, sign_in

SCREENSHOTS = ROOT / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"


def open_handoff(api: dict[str, Any], **body: Any) -> int:
    response = httpx.post(
        f"{api['url']}/v1/handoffs",
        json={"consent": True, **body},
        headers={"X-Service-Key": api["env"]["SERVICE_API_KEY"]},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _open_in_console(page: Page, base: str, handoff_id: int) -> None:
    page.goto(f"{base}/console/handoffs")
    page.get_by_role("link", name=f"Handoff #{handoff_id}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Handoff #{handoff_id}")


def test_telegram_reply_reaches_the_bot_api(api: dict[str, Any], page: Page) -> None:
    base, telegram = api["url"], api["telegram"]
    handoff_id = open_handoff(
        api,
        channel="telegram",
        sender_id="777000111",
        lang="ru",
        topic="stay.registration",
        transcript=[
            {
                "author": "user",
                "text": "Хозяин не делает регистрацию, мой телефон +7 701 123 45 67",
            },
            {"author": "bot", "text": "Регистрацию делает принимающая сторона."},
        ],
    )
    sign_in(page, base, "staff")
    _open_in_console(page, base, handoff_id)
    conversation = page.locator("ol.conversation")
    expect(conversation).to_contain_text("[phone]")
    expect(conversation).not_to_contain_text("123 45 67")
    page.get_by_role("button", name="Take this conversation").click()
    expect(page.locator("#handoff-state")).to_have_text("taken by aliya")
    mark = telegram.mark()
    reply = "Здравствуйте! Я Алия из центра помощи. Давайте разберёмся с регистрацией."
    page.get_by_label("Your reply (she reads it in her chat)").fill(reply)
    page.get_by_role("button", name="Send reply").click()
    expect(conversation).to_contain_text(reply)
    sent = [c for c in telegram.since(mark) if c.method == "sendMessage"]
    assert [(str(c.params["chat_id"]), c.params["text"]) for c in sent] == [("777000111", reply)]
    expect(conversation.locator("li.staff").last).to_contain_text("delivered")
    # What she writes next (relayed by the bot) appears without a reload.
    relayed = httpx.post(
        f"{base}/v1/handoffs/{handoff_id}/messages",
        json={"text": "Спасибо, жду"},
        headers={"X-Service-Key": api["env"]["SERVICE_API_KEY"]},
        timeout=10,
    )
    assert relayed.status_code == 201, relayed.text
    expect(conversation).to_contain_text("Спасибо, жду", timeout=15_000)
    mark = telegram.mark()
    page.get_by_role("button", name="Close and give back to the bot").click()
    expect(page.locator("#handoff-state")).to_have_text("closed: the bot answers her again")
    notices = [c for c in telegram.since(mark) if c.method == "sendMessage"]
    assert len(notices) == 1 and str(notices[0].params["chat_id"]) == "777000111"
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)


def test_widget_reply_is_in_the_replies_endpoint(api: dict[str, Any], page: Page) -> None:
    base = api["url"]
    session_id = "sio-4f1c2b7e9a0d4c11"
    handoff_id = open_handoff(
        api,
        channel="socketio",
        sender_id=session_id,
        lang="kk",
        topic="child.school",
        transcript=[{"author": "user", "text": "Баламды мектепке қабылдамайды"}],
    )
    sign_in(page, base, "staff")
    _open_in_console(page, base, handoff_id)
    reply = "Сәлеметсіз бе! Қай қалада тұрасыз?"
    page.get_by_label("Your reply (she reads it in her chat)").fill(reply)
    page.get_by_role("button", name="Send reply").click()  # replying takes it too
    expect(page.locator("#handoff-state")).to_have_text("taken by aliya")
    replies = httpx.get(f"{base}/v1/handoffs/replies", params={"session": session_id}, timeout=10)
    assert replies.status_code == 200
    assert replies.json()["status"] == "taken"
    assert reply in [r["text"] for r in replies.json()["messages"]]


@pytest.mark.skipif(not UPDATE_SCREENSHOTS, reason="UPDATE_SCREENSHOTS=1 rewrites the README's")
def test_queue_screenshot(api: dict[str, Any], page: Page) -> None:
    waiting = [
        ("telegram", "ru", "stay.registration", 14),
        ("socketio", "kk", "child.school", 9),
        ("telegram", "kk", "health.pregnancy", 6),
        ("socketio", "en", "work.labour_migrant_permit", 2),
    ]
    engine = make_engine(api["env"]["DATABASE_URL"])
    for n, (channel, lang, topic, minutes) in enumerate(waiting):
        handoff_id = open_handoff(
            api,
            channel=channel,
            sender_id=f"shot-{n}-0123456789abcdef",
            lang=lang,
            topic=topic,
            transcript=[{"author": "user", "text": "…"}],
        )
        with Session(engine) as session:
            created = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
            session.execute(
                update(Handoff).where(Handoff.id == handoff_id).values(created_at=created)
            )
            session.commit()
    engine.dispose()
    sign_in(page, api["url"], "staff")
    page.goto(f"{api['url']}/console/handoffs")
    expect(page.locator("tbody tr").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-handoffs.png"))
