"""What each audience receives: the snapshot and the blocks, redacted on the server by allowlist."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from runofshow.agenda.model import Block, Event, Stage
from runofshow.agenda.document import block_to_dict
from runofshow.agenda.days import DAY_CHANGE, block_days
from runofshow.agenda.text import scrub_contacts

CREW_AUDIENCES = frozenset({"console"})
AUDIENCES = ("stage", "console", "stream", "room", "agenda")

PUBLIC_BLOCK_KEYS = ("id", "title", "description", "start", "end", "duration_minutes", "category", "stream",
                     "start_rule", "rooms")
STREAM_BLOCK_KEYS = PUBLIC_BLOCK_KEYS + ("stream_source", "breakout", "record", "record_source")
# Snapshot keys every audience may see; crew audiences get everything (duties, reminders included).
PUBLIC_SNAPSHOT_KEYS = ("stage_id", "rev", "status", "now", "now_ms", "current", "next", "delay_ms", "level",
                        "projections", "next_stream_transition", "paused")
# A stage screen shows now and next only: it does not need the day's projections (most of the bytes).
WITHOUT_KEYS = {"stage": ("projections",)}
# What is on the stage screen now: the stage screen draws it, the stream operator sees it as badges.
STAGE_SCREEN_KEYS = ("message", "message_pinned", "blackout", "flash_at", "flash_at_ms", "display_mode")
EXTRA_SNAPSHOT_KEYS = {
    # The studio clock joins as a stage screen: its on-air light needs the reported stream state.
    "stage": STAGE_SCREEN_KEYS + ("stream_on",),
    "stream": ("stream_on", "stream_source", "obs", "stream_mismatch", "stream_plan") + STAGE_SCREEN_KEYS,
}

# Values under these keys are ids, kept as they are so screens can match them: ids made from text are made from
# the scrubbed text (agenda.text.slugify). Dict keys are field names or ids too.
ID_KEYS = frozenset({"id", "block_id", "stage_id", "next_block_id"})


_PLAIN = (int, float, bool, type(None))


def public_copy(value: Any) -> Any:
    """A JSON-ready value with every string scrubbed of contact data, ids kept: the one way out to public screens."""
    if isinstance(value, str):
        return scrub_contacts(value)
    if isinstance(value, dict):
        # Numbers and flags (most of a projection row) are copied without a call: this runs on every push.
        return {key: item if key in ID_KEYS or isinstance(item, _PLAIN) else public_copy(item)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [public_copy(item) for item in value]
    return value


_public_events: dict[int, tuple[Event, Event]] = {}


def public_event(event: Event) -> Event:
    """The event as public pages and calendars show it: private details removed, contact data scrubbed (made once)."""
    cached = _public_events.get(id(event))
    if cached is not None and cached[0] is event:
        return cached[1]
    clean = scrub_contacts
    public = replace(
        event, title=clean(event.title), venue=clean(event.venue),
        stages=tuple(replace(stage, name=clean(stage.name), blocks=tuple(map(_public_block_of, stage.blocks)))
                     for stage in event.stages),
        rooms=tuple(replace(room, name=clean(room.name)) for room in event.rooms))
    _public_events.clear()  # one agenda is live at a time
    _public_events[id(event)] = (event, public)
    return public


def _public_block_of(block: Block) -> Block:
    """A block with its private details removed and its public text scrubbed."""
    clean = scrub_contacts
    speakers = tuple(replace(speaker, name=clean(speaker.name), affiliation=clean(speaker.affiliation))
                     for speaker in block.speakers)
    return replace(block, title=clean(block.title), description=clean(block.description), speakers=speakers,
                   category_label=clean(block.category_label), stream_source=clean(block.stream_source),
                   record_source=clean(block.record_source), notes="", contacts=(), duties=(), reminders=(),
                   facts=(), facilitators=(), passthrough="")


def public_block(block: Block, keys: tuple[str, ...] = PUBLIC_BLOCK_KEYS) -> dict[str, Any]:
    """A block as the public may see it (allowlisted fields, speakers' names), not yet scrubbed."""
    full = block_to_dict(block)
    data = {key: full[key] for key in keys}
    data["speakers"] = [speaker.name for speaker in block.speakers]
    return data


def blocks_for(event: Event, stage: Stage, audience: str) -> list[dict[str, Any]]:
    """Every block of a stage in the form `audience` may receive, each with the event day it belongs to."""
    days = block_days(event, stage)
    if audience in CREW_AUDIENCES:
        blocks = [block_to_dict(block) for block in stage.blocks]
    else:
        keys = STREAM_BLOCK_KEYS if audience == "stream" else PUBLIC_BLOCK_KEYS
        blocks = [public_block(block, keys) for block in stage.blocks]
    for block in blocks:
        block["day"] = days[block["id"]].isoformat()
    return blocks if audience in CREW_AUDIENCES else public_copy(blocks)


def event_header(event: Event) -> dict[str, Any]:
    """The event's public frame, scrubbed: title, days, zone, venue, stages and rooms."""
    return public_copy({
        "title": event.title,
        "days": [day.isoformat() for day in event.days],
        "timezone": event.timezone,
        "day_change": DAY_CHANGE.strftime("%H:%M"),
        "venue": event.venue,
        "stages": [{"id": stage.id, "name": stage.name} for stage in event.stages],
        "rooms": [{"id": room.id, "name": room.name, "kind": room.kind.value} for room in event.rooms],
    })


def ended_ms(snapshot: dict[str, Any]) -> int | None:
    """When a finished show ended (the end of the last block run), for screens without the projections."""
    if snapshot.get("status") != "finished":
        return None
    return max((row["projected_end_ms"] for row in snapshot.get("projections", ()) if row["state"] == "done"),
               default=None)


PUBLIC_KEYS = frozenset(PUBLIC_SNAPSHOT_KEYS).union(*EXTRA_SNAPSHOT_KEYS.values())


def public_parts(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Every snapshot key some public audience may see, scrubbed: made once per push, shared by the audiences."""
    return public_copy({key: value for key, value in snapshot.items() if key in PUBLIC_KEYS})


def redact_snapshot(snapshot: dict[str, Any], audience: str, public: dict[str, Any] | None = None) -> dict[str, Any]:
    """The snapshot keys `audience` may see, with `ended_ms` once the show is over; scrubbed for all but crew
    (from `public`, the snapshot's `public_parts`, when the caller already made them)."""
    if audience in CREW_AUDIENCES:
        return {**snapshot, "ended_ms": ended_ms(snapshot)}
    public = public_parts(snapshot) if public is None else public
    keys = PUBLIC_SNAPSHOT_KEYS + EXTRA_SNAPSHOT_KEYS.get(audience, ())
    dropped = WITHOUT_KEYS.get(audience, ())
    redacted = {key: public[key] for key in keys if key in public and key not in dropped}
    if audience == "stage":
        redacted["starts_ms"] = starts_ms(snapshot)  # block ids and numbers: nothing to scrub
    return redacted | {"ended_ms": ended_ms(snapshot)}


def starts_ms(snapshot: dict[str, Any]) -> dict[str, int]:
    """Projected start (epoch ms) of the running and upcoming blocks by id: what a stage screen's `?to=` counts to."""
    return {row["block_id"]: row["projected_start_ms"] for row in snapshot.get("projections", ())
            if row["state"] in ("current", "upcoming") and row["projected_start_ms"] is not None}
