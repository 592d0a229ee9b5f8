"""The browser tests' harness: a real `runofshow serve` process, share links, REST commands, Chromium.

A plugin (tests/conftest.py loads it): every test that uses the `browser` fixture, directly or through
`open_page`, is skipped when Debian's Chromium or Playwright for Python is missing. The server, one per test
module (`server`), runs as a subprocess (`runofshow serve --async threading`) on a free localhost port with its
own instance folder and SQLite store, so a test can kill it and start it again on the same port and store. Crew
pages are signed in with signed share links (`/join/<token>`), made here with the same secret the server uses;
REST commands use a moderator token from `runofshow token create`.
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.serverproc import ServerProcess, http_json, sqlite_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class LiveServer:
    """A `runofshow serve` process with a known secret, its store URL and a moderator token."""

    def __init__(self, instance: Path, env: dict[str, str] | None = None) -> None:
        self.instance = instance
        self.secret = secrets.token_urlsafe(32)
        self.database_url = sqlite_url(instance)
        self.process = ServerProcess(instance, async_mode="threading", name="browser", env={
            "RUNOFSHOW_DATABASE_URL": self.database_url,
            "RUNOFSHOW_SECRET_KEY": self.secret,
            "RUNOFSHOW_HEARTBEAT_SECONDS": "2",
            # Show time starts a minute before the reference day's first block, whatever the time of day;
            # nothing moves by itself (no scheduler), so each test decides what runs.
            "RUNOFSHOW_REHEARSAL_SPEED": "1.0",
            "RUNOFSHOW_SCHEDULER": "off",
            **(env or {}),
        })
        self.token = ""

    @property
    def url(self) -> str:
        """The base URL."""
        return self.process.url

    def start(self) -> LiveServer:
        """Start (or start again on the same port and store) and make sure a moderator token exists."""
        self.process.start()
        if not self.token:
            self.token = self.process.token("moderator")
        return self

    def stop(self) -> None:
        """Stop the server cleanly."""
        self.process.stop()

    def kill(self) -> None:
        """Kill the server with SIGKILL."""
        self.process.kill9()

    def cli(self, *args: str) -> str:
        """Run a `runofshow` command on this server's store; its standard output."""
        return self.process.cli(*args).stdout

    def share_link(self, role: str, path: str) -> str:
        """A signed share link that signs a browser in as `role` and opens `path`."""
        from flask import Flask

        from runofshow.engine import Role
        from runofshow.live.store import Store
        from runofshow.web.links import issue_link, wall_now

        app = Flask("browser-tests")
        app.config["SECRET_KEY"] = self.secret
        store = Store(self.database_url)
        try:
            with app.app_context():
                return f"{self.url}/join/{issue_link(store, Role(role), path, 'browser test', wall_now())[1]}"
        finally:
            store.close()

    def snapshot(self, stage: str = "plenary", crew: bool = True) -> dict[str, Any]:
        """The stage's snapshot over REST (crew view with the moderator token)."""
        status, body = http_json("GET", f"{self.url}/api/stages/{stage}/snapshot", token=self.token if crew else None)
        assert status == 200, body
        return body

    def command(self, name: str, stage: str = "plenary", **args: Any) -> dict[str, Any]:
        """Apply a control command over REST against the current revision (retried once if stale); the snapshot."""
        for _ in range(3):
            rev = self.snapshot(stage)["rev"]
            status, body = http_json("POST", f"{self.url}/api/stages/{stage}/{name}", {"expected_rev": rev, **args},
                                     token=self.token)
            if status != 409:
                break
        assert status == 200, body
        return body["snapshot"]

    def agenda(self, stage: str = "plenary") -> dict[str, Any]:
        """The stage's blocks as the crew see them."""
        status, body = http_json("GET", f"{self.url}/api/stages/{stage}/agenda", token=self.token)
        assert status == 200, body
        return body

    def go_to(self, block_id: str, remaining_s: float | None = None) -> dict[str, Any]:
        """Start `block_id` now; with `remaining_s`, cut its time so that about that much is left."""
        snap = self.command("goto", block_id=block_id)
        if remaining_s is not None:
            cut = snap["current"]["remaining_ms"] / 60000 - remaining_s / 60
            if cut > 0:
                snap = self.command("add_time", minutes=-cut)
        return snap


