"""What every screen needs about a stage at one instant, computed from the state and `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runofshow.agenda.model import AdvanceRule, Block, Stage, StartRule, StreamPlan
from runofshow.engine.commands import require_aware
from runofshow.engine.crew import DutyDue, ReminderDue, blocks_due_soon, duties_due, reminders_due
from runofshow.engine.projections import ProjectionRow, project
from runofshow.engine.state import DisplayMode, ObsStatus, StageState, Status
from runofshow.engine.stream import StreamTransition, is_mismatch, next_transition
from runofshow.engine.timing import Level, danger_before, elapsed, level_at, time_up_at, warning_before


@dataclass(frozen=True, slots=True)
class CurrentBlock:
    """The block running or paused: its countdown and colours at `now`."""

    block_id: str
    title: str
    actual_start: datetime
    time_up: datetime
    elapsed: timedelta
    remaining: timedelta
    overtime: timedelta
    level: Level
    warning_before: timedelta
    danger_before: timedelta
    paused: bool
    paused_at: datetime | None
    planned_duration: timedelta
    added: timedelta
    projected_end: datetime
    advance: AdvanceRule
    start_rule: StartRule
    adjusted: timedelta | None = None


@dataclass(frozen=True, slots=True)
class NextBlock:
    """The next block to start and when it is projected to."""

    block_id: str
    title: str
    projected_start: datetime
    planned_start: datetime
    start_rule: StartRule
    at_risk: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A stage at one instant: status, countdown, next, projections, stream, duties, stage screen."""

    stage_id: str
    rev: int
    status: Status
    now: datetime
    current: CurrentBlock | None
    next: NextBlock | None
    delay: timedelta
    projections: tuple[ProjectionRow, ...]
    next_stream_transition: StreamTransition | None
    duties_due: tuple[DutyDue, ...]
    reminders_due: tuple[ReminderDue, ...]
    message: str
    message_pinned: bool
    flash_at: datetime | None
    display_mode: DisplayMode
    blackout: bool
    stream_on: bool | None
    stream_source: str
    obs: ObsStatus | None
    stream_mismatch: bool
    stream_plan: StreamPlan
    paused: bool
    level: Level


def snapshot(stage: Stage, state: StageState, now: datetime) -> Snapshot:
    """The stage's snapshot at `now` for this state (call advance_due first to include due transitions)."""
    now = require_aware(now)
    projection = project(stage, state, now)
    current: CurrentBlock | None = None
    stream_plan = StreamPlan.OFF
    delay = timedelta(0)
    if projection.current_index is not None:
        row = projection.rows[projection.current_index]
        current = _current(stage.blocks[projection.current_index], state, row, now)
        stream_plan = stage.blocks[projection.current_index].stream
        delay = row.delay or timedelta(0)
    next_block: NextBlock | None = None
    if projection.next_index is not None:
        row = projection.rows[projection.next_index]
        assert row.projected_start is not None
        next_block = NextBlock(row.block_id, row.title, row.projected_start, row.planned_start, row.start_rule, row.at_risk)
        if current is None:
            delay = row.projected_start - row.planned_start
    due_soon = blocks_due_soon(stage.blocks, projection, now)
    return Snapshot(
        stage_id=stage.id,
        rev=state.rev,
        status=state.status,
        now=now,
        current=current,
        next=next_block,
        delay=delay,
        projections=projection.rows,
        next_stream_transition=next_transition(stage.blocks, projection, stream_plan),
        duties_due=duties_due(due_soon, state.duty_takers),
        reminders_due=reminders_due(due_soon),
        message=state.message,
        message_pinned=state.message_pinned,
        flash_at=state.flash_at,
        display_mode=state.display_mode,
        blackout=state.blackout,
        stream_on=state.stream_on,
        stream_source=state.stream_source,
        obs=state.obs,
        stream_mismatch=is_mismatch(stream_plan, state.stream_on),
        stream_plan=stream_plan,
        paused=state.status is Status.PAUSED,
        level=current.level if current is not None else Level.NORMAL,
    )


def _current(block: Block, state: StageState, row: ProjectionRow, now: datetime) -> CurrentBlock:
    """The countdown of the running or paused block at `now`."""
    time_up = time_up_at(block, state, now)
    assert state.actual_start is not None and row.projected_end is not None
    return CurrentBlock(
        block_id=block.id,
        title=block.title,
        actual_start=state.actual_start,
        time_up=time_up,
        elapsed=elapsed(state, now),
        remaining=max(time_up - now, timedelta(0)),
        overtime=max(now - time_up, timedelta(0)),
        level=level_at(block, time_up, now),
        warning_before=warning_before(block),
        danger_before=danger_before(block),
        paused=state.status is Status.PAUSED,
        paused_at=state.paused_at,
        planned_duration=block.planned_duration,
        added=state.added,
        projected_end=row.projected_end,
        advance=block.advance,
        start_rule=block.start_rule,
        adjusted=row.adjusted,
    )
