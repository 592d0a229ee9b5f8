"""The console's recovery panel in Chromium: the behind line, plans side by side, apply after asking, undo."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import LiveServer, shoot, wait_live, wait_until

pytestmark = pytest.mark.slow

LUNCH = "lunsj"
BEFORE_LUNCH = "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na"
WIDE = {"width": 1440, "height": 1800}


def lunch_start(server: LiveServer) -> int:
    """The lunch's projected start over REST, epoch milliseconds."""
    return next(row for row in server.snapshot()["projections"] if row["block_id"] == LUNCH)["projected_start_ms"]


def lunch_cell(page: Any) -> str:
    """The projected time the console's timeline shows for the lunch."""
    return page.locator(f'#timeline tr[data-key="{LUNCH}"] td').nth(1).inner_text()


def test_a_plan_applied_on_the_console_moves_every_screen_and_undo_restores(server: LiveServer, open_page: Any) -> None:
    server.go_to(BEFORE_LUNCH)
    server.command("add_time", minutes=200)  # the talk before the lunch now runs well into it
    late = lunch_start(server)
    console = open_page(server.share_link("moderator", "/console/plenary"), viewport=WIDE)
    other = open_page(server.share_link("facilitator", "/console/plenary"), viewport=WIDE)
    wait_live(console)
    wait_live(other)
    console.wait_for_function("document.getElementById('recovery-line').textContent.includes('Lunsj')", timeout=3000)
    assert "at risk" in console.locator("#recovery-line").inner_text()
    console.wait_for_function("document.getElementById('what-if').textContent.includes('+5 min would put Lunsj')",
                              timeout=3000)
    assert other.locator("#recovery").count() == 0  # only those who may apply a plan see the panel
    before_other = lunch_cell(other)

    console.click("#recovery-find")
    console.wait_for_selector("#recovery-plans .plan-card button", timeout=3000)
    assert "to win back before Lunsj" in console.locator("#recovery-options-heading").inner_text()
    card = console.locator("#recovery-plans .plan-card").first
    assert "→" in card.locator(".plan-changes").inner_text()
    card.locator("button").click()
    dialog = console.locator("#confirm")
    dialog.wait_for(state="visible", timeout=2000)
    assert console.evaluate("document.activeElement.id") == "confirm-no"  # the dialog opens on Cancel
    shoot(console, "console-recovery")
    console.click("#confirm-yes")

    wait_until(lambda: lunch_start(server) < late, timeout=5)
    other.wait_for_function(
        f"document.querySelector('#timeline tr[data-key=\"{BEFORE_LUNCH}\"]').textContent.includes('was 45')",
        timeout=3000)
    assert lunch_cell(other) != before_other
    console.wait_for_selector("#undo-plan:not([hidden])", timeout=2000)

    console.click("#undo-plan")
    dialog.wait_for(state="visible", timeout=2000)
    console.click("#confirm-yes")
    wait_until(lambda: lunch_start(server) == late, timeout=5)
    other.wait_for_function(
        f"!document.querySelector('#timeline tr[data-key=\"{BEFORE_LUNCH}\"]').textContent.includes('was 45')",
        timeout=3000)
    assert lunch_cell(other) == before_other


def test_the_editor_sets_what_a_block_may_give(server: LiveServer, open_page: Any) -> None:
    editor = open_page(server.share_link("moderator", "/editor/plenary"), viewport=WIDE, wait=True)
    row = editor.locator('li[data-block="ks-informerer"]')
    shortest = row.locator('input[name="min_minutes"]')
    shortest.wait_for()
    assert shortest.input_value() == "" and shortest.get_attribute("placeholder") == "by category"
    shortest.fill("20")
    shortest.dispatch_event("change")
    wait_until(lambda: block(server, "ks-informerer")["min_minutes"] == 20)
    row = editor.locator('li[data-block="ks-informerer"]')
    row.locator('input[name="optional"]').check()
    wait_until(lambda: block(server, "ks-informerer")["optional"] is True)
    editor.locator('li[data-block="ks-informerer"] input[name="protected"]').check()
    wait_until(lambda: block(server, "ks-informerer")["protected"] is True)
    assert editor.locator('li[data-block="ks-informerer"] input[name="optional"]').is_checked()


def block(server: LiveServer, block_id: str) -> dict[str, Any]:
    """One block of the plenary as the crew's agenda gives it."""
    return next(item for item in server.agenda()["blocks"] if item["id"] == block_id)
