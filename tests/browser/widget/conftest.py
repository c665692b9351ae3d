"""The widget in real Chromium (Debian's, never `playwright install`) against the real
stack: API, action server and the trained Rasa bot on free ports, a fresh SQLite database.
A failing test leaves a screenshot in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e.conftest import ROOT, prepare_database, service_env, start_stack
from playwright.sync_api import Browser, BrowserContext, Page

from support_pg import free_port

ARTIFACTS = ROOT / "test-artifacts"
EXIT_URL = "https://www.google.com/search?q=weather"


@dataclass(frozen=True)
class Site:
    api: str  # the API, which serves the demo page and the widget
    rasa: str
    database: Path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser")
    rasa_port = free_port()
    rasa = f"http://127.0.0.1:{rasa_port}"
    env = {**service_env(tmp), "WIDGET_SOCKET_URL": rasa, "WIDGET_EXIT_URL": EXIT_URL}
    prepare_database(env)
    running = start_stack(env, tmp / "logs", rasa_port=rasa_port)
    yield Site(running.api_url, rasa, tmp / "e2e.db")
    running.stack.stop()


# One Playwright and one Chromium per test session: `browser` is tests/browser/conftest.py's.


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    # The neutral site quick exit opens lies outside this machine: answer it locally.
    context.route(
        "https://www.google.com/**",
        lambda route: route.fulfill(content_type="text/html", body="<title>weather</title>"),
    )
    yield context
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
