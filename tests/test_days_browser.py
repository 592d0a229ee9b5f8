"""A two-day event in a real browser: the console picks the day being run; the agenda and room screens show
today's blocks (show time is the first day's morning). Debian's Chromium driven by Playwright."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import LiveServer, shoot, wait_until

pytestmark = pytest.mark.slow

# The `server` fixture imports this before it starts; show time is a minute before the first day's first block.
AGENDA_YAML = """\
title: Fagdager
timezone: Europe/Oslo
stages:
  - id: plenary
    name: Plenum
    blocks:
      - {id: day1-open, title: Åpning dag 1, start: 2025-09-11 09:00, duration_minutes: 30, start_rule: hard,
         rooms: [hall]}
      - {id: day1-talk, title: Foredrag dag 1, start: 2025-09-11 09:30, duration_minutes: 60, rooms: [hall]}
      - {id: day1-party, title: Festmiddag, start: 2025-09-11 23:00, duration_minutes: 150, rooms: [hall]}
      - {id: day2-open, title: Åpning dag 2, start: 2025-09-12 09:00, duration_minutes: 30, start_rule: hard,
         rooms: [hall]}
      - {id: day2-close, title: Avslutning, start: 2025-09-12 09:30, duration_minutes: 30, rooms: [hall]}
rooms:
  - {id: hall, name: Storsalen, kind: plenary}
"""
DAY_1 = ["Åpning dag 1", "Foredrag dag 1", "Festmiddag"]
DAY_2 = ["Åpning dag 2", "Avslutning"]


def visible_titles(page: Any, selector: str) -> list[str]:
    """The text of every element matching `selector`."""
    return [text.strip() for text in page.locator(selector).all_text_contents()]


def timeline_titles(console: Any) -> list[str]:
    """The console timeline's block titles, without the fixed-time mark."""
    return [text.split(" · ")[0].strip() for text in console.locator("#timeline tr td:nth-child(4)").all_text_contents()]


def test_agenda_shows_todays_blocks_and_tabs_for_the_other_day(server: LiveServer, open_page: Any) -> None:
    page = open_page(f"{server.url}/agenda?lang=en", wait=True)
    wait_until(lambda: visible_titles(page, ".slot-title") == DAY_1)
    tabs = page.locator(".day-tab")
    assert tabs.count() == 2
    assert tabs.nth(0).get_attribute("aria-pressed") == "true" and "today" in (tabs.nth(0).text_content() or "")
    assert "Thursday 11 September" in (page.locator(".day-heading").text_content() or "")
    tabs.nth(1).click()
    wait_until(lambda: visible_titles(page, ".slot-title") == DAY_2)
    assert tabs.nth(1).get_attribute("aria-pressed") == "true"
    shoot(page, "agenda-days")


def test_room_screen_shows_todays_next_block(server: LiveServer, open_page: Any) -> None:
    page = open_page(server.share_link("screen", "/room/hall"), wait=True)
    wait_until(lambda: (page.locator("#next-title").text_content() or "").strip() == DAY_1[0])


def test_console_picks_the_day_being_run_and_cues_its_first_block(server: LiveServer, open_page: Any) -> None:
    console = open_page(server.share_link("moderator", "/console/plenary?lang=nb"), viewport={"width": 1440, "height": 1000},
                        wait=True)
    picker = console.locator("#day")
    assert console.locator("#day-picker").is_visible()
    assert picker.input_value() == "2025-09-11"
    wait_until(lambda: timeline_titles(console) == DAY_1)
    assert console.locator("#run-day").is_hidden()

    picker.select_option("2025-09-12")
    wait_until(lambda: timeline_titles(console) == DAY_2)
    assert console.locator("#run-day").is_visible()
    console.locator("#day-picker").scroll_into_view_if_needed()
    shoot(console, "console-days")
    console.locator("#run-day").click()
    assert "Åpning dag 2" in (console.locator("#confirm-text").text_content() or "")
    console.locator("#confirm-yes").click()

    snap = wait_until(lambda: (s := server.snapshot()) and s["status"] == "gap" and s["next"]["block_id"] == "day2-open"
                      and s)
    assert snap["current"] is None
    wait_until(lambda: console.locator("#run-day").is_hidden())
    assert picker.input_value() == "2025-09-12"


def test_stream_view_plans_the_day_being_run(server: LiveServer, open_page: Any) -> None:
    # Runs after the console cued the second day: the stream operator sees that day's blocks only.
    assert server.snapshot()["next"]["block_id"] == "day2-open"
    page = open_page(server.share_link("stream", "/stream/plenary"), wait=True)
    wait_until(lambda: [t.strip() for t in page.locator("#timeline tr td:nth-child(2)").all_text_contents()] == DAY_2)
