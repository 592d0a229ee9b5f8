"""The facilitator console under pressure, in a real browser: keys that act once, focus that survives a
push, the stage's state as badges, each role's own controls, and a phone-sized console.

One server (the reference day, rehearsal clock at x1, no scheduler) for the module; each test moves the
show to the block it needs over REST first.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import DESKTOP, LiveServer, shoot, wait_live, wait_until

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
ORDER = ["fylkeskommunenes-samling", "apning-og-velkommen", "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na",
         "lunsj", "ks-informerer", "malkonflikter", "pause", "forankring-av-baerekraft-i-plansystemet",
         "hvor-er-gullet-i-baerekraftsarbeidet", "deling-i-plenum-fra-gruppediskusjonene", "maling-og-rapportering",
         "avrundning", "slutt", "middag-pa-hotel-victoria"]


def current(server: LiveServer) -> str:
    """The block running now, or the one waited for in a gap."""
    snap = server.snapshot()
    return (snap["current"] or snap["next"])["block_id"]


def console_at(server: LiveServer, open_page: Any, block_id: str, role: str = "moderator",
               viewport: dict[str, int] = DESKTOP) -> Any:
    """A console for `role`, with the show moved to `block_id` and the console showing it."""
    server.go_to(block_id)
    page = open_page(server.share_link(role, "/console/plenary"), viewport=viewport)
    wait_live(page)
    page.wait_for_function("(id) => document.querySelector('#timeline tr[aria-current]')?.dataset.key === id",
                           arg=block_id, timeout=3000)
    return page


def focused_is_body(page: Any) -> bool:
    """True when nothing but the page itself has the focus."""
    return page.evaluate("document.activeElement === document.body")


# ---- keys you can trust live ---------------------------------------------------------------------


def test_space_after_clicking_plus_five_minutes_adds_nothing_more(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, ORDER[0])
    console.locator("button[data-minutes='5']").click()
    wait_until(lambda: server.snapshot()["current"]["added_ms"] == 5 * 60_000)
    assert focused_is_body(console), "the click left the focus on +5 min"
    console.keyboard.press("Space")  # on the page, Space is Next
    wait_until(lambda: current(server) == ORDER[1])
    console.wait_for_timeout(300)
    snap = server.snapshot()
    assert snap["current"]["block_id"] == ORDER[1] and snap["current"]["added_ms"] == 0


def test_space_after_blackout_does_not_undo_it(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, ORDER[1])
    button = console.locator("#blackout-button")
    button.click()
    wait_until(lambda: server.snapshot()["blackout"] is True)
    # The state is a lasting badge; the button says what it will do.
    console.wait_for_function("document.getElementById('stage-now').textContent.includes('Blackout ON')", timeout=2000)
    assert button.inner_text() == "Turn blackout off"
    assert focused_is_body(console)
    console.keyboard.press("Space")
    wait_until(lambda: current(server) == ORDER[2])
    console.wait_for_timeout(300)
    assert server.snapshot()["blackout"] is True
    assert "Blackout ON" in console.locator("#stage-now").inner_text()
    button.click()
    wait_until(lambda: server.snapshot()["blackout"] is False)
    console.wait_for_function("!document.getElementById('stage-now').textContent.includes('Blackout ON')", timeout=2000)
    assert button.inner_text() == "Turn blackout on"


def test_end_then_cancel_then_space_space_does_not_end_the_show(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, ORDER[4])
    end = console.locator("button[data-command='end']")
    # With the mouse: the dialog opens on Cancel, with a visible ring.
    end.click()
    console.locator("#confirm").wait_for(state="visible")
    assert console.evaluate("document.activeElement.id") == "confirm-no"
    assert console.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    console.locator("#confirm-no").click()
    console.locator("#confirm").wait_for(state="hidden")
    console.wait_for_function("document.activeElement === document.body", timeout=1000)
    console.keyboard.press("Space")
    console.keyboard.press("Space")
    console.wait_for_timeout(600)
    assert server.snapshot()["status"] != "finished"
    console.wait_for_timeout(1500)  # past the second-Next window
    # With the keyboard: End reached by focus, Enter opens the dialog, Enter there means Cancel.
    end.focus()
    console.keyboard.press("Enter")
    console.locator("#confirm").wait_for(state="visible")
    assert console.evaluate("document.activeElement.id") == "confirm-no"
    console.keyboard.press("Enter")
    console.locator("#confirm").wait_for(state="hidden")
    console.wait_for_function("document.activeElement === document.body", timeout=1000)
    console.keyboard.press("Space")
    console.keyboard.press("Space")
    console.wait_for_timeout(600)
    assert server.snapshot()["status"] != "finished"


def test_go_to_confirmation_defaults_to_cancel(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, ORDER[2])
    console.locator("#timeline tr[data-key='lunsj'] button").click()
    console.locator("#confirm").wait_for(state="visible")
    assert console.evaluate("document.activeElement.id") == "confirm-no"
    console.keyboard.press("Space")
    console.locator("#confirm").wait_for(state="hidden")
    console.wait_for_function("document.activeElement === document.body", timeout=1000)
    console.wait_for_timeout(300)
    assert current(server) == ORDER[2]


def test_holding_space_moves_at_most_one_block(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, ORDER[6])
    console.locator("body").click(position={"x": 5, "y": 5})
    # Key repeats for three seconds: longer than the second-Next window, so only ignoring repeats keeps it at one.
    console.keyboard.down(" ")
    for _ in range(15):
        console.wait_for_timeout(200)
        console.keyboard.down(" ")
    console.keyboard.up(" ")
    console.wait_for_timeout(500)
    assert current(server) == ORDER[7], "holding Space skipped a block"


def test_two_quick_nexts_move_one_block_until_pressed_again(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, ORDER[8])
    console.locator("body").click(position={"x": 5, "y": 5})
    console.keyboard.press("ArrowRight")
    console.keyboard.press("ArrowRight")
    note = console.locator("#next-note")
    note.wait_for(state="visible", timeout=1000)
    assert note.inner_text() == "Press Next again to skip another block"
    console.wait_for_timeout(600)
    assert current(server) == ORDER[9]
    # The deliberate second press, while the note shows.
    console.keyboard.press("ArrowRight")
    wait_until(lambda: current(server) == ORDER[10])
    note.wait_for(state="hidden", timeout=1000)
    console.wait_for_timeout(1600)
    # The Next button counts the same: a double click moves one block.
    next_button = console.locator("button[data-command='next']")
    next_button.click()
    next_button.click()
    note.wait_for(state="visible", timeout=1000)
    console.wait_for_timeout(600)
    assert current(server) == ORDER[11]
    assert "1.5" in console.locator(".shortcuts").inner_text()


# ---- screens that update in place --------------------------------------------------------------


def test_focus_and_scroll_survive_a_push(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, "malkonflikter", viewport={"width": 1000, "height": 600})
    rounds = 0

    def push() -> None:
        nonlocal rounds
        rounds += 1
        server.command("message", text=f"push {rounds}")
        console.wait_for_function("(t) => document.getElementById('current-message').textContent === t",
                                  arg=f"push {rounds}", timeout=2000)
        console.wait_for_timeout(100)

    for selector in ("#duties button.take:not([hidden])", "#timeline tr[data-key='pause'] button",
                     "#duties input[type=checkbox]"):
        control = console.locator(selector).first
        control.scroll_into_view_if_needed()
        control.focus()
        console.evaluate("window.focusedBefore = document.activeElement")
        assert console.evaluate("window.scrollY") > 0 or selector.startswith("#duties button")
        # What the crew sees: the control stays where it was on the screen (the browser's scroll anchoring
        # may change scrollY when something above it, like the stage-screen badges, changes height).
        on_screen = console.evaluate("document.activeElement.getBoundingClientRect().top")
        push()
        assert console.evaluate("document.activeElement === window.focusedBefore"), f"{selector} lost the focus"
        assert abs(console.evaluate("document.activeElement.getBoundingClientRect().top") - on_screen) <= 1
    # The focused checkbox takes Space; the show stays where it is.
    assert console.evaluate("document.activeElement.type") == "checkbox"
    checked = console.evaluate("document.activeElement.checked")
    console.keyboard.press("Space")
    assert console.evaluate("document.activeElement.checked") is (not checked)
    console.wait_for_timeout(400)
    assert current(server) == "malkonflikter"
    # Only the short status lines are live regions.
    live = console.evaluate("[...document.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status], [role=alert]')]"
                            ".map((node) => node.id)")
    assert set(live) <= {"connection", "feedback", "next-note", "stream-mismatch"}, live
    server.command("message", text="")


# ---- the stage message --------------------------------------------------------------------------


def test_sent_message_clears_the_input_and_shows_as_a_badge(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, ORDER[3])
    console.locator("#message-text").fill("Wrap up in two minutes")
    console.locator("#message-text").press("Enter")
    wait_until(lambda: server.snapshot()["message"] == "Wrap up in two minutes")
    console.wait_for_function("document.getElementById('message-text').value === ''", timeout=2000)
    console.wait_for_function("document.getElementById('stage-now').textContent.includes('Wrap up in two minutes')",
                              timeout=2000)
    console.locator("#message-clear").click()
    wait_until(lambda: server.snapshot()["message"] == "")
    console.wait_for_function("document.getElementById('stage-now').textContent.includes('Timer only')", timeout=2000)
    # "Keep after Next" is offered exactly when the server keeps pinned messages.
    assert console.locator("#pin-label").is_visible() == ("message_pinned" in server.snapshot())


# ---- each role sees its own controls ---------------------------------------------------------------


def test_facilitator_sees_duties_but_no_show_controls(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, "malkonflikter", role="facilitator")
    for selector in ("button[data-command='next']", "button[data-command='end']", "#message-form", "#timeline button",
                     ".shortcuts", "#stream-toggle"):
        assert console.locator(selector).count() == 0, selector
    assert console.locator("#duties button.take:not([hidden])").count() >= 1
    assert console.locator("#person").is_visible()
    console.locator("body").click(position={"x": 5, "y": 5})
    console.keyboard.press("Space")
    console.keyboard.press("ArrowRight")
    console.wait_for_timeout(500)
    assert current(server) == "malkonflikter"
    assert console.locator("#feedback").inner_text() == ""


def test_stream_operator_sees_only_the_stream_controls(server: LiveServer, open_page: Any) -> None:
    console = console_at(server, open_page, "malkonflikter", role="stream")
    for selector in ("button[data-command]", "#message-form", "#timeline button", "#person", "#duties button.take:not([hidden])"):
        assert console.locator(selector).count() == 0, selector
    toggle = console.locator("#stream-toggle")
    assert toggle.inner_text() == "I have started the stream"
    toggle.click()
    wait_until(lambda: server.snapshot()["stream_on"] is True)
    console.wait_for_function("document.getElementById('stream-toggle').textContent === 'I have stopped the stream'",
                              timeout=2000)
    server.command("set_stream_state", on=None)


# ---- phones ----------------------------------------------------------------------------------------

SMALL_TARGETS = """() => {
    const visible = (node) => node.getClientRects().length && getComputedStyle(node).visibility !== 'hidden';
    const small = [];
    for (const node of document.querySelectorAll('button, a[href], input, select, textarea, summary')) {
        if (!visible(node) || node.classList.contains('skip')) continue;
        // A checkbox's target is its row: the label that toggles it.
        const target = node.type === 'checkbox' ? (node.labels[0] || node).closest('li, label') : node;
        const box = target.getBoundingClientRect();
        if (box.width < 44 || box.height < 44) small.push(`${node.outerHTML.slice(0, 60)} ${box.width}x${box.height}`);
    }
    return small;
}"""


@pytest.mark.parametrize("role", ["moderator", "facilitator"])
def test_console_fits_a_phone_with_44_px_targets(server: LiveServer, open_page: Any, role: str) -> None:
    console = console_at(server, open_page, "malkonflikter", role=role, viewport=PHONE)
    server.command("message", text="Spørsmål fra Teams")
    console.wait_for_function("document.getElementById('stage-now').textContent.includes('Spørsmål fra Teams')",
                              timeout=2000)
    width = console.evaluate("document.documentElement.scrollWidth")
    wide = console.evaluate("[...document.querySelectorAll('body *')].filter((n) => n.getBoundingClientRect().right > 392 && !n.closest('.table-wrap'))"
                            ".slice(0, 6).map((n) => n.tagName + '#' + n.id + '.' + n.className)")
    assert width <= PHONE["width"], f"the console is {width} px wide on a {PHONE['width']} px phone: {wide}"
    assert console.evaluate(SMALL_TARGETS) == []
    assert console.locator("#duties input[type=checkbox]").count() >= 1
    assert console.locator("#day-picker").is_hidden(), "a one-day event shows a Day picker"
    if role == "moderator":
        console.evaluate("window.scrollTo(0, 0)")
        console.wait_for_timeout(200)
        shoot(console, "console-phone")
        laptop = open_page(server.share_link("moderator", "/console/plenary"), viewport=LAPTOP)
        wait_live(laptop)
        laptop.wait_for_function("document.getElementById('stage-now').textContent.includes('Spørsmål fra Teams')",
                                 timeout=2000)
        assert laptop.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        laptop.wait_for_timeout(200)
        shoot(laptop, "console-1366")
    server.command("message", text="")
