"""Console tests in Debian's Chromium (Playwright sync API, no `playwright install`).

The API runs for real under uvicorn on a free port, on a fresh SQLite database migrated
and synced from knowledge/, with one account per role made by `app.cli create-admin`.
A failed test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from e2e.conftest import api_command, prepare_database  # noqa: E402
from e2e.fake_telegram import FakeTelegram  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from stack import Stack, api_service  # noqa: E402
from support_pg import free_port  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "browser test password"
TELEGRAM_TOKEN = "123456:console-browser-test"
USERS = {"staff": "aliya", "editor": "bota", "admin": "coordinator"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def console_env(tmp: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp / 'console.db'}",
        "ENVIRONMENT": "test",
        "SERVICE_API_KEY": "browser-" + "k" * 28,
        "RATE_LIMIT": "100000/minute",
        "PYTHONPATH": str(ROOT / "api"),
    }


def add_accounts(env: dict[str, str]) -> None:
    for role, name in USERS.items():
        api_command(
            {**env, "CONSOLE_NEW_PASSWORD": PASSWORD},
            "-m",
            "app.cli",
            "create-admin",
            name,
            "--role",
            role,
        )


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running API with the console: {"url", "env", "telegram"}.

    Staff replies to Telegram conversations go to a fake Bot API server on this machine.
    """
    tmp = tmp_path_factory.mktemp("console")
    telegram = FakeTelegram(TELEGRAM_TOKEN, "ana_komek_test_bot").start()
    env = {
        **console_env(tmp),
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_API_BASE": telegram.url,
    }
    prepare_database(env)
    add_accounts(env)
    port = free_port()
    stack = Stack([api_service(port, env)], tmp / "logs")
    stack.start(timeout=60)
    yield {"url": f"http://127.0.0.1:{port}", "env": env, "telegram": telegram}
    stack.stop()
    telegram.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[FAILED] = report.failed


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(15_000)
    yield ctx
    if request.node.stash.get(FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        for number, page in enumerate(ctx.pages):
            page.screenshot(
                path=str(ARTIFACTS / f"{request.node.name}-{number}.png"), full_page=True
            )
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, base: str, role: str) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("Username").fill(USERS[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/console/lookup")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page (axe injected from vendor/)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