def missing_browser() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed"
    return ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip every test that needs the browser when Chromium or Playwright is missing (never `playwright install`)."""
    reason = missing_browser()
    if reason:
        for item in items:
            if "browser" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`runofshow serve` for the test module: the reference day, or the module's AGENDA_YAML imported first; the
    module's SERVER_ENV (settings) added to the server's environment."""
    live = LiveServer(tmp_path_factory.mktemp("browser-instance"), getattr(request.module, "SERVER_ENV", None))
    agenda_yaml = getattr(request.module, "AGENDA_YAML", None)
    if agenda_yaml is not None:
        agenda = live.instance / "agenda.yaml"
        agenda.write_text(agenda_yaml, encoding="utf-8")
        live.cli("import", str(agenda))
    yield live.start()
    live.stop()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, without anything that phones home."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def wait_until(predicate: Any, timeout: float = 5.0, interval: float = 0.05) -> Any:
    """Poll `predicate` until it returns something truthy; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {predicate}")
        time.sleep(interval)


def parse_clock(text: str) -> float:
    """A countdown as seconds: "MM:SS", "H:MM:SS", or "+MM:SS" (overtime, negative)."""
    text = text.strip()
    sign = -1 if text.startswith("+") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return sign * seconds


def shoot(page: Any, name: str) -> Path:
    """Save a screenshot of the page to docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


DESKTOP = {"width": 1280, "height": 720}


FUNCTION_TEXT = re.compile(r"^\s*(async\s+)?(function\b|\([^()]*\)\s*=>|[\w$]+\s*=>)")


def as_function(expression: str) -> str:
    """A predicate as an arrow function: Playwright polls a bare expression with `eval`, which the screens'
    Content-Security-Policy (`script-src 'self'`) refuses; a function it calls without `eval`."""
    return expression if FUNCTION_TEXT.match(expression) else f"() => ({expression})"


def poll_without_eval() -> None:
    """Make `wait_for_function` on every page and frame pass its predicate as a function (see `as_function`)."""
    from playwright.sync_api import Frame, Page

    for kind in (Page, Frame):
        original = kind.wait_for_function
        if getattr(original, "polls_without_eval", False):
            continue

        def wait_for_function(self: Any, expression: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            return _original(self, as_function(expression), *args, **kwargs)

        wait_for_function.polls_without_eval = True  # type: ignore[attr-defined]
        kind.wait_for_function = wait_for_function  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (a fixture: test modules import it)."""
    from playwright.sync_api import sync_playwright

    poll_without_eval()
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a URL in a fresh browser context; page errors and unexpected dialogs fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(url: str, viewport: dict[str, int] = DESKTOP, init_script: str = "", reduced_motion: str = "no-preference",
             context: Any = None, wait: bool = False) -> Any:
        if context is None:
            context = browser.new_context(viewport=viewport, reduced_motion=reduced_motion)
            contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(url)
        if wait:
            wait_live(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


def wait_live(page: Any, timeout: float = 10_000) -> None:
    """Until the page has joined and drawn a snapshot."""
    page.wait_for_function("document.body.dataset.connection === 'connected'", timeout=timeout)
    page.wait_for_timeout(100)


SCRIPT_ORIGIN = "http://runofshow.test"


def evaluate_with_scripts(browser: Any, page_html: str, script: str, arg: Any = None) -> Any:
    """Evaluate `script` in a page of `page_html` that may import the repository's own static files (no server)."""
    def serve(route: Any) -> None:
        path = route.request.url.removeprefix(SCRIPT_ORIGIN)
        if path == "/":
            route.fulfill(body=page_html, content_type="text/html; charset=utf-8")
        else:
            route.fulfill(path=str(REPO / path.lstrip("/")), content_type="text/javascript")

    context = browser.new_context()
    try:
        page = context.new_page()
        page.route(f"{SCRIPT_ORIGIN}/**", serve)
        page.goto(f"{SCRIPT_ORIGIN}/")
        return page.evaluate(script, arg)
    finally:
        context.close()
