"""Through the trained bot: she asks for a person and agrees, on the REST channel (what
the widget uses) and on Telegram; staff take and answer in the console in Chromium; the
replies reach her (GET /v1/handoffs/replies, and the fake Telegram Bot API).

The whole stack runs: API, action server and Rasa with the trained model, on free ports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from e2e.conftest import prepare_database, service_env, start_stack, telegram_env
from e2e.fake_telegram import FakeTelegram
from e2e.test_telegram import callback_update, text_update
from playwright.sync_api import Page, expect

from browser.conftest import add_accounts, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TOKEN = "555000111:AAConsole-fake-token_for_tests"
USERNAME = "ana_komek_console_bot"
SECRET = "console-e2e-secret_0123456789"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("console-bot")
    fake = FakeTelegram(TOKEN, USERNAME).start()
    env = {
        **service_env(tmp),
        "DEFAULT_LANGUAGE": "ru",
        **telegram_env(fake.url, TOKEN, USERNAME, SECRET),
    }
    prepare_database(env)
    add_accounts(env)
    running = start_stack(env, tmp / "logs", timeout=300)
    try:
        yield {"api": running.api_url, "rasa": running.rasa_url, "telegram": fake}
    finally:
        running.stack.stop()
        fake.stop()


def rest(bot: dict[str, Any], sender: str, message: str) -> list[dict[str, Any]]:
    body = {"sender": sender, "message": message, "metadata": {"lang": "ru"}}
    response = httpx.post(f"{bot['rasa']}/webhooks/rest/webhook", json=body, timeout=60)
    response.raise_for_status()
    return list(response.json())


def telegram(bot: dict[str, Any], update: dict[str, Any]) -> None:
    response = httpx.post(
        f"{bot['rasa']}/webhooks/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=60,
    )
    assert response.status_code == 200, response.text


def take_and_reply(page: Page, base: str, handoff_id: int, reply: str) -> None:
    page.goto(f"{base}/console/handoffs")
    page.get_by_role("link", name=f"Handoff #{handoff_id}", exact=True).click()
    page.get_by_role("button", name="Take this conversation").click()
    expect(page.locator("#handoff-state")).to_have_text("taken by aliya")
    page.get_by_label("Your reply (she reads it in her chat)").fill(reply)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("ol.conversation")).to_contain_text(reply)


def test_rest_handoff_answered_in_the_console(bot: dict[str, Any], page: Page) -> None:
    sender = "console-rest-0001-session"
    asked = rest(bot, sender, "/human_handoff")
    assert "/affirm" in [b["payload"] for r in asked for b in r.get("buttons", [])]
    opened = rest(bot, sender, "/affirm")
    [custom] = [r["custom"] for r in opened if "custom" in r]
    handoff_id = int(custom["handoff_id"])
    rest(bot, sender, "Хозяйка не делает регистрацию, мой номер 8 701 123 45 67")

    sign_in(page, bot["api"], "staff")
    page.goto(f"{bot['api']}/console/handoffs/{handoff_id}")
    conversation = page.locator("ol.conversation")
    expect(conversation).to_contain_text("Хозяйка не делает регистрацию, мой номер [phone]")
    expect(conversation).not_to_contain_text("123 45 67")
    reply = "Здравствуйте! Я юрист, помогу с регистрацией."
    take_and_reply(page, bot["api"], handoff_id, reply)
    polled = httpx.get(f"{bot['api']}/v1/handoffs/replies", params={"session": sender}).json()
    assert polled["status"] == "taken"
    assert [m["text"] for m in polled["messages"]] == [reply]


def test_telegram_handoff_answered_in_the_console(bot: dict[str, Any], page: Page) -> None:
    chat = 720_000_777
    fake: FakeTelegram = bot["telegram"]
    telegram(bot, text_update(chat, "/human"))
    telegram(bot, callback_update(chat, "/affirm"))
    sign_in(page, bot["api"], "staff")
    page.goto(f"{bot['api']}/console/handoffs")
    row = page.locator("tbody tr", has=page.locator("td", has_text="telegram")).last
    link = row.get_by_role("link")
    handoff_id = int((link.get_attribute("href") or "").rsplit("/", 1)[-1])
    mark = fake.mark()
    reply = "Добрый день! Чем помочь?"
    take_and_reply(page, bot["api"], handoff_id, reply)
    sent = [c for c in fake.since(mark) if c.method == "sendMessage"]
    assert [(str(c.params["chat_id"]), c.params["text"]) for c in sent] == [(str(chat), reply)]
    expect(page.locator("ol.conversation li.staff").last).to_contain_text("delivered")
