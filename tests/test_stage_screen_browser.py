"""The stage screen's message, flash and timer modes, the studio clock and the stream view's badges, in Chromium.

One `runofshow serve` for the module (rehearsal clock at x1, no scheduler): each test sets the show up over REST.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import LiveServer, parse_clock, shoot, wait_live, wait_until

pytestmark = pytest.mark.slow

SIZES = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 768},
         "1920": {"width": 1920, "height": 1080}}
MESSAGE_90 = "Please wrap up in two minutes: questions from Teams first, then the room has the last word"
MESSAGE_200 = ("Two minutes left. Please take the last question from Teams (Kari asks about the budgets), then "
               "thank the panel and hand over to the lunch break; the room is needed at 12:00 for the next group "
               "session.")
OSLO = ZoneInfo("Europe/Oslo")


def text(page: Any, selector: str) -> str:
    """The rendered text of the first element matching `selector`."""
    return (page.locator(selector).first.text_content() or "").strip()


def boxes(page: Any) -> dict[str, Any]:
    """Bounding boxes of the countdown and the message band, the viewport, and whether the message fits its band."""
    return page.evaluate("""() => {
        const box = (id) => { const r = document.getElementById(id).getBoundingClientRect();
            return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, height: r.height}; };
        const message = document.getElementById('message');
        return {countdown: box('countdown'), message: box('message-band'),
                width: window.innerWidth, height: window.innerHeight,
                fits: message.scrollHeight <= message.clientHeight + 1 && message.scrollWidth <= message.clientWidth + 1,
                font: parseFloat(getComputedStyle(message).fontSize)};
    }""")


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    """True when two boxes share any area."""
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.fixture(scope="module", autouse=True)
def running_show(server: LiveServer) -> None:
    """A block is running, with half an hour left."""
    server.go_to("fylkeskommunenes-samling")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("message", [MESSAGE_90, MESSAGE_200], ids=["90", "200"])
def test_the_message_never_covers_the_countdown(server: LiveServer, open_page: Any, size: str, message: str) -> None:
    server.command("message", text="")
    stage = open_page(f"{server.url}/stage/plenary", viewport=SIZES[size], wait=True)
    plain = boxes(stage)
    server.command("message", text=message)
    stage.wait_for_function("(m) => document.getElementById('message').textContent === m", arg=message, timeout=3000)
    stage.wait_for_timeout(150)
    shown = boxes(stage)
    countdown, band = shown["countdown"], shown["message"]
    assert not overlaps(countdown, band), shown
    assert countdown["top"] >= 0 and countdown["left"] >= 0, shown
    assert countdown["bottom"] <= shown["height"] and countdown["right"] <= shown["width"], shown
    # No larger than without a message, but still read from afar: at least a tenth of the screen's height on a
    # TV and a laptop, and no smaller than a phone's width allows for the digits.
    assert countdown["height"] <= plain["countdown"]["height"]
    assert countdown["height"] >= 0.1 * shown["height"] or countdown["height"] >= 0.2 * shown["width"], shown
    assert shown["fits"] and shown["font"] >= 14, shown
    assert band["bottom"] <= shown["height"] and band["top"] >= countdown["bottom"], shown
    assert len(message) in (90, 200)
    if len(message) == 200:
        shoot(stage, f"stage-message-{size}")


def test_next_clears_the_message_and_a_pinned_one_stays(server: LiveServer, open_page: Any) -> None:
    server.go_to("fylkeskommunenes-samling")
    stage = open_page(f"{server.url}/stage/plenary", wait=True)
    server.command("message", text="Please wrap up")
    stage.wait_for_selector("#message", state="visible", timeout=3000)
    server.command("next")
    stage.wait_for_selector("#message", state="hidden", timeout=3000)
    assert not stage.evaluate("document.body.classList.contains('has-message')")
    server.command("message", text="Wi-Fi: nettverk2024", pin=True)
    stage.wait_for_selector("#message", state="visible", timeout=3000)
    before = text(stage, "#now-title")
    server.command("next")
    stage.wait_for_function("(t) => document.getElementById('now-title').textContent !== t", arg=before, timeout=3000)
    assert stage.locator("#message").is_visible() and text(stage, "#message") == "Wi-Fi: nettverk2024"
    assert server.snapshot()["message_pinned"] is True
    server.command("message", text="")
    stage.wait_for_selector("#message", state="hidden", timeout=3000)


def test_flash_shows_on_the_stage_and_as_a_badge_then_goes(server: LiveServer, open_page: Any) -> None:
    stage = open_page(f"{server.url}/stage/plenary", wait=True)
    stream = open_page(server.share_link("stream", "/stream/plenary"), wait=True)
    server.command("message", text="Look at the chat")
    server.command("blackout", on=True)
    stream.wait_for_selector(".badge.screen-blackout", timeout=3000)
    assert text(stream, ".badge.screen-message") == "Message" and text(stream, "#stage-message") == "Look at the chat"
    server.command("blackout", on=False)
    stream.wait_for_selector(".badge.screen-blackout", state="detached", timeout=3000)
    flashed = server.command("flash")
    stage.wait_for_selector("#flash", state="visible", timeout=2000)
    assert stage.evaluate("document.body.classList.contains('is-flashing')")
    stream.wait_for_selector(".badge.screen-flash", timeout=2000)
    # Gone about five seconds after the flash, by each screen's own clock.
    stage.wait_for_selector("#flash", state="hidden", timeout=7000)
    gone = stage.evaluate("window.runofshow.serverNow()")
    assert 4500 <= gone - flashed["flash_at_ms"] <= 6500
    stream.wait_for_selector(".badge.screen-flash", state="detached", timeout=2000)
    # A screen opened later shows no flash: it is read from the stored instant, not pushed as an event.
    late = open_page(f"{server.url}/stage/plenary", wait=True)
    assert late.locator("#flash").is_hidden()
    server.command("message", text="")
    stream.wait_for_selector(".badge.screen-plain", timeout=3000)


def test_count_up_and_time_of_day_modes(server: LiveServer, open_page: Any) -> None:
    server.go_to("fylkeskommunenes-samling")
    stage = open_page(f"{server.url}/stage/plenary", wait=True)
    stage.wait_for_timeout(2200)
    counting_down = parse_clock(text(stage, "#countdown"))
    assert counting_down > 600
    server.command("display_mode", mode="countup")
    stage.wait_for_function("document.body.classList.contains('mode-countup')", timeout=3000)
    first = parse_clock(text(stage, "#countdown"))
    assert 1 <= first <= 10 and text(stage, "#timer-label") == "Elapsed"
    stage.wait_for_timeout(1100)
    assert parse_clock(text(stage, "#countdown")) > first, "count up does not count up"
    # The screen's own ?mode= wins over the stage's mode.
    clock = open_page(f"{server.url}/stage/plenary?mode=clock", wait=True)
    assert clock.evaluate("document.body.classList.contains('mode-clock')")
    shown = datetime.strptime(text(clock, "#countdown"), "%H:%M:%S")
    server_now = datetime.fromtimestamp(clock.evaluate("window.runofshow.serverNow()") / 1000, OSLO)
    seconds = lambda moment: moment.hour * 3600 + moment.minute * 60 + moment.second  # noqa: E731
    assert abs(seconds(shown) - seconds(server_now)) <= 2
    assert text(clock, "#timer-label") == "Time of day"
    shoot(clock, "stage-clock-mode")
    server.command("display_mode", mode="countdown")
    stage.wait_for_function("document.body.classList.contains('mode-countdown')", timeout=3000)
    assert abs(parse_clock(text(stage, "#countdown")) - counting_down) < 30


def test_the_studio_clock_light_follows_the_reported_stream(server: LiveServer, open_page: Any) -> None:
    server.command("set_stream_state", on=None)
    clock = open_page(f"{server.url}/clock/plenary", viewport=SIZES["1366"], wait=True)
    assert text(clock, "#on-air") == "?" and "unknown" in clock.get_attribute("#on-air", "class")
    assert datetime.strptime(text(clock, "#time"), "%H:%M:%S")
    server.command("set_stream_state", on=True)
    clock.wait_for_selector("#on-air.on", timeout=3000)
    assert text(clock, "#on-air") == "ON AIR"
    shoot(clock, "studio-clock")
    server.command("set_stream_state", on=False)
    clock.wait_for_selector("#on-air.off", timeout=3000)
    assert text(clock, "#on-air") == "OFF AIR"
    norwegian = open_page(f"{server.url}/clock/plenary?lang=nb", wait=True)
    server.command("set_stream_state", on=True)
    norwegian.wait_for_selector("#on-air.on", timeout=3000)
    assert text(norwegian, "#on-air").startswith("PÅ LUFT")


def test_a_countdown_to_a_chosen_block(server: LiveServer, open_page: Any) -> None:
    server.go_to("fylkeskommunenes-samling")
    rows = {row["block_id"]: row for row in server.snapshot()["projections"]}
    stage = open_page(f"{server.url}/stage/plenary?to=apning-og-velkommen", wait=True)
    now = stage.evaluate("window.runofshow.serverNow()")
    left = (rows["apning-og-velkommen"]["projected_start_ms"] - now) / 1000
    assert abs(parse_clock(text(stage, "#countdown")) - left) <= 2
    assert text(stage, "#timer-label").startswith("Until Åpning og velkommen at ")
    # Ten more minutes for the running block push the opening back ten minutes: the countdown follows.
    server.command("add_time", minutes=10)
    stage.wait_for_function("(old) => document.getElementById('countdown').textContent !== old",
                            arg=text(stage, "#countdown"), timeout=3000)
    wait_until(lambda: abs(parse_clock(text(stage, "#countdown")) - (left + 600)) <= 3, timeout=3)
