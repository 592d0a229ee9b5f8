"""One redaction path: contact data planted in every field of every block never reaches a public screen."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from runofshow.agenda.edits import apply_edit
from runofshow.agenda.text import scrub_contacts, slugify
from runofshow.exporters.ical import UID_DOMAIN, to_ics
from runofshow.importers import parse_agenda
from runofshow.web import service_of

MAIL = "ola.nordmann@example.no"
PHONES = ("+47 912 34 567", "99887766")
PLANTED = f"{MAIL}, {PHONES[0]} or {PHONES[1]}"
# What must never show: the address (or its local part next to its domain) and either number's digits.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DIGITS = ("4791234567", "91234567", "99887766")
TITLES = ("Opening", "Keynote", "Coffee", "Panel", "Workshop", "Closing")


def leaks(text: str) -> list[str]:
    """The contact data `text` still carries (empty when none)."""
    packed = re.sub(r"[\s\-+()]", "", text)
    addresses = [found for found in EMAIL.findall(text) if not found.endswith(f"@{UID_DOMAIN}")]  # calendar UIDs
    found = addresses + [digits for digits in DIGITS if digits in packed]
    return found + (["ola.nordmann"] if "ola.nordmann" in text else [])


def strings(value: Any) -> Iterator[str]:
    """Every string of a JSON-ready value, dict keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def planted_csv() -> str:
    """A two-day-free, one-stage agenda whose every text field carries an e-mail address and two phone numbers."""
    columns = ("stage", "stage_name", "title", "start", "duration_minutes", "category", "category_label", "stream",
               "stream_source", "record", "record_source", "description", "facilitators", "speakers", "notes",
               "contacts", "duties", "reminders", "working_groups", "rooms", "event_title", "event_venue",
               "event_timezone", "event_days", "event_rooms")
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    start = datetime(2024, 5, 6, 9, 0)
    for index, title in enumerate(TITLES):
        writer.writerow({
            "stage": "main", "stage_name": f"Main hall {PLANTED}", "title": f"{title} {PLANTED}",
            "start": (start + timedelta(minutes=30 * index)).strftime("%Y-%m-%d %H:%M"), "duration_minutes": 30,
            "category": "talk", "category_label": f"Talk {PLANTED}", "stream": "live" if index % 2 else "off",
            "stream_source": f"Camera {PLANTED}", "record": "record", "record_source": f"Recorder {PLANTED}",
            "description": f"About {PLANTED}", "facilitators": f"Kari {MAIL}",
            "speakers": f"Per {PLANTED}", "notes": f"Call {PLANTED}",
            "contacts": json.dumps([{"kind": "email", "value": MAIL, "source": PLANTED}]),
            "duties": json.dumps([{"role": f"Host {PLANTED}", "assignee": f"Kari {MAIL}", "source": PLANTED}]),
            "reminders": json.dumps([{"text": f"Remind {PLANTED}", "source": PLANTED}]),
            "working_groups": f"Group {MAIL}", "rooms": "hall",
            "event_title": f"Meeting {PLANTED}", "event_venue": f"Venue {PLANTED}", "event_timezone": "Europe/Oslo",
            "event_days": "2024-05-06",
            "event_rooms": json.dumps([{"id": "hall", "name": f"Hall {PLANTED}", "kind": "plenary"}]),
        })
    return out.getvalue()


def planted_event() -> Any:
    """The planted agenda, imported as a CSV file (its ids made from its titles)."""
    return parse_agenda(planted_csv().encode(), path="planted.csv")


@pytest.fixture
def planted_app(app: Any, clock: Any) -> Any:
    """The app holding the planted agenda."""
    event = planted_event()
    service_of(app).replace_event(event, actor="test", replace_running=True)
    return app


