"""Calendar subscriptions per stage and room: public, following the projected times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from runofshow.live.clocks import FakeClock

OSLO = ZoneInfo("Europe/Oslo")


def _events(data: bytes) -> dict[str, Any]:
    """The VEVENTs of a calendar by block id."""
    calendar = Calendar.from_ical(data)
    return {str(item["x-runofshow-block"]): item for item in calendar.walk("VEVENT")}


def _delay_first_block(app: Any, clock: FakeClock, minutes: int) -> None:
    """Let the show start at 09:00 and give its first block more time."""
    from runofshow.web import service_of

    service = service_of(app)
    clock.set(datetime(2024, 5, 6, 9, 0, tzinfo=OSLO))
    service.command("plenary", "add_time", service.state("plenary").rev, {"delta": timedelta(minutes=minutes)}, actor="moderator")


def test_stage_calendar_follows_projected_times(app: Any, client: Any, clock: FakeClock) -> None:
    before = client.get("/calendar/plenary.ics")
    assert before.status_code == 200 and before.mimetype == "text/calendar"
    opening = _events(before.data)["apning-og-velkommen"]
    assert opening.decoded("dtstart") == datetime(2024, 5, 6, 11, 0, tzinfo=OSLO)
    _delay_first_block(app, clock, 10)
    events = _events(client.get("/calendar/plenary.ics").data)
    assert events["apning-og-velkommen"].decoded("dtstart") == datetime(2024, 5, 6, 11, 10, tzinfo=OSLO)
    assert events["apning-og-velkommen"].decoded("dtend") == datetime(2024, 5, 6, 11, 25, tzinfo=OSLO)
    # The dinner has a fixed time: it stays at 19:00.
    assert events["middag-pa-hotel-victoria"].decoded("dtstart") == datetime(2024, 5, 6, 19, 0, tzinfo=OSLO)
    assert len(events) == 14


def test_calendars_are_public_and_carry_nothing_private(client: Any) -> None:
    data = client.get("/calendar/plenary.ics").data.decode("utf-8")
    for private in ("akl@nforsk.no", "Trenger en leder", "Kommer fysisk", "Husk også innspill"):
        assert private not in data.replace("\r\n ", "")


def test_room_calendar_has_the_room_blocks_only(app: Any, client: Any, clock: FakeClock) -> None:
    from runofshow.web import service_of

    event = service_of(app).event()
    teams = {block.id for block in event.all_blocks() if "teams" in block.rooms}
    response = client.get("/calendar/room/teams.ics")
    assert response.status_code == 200
    assert set(_events(response.data)) == teams and teams
    assert "Teams" in str(Calendar.from_ical(response.data)["x-wr-calname"])


def test_unknown_calendars_are_404(client: Any) -> None:
    assert client.get("/calendar/nowhere.ics").status_code == 404
    assert client.get("/calendar/room/nowhere.ics").status_code == 404


def test_calendar_window_moves_back_after_time_is_taken_away(app: Any, client: Any, clock: FakeClock) -> None:
    _delay_first_block(app, clock, 10)
    clock.advance(timedelta(minutes=1))
    from runofshow.web import service_of

    service = service_of(app)
    service.command("plenary", "add_time", service.state("plenary").rev, {"delta": timedelta(minutes=-10)}, actor="moderator")
    events = _events(client.get("/calendar/plenary.ics").data)
    assert events["apning-og-velkommen"].decoded("dtstart") == datetime(2024, 5, 6, 11, 0, tzinfo=OSLO)
