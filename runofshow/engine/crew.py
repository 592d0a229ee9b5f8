"""Duties and reminders for the current block and the blocks starting soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runofshow.agenda import Block
from runofshow.engine.projections import Projection

DUE_SOON = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class DutyDue:
    """A duty of a block that is on now or starts soon; `assignee` is whoever took it, else the plan's."""

    block_id: str
    index: int
    role: str
    assignee: str | None
    open: bool
    taken: bool
    per_group: bool
    detail: str
    source: str


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """A reminder of a block that is on now or starts soon."""

    block_id: str
    text: str
    source: str


def blocks_due_soon(blocks: tuple[Block, ...], projection: Projection, now: datetime) -> list[Block]:
    """The current block and every block whose projected start is within DUE_SOON of now."""
    due: list[Block] = []
    if projection.current_index is not None:
        due.append(blocks[projection.current_index])
    if projection.next_index is not None:
        horizon = now + DUE_SOON
        for index in range(projection.next_index, len(blocks)):
            start = projection.rows[index].projected_start
            if start is None or start > horizon:
                break
            due.append(blocks[index])
    return due


def duties_due(blocks: list[Block], duty_takers: tuple[tuple[str, int, str], ...]) -> tuple[DutyDue, ...]:
    """The duties of these blocks, with takers overriding the plan."""
    taken_by = {(block_id, index): person for block_id, index, person in duty_takers}
    rows = []
    for block in blocks:
        for index, duty in enumerate(block.duties):
            taker = taken_by.get((block.id, index))
            assignee = taker if taker is not None else duty.assignee
            rows.append(DutyDue(
                block.id, index, duty.role, assignee, assignee is None and not duty.per_group,
                taker is not None, duty.per_group, duty.detail, duty.source,
            ))
    return tuple(rows)


def reminders_due(blocks: list[Block]) -> tuple[ReminderDue, ...]:
    """The reminders of these blocks."""
    return tuple(
        ReminderDue(block.id, reminder.text, reminder.source) for block in blocks for reminder in block.reminders
    )
