"""iCalendar export: one VEVENT per block, stable UIDs, times in the event's zone, projected times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar

from runofshow.agenda.model import Event
from runofshow.exporters.ical import to_ics
from runofshow.importers import load_agenda
from tests.test_formats_c3voc import DATA

STAMP = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def events_of(data: bytes) -> list:  # type: ignore[type-arg]
    """The VEVENTs of an iCalendar file, parsed back."""
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_one_event_per_block_in_the_event_zone(reference: Event) -> None:
    data = to_ics(reference, stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    events = events_of(data)
    assert len(events) == len(reference.all_blocks()) == 14
    first = events[0]
    assert str(first["SUMMARY"]) == "Fylkeskommunenes samling"
    assert first["DTSTART"].dt == datetime(2024, 5, 6, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    assert first["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert first["DTEND"].dt - first["DTSTART"].dt == timedelta(hours=2)
    assert "DTSTART;TZID=Europe/Oslo:20240506T090000" in data.decode()
    assert str(first["LOCATION"]) == "Plenum"
    assert first["DTSTAMP"].dt == STAMP


def test_uids_are_stable_and_unique(reference: Event) -> None:
    first = [str(e["UID"]) for e in events_of(to_ics(reference, stamp=STAMP))]
    later = [str(e["UID"]) for e in events_of(to_ics(reference, stamp=STAMP + timedelta(days=3)))]
    assert first == later and len(set(first)) == 14
    assert first[0] == "fylkeskommunenes-samling.2024-05-06-nettverkssamling-6-mai-2024@runofshow.invalid"


def test_private_notes_and_contacts_stay_out(reference: Event) -> None:
    text = to_ics(reference, stamp=STAMP).decode().replace("\r\n ", "")
    assert "akl@nforsk.no" not in text  # a contact in the notes of the third block
    assert "Kommer fysisk" not in text
    third = events_of(to_ics(reference, stamp=STAMP))[2]
    assert "Aase Kristine Lundberg (Nordlandsforskning)" in str(third["DESCRIPTION"])


def test_projected_times_replace_the_planned_ones(reference: Event) -> None:
    block = reference.all_blocks()[1]
    start = block.planned_start + timedelta(minutes=12)
    end = start + timedelta(minutes=20)
    events = events_of(to_ics(reference, stamp=STAMP, projected={block.id: (start, end)}))
    assert (events[1]["DTSTART"].dt, events[1]["DTEND"].dt) == (start, end)
    assert events[0]["DTSTART"].dt == reference.all_blocks()[0].planned_start


def test_a_stage_or_a_room_can_be_picked() -> None:
    event = load_agenda(DATA / "night-schedule.xml")
    lounge = events_of(to_ics(event, stamp=STAMP, stage_id="lounge"))
    assert [str(e["SUMMARY"]) for e in lounge] == ["Late Night DJ"]
    assert lounge[0]["DTSTART"].dt == datetime(2024, 6, 2, 1, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    saal = events_of(to_ics(event, stamp=STAMP, room_id="saal-umlaut"))
    assert [str(e["SUMMARY"]) for e in saal] == ["Opening", "Midnight Lecture", "Closing"]
    name = Calendar.from_ical(to_ics(event, stamp=STAMP, room_id="saal-umlaut"))["X-WR-CALNAME"]
    assert str(name) == "Nachtschicht 2024 – Saal Ümlaut"