def test_scrubber_hides_addresses_and_numbers_but_not_dates_or_times() -> None:
    assert scrub_contacts(f"Call {PLANTED}") == "Call […], […] or […]"
    assert scrub_contacts("Meetup 2024-05-06 at 10:00-11:30, room 12") == "Meetup 2024-05-06 at 10:00-11:30, room 12"
    assert scrub_contacts("tlf. 22 33 44 55 / +4722334455") == "tlf. […] / […]"


def test_block_ids_are_made_from_the_scrubbed_title_by_importers_and_the_editor(clock: Any) -> None:
    event = planted_event()
    ids = [block.id for block in event.stages[0].blocks]
    assert ids == [slugify(f"{title} {PLANTED}") for title in TITLES] == [f"{title.lower()}-or" for title in TITLES]
    assert [room.id for room in event.rooms] == ["hall"]
    emptied = apply_edit(event, "main", {"op": "delete", "block_id": "keynote-or"}, actor="m", at=clock.now())
    added = apply_edit(emptied, "main", {"op": "add", "after": "opening-or",
                                         "block": {"title": f"Keynote {PLANTED}", "duration_minutes": 30}},
                       actor="m", at=clock.now())
    assert [block.id for block in added.stages[0].blocks] == ids


def test_calendar_export_carries_no_contact_data(clock: Any) -> None:
    event = planted_event()
    text = to_ics(event, stamp=clock.now()).decode().replace("\r\n ", "").replace("\\,", ",")
    assert "Keynote […]" in text
    assert leaks(text) == []


def test_a_whole_rehearsal_sends_no_contact_data_to_public_screens(planted_app: Any, socket_client: Any,
                                                                  clock: Any) -> None:
    service = service_of(planted_app)
    client = planted_app.test_client()
    public: list[tuple[str, Any]] = []
    watchers = {}
    for audience, extra, role in (("stage", {"stage": "main"}, None), ("agenda", {}, None),
                                  ("room", {"room": "hall"}, None), ("stream", {"stage": "main"}, "stream")):
        screen = socket_client(role)
        join = screen.emit("join", {"audience": audience, **extra}, callback=True)
        assert join["ok"], join
        public.append((f"join {audience}", join))
        watchers[audience] = screen
    moderator = socket_client("moderator")
    crew = [moderator.emit("join", {"audience": "console", "stage": "main"}, callback=True)]

    def press(name: str, **args: Any) -> None:
        ack = moderator.emit(name, {"expected_rev": service.state("main").rev, **args}, callback=True)
        assert ack["ok"], (name, ack)
        crew.append(ack)

    def read_public(when: str) -> None:
        for path in ("/api/event", "/api/stages/main/snapshot", "/api/stages/main/agenda",
                     "/api/stages/main/variables"):
            response = client.get(path)
            assert response.status_code == 200, path
            public.append((f"{when} {path}", response.get_json()))
        for path in ("/calendar/main.ics", "/calendar/room/hall.ics", "/", "/agenda", "/stage/main", "/clock/main",
                     "/room/hall"):
            response = client.get(path)
            assert response.status_code == 200, path
            public.append((f"{when} {path}", response.get_data(as_text=True).replace("\r\n ", "")))

    read_public("before")
    press("start")
    for step in range(len(TITLES)):
        press("message", text=f"Ask {PLANTED}")
        press("add_time", minutes=2)
        press("pause")
        clock.advance(timedelta(minutes=1))
        press("resume")
        press("set_stream_state", on=bool(step % 2))
        read_public(f"step {step}")
        clock.advance(timedelta(minutes=30))
        press("next")
    read_public("after")
    assert service.state("main").status.value == "finished"
    for name, screen in watchers.items():
        pushed = [message["args"] for message in screen.get_received()]
        assert len(pushed) > 30, name
        public.extend((f"push to {name}", payload) for payload in pushed)

    found = {where: found for where, payload in public for text in strings(payload) if (found := leaks(text))}
    assert found == {}
    assert any("Keynote […]" in text for _, payload in public for text in strings(payload))
    crew_text = json.dumps(crew)
    assert MAIL in crew_text and PHONES[0] in crew_text and PHONES[1] in crew_text
