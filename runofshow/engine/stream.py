"""The stream plan over time: what should be on air now and when that next changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from runofshow.agenda.model import Block, StreamPlan
from runofshow.engine.projections import Projection


@dataclass(frozen=True, slots=True)
class StreamTransition:
    """A change of the planned stream state at a projected instant; `block_id` starts or ends then."""

    at: datetime
    from_plan: StreamPlan
    to_plan: StreamPlan
    block_id: str


def next_transition(
    blocks: tuple[Block, ...], projection: Projection, plan_now: StreamPlan
) -> StreamTransition | None:
    """The first projected change of the plan after the current point; gaps and the end of the show are off."""
    if projection.next_index is None and projection.current_index is None:
        return None
    plan = plan_now
    rows = projection.rows
    previous_end: datetime | None = None
    previous_id = ""
    if projection.current_index is not None:
        current_row = rows[projection.current_index]
        previous_end, previous_id = current_row.projected_end, current_row.block_id
    start_index = projection.next_index if projection.next_index is not None else len(rows)
    for index in range(start_index, len(rows)):
        row, block = rows[index], blocks[index]
        assert row.projected_start is not None and row.projected_end is not None
        if previous_end is not None and row.projected_start > previous_end and plan is not StreamPlan.OFF:
            return StreamTransition(previous_end, plan, StreamPlan.OFF, previous_id)
        if block.stream is not plan:
            return StreamTransition(row.projected_start, plan, block.stream, block.id)
        previous_end, previous_id = row.projected_end, row.block_id
    if previous_end is not None and plan is not StreamPlan.OFF:
        return StreamTransition(previous_end, plan, StreamPlan.OFF, previous_id)
    return None


def is_mismatch(plan: StreamPlan, stream_on: bool | None) -> bool:
    """True when the reported stream state contradicts the plan; on request and not reported never do."""
    if stream_on is None or plan is StreamPlan.ON_REQUEST:
        return False
    return stream_on != (plan is StreamPlan.LIVE)
