"""Exporter to the C3VOC schedule exchange format: schedule.json and schedule.xml (valid against the shared schemas).

Each stage is a room (a parallel stage the importer made, `<room>-2`, goes back into its room);
each block an event with a stable guid (the block id when it is a UUID); a block belongs to the
day its start falls in, counting days from 04:00 (days cross midnight). What the format cannot
carry is listed in docs/formats.md.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Block, Event, RecordPlan, RoomKind, Stage, StreamPlan
from runofshow.agenda.days import DAY_CHANGE, day_of
from runofshow.exporters.passthrough import changed_fields, kept_event_xml, kept_schedule_xml
from runofshow.importers.c3voc import guid_for, modelled_values
from runofshow.agenda.text import ascii_fold

SCHEMA_VERSION = "1.0"
GENERATOR = {"name": "runofshow", "version": "0.1"}
TIMESLOT = "00:05"
_ZONE_PATTERN = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROOM_TYPES = {RoomKind.PLENARY: "lecturehall", RoomKind.BREAKOUT: "workshop", RoomKind.REMOTE: "online",
               RoomKind.OTHER: "other"}


def acronym_of(event: Event) -> str:
    """A schema-valid acronym (`[a-z0-9_]`, 4 or more) from the title."""
    text = re.sub(r"[^a-z0-9]+", "_", ascii_fold(event.title).lower()).strip("_")
    return (text or "runofshow").ljust(4, "_")[:60]


def hh_mm(length: timedelta) -> str:
    """A duration as `HH:MM` (rounded to the minute)."""
    minutes = round(length.total_seconds() / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def room_names(event: Event) -> dict[str, str]:
    """The C3VOC room name of each stage: its name, or its room's for a parallel stage, unique."""
    rooms = {room.id: room.name for room in event.rooms}
    names: dict[str, str] = {}
    taken: set[str] = set()
    for stage in event.stages:
        parent = re.sub(r"-\d+$", "", stage.id)
        if parent != stage.id and parent in rooms and all(block.rooms == (parent,) for block in stage.blocks):
            names[stage.id] = rooms[parent]
            continue
        name, n = stage.name.strip() or stage.id, 1
        while name in taken:
            n += 1
            name = f"{stage.name} ({n})"
        taken.add(name)
        names[stage.id] = name
    return names


def room_kind(event: Event, stage: Stage) -> RoomKind:
    """The kind of the room with the stage's id, else other."""
    return next((room.kind for room in event.rooms if room.id == stage.id), RoomKind.OTHER)


