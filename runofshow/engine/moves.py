"""Moving a stage between blocks: start one, wait in a gap for one, finish; history kept on the way."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from runofshow.agenda.model import Stage, StartRule
from runofshow.engine.state import BlockRun, StageState, Status


def keeps_planned_start(stage: Stage, index: int) -> bool:
    """True when the block never starts before its planned start: hard, first, or after a planned gap."""
    block = stage.blocks[index]
    if block.start_rule is StartRule.HARD or index == 0:
        return True
    return block.planned_start > stage.blocks[index - 1].planned_end


def close_run(history: tuple[BlockRun, ...], at: datetime) -> tuple[BlockRun, ...]:
    """The history with its open run, if any, ended at `at`."""
    if history and history[-1].actual_end is None:
        return history[:-1] + (replace(history[-1], actual_end=at),)
    return history


def _cleared(state: StageState, status: Status, current: str | None, at: datetime) -> StageState:
    """The state with no block running, the open run closed at `at`; a message not pinned goes with the block."""
    return replace(
        state,
        message=state.message if state.message_pinned else "",
        status=status,
        current=current,
        actual_start=None,
        added=timedelta(0),
        paused_at=None,
        paused_total=timedelta(0),
        history=close_run(state.history, at),
    )


def start_block(state: StageState, block_id: str, at: datetime) -> StageState:
    """The block starts at `at` with its full duration; the block that was running ends then."""
    cleared = _cleared(state, Status.RUNNING, block_id, at)
    return replace(cleared, actual_start=at, history=cleared.history + (BlockRun(block_id, at, None),))


def wait_for(state: StageState, block_id: str, at: datetime) -> StageState:
    """A gap from `at` until the block starts."""
    return _cleared(state, Status.GAP, block_id, at)


def finish(state: StageState, at: datetime) -> StageState:
    """The show is over at `at`."""
    return _cleared(state, Status.FINISHED, None, at)


def move_on(stage: Stage, state: StageState, index: int, at: datetime) -> StageState:
    """Block `index` ends at `at`: the next block starts, or a gap waits for its planned start, or the show ends.

    Blocks an applied plan dropped are passed over."""
    following = index + 1
    while following < len(stage.blocks) and state.dropped(stage.blocks[following].id):
        following += 1
    if following >= len(stage.blocks):
        return finish(state, at)
    block = stage.blocks[following]
    if keeps_planned_start(stage, following) and block.planned_start > at:
        return wait_for(state, block.id, at)
    return start_block(state, block.id, at)


def hard_start_at(state: StageState, planned_start: datetime) -> datetime:
    """When a waiting hard block starts by itself: its planned start, never before the gap began."""
    if state.history and state.history[-1].actual_end is not None:
        return max(planned_start, state.history[-1].actual_end)
    return planned_start
