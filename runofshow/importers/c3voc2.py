"""Importer for C3VOC "schedule 2" (the congress hub's layout): one flat `events` array, rooms and people as objects.

The document is rearranged into the schedule.json layout (events into their day and room) and read by
the C3VOC importer, so both layouts map the same way (docs/formats.md): `start` and `end` give start and
length (`duration`, ISO 8601, when `end` is missing); `room` is a reference resolved by guid, slug or
name against `conference.rooms`; `participants` with the role SPEAKER, CONTRIBUTOR or GUEST (or none)
become speakers; meta events (`BREAK`, `META`) become breaks and milestones. Errors name the field as
`schedule.events[i].<key>`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from runofshow.agenda.model import Event
from runofshow.importers.c3voc import SCHEDULE2_SOURCE, iso_datetime, schedule_to_event
from runofshow.importers.errors import ImportProblem
from runofshow.importers.limits import check_json_depth

FORMAT_NAME = "c3voc2-json"
SPEAKER_ROLES = frozenset({"SPEAKER", "CONTRIBUTOR", "GUEST", ""})
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def looks_like_c3voc2_json(text: str) -> bool:
    """True for a schedule 2 document: `schedule.events` is an array (schedule.json nests events in days)."""
    head = text.lstrip("\ufeff \t\r\n")[:8192]
    if not head.startswith("{") or '"events"' not in text:
        return False
    try:
        check_json_depth(text, "")
        data = json.loads(text)
    except (json.JSONDecodeError, ImportProblem):
        return False
    schedule = data.get("schedule") if isinstance(data, dict) else None
    return isinstance(schedule, dict) and isinstance(schedule.get("events"), list)


def parse_c3voc2_json(text: str, *, path: str = "<text>", timezone: str = "Europe/Oslo") -> Event:
    """An event from a schedule 2 document; ImportProblem names the line or the field path at fault."""
    check_json_depth(text, path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(path, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})") from None
    schedule = data.get("schedule") if isinstance(data, dict) else None
    if not isinstance(schedule, dict) or not isinstance(schedule.get("events"), list):
        raise ImportProblem(path, None, "not a C3VOC schedule 2 document (no schedule.events array)",
                            field="schedule.events")
    conference = schedule.get("conference") if isinstance(schedule.get("conference"), dict) else {}
    layout, positions = nested_layout(conference, schedule["events"], path)

    def field(day: int, room: str, index: int, key: str) -> str:
        return f"schedule.events[{positions[(day, room, index)]}]" + (f".{key}" if key else "")

    document = {key: value for key, value in schedule.items() if key != "events"}  # kept for the export
    return schedule_to_event({"conference": layout, SCHEDULE2_SOURCE: document}, path, timezone, field)


def nested_layout(conference: dict[str, Any], events: list[Any],
                  path: str) -> tuple[dict[str, Any], dict[tuple[int, str, int], int]]:
    """The conference in the schedule.json layout, and where each nested event stood in `events`."""
    rooms = [room for room in conference.get("rooms") or [] if isinstance(room, dict)]
    days = [dict(day) for day in conference.get("days") or [] if isinstance(day, dict)]
    layout_days = [{"index": day.get("index"), "date": day.get("date"), "day_start": day.get("start"),
                    "day_end": day.get("end"), "rooms": {}} for day in days]
    positions: dict[tuple[int, str, int], int] = {}
    for index, item in enumerate(events):
        if not isinstance(item, dict):
            where = f"schedule.events[{index}]"
            raise ImportProblem(path, None, f"{where}: not an object", field=where)
        flat = flat_event(item, rooms, index, path)
        day = day_index(flat["date"], layout_days)
        room_events = layout_days[day]["rooms"].setdefault(flat["room"], [])
        positions[(day, flat["room"], len(room_events))] = index
        room_events.append(flat)
    layout = {key: conference.get(key) for key in ("title", "acronym", "time_zone_name") if conference.get(key)}
    layout["rooms"] = [{"name": room.get("name"), "type": str(room.get("type") or "").lower().replace("_", "")}
                       for room in rooms if isinstance(room.get("name"), str)]
    layout["days"] = layout_days
    return layout, positions


def flat_event(item: dict[str, Any], rooms: list[dict[str, Any]], index: int, path: str) -> dict[str, Any]:
    """One schedule 2 event with the keys of a schedule.json event."""
    start = iso_datetime(str(item.get("start") or ""))
    if start is None or start.tzinfo is None:
        where = f"schedule.events[{index}].start"
        raise ImportProblem(path, None, f"{where}: {item.get('start')!r} is not a date and time with a UTC offset",
                            field=where)
    participants = [person for person in item.get("participants") or item.get("persons") or []
                    if isinstance(person, dict) and str(person.get("role") or "").upper() in SPEAKER_ROLES]
    flat = {key: item.get(key) for key in ("guid", "title", "type", "slug", "end")}
    flat.update({
        "date": start.isoformat(),
        "room": room_name(item.get("room"), rooms),
        "subtitle": localized(item.get("subtitle")),
        "abstract": localized(item.get("abstract")),
        "description": localized(item.get("description")),
        "persons": [{"name": person.get("name")} for person in participants],
        SCHEDULE2_SOURCE: item,
    })
    length = iso_duration(str(item.get("duration") or ""))
    if not item.get("end") and length is not None:
        flat["end"] = (start + length).isoformat()
    return flat


def room_name(reference: Any, rooms: list[dict[str, Any]]) -> str:
    """The name of the room an event refers to (by guid, slug or name; a plain string is a name)."""
    if isinstance(reference, str):
        return reference
    if not isinstance(reference, dict):
        return "Room"
    for room in rooms:
        if any(reference.get(key) and reference.get(key) == room.get(key) for key in ("guid", "slug", "name")):
            return str(room.get("name") or reference.get("name") or "Room")
    return str(reference.get("name") or reference.get("slug") or "Room")


def localized(value: Any) -> str | None:
    """A LocalizableString as text: the string, or the first language's text of a map."""
    if isinstance(value, dict):
        value = next((text for text in value.values() if isinstance(text, str)), None)
    return value if isinstance(value, str) else None


def iso_duration(raw: str) -> timedelta | None:
    """An ISO 8601 duration (`PT1H30M`, `P1DT2H`) as a timedelta, or None."""
    match = _ISO_DURATION.match(raw.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def day_index(start: str, days: list[dict[str, Any]]) -> int:
    """The index of the day whose span holds the start, else of its date; a new day is added when none fits."""
    instant = datetime.fromisoformat(start)
    for index, day in enumerate(days):
        first, last = iso_datetime(str(day.get("day_start") or "")), iso_datetime(str(day.get("day_end") or ""))
        if first is not None and last is not None and first.tzinfo and last.tzinfo and first <= instant <= last:
            return index
    for index, day in enumerate(days):
        if str(day.get("date") or "") == instant.date().isoformat():
            return index
    days.append({"index": len(days) + 1, "date": instant.date().isoformat(), "rooms": {}})
    return len(days) - 1


__all__ = ["FORMAT_NAME", "SPEAKER_ROLES", "looks_like_c3voc2_json", "parse_c3voc2_json", "room_name"]
