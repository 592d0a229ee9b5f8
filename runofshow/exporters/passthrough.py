"""Writing an imported schedule back with what runofshow does not model (docs/formats.md, "Pass-through").

A block's `passthrough` holds its source event ({"event": ...} from schedule.json, {"xml": ...} from
schedule.xml, {"event2": ...} from schedule 2) and what runofshow made of it ("imported"); the event's
holds the document without its events. The export starts from the source and writes runofshow's value
only where a person changed it since the import. This module does that for schedule.xml and tells every
exporter which modelled fields changed.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree.ElementTree import Element, fromstring

from runofshow.agenda.model import Block, Event
from runofshow.importers.c3voc import modelled_values
from runofshow.importers.c3voc2 import SPEAKER_ROLES, room_name

# The <event> children a changed modelled value writes over (the room is always runofshow's).
_XML_TAGS = {"title": ("title",), "start": ("date", "start", "duration"), "minutes": ("date", "start", "duration"),
             "description": ("subtitle", "abstract", "description"), "label": ("type",), "record": ("recording",)}
# Conference children whose source value stays while the days are the same (acronym and timeslot always).
_KEPT_CONFERENCE = ("acronym", "timeslot_duration")
_KEPT_WITH_SAME_DAYS = ("start", "end", "days")
# What schedule.xml.xsd allows in an <event>, requires of it, and the patterns it sets: kept children that
# break them are left out or replaced by runofshow's, so that a valid export stays valid.
_XSD_EVENT_TAGS = frozenset({"room", "title", "subtitle", "type", "date", "start", "duration", "abstract", "slug",
                             "track", "logo", "persons", "language", "description", "recording", "links",
                             "attachments", "video_download_url", "url", "feedback_url", "origin_url"})
_XSD_REQUIRED = ("room", "title", "type", "date", "start", "duration", "abstract", "track")
_XSD_PATTERNS = {"slug": re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}"),
                 "duration": re.compile(r"[0-9]{1,2}:[0-9]{2}(:[0-9]{1,2})?"),
                 "start": re.compile(r"[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?")}
_XSD_ATTRIBUTES = {"id": re.compile(r"0*[1-9][0-9]*"),
                   "guid": re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")}
_XSD_ACRONYM = re.compile(r"[a-z0-9_-]{4,}")
# The schedule 2 event keys a changed modelled value writes over (a key runofshow does not write is left out).
_SCHEDULE2_KEYS = {"title": ("title",), "start": ("start", "end", "duration"), "minutes": ("start", "end", "duration"),
                   "description": ("subtitle", "abstract", "description"), "label": ("type",)}


def kept_of(item: Event | Block, kind: str) -> dict[str, Any] | None:
    """The kept source of an event or block when it came from the format `kind` ("event", "xml", "event2", ...)."""
    kept = json.loads(item.passthrough or "{}")
    return kept if kind in kept else None


def changed_fields(kept: dict[str, Any], block: Block) -> set[str]:
    """The modelled fields a person changed since the import."""
    then, now = kept["imported"], modelled_values(block)
    return {key for key in now if now[key] != then.get(key)}


def put_child(parent: Element, new: Element | None, tag: str, *, first: bool = False) -> None:
    """Put `new` in place of the parent's `tag` child (appended, or first, when it has none; removed when None)."""
    old = parent.find(tag)
    if new is None:
        if old is not None:
            parent.remove(old)
    elif old is not None:
        parent[list(parent).index(old)] = new
    elif first:
        parent.insert(0, new)
    else:
        parent.append(new)


def kept_event_xml(generated: Element, block: Block) -> Element:
    """The imported <event> with what a person changed since the import written over it; else the generated one."""
    kept = kept_of(block, "xml")
    if kept is None:
        return generated
    original = fromstring(kept["xml"])
    changed = changed_fields(kept, block)
    for tag in dict.fromkeys(["room", *(tag for key in sorted(changed) for tag in _XML_TAGS.get(key, ()))]):
        put_child(original, generated.find(tag), tag)
    if "speakers" in changed:
        by_name = {(person.text or "").strip(): person for person in original.iterfind("persons/person")}
        persons = Element("persons")
        persons.extend(by_name.get((person.text or "").strip(), person) for person in generated.iterfind("persons/person"))
        put_child(original, persons, "persons")
    return schema_repaired(original, generated)


