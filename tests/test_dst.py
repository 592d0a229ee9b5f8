"""Across a DST change, durations are real time: a block's end, validation and projections are exact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Block, Event, Stage, StartRule, validate
from runofshow.engine import Command, apply, initial_state, snapshot

OSLO = ZoneInfo("Europe/Oslo")
# 26 October 2025: at 03:00 summer time the clocks go back to 02:00, so 02:00-03:00 happens twice.
NIGHT_START = datetime(2025, 10, 26, 1, 30, tzinfo=OSLO)  # +02:00
AFTER_CHANGE = datetime(2025, 10, 26, 2, 30, tzinfo=OSLO, fold=1)  # the second 02:30, +01:00

NIGHT = Stage("hack", "Hackathon", (
    Block("build", "Build", NIGHT_START, timedelta(hours=2)),
    Block("demo", "Demos", AFTER_CHANGE, timedelta(minutes=30), start_rule=StartRule.HARD),
))


def test_a_block_over_the_change_ends_two_real_hours_later() -> None:
    block = NIGHT.blocks[0]
    assert block.planned_end - block.planned_start == timedelta(hours=2)
    assert block.planned_end.astimezone(timezone.utc) == datetime(2025, 10, 26, 1, 30, tzinfo=timezone.utc)
    assert block.planned_end.astimezone(OSLO).strftime("%H:%M %z") == "02:30 +0100"


def test_back_to_back_blocks_over_the_change_are_valid() -> None:
    event = Event("Night", (NIGHT_START.date(),), "Europe/Oslo", stages=(NIGHT,))
    assert validate(event) is event


def test_projections_over_the_change_are_real_time() -> None:
    started = apply(NIGHT, initial_state(NIGHT), Command("start", 0), NIGHT_START)
    view = snapshot(NIGHT, started, NIGHT_START + timedelta(minutes=45))
    demo = view.projections[1]
    assert demo.projected_start is not None and demo.projected_start.timestamp() == AFTER_CHANGE.timestamp()
    assert demo.delay == timedelta(0)
    assert view.current is not None and view.current.time_up - NIGHT_START == timedelta(hours=2)


def test_the_start_keeps_its_instant_and_its_offset() -> None:
    block = NIGHT.blocks[1]
    assert block.planned_start.timestamp() == AFTER_CHANGE.timestamp()
    assert block.planned_start.isoformat() == "2025-10-26T02:30:00+01:00"
