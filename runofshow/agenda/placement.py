"""Placing an agenda on another date: the reference day run today, or a rehearsal at any start."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Block, Event, validate


def _moved(instant: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same local wall-clock time `days` later, in the event's zone (DST-safe)."""
    local = instant.astimezone(zone)
    naive = local.replace(tzinfo=None) + timedelta(days=days)
    return naive.replace(tzinfo=zone)


def place_on(event: Event, first_day: date) -> Event:
    """The event with every day moved so that it starts on `first_day`, local times kept."""
    zone = ZoneInfo(event.timezone)
    shift = (first_day - event.date).days
    if shift == 0:
        return event

    def move_block(block: Block) -> Block:
        return replace(block, planned_start=_moved(block.planned_start, shift, zone))

    stages = tuple(replace(stage, blocks=tuple(move_block(b) for b in stage.blocks)) for stage in event.stages)
    days = tuple(day + timedelta(days=shift) for day in event.days)
    return validate(replace(event, days=days, stages=stages))


def shift_by(event: Event, offset: timedelta) -> Event:
    """The event with every block moved by a fixed offset (a rehearsal starting at any minute)."""
    stages = tuple(
        replace(stage, blocks=tuple(replace(b, planned_start=b.planned_start + offset) for b in stage.blocks))
        for stage in event.stages
    )
    first = min((b.planned_start for b in event.all_blocks()), default=None)
    days = event.days
    if first is not None:
        zone = ZoneInfo(event.timezone)
        moved_first_day = (first + offset).astimezone(zone).date()
        delta_days = (moved_first_day - event.date).days
        days = tuple(day + timedelta(days=delta_days) for day in event.days)
    return validate(replace(event, days=days, stages=stages))


def first_start(event: Event) -> datetime:
    """The earliest planned start of any block."""
    return min(block.planned_start for block in event.all_blocks())