def schema_repaired(original: Element, generated: Element) -> Element:
    """The kept <event> with what schedule.xml.xsd refuses left out or replaced by the generated event's."""
    for child in list(original):
        if child.tag not in _XSD_EVENT_TAGS:
            original.remove(child)
    for tag in _XSD_REQUIRED:
        if original.find(tag) is None:
            put_child(original, generated.find(tag), tag)
    for tag, pattern in _XSD_PATTERNS.items():
        child = original.find(tag)
        if child is not None and not pattern.fullmatch(child.text or ""):
            put_child(original, generated.find(tag), tag)
    for name, pattern in _XSD_ATTRIBUTES.items():
        if not pattern.fullmatch(original.get(name) or ""):
            original.set(name, generated.get(name, ""))
    return original


def kept_schedule_xml(generated: Element, event: Event) -> Element:
    """The imported document with runofshow's generator, days and events; its own other elements as they came."""
    kept = kept_of(event, "xml")
    if kept is None:
        return generated
    root = fromstring(kept["xml"])
    put_child(root, generated.find("generator"), "generator", first=True)
    new_days, old_days = generated.findall("day"), root.findall("day")
    same_days = [day.get("date") for day in old_days] == [day.get("date") for day in new_days]
    conference, fresh = root.find("conference"), generated.find("conference")
    if conference is None or fresh is None:
        put_child(root, fresh, "conference")
    else:
        for child in fresh:
            keep = child.tag in _KEPT_CONFERENCE or (same_days and child.tag in _KEPT_WITH_SAME_DAYS)
            if not (keep and conference.find(child.tag) is not None):
                put_child(conference, child, child.tag)
        if not _XSD_ACRONYM.fullmatch(conference.findtext("acronym") or "x"):
            put_child(conference, fresh.find("acronym"), "acronym")
    if not same_days:
        for day in old_days:
            root.remove(day)
        root.extend(new_days)
        return root
    for old_day, new_day in zip(old_days, new_days):
        rooms = {room.get("name"): room for room in new_day.findall("room")}
        for room in old_day.findall("room"):
            room.extend(rooms.pop(room.get("name"), Element("room")))
        old_day.extend(room for room in rooms.values() if len(room))  # a room the source day did not list
    return root


def kept_conference2(generated: dict[str, Any], event: Event) -> dict[str, Any]:
    """The imported schedule 2 conference with runofshow's title, and its days and rooms when those changed."""
    kept = kept_of(event, "schedule2")
    if kept is None:
        return generated
    conference = {**dict(kept["schedule2"].get("conference") or {}), "title": generated["title"]}
    if [day.get("date") for day in conference.get("days") or []] != [day["date"] for day in generated["days"]]:
        conference.update({key: generated[key] for key in ("start", "end", "days")})
    if not {room["name"] for room in generated["rooms"]} <= {room.get("name") for room in conference.get("rooms") or []}:
        conference["rooms"] = generated["rooms"]  # a room the source did not list (a room without events stays)
    return {**{key: value for key, value in generated.items() if key in ("acronym", "time_zone_name")}, **conference}


def kept_schedule2(generated: dict[str, Any], event: Event) -> dict[str, Any]:
    """The schedule 2 `schedule` object with the imported one's own keys (`version`, ...) written back."""
    kept = kept_of(event, "schedule2")
    source = {key: value for key, value in kept["schedule2"].items() if key != "conference"} if kept else {}
    return {**generated, **source, "conference": generated["conference"], "events": generated["events"]}


def kept_event2(generated: dict[str, Any], block: Block, rooms: list[dict[str, Any]]) -> dict[str, Any]:
    """The imported schedule 2 event with what a person changed since the import written over it."""
    kept = kept_of(block, "event2")
    if kept is None:
        return generated
    original = dict(kept["event2"])
    changed = changed_fields(kept, block)
    for key in dict.fromkeys(key for field in sorted(changed) for key in _SCHEDULE2_KEYS.get(field, ())):
        if key in generated:
            original[key] = generated[key]
        else:
            original.pop(key, None)
    if "speakers" in changed:
        people = [person for person in original.get("participants") or [] if isinstance(person, dict)]
        speaking = {person.get("name"): person for person in people
                    if str(person.get("role") or "").upper() in SPEAKER_ROLES}
        original["participants"] = [*(person for person in people if person.get("name") not in speaking),
                                    *(speaking.get(person["name"], person) for person in generated["participants"])]
    name = generated["room"]["name"]
    if room_name(original.get("room"), rooms) != name:
        original["room"] = next(({"name": name, "guid": room["guid"]} for room in rooms
                                 if room.get("name") == name and room.get("guid")), generated["room"])
    return original


__all__ = ["changed_fields", "kept_conference2", "kept_event2", "kept_event_xml", "kept_schedule2", "kept_of", "kept_schedule_xml", "put_child"]
