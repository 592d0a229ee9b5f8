"""Planned against projected times for every block of a stage, from the state and `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from runofshow.agenda.model import AdvanceRule, Block, Stage, StartRule
from runofshow.engine.moves import hard_start_at
from runofshow.engine.state import StageState, Status
from runofshow.engine.timing import time_up_at


class RowState(StrEnum):
    """Where a block stands in the show."""

    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ProjectionRow:
    """One block's planned and projected times; skipped blocks have no projected times."""

    block_id: str
    title: str
    planned_start: datetime
    planned_end: datetime
    projected_start: datetime | None
    projected_end: datetime | None
    delay: timedelta | None
    start_rule: StartRule
    at_risk: bool
    state: RowState
    adjusted: timedelta | None = None
    dropped: bool = False

    @classmethod
    def fast(
        cls, block_id: str, title: str, planned_start: datetime, planned_end: datetime,
        projected_start: datetime | None, projected_end: datetime | None, delay: timedelta | None,
        start_rule: StartRule, at_risk: bool, state: RowState, adjusted: timedelta | None = None, dropped: bool = False,
    ) -> ProjectionRow:
        """The same row as the constructor builds, several times faster (snapshots hold hundreds)."""
        row = object.__new__(cls)
        row.__dict__.update(
            block_id=block_id, title=title, planned_start=planned_start, planned_end=planned_end,
            projected_start=projected_start, projected_end=projected_end, delay=delay,
            start_rule=start_rule, at_risk=at_risk, state=state, adjusted=adjusted, dropped=dropped,
        )
        return row


@dataclass(frozen=True, slots=True)
class Projection:
    """Every block's row, with the positions of the running block and of the first block still to start."""

    rows: tuple[ProjectionRow, ...]
    current_index: int | None
    next_index: int | None


def current_projected_end(block: Block, state: StageState, now: datetime) -> datetime:
    """When the current block will end: its time-up, or now when later (a running auto block ends at time-up)."""
    time_up = time_up_at(block, state, now)
    if state.status is Status.RUNNING and block.advance is AdvanceRule.AUTO:
        return time_up
    return max(time_up, now)


def project(stage: Stage, state: StageState, now: datetime) -> Projection:
    """Rows for every block: done and skipped before the current point, then the projected chain."""
    blocks = stage.blocks
    current_index: int | None = None
    if state.status in (Status.RUNNING, Status.PAUSED, Status.GAP) and state.current is not None:
        try:
            current_index = stage.index_of(state.current)
        except KeyError:
            raise ValueError(f"stage {stage.id!r} has no block {state.current!r}") from None
    if state.status is Status.FINISHED:
        first_upcoming = len(blocks)
    elif state.status is Status.NOT_STARTED or current_index is None:
        first_upcoming = 0
    elif state.status is Status.GAP:
        first_upcoming = current_index
    else:
        first_upcoming = current_index + 1
    done_until = current_index if current_index is not None else first_upcoming
    rows = _past_rows(blocks[:done_until], state) if done_until else []
    cursor = now
    if state.status in (Status.RUNNING, Status.PAUSED) and current_index is not None:
        block = blocks[current_index]
        start = state.actual_start or now
        cursor = current_projected_end(block, state, now)
        rows.append(_row(block, start, cursor, False, RowState.CURRENT, state))
    waiting = state.status in (Status.NOT_STARTED, Status.GAP)
    hard_rule, upcoming, make_row = StartRule.HARD, RowState.UPCOMING, ProjectionRow.fast
    previous_planned_end = _planned_end(blocks[first_upcoming - 1]) if 0 < first_upcoming < len(blocks) else None
    adjustments = state.adjustments
    for index in range(first_upcoming, len(blocks)):
        block = blocks[index]
        planned_start = block.planned_start
        planned_end = planned_start + block.planned_duration
        hard = block.start_rule is hard_rule
        at_risk = False
        if waiting and index == first_upcoming:
            start = hard_start_at(state, planned_start) if hard else max(planned_start, now)
        elif hard or previous_planned_end is None or planned_start > previous_planned_end:
            start = planned_start if planned_start > cursor else cursor
            at_risk = hard and cursor > planned_start
        else:
            start = cursor
        if block.id in adjustments:
            length = adjustments[block.id]
            cursor = start + (length if length is not None else timedelta(0))
            rows.append(make_row(
                block.id, block.title, planned_start, planned_end, start, cursor, cursor - planned_end,
                block.start_rule, at_risk, upcoming, length, length is None,
            ))
        else:
            cursor = start + block.planned_duration
            rows.append(make_row(
                block.id, block.title, planned_start, planned_end, start, cursor, cursor - planned_end,
                block.start_rule, at_risk, upcoming,
            ))
        previous_planned_end = planned_end
    running = state.status in (Status.RUNNING, Status.PAUSED)
    if running and adjustments:
        # Next passes over blocks a plan dropped, so the next block is the first one not dropped.
        while first_upcoming < len(blocks) and state.dropped(blocks[first_upcoming].id):
            first_upcoming += 1
    next_index = first_upcoming if first_upcoming < len(blocks) else None
    return Projection(tuple(rows), current_index if running else None, next_index)


def _row(block: Block, start: datetime, end: datetime, at_risk: bool, row_state: RowState,
         state: StageState) -> ProjectionRow:
    """A row with projected times, and the adjusted length when a plan changed it."""
    planned_end = _planned_end(block)
    adjusted = state.adjustments.get(block.id)
    return ProjectionRow.fast(
        block.id, block.title, block.planned_start, planned_end, start, end, end - planned_end,
        block.start_rule, at_risk, row_state, adjusted, state.dropped(block.id),
    )


def _past_rows(blocks: tuple[Block, ...], state: StageState) -> list[ProjectionRow]:
    """Rows for blocks before the current point: done (their last run) or skipped."""
    last_runs = {run.block_id: run for run in state.history}
    rows = []
    for block in blocks:
        run = last_runs.get(block.id)
        if run is None:
            rows.append(ProjectionRow.fast(
                block.id, block.title, block.planned_start, _planned_end(block), None, None, None,
                block.start_rule, False, RowState.SKIPPED,
            ))
        else:
            end = run.actual_end if run.actual_end is not None else run.actual_start
            rows.append(_row(block, run.actual_start, end, False, RowState.DONE, state))
    return rows


def _planned_end(block: Block) -> datetime:
    """The block's planned end."""
    return block.planned_start + block.planned_duration
