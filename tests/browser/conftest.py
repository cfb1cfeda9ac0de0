"""A live server on the seeded demo centre, and Debian's Chromium driven by Playwright.

The server runs in a thread on a free port, on SQLite, with the suite's pinned clock.
Each page a test visits can be checked with axe-core (no serious or critical
violations) and photographed at desktop and phone widths into ``test-artifacts/``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from booking.seeding import DemoUser, seed_demo
from tests.conftest import NOW, app_for, migrate

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("BOOKING_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = HERE.parent.parent / "test-artifacts" / "browser"
WIDTHS = {"desktop": 1280, "phone": 390}


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (required under CI=true)")
    pytest.skip(why)


@dataclass
class Site:
    url: str
    app: Any
    people: dict[str, DemoUser]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path / 'booking.db'}"
    migrate(url)
    app = app_for(url, SITE_RULES={})
    with app.app_context():
        people = {user.email.split("@")[0]: user for user in seed_demo("browser", NOW)}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", app, people)
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    _require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": WIDTHS["desktop"], "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    tab = context.new_page()
    refused: list[str] = []  # what the pages' Content-Security-Policy blocked
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    context.close()
    assert refused == [], f"the pages broke their own Content-Security-Policy: {refused[:3]}"


def check_page(page: Any, name: str, widths: dict[str, int] | None = None) -> None:
    """At desktop and at phone width (or ``widths``): fail on serious or critical
    accessibility violations, and photograph the page."""
    _require(AXE.exists(), "axe-core is not installed (npm install --prefix tests/browser)")
    # Evaluated through the browser's debugging protocol, so the page's CSP (no inline
    # script) lets it in as it lets in nothing else.
    page.evaluate(AXE.read_text())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, width in (widths or WIDTHS).items():
        page.set_viewport_size({"width": width, "height": 900})
        found = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"
        )
        assert found == [], f"{name} at {label} width: {found}"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def sign_in(page: Any, site: Site, who: str, password: str | None = None) -> None:
    """Sign in as demo user ``who``, with their demo password unless given another."""
    person = site.people[who]
    page.goto(f"{site.url}/sign-in")
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_label("Password").fill(password or person.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
