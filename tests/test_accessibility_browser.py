"""Accessibility in the browser: axe-core (npm, tests/node) on every screen in both languages, the editor's
24-hour times on an English browser, and phones: no sideways scroll at 390 px, touch targets of at least 44 px.

axe's `serious` and `critical` findings fail a test; each failure names the screen, the language, the rule, its
impact and the elements it found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import DESKTOP, LiveServer
from tests.support.node import node_project

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
MIN_TARGET = 44
BLOCKING = ("serious", "critical")
STRUCTURE = ("heading-order", "page-has-heading-one", "region", "skip-link", "landmark-one-main", "bypass")
"""axe rules about headings and landmarks that fail a test at any impact."""
LIVE = ("stage", "console", "stream", "room", "agenda")
SCREENS: dict[str, str] = {
    "index": "/",
    "signin": "/signin",
    "stage": "/stage/plenary",
    "console": "/console/plenary",
    "stream": "/stream/plenary",
    "room": "/room/plenary",
    "agenda": "/agenda",
    "editor": "/editor/plenary",
    "import": "/import",
    "overview": "/overview",
    "report": "/report/plenary",
}
"""Every screen, opened signed in as moderator so the crew screens show all they have."""


@pytest.fixture(scope="module")
def axe_script(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The path of axe.min.js from the tests' npm packages."""
    return str(node_project(tmp_path_factory) / "node_modules" / "axe-core" / "axe.min.js")


@pytest.fixture
def moderator_context(browser: Any, server: LiveServer) -> Iterator[Any]:
    """A browser context whose session is signed in as moderator (through a share link)."""
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    page = context.new_page()
    page.goto(server.share_link("moderator", "/"))
    page.close()
    yield context
    context.close()


def open_screen(context: Any, server: LiveServer, name: str, query: str = "") -> Any:
    """Open screen `name` in `context`, waiting for a live screen to draw its first snapshot."""
    page = context.new_page()
    page.goto(f"{server.url}{SCREENS[name]}{query}")
    if name in LIVE:
        page.wait_for_function("document.body.dataset.connection === 'connected'", timeout=10_000)
    page.wait_for_timeout(200)
    return page


def axe_findings(page: Any, axe_script: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page, as {id, impact, help, targets}."""
    # Evaluated through DevTools, not added as an inline <script>, which the screens' CSP (script-src 'self') refuses.
    page.evaluate(Path(axe_script).read_text(encoding="utf-8") + "\n;0")
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 8).map((n) => n.target.join(' '))}));
    }""")


def described(findings: list[tuple[str, dict[str, Any]]]) -> str:
    """The findings as lines a developer can act on."""
    return "\n".join(f"{where}: {found['id']} ({found['impact']}): {found['help']}\n    "
                     + "\n    ".join(found["targets"]) for where, found in findings)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_no_serious_or_critical_axe_finding_on_any_screen(moderator_context: Any, server: LiveServer,
                                                         axe_script: str, lang: str) -> None:
    findings = []
    for name in SCREENS:
        page = open_screen(moderator_context, server, name, f"?lang={lang}")
        assert page.evaluate("document.documentElement.lang") == lang, name
        findings += [(f"{name} [{lang}]", found) for found in axe_findings(page, axe_script)
                     if found["impact"] in BLOCKING or found["id"] in STRUCTURE]
        page.close()
    assert not findings, "axe-core found serious, critical or structural problems:\n" + described(findings)


def test_the_editor_shows_24_hour_times_on_an_english_browser(browser: Any, server: LiveServer) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.goto(server.share_link("moderator", "/editor/plenary?lang=en"))
        page.wait_for_selector("input[name='start']", timeout=10_000)
        times = page.eval_on_selector_all("input[name='start']", "inputs => inputs.map((i) => [i.type, i.value])")
        assert times and all(kind == "text" for kind, _ in times), times
        shown = [value for _, value in times if value]
        assert shown and all(len(value) == 5 and value[2] == ":" for value in shown), shown
        assert any(int(value[:2]) >= 13 for value in shown), f"no afternoon time in 24-hour form: {shown}"
        assert "PM" not in page.inner_text("body")
    finally:
        context.close()


PHONE_SCREENS = ("index", "signin", "stage", "stream", "room", "agenda", "editor", "import", "overview", "report")
TOUCH_SCREENS = ("signin", "stream", "editor")


def too_small_targets(page: Any) -> list[str]:
    """The visible buttons, inputs, selects and summaries smaller than 44 px either way (a checkbox: its label)."""
    return page.evaluate("""(least) => {
        const small = [];
        for (const item of document.querySelectorAll('button, input:not([type=hidden]), select, textarea, summary')) {
            // A checkbox's target is its whole label: tapping the words ticks it.
            const target = ['checkbox', 'radio'].includes(item.type) && item.closest('label') ? item.closest('label') : item;
            const box = target.getBoundingClientRect();
            if (!box.width || !box.height || getComputedStyle(item).visibility === 'hidden') continue;
            if (Math.round(box.width) < least || Math.round(box.height) < least) {
                small.push(`${item.tagName.toLowerCase()}#${item.id}.${item.className} "${(item.textContent || item.name || '').trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
            }
        }
        return small;
    }""", MIN_TARGET)


@pytest.mark.parametrize("name", PHONE_SCREENS)
def test_phones_scroll_no_screen_sideways_and_targets_are_big_enough(browser: Any, server: LiveServer,
                                                                     name: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(server.share_link("moderator", "/"))
        page = open_screen(context, server, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} is {width} px wide on a {PHONE['width']} px phone"
        if name in TOUCH_SCREENS:
            small = too_small_targets(page)
            assert not small, f"{name}: touch targets under {MIN_TARGET} px:\n" + "\n".join(small)
    finally:
        context.close()