def day_bounds(day: date, blocks: list[Block], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Start (04:00, or earlier for an earlier block) and end (03:59 next day, or later) of a day."""
    start = datetime.combine(day, DAY_CHANGE, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), DAY_CHANGE, tzinfo=zone) - timedelta(minutes=1)
    for block in blocks:
        start = min(start, block.planned_start.astimezone(zone))
        end = max(end, block.planned_end.astimezone(zone))
    return start, end


def slug_for(acronym: str, number: int, title: str) -> str:
    """An event slug valid for both schemas: `<acronym>-<number>-<title words>`."""
    words = re.sub(r"[^a-z0-9]+", "_", ascii_fold(title).lower()).strip("_")[:50].strip("_")
    return f"{acronym}-{number:04d}" + (f"-{words}" if words else "")


def do_not_stream(plan: StreamPlan) -> bool | str | None:
    """The stream plan as `do_not_stream`: off true, live false, on request a string, else None."""
    return {StreamPlan.OFF: True, StreamPlan.LIVE: False, StreamPlan.ON_REQUEST: "on_request"}.get(plan)


def schedule_days(event: Event) -> list[tuple[date, datetime, datetime, dict[str, list[tuple[int, Block]]]]]:
    """Each day with its bounds and, per room name, its numbered blocks in time order."""
    zone = ZoneInfo(event.timezone)
    names = room_names(event)
    numbered = {block.id: number for number, block in enumerate(event.all_blocks(), start=1)}
    result = []
    for day in event.days:
        rooms: dict[str, list[tuple[int, Block]]] = {name: [] for name in dict.fromkeys(names.values())}
        for stage in event.stages:
            for block in stage.blocks:
                if day_of(block.planned_start, event.days, zone) == day:
                    rooms[names[stage.id]].append((numbered[block.id], block))
        for entries in rooms.values():
            entries.sort(key=lambda entry: (entry[1].planned_start, entry[0]))
        start, end = day_bounds(day, [block for entries in rooms.values() for _, block in entries], zone)
        result.append((day, start, end, rooms))
    return result


def event_json(event: Event, block: Block, number: int, room: str, acronym: str) -> dict[str, Any]:
    """One block as a schedule.json event."""
    zone = ZoneInfo(event.timezone)
    start = block.planned_start.astimezone(zone)
    guid = guid_for(block.id, event)
    data: dict[str, Any] = {
        "guid": guid,
        "id": number,
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "end": block.planned_end.astimezone(zone).isoformat(),
        "duration": hh_mm(block.planned_duration),
        "room": room,
        "slug": slug_for(acronym, number, block.title),
        "url": f"urn:uuid:{guid}",
        "title": block.title,
        "subtitle": "",
        "track": None,
        "type": block.category_label or block.category.value,
        "language": None,
        "abstract": block.description,
        "description": "",
        "persons": [{"name": speaker.name} for speaker in block.speakers],
        "links": [],
    }
    plan = do_not_stream(block.stream)
    if plan is not None:
        data["do_not_stream"] = plan
    if block.record is not RecordPlan.UNSPECIFIED:
        data["do_not_record"] = block.record is RecordPlan.DO_NOT_RECORD
    return data


def to_schedule_dict(event: Event) -> dict[str, Any]:
    """The event as a schedule.json document."""
    acronym = acronym_of(event)
    names = room_names(event)
    conference: dict[str, Any] = {
        "acronym": acronym,
        "title": event.title,
        "start": event.days[0].isoformat(),
        "end": event.days[-1].isoformat(),
        "daysCount": len(event.days),
        "timeslot_duration": TIMESLOT,
    }
    if _ZONE_PATTERN.search(event.timezone) and not event.timezone_assumed:  # an assumed zone is not the source's
        conference["time_zone_name"] = event.timezone
    if event.venue:
        conference["meta"] = {"venue": event.venue}
    first_stage: dict[str, Stage] = {}
    for stage in event.stages:
        first_stage.setdefault(names[stage.id], stage)
    conference["rooms"] = [
        {"name": name, "guid": guid_for(f"room:{name}", event), "type": _ROOM_TYPES[room_kind(event, stage)]}
        for name, stage in first_stage.items()
    ]
    conference["days"] = [
        {
            "index": index,
            "date": day.isoformat(),
            "day_start": start.isoformat(),
            "day_end": end.isoformat(),
            "rooms": {room: [kept_event(event_json(event, block, number, room, acronym), block)
                             for number, block in entries]
                      for room, entries in rooms.items()},
        }
        for index, (day, start, end, rooms) in enumerate(schedule_days(event), start=1)
    ]
    schedule = kept_schedule({"version": SCHEMA_VERSION, "conference": conference}, event)
    return {"$schema": "https://c3voc.de/schedule/schema.json", "generator": GENERATOR, "schedule": schedule}


# What schema.json requires of an event and the patterns it sets: kept values that break them are replaced.
_REQUIRED_EVENT_KEYS = ("abstract", "date", "duration", "guid", "id", "language", "links", "persons", "room", "slug",
                        "start", "subtitle", "title", "track", "type", "url")
# schema.json allows no other keys in an event or the conference: others a source had are left out.
_EVENT_KEYS = frozenset({"abstract", "attachments", "code", "date", "description", "do_not_record", "do_not_stream",
                         "duration", "end", "feedback_url", "guid", "id", "language", "links", "logo", "origin_url",
                         "persons", "recording_license", "room", "slug", "start", "subtitle", "title", "track", "type",
                         "url"})
_CONFERENCE_KEYS = frozenset({"acronym", "colors", "days", "daysCount", "description", "end", "keywords", "logo",
                              "meta", "rooms", "start", "time_zone_name", "timeslot_duration", "title", "tracks", "url"})
_SLUG = re.compile(r"^[a-z0-9_-]+[a-z0-9]$")
_ACRONYM = re.compile(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$")

# Conference keys whose imported value is written back while the event's days and rooms are unchanged.
_KEPT_CONFERENCE = ("acronym", "start", "end", "daysCount", "timeslot_duration")


def kept_schedule(generated: dict[str, Any], event: Event) -> dict[str, Any]:
    """The schedule with the imported schedule's, conference's and days' own fields written back (docs/formats.md)."""
    kept = json.loads(event.passthrough or "{}")
    if "conference" not in kept:  # nothing kept, or kept from another format
        return generated
    conference = dict(generated["conference"])
    original = {key: value for key, value in kept.get("conference", {}).items() if key in _CONFERENCE_KEYS}
    merged = {**original, **conference}
    same_days = [str(day.get("date")) for day in kept.get("days", [])] == [d["date"] for d in conference["days"]]
    for key in _KEPT_CONFERENCE:
        if key in original and (same_days or key in ("acronym", "timeslot_duration")):
            merged[key] = original[key]
    if "time_zone_name" in original and original["time_zone_name"] != conference.get("time_zone_name"):
        merged["time_zone_name"] = conference.get("time_zone_name", original["time_zone_name"])
    if {room.get("name") for room in original.get("rooms") or []} == {room["name"] for room in conference["rooms"]}:
        merged["rooms"] = original["rooms"]
    if not _ACRONYM.match(str(merged.get("acronym") or "")):
        merged["acronym"] = conference["acronym"]
    if "rooms" not in original:  # the source listed its rooms only in the days: so does the export
        merged.pop("rooms", None)
    if "meta" not in conference and "meta" in original:
        merged["meta"] = original["meta"]
    if same_days:
        merged["days"] = [{**day, **{key: value for key, value in old.items() if key != "rooms"}}
                          for day, old in zip(conference["days"], kept.get("days", []))]
    return {**kept.get("schedule", {}), **{key: value for key, value in generated.items() if key != "conference"},
            **({"version": kept["schedule"]["version"]} if "version" in kept.get("schedule", {}) else {}),
            "conference": merged}


def kept_event(generated: dict[str, Any], block: Block) -> dict[str, Any]:
    """The imported event with what a person changed since the import written over it; else the generated event."""
    kept = json.loads(block.passthrough or "{}")
    if "event" not in kept:
        return generated
    original = {key: value for key, value in kept["event"].items() if key in _EVENT_KEYS}
    now = modelled_values(block)
    original["room"] = generated["room"]
    changed = changed_fields(kept, block)
    if "title" in changed:
        original["title"] = generated["title"]
    if changed & {"start", "minutes"}:
        for key in ("date", "start", "duration", "end"):
            if key in original or key != "end":
                original[key] = generated[key]
    if "description" in changed:
        original.update(subtitle="", abstract=generated["abstract"], description="")
    if "speakers" in changed:
        by_name = {str(p.get("name") or p.get("public_name")): p for p in original.get("persons") or []
                   if isinstance(p, dict)}
        original["persons"] = [by_name.get(name, {"name": name}) for name in now["speakers"]]
    if "label" in changed:
        original["type"] = generated["type"]
    for key, field in (("stream", "do_not_stream"), ("record", "do_not_record")):
        if key in changed:
            if field in generated:
                original[field] = generated[field]
            else:
                original.pop(field, None)
    for key in _REQUIRED_EVENT_KEYS:
        original.setdefault(key, generated[key])
    if not _SLUG.match(str(original["slug"])):
        original["slug"] = generated["slug"]
    persons = original["persons"]
    if not isinstance(persons, list) or not all(isinstance(p, dict) and (p.get("name") or p.get("public_name"))
                                                for p in persons):
        original["persons"] = generated["persons"]  # the schema wants a name for every person
    if not re.match(r"^[0-9]+:[0-9]{2}$", str(original["duration"])):
        original["duration"] = generated["duration"]
    if not isinstance(original["id"], int):
        original["id"] = generated["id"]
    return original


def to_schedule_json(event: Event) -> str:
    """The event as schedule.json text."""
    return json.dumps(to_schedule_dict(event), ensure_ascii=False, indent=2) + "\n"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    """A child element with text."""
    child = ET.SubElement(parent, tag, {key: xml_safe(value) for key, value in attributes.items()})
    child.text = xml_safe(text)
    return child


def xml_safe(text: str) -> str:
    """Text without the control characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def to_schedule_xml(event: Event) -> str:
    """The event as schedule.xml text."""
    acronym = acronym_of(event)
    zone = ZoneInfo(event.timezone)
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": GENERATOR["name"], "version": GENERATOR["version"]})
    _text(root, "version", SCHEMA_VERSION)
    conference = ET.SubElement(root, "conference")
    for tag, value in (("title", event.title), ("acronym", acronym), ("start", event.days[0].isoformat()),
                       ("end", event.days[-1].isoformat()), ("days", str(len(event.days))),
                       ("timeslot_duration", TIMESLOT),
                       ("time_zone_name", "" if event.timezone_assumed else event.timezone)):
        if value:
            _text(conference, tag, value)
    for index, (day, start, end, rooms) in enumerate(schedule_days(event), start=1):
        day_element = ET.SubElement(root, "day", {"index": str(index), "date": day.isoformat(),
                                                  "start": start.isoformat(), "end": end.isoformat()})
        for room, entries in rooms.items():
            room_element = ET.SubElement(day_element, "room", {"name": xml_safe(room),
                                                               "guid": guid_for(f"room:{room}", event)})
            for number, block in entries:
                event_xml(room_element, event, block, number, room, acronym, zone)
    root = kept_schedule_xml(root, event)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def event_xml(parent: ET.Element, event: Event, block: Block, number: int, room: str, acronym: str,
              zone: ZoneInfo) -> None:
    """One block as a schedule.xml <event>."""
    start = block.planned_start.astimezone(zone)
    element = ET.Element("event", {"guid": guid_for(block.id, event), "id": str(number)})
    for tag, value in (("room", room), ("title", block.title), ("subtitle", ""),
                       ("type", block.category_label or block.category.value), ("date", start.isoformat()),
                       ("start", start.strftime("%H:%M")), ("duration", hh_mm(block.planned_duration)),
                       ("abstract", block.description), ("slug", slug_for(acronym, number, block.title)),
                       ("track", "")):
        _text(element, tag, value)
    persons = ET.SubElement(element, "persons")
    for speaker in block.speakers:
        _text(persons, "person", speaker.name)
    _text(element, "description", "")
    if block.record is not RecordPlan.UNSPECIFIED:
        recording = ET.SubElement(element, "recording")
        _text(recording, "license", "")
        _text(recording, "optout", "true" if block.record is RecordPlan.DO_NOT_RECORD else "false")
    parent.append(kept_event_xml(element, block))


__all__ = ["acronym_of", "to_schedule_dict", "to_schedule_json", "to_schedule_xml"]
