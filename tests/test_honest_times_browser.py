"""Honest times on every screen, in a real browser: a rehearsal at 30x runs a block over and pauses it while the
server pushes nothing, and every later time shown (stage, room, agenda, console, stream) keeps up with the clock;
the room shows overtime and pause like the stage; a finished show has an end screen; the agenda keeps an opened
"More" and its scroll position through a push.

The module's server runs show time 30 times faster than real time (a show minute every 2 s) with no scheduler, so
nothing is pushed while a block runs over or is paused: whatever moves on a screen, the screen moved itself.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import LiveServer, shoot, wait_live

pytestmark = pytest.mark.slow

SPEED = 30
TV = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TIME = re.compile(r"\b(\d{2}):(\d{2})\b")
# Where each screen shows later times (the first HH:MM of each element's text).
LATER_TIMES = {
    "stage": ["#next-time"],
    "room": ["#until", "#next-time"],
    "agenda": [".slot.upcoming .slot-time strong"],
    "console": ["#next", "#timeline tr.row-upcoming td:nth-child(2)"],
    "stream": ["#transition"],
}
READ = """(selectors) => {
  const texts = selectors.flatMap((selector) => [...document.querySelectorAll(selector)]
    .filter((node) => node.offsetParent !== null).map((node) => node.textContent));
  return { now: window.runofshow.serverNow(), texts };
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The reference day on a rehearsal clock at 30x, no scheduler."""
    live = LiveServer(tmp_path_factory.mktemp("honest-times"))
    live.process.extra_env["RUNOFSHOW_REHEARSAL_SPEED"] = str(SPEED)
    yield live.start()
    live.stop()


@pytest.fixture(scope="module")
def zone(server: LiveServer) -> ZoneInfo:
    """The event's time zone."""
    return ZoneInfo(server.agenda()["event"]["timezone"])


def minute_of_day(ms: float, zone: ZoneInfo) -> int:
    """An instant's minute of the day in the event's zone."""
    local = datetime.fromtimestamp(ms / 1000, zone)
    return local.hour * 60 + local.minute


def later_times(page: Any, screen: str, zone: ZoneInfo) -> tuple[int, list[int]]:
    """The page's estimated show time (minute of day, 10 show seconds back for a frame not yet drawn) and
    every later time it shows, as minutes of the day."""
    read = page.evaluate(READ, LATER_TIMES[screen])
    found = [TIME.search(text) for text in read["texts"]]  # the first: "Stream stops at 09:03, ..., in 00:00"
    minutes = [int(match[1]) * 60 + int(match[2]) for match in found if match]
    return minute_of_day(read["now"] - 10_000, zone), minutes


def open_screens(server: LiveServer, open_page: Any) -> dict[str, Any]:
    """Every screen that shows later times, joined and drawn."""
    pages = {
        "stage": open_page(f"{server.url}/stage/plenary?lang=en", viewport=TV),
        "room": open_page(f"{server.url}/room/plenary?lang=en", viewport=TV),
        "agenda": open_page(f"{server.url}/agenda?lang=en", viewport=PHONE),
        "console": open_page(server.share_link("moderator", "/console/plenary?lang=en"), viewport=LAPTOP),
        "stream": open_page(server.share_link("stream", "/stream/plenary?lang=en"), viewport=LAPTOP),
    }
    for page in pages.values():
        wait_live(page)
    return pages


def assert_never_before_now(pages: dict[str, Any], zone: ZoneInfo) -> dict[str, list[int]]:
    """Every later time on every screen is now or later; the times by screen."""
    shown = {}
    for screen, page in pages.items():
        now, minutes = later_times(page, screen, zone)
        assert minutes, f"{screen} shows no later time"
        assert min(minutes) >= now, f"{screen} shows {minutes} at {divmod(now, 60)}"
        shown[screen] = minutes
    return shown


def test_in_overtime_every_later_time_moves_with_the_clock(server: LiveServer, open_page: Any, zone: ZoneInfo) -> None:
    server.go_to("ks-informerer")
    server.command("add_time", minutes=-35)  # five show minutes over, and counting
    pages = open_screens(server, open_page)
    first = assert_never_before_now(pages, zone)
    time.sleep(5)  # two and a half show minutes, and nothing pushed
    assert server.snapshot()["current"]["block_id"] == "ks-informerer"
    second = assert_never_before_now(pages, zone)
    for screen in pages:
        assert min(second[screen]) >= min(first[screen]) + 2, (screen, first[screen], second[screen])
    room = pages["room"]
    style = room.evaluate("""() => {
        const style = getComputedStyle(document.getElementById('countdown'));
        return { color: style.color, cls: document.body.className, text: document.getElementById('countdown').textContent };
    }""")
    assert "level-overtime" in style["cls"] and style["text"].startswith("+"), style
    assert style["color"] == "rgb(255, 255, 255)", style  # white on red, as on the stage (was green)


def test_room_overtime_screenshots(server: LiveServer, open_page: Any) -> None:
    assert server.snapshot()["current"]["overtime_ms"] > 0
    for width, viewport in ((390, PHONE), (1366, LAPTOP), (1920, TV)):
        page = open_page(f"{server.url}/room/plenary?lang=en", viewport=viewport, wait=True)
        page.wait_for_function("document.body.classList.contains('level-overtime')", timeout=3000)
        page.evaluate("document.getAnimations().forEach((animation) => animation.pause())")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, f"room-overtime-{width}")


