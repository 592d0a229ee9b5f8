"""Properties of the recovery plans over random stages, random progress and random targets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runofshow.agenda.model import Block, Category, Stage, StartRule
from runofshow.engine import Command, RowState, StageState, apply, initial_state
from runofshow.engine.projections import project
from runofshow.engine.recovery import MINUTE, WRAP_UP, Recovery, recovery_options
from runofshow.engine.timing import time_up_at

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAY = datetime(2024, 5, 6, 9, tzinfo=timezone.utc)


@st.composite
def stages(draw: st.DrawFn) -> Stage:
    """A stage of 2-10 blocks of every category: some hard, some protected or optional, some with their own minimum."""
    cursor = DAY
    blocks = []
    for index in range(draw(st.integers(2, 10))):
        cursor += timedelta(minutes=draw(st.sampled_from((0, 0, 0, 10, 30))))
        category = draw(st.sampled_from(Category))
        minutes = 0 if category is Category.MILESTONE else draw(st.sampled_from((5, 10, 15, 20, 30, 45, 60, 90)))
        own_minimum = draw(st.sampled_from((None, None, 0, 3, 12, 200)))
        flag = draw(st.sampled_from(("", "", "", "protected", "optional")))
        blocks.append(Block(
            id=f"b{index}", title=f"Block {index}", planned_start=cursor, planned_duration=timedelta(minutes=minutes),
            category=category, start_rule=draw(st.sampled_from((StartRule.SOFT, StartRule.SOFT, StartRule.HARD))),
            min_duration=None if own_minimum is None else timedelta(minutes=own_minimum),
            protected=flag == "protected", optional=flag == "optional",
        ))
        cursor += timedelta(minutes=minutes)
    return Stage("stage", "Stage", tuple(blocks))


@st.composite
def situations(draw: st.DrawFn) -> tuple[Stage, StageState, datetime, str | None, timedelta | None]:
    """A stage partway through its show (the running block maybe overrunning), `now`, and maybe a target."""
    stage = draw(stages())
    state = apply(stage, initial_state(stage), Command("start", 0), stage.blocks[0].planned_start)
    now = stage.blocks[0].planned_start
    for _ in range(draw(st.integers(0, len(stage.blocks) - 1))):
        now += timedelta(minutes=draw(st.sampled_from((1, 5, 20, 45, 90))))
        state = apply(stage, state, Command("next", state.rev), now)
        if state.status.value == "finished":
            break
    now += timedelta(minutes=draw(st.sampled_from((0, 3, 12, 20, 40))), seconds=draw(st.sampled_from((0, 17))))
    target_block = draw(st.sampled_from((None, None, *[block.id for block in stage.blocks])))
    target = draw(st.sampled_from((None, None, 5, 15, 60)))
    return stage, state, now, target_block, None if target is None else timedelta(minutes=target)


def options(situation: tuple[Stage, StageState, datetime, str | None, timedelta | None]) -> Recovery:
    """The recovery options of a drawn situation."""
    stage, state, now, target_block, target = situation
    return recovery_options(stage, state, now, target_block_id=target_block, target=target)


@SETTINGS
@given(situations())
def test_no_block_goes_below_its_minimum_or_is_touched_when_it_may_not_be(situation) -> None:  # type: ignore[no-untyped-def]
    stage, state, now, _, _ = situation
    rows = {row.block_id: row for row in project(stage, state, now).rows}
    for plan in options(situation).plans:
        for change in plan.changes:
            block, row = stage.block(change.block_id), rows[change.block_id]
            assert not block.protected
            assert row.state in (RowState.CURRENT, RowState.UPCOMING)
            if change.after is None:
                assert block.optional and row.state is RowState.UPCOMING and block.id != state.current
                continue
            assert change.after >= block.shortest
            if row.state is RowState.CURRENT and change.after < change.before:
                assert time_up_at(block, state, now) - (change.before - change.after) >= now + WRAP_UP


@SETTINGS
@given(situations())
def test_every_plan_applies_and_no_hard_start_moves_earlier_than_planned(situation) -> None:  # type: ignore[no-untyped-def]
    stage, state, now, _, _ = situation
    for plan in options(situation).plans:
        if not plan.changes:
            continue
        applied = apply(stage, state, Command("apply_plan", state.rev, {"changes": plan.key}), now)
        for block, row in zip(stage.blocks, project(stage, applied, now).rows):
            if block.start_rule is StartRule.HARD and row.state is RowState.UPCOMING:
                assert row.projected_start is not None and row.projected_start >= block.planned_start


@SETTINGS
@given(situations())
def test_a_plan_that_claims_to_save_a_hard_start_saves_it_in_the_engines_projection(situation) -> None:  # type: ignore[no-untyped-def]
    stage, state, now, _, _ = situation
    recovery = options(situation)
    late_before = {start.block_id for start in recovery.at_risk}
    for plan in recovery.plans:
        if not plan.saves:
            continue
        applied = apply(stage, state, Command("apply_plan", state.rev, {"changes": plan.key}), now)
        rows = {row.block_id: row for row in project(stage, applied, now).rows}
        for block_id in plan.saves:
            assert block_id in late_before
            row = rows[block_id]
            assert row.projected_start is not None and row.projected_start - row.planned_start < MINUTE


@SETTINGS
@given(situations())
def test_the_same_input_gives_the_same_plans(situation) -> None:  # type: ignore[no-untyped-def]
    first, second = options(situation), options(situation)
    assert first == second
    assert [plan.key for plan in first.plans] == [plan.key for plan in second.plans]
    assert len({plan.key for plan in first.plans if plan.changes}) == len([plan for plan in first.plans if plan.changes])


@SETTINGS
@given(situations())
def test_undo_plan_restores_the_projection(situation) -> None:  # type: ignore[no-untyped-def]
    stage, state, now, _, _ = situation
    for plan in options(situation).plans[:1]:
        if not plan.changes:
            continue
        applied = apply(stage, state, Command("apply_plan", state.rev, {"changes": plan.key}), now)
        undone = apply(stage, applied, Command("undo_plan", applied.rev), now)
        assert undone.adjusted == state.adjusted
        assert project(stage, undone, now) == project(stage, state, now)
