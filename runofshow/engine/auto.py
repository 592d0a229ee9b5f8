"""Automatic transitions: auto-advance, hard starts, 0-minute milestones; catch-up and the next due time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from runofshow.agenda.model import AdvanceRule, Stage, StartRule
from runofshow.engine.commands import require_aware
from runofshow.engine.moves import hard_start_at, move_on, start_block
from runofshow.engine.state import StageState, Status
from runofshow.engine.timing import level_changes, time_up_at


def _due_step(
    stage: Stage, state: StageState, positions: dict[str, int], now: datetime
) -> tuple[datetime, StageState] | None:
    """The next automatic transition as (when it is due, the state after it), or None."""
    if state.status is Status.RUNNING and state.current is not None:
        index = _position(stage, positions, state.current)
        block = stage.blocks[index]
        if block.advance is AdvanceRule.AUTO:
            at = time_up_at(block, state, now)
            return at, move_on(stage, state, index, at)
    elif state.status is Status.GAP and state.current is not None:
        block = stage.blocks[_position(stage, positions, state.current)]
        if block.start_rule is StartRule.HARD:
            at = hard_start_at(state, block.planned_start)
            return at, start_block(state, block.id, at)
    elif state.status is Status.NOT_STARTED and stage.blocks and stage.blocks[0].start_rule is StartRule.HARD:
        at = stage.blocks[0].planned_start
        return at, start_block(state, stage.blocks[0].id, at)
    return None


def advance_due(stage: Stage, state: StageState, now: datetime) -> StageState:
    """Every automatic transition due at or before `now`, each at its own due time; same object if none."""
    now = require_aware(now)
    positions = _positions(stage)
    caught_up = state
    for _ in range(2 * len(stage.blocks) + 2):
        step = _due_step(stage, caught_up, positions, now)
        if step is None or step[0] > now:
            break
        caught_up = step[1]
    if caught_up is state:
        return state
    return replace(caught_up, rev=state.rev + 1)


def next_due(stage: Stage, state: StageState, now: datetime) -> datetime | None:
    """When the stage next changes by itself (a transition or a level change), never before `now`; None if never."""
    now = require_aware(now)
    candidates: list[datetime] = []
    if state.status is Status.RUNNING and state.current is not None:
        block = stage.blocks[_position(stage, None, state.current)]
        time_up = time_up_at(block, state, now)
        candidates.extend(change for change in level_changes(block, time_up) if change > now)
        if block.advance is AdvanceRule.AUTO:
            candidates.append(max(time_up, now))
    else:
        step = _due_step(stage, state, _positions(stage), now) if state.status is not Status.PAUSED else None
        if step is not None:
            candidates.append(max(step[0], now))
    return min(candidates, default=None)


def _positions(stage: Stage) -> dict[str, int]:
    """Block id to position in the stage."""
    return {block.id: index for index, block in enumerate(stage.blocks)}


def _position(stage: Stage, positions: dict[str, int] | None, block_id: str) -> int:
    """Position of a block id, or ValueError naming the stage."""
    try:
        return positions[block_id] if positions is not None else stage.index_of(block_id)
    except KeyError:
        raise ValueError(f"stage {stage.id!r} has no block {block_id!r} (the state is for another agenda)") from None