def test_paused_the_room_shows_the_pause_and_its_end_time_moves(server: LiveServer, open_page: Any, zone: ZoneInfo) -> None:
    server.go_to("malkonflikter")
    server.command("pause")
    pages = {"room": open_page(f"{server.url}/room/plenary?lang=en", viewport=TV),
             "stage": open_page(f"{server.url}/stage/plenary?lang=en", viewport=TV)}
    for page in pages.values():
        wait_live(page)
    room = pages["room"]
    room.wait_for_selector("#paused", state="visible", timeout=3000)
    assert "is-paused" in room.evaluate("document.body.className")
    countdown = room.locator("#countdown").text_content()
    now, minutes = later_times(room, "room", zone)
    end_before = minutes[0]  # "Ends at HH:MM"
    assert end_before >= now
    time.sleep(5)
    assert room.locator("#countdown").text_content() == countdown, "the countdown runs although paused"
    now, minutes = later_times(room, "room", zone)
    assert minutes[0] >= max(now, end_before + 2), (divmod(now, 60), end_before, minutes)
    stage_now, stage_next = later_times(pages["stage"], "stage", zone)
    assert stage_next[0] >= stage_now
    server.command("resume")


def test_agenda_keeps_an_opened_more_focus_and_scroll_through_a_push(server: LiveServer, open_page: Any) -> None:
    page = open_page(f"{server.url}/agenda?lang=en", viewport=PHONE, wait=True)
    summary = page.locator(".slot details:not([hidden]) summary").nth(2)
    summary.scroll_into_view_if_needed()
    summary.click()
    page.evaluate("""() => {
        const details = document.querySelectorAll('.slot details:not([hidden])')[2];
        details.marked = true;
        details.querySelector('summary').focus();
        window.scrollBy(0, 40);
    }""")
    scroll = page.evaluate("window.scrollY")
    first_upcoming = "document.querySelector('.slot.upcoming .slot-time').textContent"
    before = page.evaluate(first_upcoming)
    server.command("add_time", minutes=3)  # a push: every later row moves three minutes
    page.wait_for_function(f"(before) => {first_upcoming} !== before", arg=before, timeout=3000)
    page.wait_for_timeout(500)
    state = page.evaluate("""() => {
        const details = [...document.querySelectorAll('.slot details')].find((node) => node.marked);
        return { open: Boolean(details && details.open), focused: Boolean(details) && document.activeElement === details.querySelector('summary'),
                 scroll: window.scrollY, live: [...document.querySelectorAll('[aria-live], [role=status]')].map((node) => node.id) };
    }""")
    assert state["open"] and state["focused"], state
    assert abs(state["scroll"] - scroll) <= 2, (scroll, state)
    assert "stages" not in state["live"] and set(state["live"]) <= {"connection", "delay"}, state


def test_a_finished_show_has_an_end_screen(server: LiveServer, open_page: Any) -> None:
    server.command("end")
    stage = open_page(f"{server.url}/stage/plenary?lang=en", viewport=TV, wait=True)
    room = open_page(f"{server.url}/room/plenary?lang=en", viewport=TV, wait=True)
    agenda = open_page(f"{server.url}/agenda?lang=en", viewport=PHONE, wait=True)
    norsk = open_page(f"{server.url}/stage/plenary?lang=nb", viewport=TV, wait=True)
    stage.wait_for_function("document.getElementById('now-title').textContent === 'The show has ended'", timeout=3000)
    assert not stage.locator("#countdown").is_visible()
    assert re.fullmatch(r"Ended at \d{2}:\d{2}", stage.locator("#status").text_content() or "")
    room.wait_for_function("document.getElementById('now-title').textContent === 'The show has ended'", timeout=3000)
    assert re.fullmatch(r"Ended at \d{2}:\d{2}", room.locator("#until").text_content() or "")
    agenda.wait_for_function("document.getElementById('delay').textContent.startsWith('The show has ended')", timeout=3000)
    for page in (stage, room, agenda):
        body = page.locator("body").inner_text()
        assert "Finished" not in body and "--:--" not in body, body
        assert body.count("The show has ended") == 1, body
    norsk.wait_for_function("document.getElementById('now-title').textContent === 'Programmet er ferdig'", timeout=3000)
    shoot(stage, "stage-ended")
