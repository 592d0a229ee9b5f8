"""Countdown arithmetic for the current block: when its time is up, elapsed, remaining, level."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from runofshow.agenda.model import Block
from runofshow.engine.state import StageState

DEFAULT_WARNING_BEFORE = timedelta(minutes=5)
DEFAULT_DANGER_BEFORE = timedelta(minutes=1)


class Level(StrEnum):
    """How close the current block is to its end, for the stage screen's colours."""

    NORMAL = "normal"
    WARNING = "warning"
    DANGER = "danger"
    OVERTIME = "overtime"


def warning_before(block: Block) -> timedelta:
    """How long before the end the block turns to warning."""
    return DEFAULT_WARNING_BEFORE if block.warning_before is None else block.warning_before


def danger_before(block: Block) -> timedelta:
    """How long before the end the block turns to danger."""
    return DEFAULT_DANGER_BEFORE if block.danger_before is None else block.danger_before


def time_up_at(block: Block, state: StageState, now: datetime) -> datetime:
    """When the current block's time runs out; a running pause pushes it along with `now`."""
    if state.actual_start is None:
        raise ValueError(f"stage {state.stage_id!r}: block {block.id!r} has no actual start")
    time_up = state.actual_start + state.length(block) + state.added + state.paused_total
    if state.paused_at is not None:
        time_up += now - state.paused_at
    return time_up


def elapsed(state: StageState, now: datetime) -> timedelta:
    """Time the current block has run, pauses excluded."""
    if state.actual_start is None:
        return timedelta(0)
    until = now if state.paused_at is None else state.paused_at
    return max(until - state.actual_start - state.paused_total, timedelta(0))


def level_at(block: Block, time_up: datetime, now: datetime) -> Level:
    """The level at `now`; each threshold takes effect at its instant, overtime at the time-up instant."""
    if now >= time_up:
        return Level.OVERTIME
    left = time_up - now
    if left <= danger_before(block):
        return Level.DANGER
    if left <= warning_before(block):
        return Level.WARNING
    return Level.NORMAL


def level_changes(block: Block, time_up: datetime) -> tuple[datetime, ...]:
    """The instants at which the level really changes: to warning, to danger, to overtime."""
    warning, danger = warning_before(block), danger_before(block)
    changes = []
    if warning > danger:
        changes.append(time_up - warning)
    if danger > timedelta(0):
        changes.append(time_up - danger)
    changes.append(time_up)
    return tuple(changes)
