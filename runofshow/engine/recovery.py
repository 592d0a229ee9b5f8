"""Getting back on time: a few distinct plans to win minutes back (or use spare ones), each checked in the projection.

A plan changes block lengths only: it shortens flexible blocks down to their minimum, drops an optional block, or
(when the show is ahead) lengthens discussions and breaks. Nothing here moves a hard start: the engine never starts
one before its planned time, and every plan is judged by the engine's own projection of the state it would make.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from runofshow.agenda.model import Block, Category, Stage, StartRule
from runofshow.engine.projections import Projection, ProjectionRow, RowState, project
from runofshow.engine.state import Adjustments, StageState, Status
from runofshow.engine.timing import time_up_at

MINUTE = timedelta(minutes=1)
# A running block is never cut closer to now than this: the speaker needs a moment to wrap up.
WRAP_UP = timedelta(minutes=1)
MAX_UNDO = 20
DROP = "drop"
SOFT_FIRST: tuple[tuple[Category, ...], ...] = (
    (Category.BREAK,),
    (Category.DISCUSSION, Category.WORKSHOP),
    (Category.OTHER,),
    (Category.TALK,),
)
"""The order the "breaks and discussion first" plan takes from; each tier is spread before the next is touched."""
EXTENDABLE = (Category.DISCUSSION, Category.WORKSHOP, Category.BREAK, Category.OTHER, Category.TALK)

Lengths = dict[str, timedelta | None]
"""New lengths by block id; None drops the block."""


class PlanKind:
    """The spirit of a plan, as a stable word the screens translate."""

    SPREAD = "spread"
    SOFT_FIRST = "soft_first"
    FEWEST = "fewest"
    DROP_OPTIONAL = "drop_optional"
    EXTEND_DISCUSSION = "extend_discussion"
    EXTEND_SPREAD = "extend_spread"
    START_EARLY = "start_early"


@dataclass(frozen=True)
class Change:
    """One block's new length in a plan; `after` None means the block is dropped."""

    block_id: str
    title: str
    category: Category
    before: timedelta
    after: timedelta | None

    @property
    def taken(self) -> timedelta:
        """Minutes this change takes from the block (negative when it gives more)."""
        return self.before - (self.after if self.after is not None else timedelta(0))


@dataclass(frozen=True)
class HardStart:
    """A block that starts at a fixed time, with its planned and projected start."""

    block_id: str
    title: str
    planned_start: datetime
    projected_start: datetime

    @property
    def late_by(self) -> timedelta:
        """How much later than planned it is projected to start (zero when on time)."""
        return max(self.projected_start - self.planned_start, timedelta(0))


@dataclass(frozen=True)
class Plan:
    """One way to get back on time: its changes, the hard starts it saves and what it costs."""

    kind: str
    changes: tuple[Change, ...]
    saves: tuple[str, ...]
    still_late: tuple[HardStart, ...]
    target_start: datetime | None
    end: datetime | None
    rows: tuple[ProjectionRow, ...]
    starts_early: str | None = None

    @property
    def gained(self) -> timedelta:
        """Minutes won in total (negative when the plan gives time)."""
        return sum((change.taken for change in self.changes), timedelta(0))

    @property
    def cost(self) -> dict[str, timedelta]:
        """Minutes taken from (or given to) each kind of block."""
        out: dict[str, timedelta] = {}
        for change in self.changes:
            out[change.category.value] = out.get(change.category.value, timedelta(0)) + change.taken
        return out

    @property
    def talks_touched(self) -> int:
        """How many talks the plan changes."""
        return sum(1 for change in self.changes if change.category is Category.TALK)

    @property
    def key(self) -> str:
        """The plan as the `changes` argument of apply_plan: `block=minutes` or `block=drop`, comma-separated."""
        return changes_text({change.block_id: change.after for change in self.changes})


@dataclass(frozen=True)
class Recovery:
    """Where the stage stands against its fixed times, and the plans to get back (or use the spare time)."""

    stage_id: str
    rev: int
    direction: str
    amount: timedelta
    target: HardStart | None
    at_risk: tuple[HardStart, ...]
    plans: tuple[Plan, ...]


def changes_text(lengths: Mapping[str, timedelta | None]) -> str:
    """New lengths as apply_plan's argument, in block-id order: `a=25,b=drop`."""
    parts = []
    for block_id in sorted(lengths):
        length = lengths[block_id]
        parts.append(f"{block_id}={DROP if length is None else _whole_minutes(length)}")
    return ",".join(parts)


