"""Duties and reminders for the current block and the blocks starting soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runofshow.agenda.model import Block
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


def remap_duty_takers(
    before: tuple[Block, ...], after: tuple[Block, ...], takers: tuple[tuple[str, int, str], ...]
) -> tuple[tuple[str, int, str], ...]:
    """Who took which duty, after an edit of the blocks: each taker follows their duty.

    A duty keeps its taker where it is unchanged, where it moved within its block (same role, detail
    and source), or where the block kept its number of duties (the duty was edited in place); a taker
    of a removed duty, or of a removed block, is dropped.
    """
    old = {block.id: block for block in before}
    new = {block.id: block for block in after}
    kept: dict[tuple[str, int], str] = {}
    for block_id, index, person in takers:
        was, now = old.get(block_id), new.get(block_id)
        if was is None or now is None or index >= len(was.duties):
            continue
        duty = was.duties[index]
        if index < len(now.duties) and now.duties[index] == duty:
            kept.setdefault((block_id, index), person)
            continue
        moved = [i for i, other in enumerate(now.duties)
                 if (other.role, other.detail, other.source) == (duty.role, duty.detail, duty.source)]
        if moved:
            kept.setdefault((block_id, moved[0]), person)
        elif len(now.duties) == len(was.duties):
            kept.setdefault((block_id, index), person)
    return tuple(sorted((block_id, index, person) for (block_id, index), person in kept.items()))
