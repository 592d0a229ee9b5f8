"""Exporter to C3VOC "schedule 2" (valid against the shared schema2.json): one flat `events` array.

Rooms are objects with a stable guid and each event refers to its room by guid and name; breaks and meals
are `BREAK` meta events and milestones `META` meta events; other blocks are events whose `type` is the
schema's word for their category (a label that already is one, like LIGHTNING_TALK, is kept).
"""

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Block, Category, Event
from runofshow.exporters.passthrough import kept_conference2, kept_event2, kept_schedule2
from runofshow.exporters.c3voc import GENERATOR, _ZONE_PATTERN, acronym_of, room_names, schedule_days, slug_for
from runofshow.importers.c3voc import guid_for

SCHEMA_ID = "https://c3voc.de/schema/schedule2"
EVENT_TYPES = frozenset({"TALK", "WORKSHOP", "HANDS-ON", "MEETING", "DISCUSSION", "PERFORMANCE", "CONCERT", "GAME",
                         "LIGHTNING_TALK", "OTHER"})
_CATEGORY_TYPES = {Category.TALK: "TALK", Category.WORKSHOP: "WORKSHOP", Category.DISCUSSION: "DISCUSSION"}
_META_TYPES = {Category.BREAK: "BREAK", Category.MEAL: "BREAK", Category.MILESTONE: "META"}


def event_type(block: Block) -> str:
    """The schema's type word for a block: its label when it is one, lightning talks by name, else by category."""
    label = re.sub(r"[\s]+", "_", block.category_label.strip().upper())
    if label in EVENT_TYPES:
        return label
    if block.category is Category.TALK and "lightning" in block.category_label.lower():
        return "LIGHTNING_TALK"
    return _CATEGORY_TYPES.get(block.category, "OTHER")


def to_schedule2_dict(event: Event) -> dict[str, Any]:
    """The event as a schedule 2 document."""
    zone = ZoneInfo(event.timezone)
    acronym = acronym_of(event).replace("-", "_")
    names = room_names(event)
    rooms = {name: {"name": name, "guid": guid_for(f"room:{name}", event)} for name in dict.fromkeys(names.values())}
    days = schedule_days(event)
    conference: dict[str, Any] = {
        "acronym": acronym,
        "title": event.title,
        "start": days[0][1].isoformat(),
        "end": days[-1][2].isoformat(),
        "rooms": list(rooms.values()),
        "days": [{"index": index, "date": day.isoformat(), "start": start.isoformat(), "end": end.isoformat()}
                 for index, (day, start, end, _) in enumerate(days, start=1)],
    }
    if _ZONE_PATTERN.fullmatch(event.timezone) and not event.timezone_assumed:
        conference["time_zone_name"] = event.timezone
    conference = kept_conference2(conference, event)
    events = []
    for _, _, _, day_rooms in days:
        for name, entries in day_rooms.items():
            reference = {"name": name, "guid": rooms[name]["guid"]}
            events.extend(kept_event2(schedule2_event(event, block, number, reference, acronym, zone), block,
                                      conference["rooms"]) for number, block in entries)
    events.sort(key=lambda item: (str(item.get("start")), str((item.get("room") or {}).get("name"))))
    schedule = kept_schedule2({"version": "1.0", "conference": conference, "events": events}, event)
    return {"$schema": SCHEMA_ID, "generator": GENERATOR, "schedule": schedule}


def schedule2_event(event: Event, block: Block, number: int, room: dict[str, str], acronym: str,
                    zone: ZoneInfo) -> dict[str, Any]:
    """One block as a schedule 2 event, or a meta event for breaks, meals and milestones."""
    guid = guid_for(block.id, event)
    times = {"start": block.planned_start.astimezone(zone).isoformat(),
             "end": block.planned_end.astimezone(zone).isoformat()}
    meta = _META_TYPES.get(block.category)
    if meta is not None:
        return {"guid": guid, "type": meta, "title": block.title, **times, "room": room}
    return {
        "guid": guid, **times, "room": room, "slug": slug_for(acronym, number, block.title).replace("_", "-"),
        "url": f"urn:uuid:{guid}", "title": block.title, "subtitle": None, "track": {"slug": "general"},
        "type": event_type(block), "language": "en", "abstract": block.description or None,
        "participants": [{"name": speaker.name, "guid": guid_for(f"person:{speaker.name}", event), "role": "SPEAKER"}
                         for speaker in block.speakers],
        "links": [],
    }


def to_schedule2_json(event: Event) -> str:
    """The event as schedule 2 JSON text."""
    return json.dumps(to_schedule2_dict(event), ensure_ascii=False, indent=2) + "\n"


__all__ = ["to_schedule2_dict", "to_schedule2_json"]
