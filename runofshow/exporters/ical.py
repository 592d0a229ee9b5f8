"""Exporter to iCalendar: one VEVENT per block, in the event's zone (with its VTIMEZONE), with stable UIDs.

Only public fields go out (title, description, speakers, stage and rooms, category): a calendar
may be shared by a subscription URL, so private notes and contacts stay in, and every text written
goes through the one scrubber of contact data (`agenda.text.scrub_contacts`). A stage or a room can
be picked, and projected times (block id -> start, end) replace the planned ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from runofshow.agenda.model import Block, Event, Stage
from runofshow.agenda.text import ascii_fold, scrub_contacts

PRODID = "-//runofshow//run of show//EN"
UID_DOMAIN = "runofshow.invalid"


def event_key(event: Event) -> str:
    """A stable ASCII key of the event (its first day and title) for UIDs."""
    title = re.sub(r"[^a-z0-9]+", "-", ascii_fold(scrub_contacts(event.title)).lower()).strip("-") or "event"
    return f"{event.date.isoformat()}-{title[:40]}"


def block_uid(event: Event, block: Block) -> str:
    """The UID of a block's VEVENT: the same on every export of the same event."""
    return f"{block.id}.{event_key(event)}@{UID_DOMAIN}"


def to_ics(
    event: Event,
    *,
    stamp: datetime,
    stage_id: str | None = None,
    room_id: str | None = None,
    projected: Mapping[str, tuple[datetime, datetime]] | None = None,
) -> bytes:
    """The event (or one stage's or room's blocks) as an iCalendar file; stamp is DTSTAMP, an aware instant."""
    zone = ZoneInfo(event.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", scrub_contacts(calendar_name(event, stage_id, room_id)))
    calendar.add("x-wr-timezone", event.timezone)
    rooms = {room.id: room.name for room in event.rooms}
    for stage in event.stages:
        if stage_id is not None and stage.id != stage_id:
            continue
        for block in stage.blocks:
            if room_id is not None and room_id not in block.rooms:
                continue
            times = (projected or {}).get(block.id, (block.planned_start, block.planned_end))
            calendar.add_component(vevent(event, stage, block, times, zone, rooms, stamp))
    calendar.add_missing_timezones(first_date=date(event.days[0].year - 1, 1, 1),
                                   last_date=date(event.days[-1].year + 2, 1, 1))
    return calendar.to_ical()


def calendar_name(event: Event, stage_id: str | None, room_id: str | None) -> str:
    """The calendar's name: the event, and the stage or room picked."""
    names = {stage.id: stage.name for stage in event.stages} | {room.id: room.name for room in event.rooms}
    picked = [names.get(key, key) for key in (stage_id, room_id) if key is not None]
    return " – ".join([event.title, *picked])


def vevent(event: Event, stage: Stage, block: Block, times: tuple[datetime, datetime], zone: ZoneInfo,
           rooms: Mapping[str, str], stamp: datetime) -> CalendarEvent:
    """One block as a VEVENT."""
    item = CalendarEvent()
    item.add("uid", block_uid(event, block))
    item.add("dtstamp", stamp)
    item.add("dtstart", times[0].astimezone(zone))
    item.add("dtend", times[1].astimezone(zone))
    item.add("summary", scrub_contacts(block.title))
    description = scrub_contacts(public_description(block))
    if description:
        item.add("description", description)
    places = [stage.name] + [rooms.get(room, room) for room in block.rooms if rooms.get(room, room) != stage.name]
    item.add("location", scrub_contacts(", ".join(places)))
    item.add("categories", [scrub_contacts(block.category_label or block.category.value)])
    item.add("x-runofshow-stage", stage.id)
    item.add("x-runofshow-block", block.id)
    return item


def public_description(block: Block) -> str:
    """The block's description with its speakers, no private notes."""
    speakers = ", ".join(
        speaker.name + (f" ({speaker.affiliation})" if speaker.affiliation else "") for speaker in block.speakers
    )
    return "\n\n".join(part for part in (block.description, speakers) if part)


__all__ = ["block_uid", "to_ics"]