def parse_changes(text: str) -> Lengths:
    """apply_plan's argument as new lengths; ValueError naming the part that is not `block=minutes|drop`."""
    lengths: Lengths = {}
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        block_id, sep, value = part.rpartition("=")
        block_id, value = block_id.strip(), value.strip()
        if not sep or not block_id:
            raise ValueError(f"{part!r} is not block=minutes or block=drop")
        if value == DROP:
            lengths[block_id] = None
        elif value.isdigit():
            lengths[block_id] = timedelta(minutes=int(value))
        else:
            raise ValueError(f"{part!r}: the length must be whole minutes or {DROP!r}")
    if not lengths:
        raise ValueError("no changes")
    return lengths


def refusal(stage: Stage, state: StageState, projection: Projection, block_id: str, length: timedelta | None,
            now: datetime) -> str | None:
    """Why a block may not get this length now (protected, finished, below its minimum...), or None when it may."""
    try:
        index = stage.index_of(block_id)
    except KeyError:
        return "no_block"
    block, row = stage.blocks[index], projection.rows[index]
    planned = block.planned_duration
    if row.state in (RowState.DONE, RowState.SKIPPED) or state.status is Status.FINISHED:
        return "finished"
    if length is not None and length == planned:
        return None
    if block.protected:
        return "protected"
    running = row.state is RowState.CURRENT
    if length is None:  # neither the running block nor the one a gap waits for may be dropped
        return None if block.optional and block_id != state.current else "not_optional"
    if length < block.shortest:
        return "below_minimum"
    if running and length < state.length(block):
        time_up = time_up_at(block, state, now)
        if time_up - (state.length(block) - length) < now + WRAP_UP:
            return "running_past"
    return None


def adjusted_state(state: StageState, lengths: Mapping[str, timedelta | None], stage: Stage) -> StageState:
    """The state with these new lengths on top of the ones applied before; a planned length clears its entry.

    The previous adjustments are kept on a short stack for undo_plan."""
    merged = dict(state.adjusted)
    for block_id, length in lengths.items():
        if length is not None and length == stage.block(block_id).planned_duration:
            merged.pop(block_id, None)
        else:
            merged[block_id] = length
    adjusted: Adjustments = tuple(sorted(merged.items()))
    return replace(state, adjusted=adjusted, adjusted_before=(state.adjusted_before + (state.adjusted,))[-MAX_UNDO:])


def hard_starts(stage: Stage, projection: Projection) -> list[HardStart]:
    """The upcoming blocks with a fixed start, as projected."""
    out = []
    for block, row in zip(stage.blocks, projection.rows):
        if (block.start_rule is StartRule.HARD and row.state is RowState.UPCOMING and not row.dropped
                and row.projected_start is not None):
            out.append(HardStart(block.id, block.title, block.planned_start, row.projected_start))
    return out


def recovery_options(stage: Stage, state: StageState, now: datetime, *, target_block_id: str | None = None,
                     target: timedelta | None = None) -> Recovery:
    """The plans for this stage at `now`: to win back what is late (or `target` by `target_block_id`), or to use spare
    time before the next fixed start when the show is ahead; ValueError for a target block the stage lacks."""
    projection = project(stage, state, now)
    starts = hard_starts(stage, projection)
    at_risk = tuple(start for start in starts if start.late_by >= MINUTE)
    target_start, need = _target(stage, projection, starts, at_risk, target_block_id, target)
    end_index = stage.index_of(target_start.block_id) if target_start is not None else len(stage.blocks)
    if need >= MINUTE:
        window = _window(stage, projection, end_index)
        gives = [(block, _give(stage, state, projection, block, now)) for block in window]
        choices = _late_choices(gives, _ceil_minutes(need))
        plans = _judge(stage, state, now, projection, at_risk, target_start, _lengths(stage, state, choices))
        return Recovery(stage.id, state.rev, "behind", need, target_start, at_risk, plans)
    ahead = _ahead(stage, projection)
    if ahead is None:
        return Recovery(stage.id, state.rev, "on_time", timedelta(0), target_start, at_risk, ())
    fixed, spare = ahead
    fixed_index = stage.index_of(fixed.block_id)
    window = [block for block in _window(stage, projection, fixed_index) if not block.protected]
    choices = _early_choices(state, window, _whole_minutes(spare))
    plans = _judge(stage, state, now, projection, at_risk, fixed, _lengths(stage, state, choices))
    early_row = projection.rows[fixed_index - 1] if fixed_index > 0 else None
    early = Plan(PlanKind.START_EARLY, (), (), (), early_row.projected_end if early_row else None,
                 projection.rows[-1].projected_end, projection.rows, starts_early=fixed.block_id)
    return Recovery(stage.id, state.rev, "ahead", spare, fixed, at_risk, plans + (early,))


