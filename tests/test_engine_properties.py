"""Properties of the show engine over random stages and random command sequences with increasing `now`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runofshow.agenda.model import AdvanceRule, Block, Stage, StartRule, StreamPlan
from runofshow.engine import (
    Command,
    CommandError,
    Level,
    RowState,
    Snapshot,
    StageState,
    StaleRevision,
    Status,
    advance_due,
    apply,
    initial_state,
    next_due,
    snapshot,
)

EPSILON = timedelta(microseconds=1)
ZONES = (timezone.utc, ZoneInfo("Europe/Oslo"), ZoneInfo("America/New_York"))
LATER = (timedelta(0), timedelta(seconds=1), timedelta(minutes=3), timedelta(minutes=47), timedelta(hours=5),
         timedelta(days=2))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


MINUTES = st.sampled_from((None, 0, 0.5, 2, 3, 10)).map(lambda m: None if m is None else timedelta(minutes=m))
THRESHOLDS = st.sampled_from(((None, None), (timedelta(minutes=2), timedelta(minutes=3)))) | st.tuples(MINUTES, MINUTES)


@st.composite
def stages(draw: st.DrawFn) -> Stage:
    """A valid stage of 1-7 blocks: gaps (some overnight), 0-minute blocks, soft/hard, auto/manual."""
    zone = draw(st.sampled_from(ZONES))
    cursor = datetime(2024, 5, 6, 8, tzinfo=zone) + timedelta(minutes=draw(st.integers(0, 600)))
    blocks = []
    for index in range(draw(st.integers(1, 7))):
        cursor += timedelta(minutes=draw(st.sampled_from((0, 0, 0, 5, 30, 90, 14 * 60))))
        duration = timedelta(minutes=draw(st.sampled_from((0, 1, 5, 15, 30, 45, 90))))
        warning_before, danger_before = draw(THRESHOLDS)
        blocks.append(Block(
            id=f"b{index}",
            title=f"Block {index}",
            planned_start=cursor,
            planned_duration=duration,
            start_rule=draw(st.sampled_from(StartRule)),
            advance=draw(st.sampled_from(AdvanceRule)),
            stream=draw(st.sampled_from(StreamPlan)),
            warning_before=warning_before,
            danger_before=danger_before,
        ))
        cursor += duration
    return Stage("stage", "Stage", tuple(blocks))


WAITS = st.sampled_from((0, 1, 30, 59, 60, 240, 299, 600, 1800, 3600, 7200, 50_000)) | st.integers(0, 10_800)
COMMAND = st.sampled_from(("wait", "wait", "start", "next", "next", "previous", "goto", "add_time", "pause",
                           "resume", "end", "message", "blackout", "set_stream_state"))
DELTAS = st.sampled_from((-30, -5, -1, 1, 5, 30, 720)).map(lambda minutes: timedelta(minutes=minutes))
STEPS = st.lists(st.tuples(WAITS, COMMAND, st.integers(0, 50), DELTAS), min_size=1, max_size=25)


def args_for(name: str, stage: Stage, seed: int, delta: timedelta) -> dict[str, object]:
    """Arguments for a command, chosen from the seed."""
    if name == "goto":
        return {"block_id": stage.blocks[seed % len(stage.blocks)].id}
    if name == "add_time":
        return {"delta": delta}
    if name == "message":
        return {"text": f"message {seed}"}
    if name in ("blackout", "set_stream_state"):
        return {"on": bool(seed % 2)}
    return {}


def signed_remaining(stage: Stage, state: StageState, now: datetime) -> timedelta:
    """Remaining time of the current block, negative in overtime, read from the snapshot."""
    current = snapshot(stage, state, now).current
    assert current is not None
    assert current.remaining >= timedelta(0) and current.overtime >= timedelta(0)
    assert current.remaining == timedelta(0) or current.overtime == timedelta(0)
    return current.remaining - current.overtime


def projected(snap: Snapshot) -> list[tuple[datetime | None, datetime | None]]:
    """(projected start, projected end) of every row."""
    return [(row.projected_start, row.projected_end) for row in snap.projections]


def check_projections(stage: Stage, state: StageState, now: datetime) -> None:
    """Row invariants at `now`, and no row moves earlier at any later instant for the same state."""
    snap = snapshot(stage, state, now)
    assert [row.block_id for row in snap.projections] == [block.id for block in stage.blocks]
    chain = [row for row in snap.projections if row.state in (RowState.CURRENT, RowState.UPCOMING)]
    previous_end: datetime | None = None
    for row in chain:
        assert row.projected_start is not None and row.projected_end is not None and row.delay is not None
        assert row.projected_end - row.projected_start >= timedelta(0)
        assert row.delay == row.projected_end - row.planned_end
        if row.state is RowState.UPCOMING:
            assert row.projected_end - row.projected_start == row.planned_end - row.planned_start
            assert row.projected_start >= now
            if row.start_rule is StartRule.HARD:
                assert row.projected_start >= row.planned_start
        else:
            assert row.projected_end >= now
        if previous_end is not None:
            assert row.projected_start >= previous_end
        assert row.at_risk == (row.start_rule is StartRule.HARD and row.projected_start > row.planned_start
                               and row.state is RowState.UPCOMING and previous_end is not None)
        previous_end = row.projected_end
    for row in snap.projections:
        assert (row.projected_start is None) == (row.state is RowState.SKIPPED)
    if snap.current is not None:
        current = snap.current
        assert current.remaining - current.overtime == current.time_up - now
        assert current.elapsed + current.remaining - current.overtime == current.planned_duration + current.added
    earlier = projected(snap)
    for later in LATER:
        moved = projected(snapshot(stage, state, now + later))
        for (start, end), (new_start, new_end) in zip(earlier, moved):
            assert (start is None) == (new_start is None)
            if start is not None and new_start is not None and end is not None and new_end is not None:
                assert new_start >= start and new_end >= end
        earlier = moved


def check_next_due(stage: Stage, state: StageState, now: datetime) -> None:
    """Follow next_due from a caught-up state: each is after the last, nothing happens before it,
    something happens at it (a transition or a level change), and transitions start blocks where the
    projections said they would."""
    for _ in range(8):
        due = next_due(stage, state, now)
        if due is None:
            assert state.status is not Status.RUNNING or snapshot(stage, state, now).level is Level.OVERTIME
            far = now + timedelta(days=30)
            assert advance_due(stage, state, far) is state
            if state.status is Status.RUNNING:
                assert snapshot(stage, state, far).level is Level.OVERTIME
            return
        assert due > now
        assert advance_due(stage, state, due - EPSILON) is state
        after = advance_due(stage, state, due)
        if after is state:
            assert snapshot(stage, state, due).level is not snapshot(stage, state, due - EPSILON).level
        else:
            predicted = {row.block_id: row.projected_start for row in snapshot(stage, state, now).projections}
            for run in after.history[len(state.history):]:
                assert run.actual_start == due == predicted[run.block_id]
            if after.status is Status.GAP:
                waiting = predicted[after.current or ""]
                assert waiting is not None and waiting > due
            state = after
        now = due


@dataclass
class PauseRecord:
    """The signed remaining time frozen by a pause."""

    remaining: timedelta


def drive(stage: Stage, steps: list[tuple[int, str, int, timedelta]]) -> None:
    """Run the steps, checking every invariant after each."""
    now = min(block.planned_start for block in stage.blocks) - timedelta(minutes=30)
    state = initial_state(stage)
    paused: PauseRecord | None = None
    for wait, name, seed, delta in steps:
        now += timedelta(seconds=wait)
        caught_up = advance_due(stage, state, now)
        if caught_up is not state:
            assert caught_up.rev == state.rev + 1
            for run in caught_up.history[len(state.history):]:
                assert run.actual_start <= now
                block = stage.block(run.block_id)
                if block.start_rule is StartRule.HARD:
                    assert run.actual_start >= block.planned_start
            assert advance_due(stage, caught_up, now) is caught_up
        state = caught_up
        check_next_due(stage, state, now)
        check_projections(stage, state, now)
        if state.status is Status.PAUSED and paused is not None:
            assert signed_remaining(stage, state, now) == paused.remaining
        if name == "wait":
            continue
        before = state.to_dict()
        try:
            new = apply(stage, state, Command(name, state.rev, args_for(name, stage, seed, delta)), now)
        except CommandError as error:
            assert not isinstance(error, StaleRevision)
            assert state.to_dict() == before
            continue
        assert new.rev == state.rev + 1
        assert state.to_dict() == before
        if name == "add_time":
            old_remaining = signed_remaining(stage, state, now)
            expected = old_remaining + delta if delta > timedelta(0) else max(old_remaining + delta,
                                                                              min(old_remaining, timedelta(0)))
            assert signed_remaining(stage, new, now) == expected
            if paused is not None:
                paused.remaining = expected
        elif name == "pause":
            paused = PauseRecord(signed_remaining(stage, state, now))
            assert signed_remaining(stage, new, now) == paused.remaining
        elif name == "resume":
            assert paused is not None and signed_remaining(stage, new, now) == paused.remaining
            paused = None
        if new.status is not Status.PAUSED:
            paused = None
        with_stale = apply(stage, new, Command("message", new.rev, {"text": "x"}), now)
        try:
            apply(stage, with_stale, Command(name, new.rev, args_for(name, stage, seed, delta)), now)
        except StaleRevision as refused:
            assert refused.current_rev == with_stale.rev
        else:
            raise AssertionError("a command against an old revision was accepted")
        assert StageState.from_dict(new.to_dict()) == new
        state = new


@SETTINGS
@given(stages(), STEPS)
def test_random_shows_keep_every_invariant(stage: Stage, steps: list[tuple[int, str, int, timedelta]]) -> None:
    drive(stage, steps)


@SETTINGS
@given(stages(), st.integers(0, 20 * 3600), st.integers(0, 20 * 3600), st.integers(0, 20 * 3600))
def test_catching_up_in_one_go_equals_catching_up_in_steps(stage: Stage, first: int, second: int, start: int) -> None:
    began = stage.blocks[0].planned_start + timedelta(seconds=start) - timedelta(hours=2)
    state = apply(stage, initial_state(stage), Command("start", 0), began)
    middle = began + timedelta(seconds=first)
    end = middle + timedelta(seconds=second)
    at_once = advance_due(stage, state, end)
    stepwise = advance_due(stage, advance_due(stage, state, middle), end)
    assert replace(at_once, rev=0) == replace(stepwise, rev=0)
    assert at_once.rev in (state.rev, state.rev + 1)


@SETTINGS
@given(stages(), st.integers(0, 7200), st.integers(1, 20 * 3600), st.integers(0, 7200))
def test_pause_freezes_the_countdown_and_resume_continues_it(stage: Stage, run_for: int, pause_for: int,
                                                             after: int) -> None:
    began = stage.blocks[0].planned_start
    state = apply(stage, initial_state(stage), Command("start", 0), began)
    t1 = began + timedelta(seconds=run_for)
    before = signed_remaining(stage, state, t1)
    level = snapshot(stage, state, t1).level
    state = apply(stage, state, Command("pause", 1), t1)
    t2 = t1 + timedelta(seconds=pause_for)
    assert signed_remaining(stage, state, t2) == before
    assert snapshot(stage, state, t2).level is level
    assert next_due(stage, state, t2) is None
    state = apply(stage, state, Command("resume", 2), t2)
    assert signed_remaining(stage, state, t2) == before
    assert signed_remaining(stage, state, t2 + timedelta(seconds=after)) == before - timedelta(seconds=after)
