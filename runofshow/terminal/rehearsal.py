"""A rehearsal in the terminal: the day placed at any start and run at xN speed."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import datetime, time as clock_time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from runofshow.agenda.model import AdvanceRule, Event, Stage
from runofshow.live.clocks import Clock, RehearsalClock
from runofshow.engine import Command, StageState, Status, advance_due, apply, initial_state, next_due, snapshot
from runofshow.importers import load_agenda
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.terminal.summary import format_clock

REFRESH = timedelta(seconds=0.25)


def parse_clock_time(value: str, event: Event) -> datetime:
    """HH:MM on the event's first day, in its zone."""
    try:
        parsed = clock_time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a time of day (HH:MM)") from None
    return datetime.combine(event.date, parsed, tzinfo=ZoneInfo(event.timezone))


def moderated_step(stage: Stage, state: StageState, now: datetime) -> StageState:
    """Automatic transitions, plus Next from a simulated moderator when a manual block is over."""
    state = advance_due(stage, state, now)
    if state.status is Status.RUNNING and state.current is not None:
        block = stage.block(state.current)
        snap = snapshot(stage, state, now)
        if block.advance is AdvanceRule.MANUAL and snap.current is not None and snap.current.remaining <= timedelta(0):
            state = apply(stage, state, Command("next", state.rev), now)
    elif state.status is Status.GAP:
        # A soft block after a gap waits for the moderator: press Next at its planned start.
        waiting = snapshot(stage, state, now).next
        if waiting is not None and now >= waiting.planned_start:
            state = apply(stage, state, Command("next", state.rev), now)
    return state


def transitions(event: Event, clock: Clock, until: datetime, moderator: bool) -> Iterator[tuple[datetime, Stage, StageState]]:
    """Every stage's state each time it changes, until `until` or every stage has finished."""
    states = {stage.id: initial_state(stage) for stage in event.stages}
    while True:
        now = clock.now()
        for stage in event.stages:
            old = states[stage.id]
            new = moderated_step(stage, old, now) if moderator else advance_due(stage, old, now)
            if new is not old:
                states[stage.id] = new
                yield now, stage, new
        if now >= until or all(state.status is Status.FINISHED for state in states.values()):
            return
        due = [next_due(stage, states[stage.id], now) for stage in event.stages]
        wait = min([d - now for d in due if d is not None] + [REFRESH * clock.speed])
        time.sleep(max(clock.real_delay(wait).total_seconds(), 0.001))


def run_in_terminal(*, file: Path | None, speed: float, start_at: str | None, until: str | None, moderator: bool,
                    out: TextIO = sys.stdout) -> None:
    """Print the day moving, one line per change, at `speed` times real time."""
    event = load_agenda(file or REFERENCE_AGENDA)
    zone = ZoneInfo(event.timezone)
    first = min(block.planned_start for block in event.all_blocks())
    last = max(block.planned_end for block in event.all_blocks())
    show_start = parse_clock_time(start_at, event) if start_at else first - timedelta(minutes=1)
    show_end = parse_clock_time(until, event) if until else last + timedelta(minutes=1)
    clock = RehearsalClock(show_start, speed)
    out.write(f"Rehearsal of {event.title} at x{speed:g}, from {show_start.astimezone(zone):%H:%M}\n")
    for now, stage, state in transitions(event, clock, show_end, moderator):
        snap = snapshot(stage, state, now)
        prefix = f"{now.astimezone(zone):%H:%M:%S}"
        if len(event.stages) > 1:
            prefix += f" [{stage.name}]"
        if snap.current is not None:
            line = f"{snap.status.value:<8} {snap.current.title} ({format_clock(snap.current.remaining)} left)"
        else:
            line = snap.status.value
            if snap.next is not None:
                line += f", next {snap.next.title} at {snap.next.projected_start.astimezone(zone):%H:%M}"
        out.write(f"{prefix}  {line}\n")
        out.flush()
    out.write("Rehearsal over.\n")