def _target(stage: Stage, projection: Projection, starts: list[HardStart], at_risk: tuple[HardStart, ...],
            target_block_id: str | None, target: timedelta | None) -> tuple[HardStart | None, timedelta]:
    """The fixed start to save and the minutes needed: the one asked for, else the first at risk, else the day's end."""
    if target_block_id is not None:
        index = stage.index_of(target_block_id)
        row = projection.rows[index]
        block = stage.blocks[index]
        projected = row.projected_start if row.projected_start is not None else block.planned_start
        chosen = HardStart(block.id, block.title, block.planned_start, projected)
        return chosen, target if target is not None else chosen.late_by
    if at_risk:
        return at_risk[0], target if target is not None else at_risk[0].late_by
    last = projection.rows[-1] if projection.rows else None
    late_end = timedelta(0)
    if last is not None and last.projected_end is not None and last.state is not RowState.DONE:
        late_end = max(last.projected_end - last.planned_end, timedelta(0))
    return None, target if target is not None else late_end


def _window(stage: Stage, projection: Projection, end_index: int) -> list[Block]:
    """The blocks before `end_index` whose length still counts: the running one and those to come, after the last
    planned gap that the show would still wait in (cutting before it would only lengthen the wait)."""
    window: list[Block] = []
    for index in range(end_index):
        row = projection.rows[index]
        if row.state not in (RowState.CURRENT, RowState.UPCOMING) or row.dropped:
            continue
        if row.state is RowState.UPCOMING and row.projected_start == row.planned_start and index > 0:
            before = projection.rows[index - 1]
            if before.projected_end is not None and before.projected_end < row.planned_start:
                window = []
        window.append(stage.blocks[index])
    return window


def _give(stage: Stage, state: StageState, projection: Projection, block: Block, now: datetime) -> int:
    """Whole minutes the block may still give: down to its minimum, and for the running one not past now."""
    length = state.length(block)
    if block.protected:
        return 0
    give = max(length - block.shortest, timedelta(0))
    if projection.rows[stage.index_of(block.id)].state is RowState.CURRENT:
        give = min(give, max(time_up_at(block, state, now) - now - WRAP_UP, timedelta(0)))
    return _whole_minutes(give)


Choice = tuple[str, dict[str, int | None]]
"""A plan's kind and its cuts in minutes by block id (None: drop; negative: more time)."""


def _lengths(stage: Stage, state: StageState, choices: list[Choice]) -> list[tuple[str, Lengths]]:
    """Each choice's cuts as new lengths."""
    out = []
    for kind, cuts in choices:
        lengths: Lengths = {}
        for block_id, cut in cuts.items():
            if cut != 0:
                lengths[block_id] = None if cut is None else state.length(stage.block(block_id)) - cut * MINUTE
        out.append((kind, lengths))
    return out


def _late_choices(gives: list[tuple[Block, int]], need: int) -> list[Choice]:
    """Cuts for each spirit of plan: spread, breaks and discussion first, fewest blocks, drop one optional block."""
    choices: list[Choice] = [(PlanKind.SPREAD, dict(_share(need, gives)))]
    tiered: dict[str, int | None] = {}
    left = need
    for tier in SOFT_FIRST:
        taken = _share(left, [(block, give) for block, give in gives if block.category in tier])
        tiered.update(taken)
        left -= sum(taken.values())
    choices.append((PlanKind.SOFT_FIRST, tiered))
    fewest: dict[str, int | None] = {}
    left = need
    for block, give in sorted(gives, key=lambda item: -item[1]):
        if left <= 0:
            break
        if give > 0:
            fewest[block.id] = min(give, left)
            left -= min(give, left)
    choices.append((PlanKind.FEWEST, fewest))
    optional = [(block, give) for block, give in gives if block.optional and block.planned_duration > timedelta(0)]
    if optional:
        covering = [item for item in optional if _whole_minutes(item[0].planned_duration) >= need]
        dropped = min(covering, key=lambda item: item[0].planned_duration)[0] if covering else \
            max(optional, key=lambda item: item[0].planned_duration)[0]
        rest = need - _whole_minutes(dropped.planned_duration)
        with_drop: dict[str, int | None] = dict(_share(rest, [item for item in gives if item[0] is not dropped]))
        with_drop[dropped.id] = None
        choices.append((PlanKind.DROP_OPTIONAL, with_drop))
    return choices


