"""The upload page in the browser: ticking "Follow this address" shows what is followed, and it stops when asked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import DESKTOP, LiveServer, shoot
from tests.test_follow_upload import changing_server  # noqa: F401 - the local schedule server fixture

pytestmark = pytest.mark.slow
# The schedule server runs on this machine: the server may fetch from it.
SERVER_ENV = {"RUNOFSHOW_IMPORT_ALLOW_PRIVATE": "1"}


def test_ticking_follow_shows_the_followed_address_and_stop_ends_it(browser: Any, server: LiveServer,
                                                                     changing_server: Any) -> None:  # noqa: F811
    url, _ = changing_server
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(server.share_link("moderator", "/import"))
        page.goto(f"{server.url}/import")
        assert page.locator("#following").is_hidden()
        page.fill("#url", url)
        page.check("#follow")
        page.click("#preview-button")
        page.wait_for_selector("#following:not([hidden])", timeout=10_000)
        assert url in page.text_content("#following-status")
        assert "Opening" in page.text_content("#preview-lists")
        assert page.locator("#apply-button").is_visible()
        shoot(page, "import-following")
        page.click("#stop-following")
        page.wait_for_selector("#following", state="hidden", timeout=10_000)
    finally:
        context.close()
