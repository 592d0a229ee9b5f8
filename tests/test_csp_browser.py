"""Every screen under the Content-Security-Policy in Chromium: it draws, connects, and nothing is blocked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import DESKTOP, LiveServer, wait_live
from tests.support.serverproc import http_json

pytestmark = pytest.mark.slow

# Record what the policy blocks, from before the page's own scripts run.
REPORT_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""
# (path, the role that opens it, whether the screen joins live updates)
SCREENS = (
    ("/stage/plenary", "screen", True), ("/clock/plenary", "screen", True), ("/console/plenary", "moderator", True),
    ("/stream/plenary", "stream", True), ("/agenda", "", True), ("/editor/plenary", "moderator", False),
    ("/import", "moderator", False), ("/overview", "moderator", False), ("/", "moderator", False),
    ("/setup", "moderator", False), ("/setup/sheet", "moderator", False),
)


def console_error(message: Any) -> str:
    """A console error with where it came from; "" for other messages and for the favicon Chromium asks for."""
    where = message.location.get("url", "")
    if message.type != "error" or where.endswith("/favicon.ico"):
        return ""
    return f"{message.text} ({where})"


def room_path(server: LiveServer) -> str:
    """The first room's screen."""
    status, event = http_json("GET", f"{server.url}/api/event")
    assert status == 200 and event["rooms"], event
    return f"/room/{event['rooms'][0]['id']}"


def test_every_screen_runs_under_the_policy(server: LiveServer, browser: Any) -> None:
    """No `securitypolicyviolation`, no console error and no page error on any screen; the live ones connect (so the
    Socket.IO client, over WebSocket, is allowed too)."""
    screens = (*SCREENS, (room_path(server), "", True))
    found: dict[str, list[str]] = {}
    for path, role, live in screens:
        errors: list[str] = []
        context = browser.new_context(viewport=DESKTOP)
        try:
            context.add_init_script(REPORT_VIOLATIONS)
            context.on("console", lambda message, errors=errors: errors.append(console_error(message)))
            page = context.new_page()
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(server.share_link(role, path) if role else f"{server.url}{path}")
            policy = page.evaluate("fetch(location.href).then((r) => r.headers.get('content-security-policy'))")
            assert "script-src 'self'" in policy, (path, policy)
            if live:
                wait_live(page)
            page.wait_for_timeout(700)
            errors += page.evaluate("window.__violations")
        finally:
            context.close()
        errors = [error for error in errors if error]
        if errors:
            found[path] = errors
    assert not found, found