def _early_choices(state: StageState, window: list[Block], spare: int) -> list[Choice]:
    """Negative cuts (more time) for discussions and breaks first, then spread over every block that may take it."""
    choices: list[Choice] = []
    for kind, categories in ((PlanKind.EXTEND_DISCUSSION, (Category.DISCUSSION, Category.WORKSHOP, Category.BREAK)),
                             (PlanKind.EXTEND_SPREAD, EXTENDABLE)):
        weights = [(block, _whole_minutes(state.length(block))) for block in window
                   if block.category in categories and state.length(block) > timedelta(0)]
        choices.append((kind, {block_id: -minutes for block_id, minutes in _weighted(spare, weights).items()}))
    return choices


def _share(need: int, gives: list[tuple[Block, int]]) -> dict[str, int]:
    """`need` minutes split over the blocks in proportion to what each may give, never more than that."""
    total = sum(give for _, give in gives)
    if need <= 0 or total <= 0:
        return {}
    if total <= need:
        return {block.id: give for block, give in gives if give > 0}
    return _weighted(need, gives)


def _weighted(amount: int, weights: list[tuple[Block, int]]) -> dict[str, int]:
    """`amount` whole minutes split in proportion to the weights; the remainder goes to the largest fractions first."""
    total = sum(weight for _, weight in weights)
    if amount <= 0 or total <= 0:
        return {}
    parts = {block.id: amount * weight // total for block, weight in weights}
    order = sorted(range(len(weights)), key=lambda i: -(amount * weights[i][1] % total))
    left = amount - sum(parts.values())
    for i in order[:left]:
        parts[weights[i][0].id] += 1
    return {block_id: minutes for block_id, minutes in parts.items() if minutes > 0}


def _ahead(stage: Stage, projection: Projection) -> tuple[HardStart, timedelta] | None:
    """The next fixed start the show reaches early, and by how much (at least a minute), or None."""
    for index, (block, row) in enumerate(zip(stage.blocks, projection.rows)):
        if row.state is not RowState.UPCOMING or index == 0 or block.start_rule is not StartRule.HARD:
            continue
        before = projection.rows[index - 1]
        if before.projected_end is None or before.state not in (RowState.CURRENT, RowState.UPCOMING):
            return None
        # Only what the chain gained counts: a planned gap before the fixed start is not spare time.
        spare = min(block.planned_start, stage.blocks[index - 1].planned_end) - before.projected_end
        if spare >= MINUTE:
            return HardStart(block.id, block.title, block.planned_start, block.planned_start), spare
        return None
    return None


def _judge(stage: Stage, state: StageState, now: datetime, projection: Projection, at_risk: tuple[HardStart, ...],
           target: HardStart | None, candidates: Iterable[tuple[str, Lengths]]) -> tuple[Plan, ...]:
    """Each candidate as a plan judged by the projection it makes; empty and repeated ones left out."""
    plans: list[Plan] = []
    seen: set[str] = set()
    for kind, lengths in candidates:
        lengths = {block_id: length for block_id, length in lengths.items()
                   if refusal(stage, state, projection, block_id, length, now) is None}
        key = changes_text(lengths)
        if not lengths or key in seen:
            continue
        seen.add(key)
        plans.append(_plan(kind, stage, state, now, at_risk, target, lengths))
    return tuple(plans)


def _plan(kind: str, stage: Stage, state: StageState, now: datetime, at_risk: tuple[HardStart, ...],
          target: HardStart | None, lengths: Lengths) -> Plan:
    """One plan with the projection its lengths make."""
    after = project(stage, adjusted_state(state, lengths, stage), now)
    late_after = {start.block_id: start for start in hard_starts(stage, after) if start.late_by >= MINUTE}
    # A fixed start the plan drops is not saved: only one that still happens, on time.
    dropped = {block_id for block_id, length in lengths.items() if length is None}
    saves = tuple(start.block_id for start in at_risk if start.block_id not in late_after.keys() | dropped)
    changes = tuple(
        Change(block_id, stage.block(block_id).title, stage.block(block_id).category,
               state.length(stage.block(block_id)), length)
        for block_id, length in sorted(lengths.items(), key=lambda item: stage.index_of(item[0]))
    )
    target_start = after.rows[stage.index_of(target.block_id)].projected_start if target is not None else None
    end = after.rows[-1].projected_end if after.rows else None
    return Plan(kind, changes, saves, tuple(late_after.values()), target_start, end, after.rows)


def _whole_minutes(duration: timedelta) -> int:
    """A duration in whole minutes, rounded down."""
    return int(duration // MINUTE)


def _ceil_minutes(duration: timedelta) -> int:
    """A duration in whole minutes, rounded up."""
    return math.ceil(duration / MINUTE - 1e-9)
