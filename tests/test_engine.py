"""Unit tests of the pure show engine on a small hand-built stage, with plain `now` values."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from runofshow.agenda.model import AdvanceRule, Block, Duty, Reminder, Stage, StartRule, StreamPlan
from runofshow.engine import (
    COMMANDS,
    BlockRun,
    Command,
    CommandError,
    CurrentBlock,
    Level,
    RowState,
    StageState,
    StaleRevision,
    Status,
    advance_due,
    apply,
    initial_state,
    next_due,
    snapshot,
    snapshot_to_dict,
)

OSLO = ZoneInfo("Europe/Oslo")
MINUTE = timedelta(minutes=1)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 6) -> datetime:
    """An instant on the test day (or another day of May 2024), Oslo time."""
    return datetime(2024, 5, day, hour, minute, second, tzinfo=OSLO)


def block(block_id: str, start: datetime, minutes: int, **kwargs: object) -> Block:
    """A block with a title made from its id."""
    return Block(id=block_id, title=block_id.title(), planned_start=start,
                 planned_duration=timedelta(minutes=minutes), **kwargs)  # type: ignore[arg-type]


STAGE = Stage(
    id="main",
    name="Plenary",
    blocks=(
        block("welcome", at(9), 15, stream=StreamPlan.LIVE,
              duties=(Duty("digital group leader", None, "Trenger en leder for den digitale gruppen"),),
              reminders=(Reminder("Remember input from Teams", "Husk innspill fra Teams"),)),
        block("talk", at(9, 15), 30, advance=AdvanceRule.AUTO, stream=StreamPlan.LIVE,
              warning_before=timedelta(minutes=10), danger_before=timedelta(minutes=2)),
        block("groups", at(9, 45), 45, stream=StreamPlan.ON_REQUEST,
              duties=(Duty("group lead", None, "each group", per_group=True), Duty("host", "Kari", "Kari hosts"))),
        block("wrap", at(10, 30), 15, advance=AdvanceRule.AUTO, stream=StreamPlan.OFF),
        block("dinner", at(12), 60, start_rule=StartRule.HARD, stream=StreamPlan.LIVE),
        block("end", at(13), 0, advance=AdvanceRule.AUTO, stream=StreamPlan.OFF),
    ),
)


def run(state: StageState, name: str, now: datetime, stage: Stage = STAGE, **args: object) -> StageState:
    """Apply one command issued against the current revision."""
    return apply(stage, state, Command(name, state.rev, args), now)


def started(now: datetime = at(9)) -> StageState:
    """The show started at `now` on the welcome block."""
    return run(initial_state(STAGE), "start", now)


def in_block(block_id: str, now: datetime) -> StageState:
    """The show jumped to a block at `now`."""
    return run(started(at(9)), "goto", now, block_id=block_id)


def current_at(state: StageState, now: datetime, stage: Stage = STAGE) -> CurrentBlock:
    """The current block of the snapshot at `now` (which must have one)."""
    current = snapshot(stage, state, now).current
    assert current is not None
    return current


def rows(state: StageState, now: datetime) -> dict[str, tuple[datetime | None, datetime | None, str, bool]]:
    """Projection rows by block id: (projected start, projected end, state, at_risk)."""
    return {row.block_id: (row.projected_start, row.projected_end, row.state.value, row.at_risk)
            for row in snapshot(STAGE, state, now).projections}


# ---- state and revisions ---------------------------------------------------------------------


def test_initial_state_is_not_started_at_revision_zero() -> None:
    state = initial_state(STAGE)
    assert (state.stage_id, state.rev, state.status, state.current, state.history) == (
        "main", 0, Status.NOT_STARTED, None, ())


def test_command_names_are_the_documented_table() -> None:
    assert tuple(COMMANDS) == ("start", "next", "previous", "goto", "cue", "add_time", "pause", "resume", "end",
                             "message", "flash", "display_mode", "blackout", "set_stream_state", "obs_status",
                             "take_duty", "release_duty", "apply_plan", "undo_plan")


def test_stale_revision_is_refused_and_nothing_changes() -> None:
    state = started()
    before = state.to_dict()
    with pytest.raises(StaleRevision) as refused:
        apply(STAGE, state, Command("next", 0), at(9, 5))
    assert refused.value.current_rev == 1
    assert "revision 0" in str(refused.value) and "revision 1" in str(refused.value)
    assert state.to_dict() == before


def test_stale_revision_is_checked_before_the_arguments() -> None:
    with pytest.raises(StaleRevision):
        apply(STAGE, started(), Command("goto", 7, {"block_id": "nowhere"}), at(9))


def test_two_moderators_pressing_next_at_once_advance_once() -> None:
    state = started()
    first = apply(STAGE, state, Command("next", 1), at(9, 10))
    with pytest.raises(StaleRevision):
        apply(STAGE, first, Command("next", 1), at(9, 10))
    assert first.current == "talk" and first.rev == 2


def test_every_accepted_command_adds_exactly_one_revision() -> None:
    state = initial_state(STAGE)
    steps = [("start", {}), ("pause", {}), ("resume", {}), ("add_time", {"delta": MINUTE}), ("next", {}),
             ("message", {"text": "Wrap up"}), ("blackout", {"on": True}), ("set_stream_state", {"on": True}),
             ("take_duty", {"block_id": "welcome", "index": 0, "person": "Ola"}),
             ("release_duty", {"block_id": "welcome", "index": 0}), ("previous", {}),
             ("goto", {"block_id": "wrap"}), ("end", {})]
    for expected_rev, (name, args) in enumerate(steps, start=1):
        state = apply(STAGE, state, Command(name, state.rev, args), at(9, expected_rev))
        assert state.rev == expected_rev, name


@pytest.mark.parametrize("command, message", [
    (Command("jump", 0), "unknown command 'jump'"),
    (Command("start", 0, {"block_id": "talk"}), "unexpected argument 'block_id'"),
    (Command("start", "0"), "expected_rev must be an integer"),  # type: ignore[arg-type]
    (Command("pause", 0), "not allowed while the stage is not_started"),
    (Command("resume", 0), "not allowed while the stage is not_started"),
    (Command("add_time", 0, {"delta": MINUTE}), "not allowed while the stage is not_started"),
    (Command("previous", 0), "not allowed while the stage is not_started"),
    (Command("goto", 0, {"block_id": "nowhere"}), "no block 'nowhere'"),
    (Command("goto", 0), "missing argument 'block_id'"),
    (Command("message", 0, {"text": 42}), "text must be str"),
    (Command("message", 0, {"text": "x" * 501}), "at most 500"),
    (Command("blackout", 0, {"on": "yes"}), "on must be bool"),
    (Command("set_stream_state", 0, {"on": 1}), "on must be bool or None"),
    (Command("take_duty", 0, {"block_id": "welcome", "index": 1, "person": "Ola"}), "has 1 duties, no index 1"),
    (Command("take_duty", 0, {"block_id": "welcome", "index": True, "person": "Ola"}), "index must be int"),
    (Command("take_duty", 0, {"block_id": "welcome", "index": 0, "person": "  "}), "person is empty"),
    (Command("release_duty", 0, {"block_id": "welcome", "index": 0}), "nobody has taken duty 0"),
])
def test_invalid_commands_are_refused_with_a_clear_message(command: Command, message: str) -> None:
    state = initial_state(STAGE)
    with pytest.raises(CommandError, match=message):
        apply(STAGE, state, command, at(8, 30))
    assert state == initial_state(STAGE)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        apply(STAGE, initial_state(STAGE), Command("start", 0), datetime(2024, 5, 6, 9))


def test_state_round_trips_through_json() -> None:
    state = run(run(run(started(), "pause", at(9, 5)), "take_duty", at(9, 6), block_id="groups", index=1,
                    person="Per"), "add_time", at(9, 7), delta=timedelta(minutes=2, microseconds=250))
    state = replace(state, message="Næste: lunsj", stream_on=False, blackout=True)
    document = json.loads(json.dumps(state.to_dict()))
    assert document["added_seconds"] == pytest.approx(120.00025)
    assert document["paused_at"] == "2024-05-06T07:05:00+00:00"  # the engine keeps instants in UTC
    assert StageState.from_dict(document) == state


def test_from_dict_refuses_a_document_that_is_not_a_state() -> None:
    with pytest.raises(ValueError):
        StageState.from_dict({"rev": 3})
    with pytest.raises(ValueError):
        StageState.from_dict({"stage_id": "main", "status": "dancing"})


# ---- moving through the show -----------------------------------------------------------------


def test_start_runs_the_first_block_at_now_and_opens_its_run() -> None:
    state = started(at(9, 2))
    assert (state.status, state.current, state.actual_start) == (Status.RUNNING, "welcome", at(9, 2))
    assert state.history == (BlockRun("welcome", at(9, 2), None),)
    with pytest.raises(CommandError, match="start: not allowed while the stage is running"):
        run(state, "start", at(9, 3))


def test_next_closes_the_run_and_starts_the_next_block_at_now() -> None:
    state = run(started(), "next", at(9, 12))
    assert (state.status, state.current, state.actual_start) == (Status.RUNNING, "talk", at(9, 12))
    assert state.history == (BlockRun("welcome", at(9), at(9, 12)), BlockRun("talk", at(9, 12), None))


def test_next_from_not_started_is_start() -> None:
    state = run(initial_state(STAGE), "next", at(8, 58))
    assert (state.current, state.actual_start) == ("welcome", at(8, 58))


def test_next_before_a_planned_gap_waits_for_the_planned_start() -> None:
    state = run(in_block("wrap", at(10, 30)), "next", at(10, 44))
    assert (state.status, state.current, state.actual_start) == (Status.GAP, "dinner", None)
    assert state.history[-1] == BlockRun("wrap", at(10, 30), at(10, 44))
    snap = snapshot(STAGE, state, at(10, 50))
    assert snap.current is None
    assert snap.next is not None and (snap.next.block_id, snap.next.projected_start) == ("dinner", at(12))


def test_next_in_a_gap_starts_the_waiting_block_now() -> None:
    state = run(run(in_block("wrap", at(10, 30)), "next", at(10, 44)), "next", at(11, 50))
    assert (state.status, state.current, state.actual_start) == (Status.RUNNING, "dinner", at(11, 50))


def test_next_on_the_last_block_finishes_the_show() -> None:
    state = run(in_block("end", at(13)), "next", at(13, 1))
    assert (state.status, state.current) == (Status.FINISHED, None)
    assert state.history[-1] == BlockRun("end", at(13), at(13, 1))
    with pytest.raises(CommandError, match="next: not allowed while the stage is finished"):
        run(state, "next", at(13, 2))


def test_previous_restarts_the_previous_block_with_its_full_duration() -> None:
    state = run(run(run(started(), "next", at(9, 15)), "add_time", at(9, 16), delta=5 * MINUTE), "previous",
                at(9, 20))
    assert (state.current, state.actual_start, state.added) == ("welcome", at(9, 20), timedelta(0))
    assert current_at(state, at(9, 20)).remaining == 15 * MINUTE
    assert [run.block_id for run in state.history] == ["welcome", "talk", "welcome"]
    with pytest.raises(CommandError, match="already at the first block"):
        run(state, "previous", at(9, 21))
    again = run(state, "next", at(9, 33))
    assert rows(again, at(9, 40))["welcome"] == (at(9, 20), at(9, 33), "done", False)


def test_previous_in_a_gap_restarts_the_block_that_just_ended() -> None:
    state = run(run(in_block("wrap", at(10, 30)), "next", at(10, 44)), "previous", at(10, 46))
    assert (state.status, state.current, state.actual_start) == (Status.RUNNING, "wrap", at(10, 46))


def test_previous_after_the_end_restarts_the_last_block_run() -> None:
    state = run(run(in_block("groups", at(9, 50)), "end", at(10)), "previous", at(10, 1))
    assert (state.status, state.current, state.actual_start) == (Status.RUNNING, "groups", at(10, 1))


def test_goto_starts_any_block_now_and_marks_skipped_ones() -> None:
    state = in_block("groups", at(9, 5))
    assert (state.current, state.actual_start) == ("groups", at(9, 5))
    states = {block_id: row[2] for block_id, row in rows(state, at(9, 6)).items()}
    assert states == {"welcome": "done", "talk": "skipped", "groups": "current", "wrap": "upcoming",
                      "dinner": "upcoming", "end": "upcoming"}


def test_end_finishes_from_anywhere_but_finished() -> None:
    state = run(run(started(), "pause", at(9, 5)), "end", at(9, 6))
    assert (state.status, state.current, state.paused_at) == (Status.FINISHED, None, None)
    assert state.history == (BlockRun("welcome", at(9), at(9, 6)),)
    with pytest.raises(CommandError):
        run(state, "end", at(9, 7))


# ---- time is conserved -----------------------------------------------------------------------


def test_pause_and_resume_conserve_the_remaining_time() -> None:
    state = run(started(), "pause", at(9, 4))
    paused = snapshot(STAGE, state, at(9, 30)).current
    assert paused is not None and paused.paused
    assert (paused.remaining, paused.elapsed, paused.level) == (11 * MINUTE, 4 * MINUTE, Level.NORMAL)
    state = run(state, "resume", at(9, 30))
    resumed = snapshot(STAGE, state, at(9, 30)).current
    assert resumed is not None and (resumed.remaining, resumed.paused) == (11 * MINUTE, False)
    assert state.paused_total == 26 * MINUTE and state.paused_at is None
    later = snapshot(STAGE, state, at(9, 35)).current
    assert later is not None and (later.elapsed, later.remaining, later.time_up) == (9 * MINUTE, 6 * MINUTE, at(9, 41))


def test_pause_and_resume_only_in_the_right_status() -> None:
    state = run(started(), "pause", at(9, 4))
    with pytest.raises(CommandError, match="pause: not allowed while the stage is paused"):
        run(state, "pause", at(9, 5))
    with pytest.raises(CommandError, match="resume: not allowed while the stage is running"):
        run(started(), "resume", at(9, 5))


def test_add_time_changes_the_remaining_time_by_exactly_the_delta() -> None:
    state = run(started(), "add_time", at(9, 5), delta=timedelta(minutes=5, seconds=30))
    assert current_at(state, at(9, 5)).remaining == timedelta(minutes=15, seconds=30)
    state = run(state, "add_time", at(9, 6), delta=-2 * MINUTE)
    assert current_at(state, at(9, 6)).remaining == timedelta(minutes=12, seconds=30)
    assert state.added == timedelta(minutes=3, seconds=30)


def test_add_time_while_paused_counts_too() -> None:
    state = run(run(started(), "pause", at(9, 5)), "add_time", at(9, 8), delta=MINUTE)
    assert current_at(state, at(9, 20)).remaining == 11 * MINUTE


def test_cutting_more_than_is_left_ends_the_block_now_not_in_the_past() -> None:
    state = run(started(), "add_time", at(9, 12), delta=-10 * MINUTE)
    current = snapshot(STAGE, state, at(9, 12)).current
    assert current is not None and (current.remaining, current.overtime, current.time_up) == (
        timedelta(0), timedelta(0), at(9, 12))
    overtime = run(started(), "add_time", at(9, 20), delta=-MINUTE)
    assert current_at(overtime, at(9, 20)).overtime == 5 * MINUTE


def test_cutting_an_auto_block_advances_it_now() -> None:
    state = run(in_block("talk", at(9, 15)), "add_time", at(9, 40), delta=-10 * MINUTE)
    caught_up = advance_due(STAGE, state, at(9, 40))
    assert (caught_up.current, caught_up.actual_start) == ("groups", at(9, 40))


@pytest.mark.parametrize("delta, message", [
    (timedelta(hours=12, seconds=1), "more than 12:00:00"),
    (-timedelta(hours=13), "more than 12:00:00"),
    (timedelta(0), "delta is zero"),
    (60, "delta must be timedelta"),
])
def test_add_time_refuses_bad_deltas(delta: object, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(started(), "add_time", at(9, 1), delta=delta)


def test_add_time_of_twelve_hours_is_allowed() -> None:
    state = run(started(), "add_time", at(9, 1), delta=timedelta(hours=12))
    assert state.added == timedelta(hours=12)


# ---- levels ----------------------------------------------------------------------------------


@pytest.mark.parametrize("now, level", [
    (at(9, 9, 59), Level.NORMAL), (at(9, 10), Level.WARNING), (at(9, 13, 59), Level.WARNING),
    (at(9, 14), Level.DANGER), (at(9, 14, 59), Level.DANGER), (at(9, 15), Level.OVERTIME),
    (at(9, 40), Level.OVERTIME),
])
def test_default_levels_warn_at_five_and_one_minute_left(now: datetime, level: Level) -> None:
    snap = snapshot(STAGE, started(), now)
    assert snap.current is not None and snap.current.level is level and snap.level is level


@pytest.mark.parametrize("now, level", [
    (at(9, 34, 59), Level.NORMAL), (at(9, 35), Level.WARNING), (at(9, 42, 59), Level.WARNING),
    (at(9, 43), Level.DANGER), (at(9, 45), Level.OVERTIME),
])
def test_per_block_thresholds_override_the_defaults(now: datetime, level: Level) -> None:
    assert snapshot(STAGE, in_block("talk", at(9, 15)), now).level is level


def test_overtime_counts_up_and_remaining_stays_at_zero() -> None:
    current = snapshot(STAGE, started(), at(9, 22, 30)).current
    assert current is not None
    assert (current.remaining, current.overtime, current.elapsed) == (
        timedelta(0), timedelta(minutes=7, seconds=30), timedelta(minutes=22, seconds=30))
    assert (current.warning_before, current.danger_before, current.time_up) == (5 * MINUTE, MINUTE, at(9, 15))


# ---- automatic transitions -------------------------------------------------------------------


def test_advance_due_returns_the_same_object_when_nothing_is_due() -> None:
    state = started()
    assert advance_due(STAGE, state, at(9, 30)) is state  # manual block in overtime
    talk = in_block("talk", at(9, 15))
    assert advance_due(STAGE, talk, at(9, 44, 59)) is talk
    soft_first = initial_state(STAGE)
    assert advance_due(STAGE, soft_first, at(10)) is soft_first


def test_auto_block_advances_at_its_own_end() -> None:
    talk = in_block("talk", at(9, 15))
    state = advance_due(STAGE, talk, at(9, 45))
    assert (state.current, state.actual_start, state.rev) == ("groups", at(9, 45), talk.rev + 1)
    assert state.history[-2:] == (BlockRun("talk", at(9, 15), at(9, 45)), BlockRun("groups", at(9, 45), None))


def test_catch_up_after_an_outage_applies_each_transition_at_its_due_time() -> None:
    wrap = run(in_block("talk", at(9, 15)), "goto", at(10, 33), block_id="wrap")
    state = advance_due(STAGE, wrap, at(12, 40))
    assert state.rev == wrap.rev + 1
    assert (state.status, state.current, state.actual_start) == (Status.RUNNING, "dinner", at(12))
    assert state.history[-2:] == (BlockRun("wrap", at(10, 33), at(10, 48)), BlockRun("dinner", at(12), None))
    assert advance_due(STAGE, state, at(12, 40)) is state


def test_catch_up_through_an_auto_block_stops_at_a_manual_block() -> None:
    talk = in_block("talk", at(9, 20))
    state = advance_due(STAGE, talk, at(11, 59))
    assert (state.current, state.actual_start, state.rev) == ("groups", at(9, 50), talk.rev + 1)
    assert current_at(state, at(11, 59)).overtime == timedelta(hours=1, minutes=24)


def test_auto_block_ending_before_a_hard_start_waits_in_a_gap() -> None:
    state = advance_due(STAGE, in_block("wrap", at(10, 30)), at(10, 50))
    assert (state.status, state.current) == (Status.GAP, "dinner")
    assert state.history[-1] == BlockRun("wrap", at(10, 30), at(10, 45))
    assert next_due(STAGE, state, at(10, 50)) == at(12)
    assert advance_due(STAGE, state, at(11, 59, 59)) is state
    dinner = advance_due(STAGE, state, at(12))
    assert (dinner.status, dinner.current, dinner.actual_start) == (Status.RUNNING, "dinner", at(12))


def test_hard_first_block_starts_by_itself_at_its_planned_start() -> None:
    stage = Stage("s", "S", (block("broadcast", at(19), 30, start_rule=StartRule.HARD),))
    state = initial_state(stage)
    assert next_due(stage, state, at(18)) == at(19)
    assert advance_due(stage, state, at(18, 59)) is state
    live = advance_due(stage, state, at(19, 7))
    assert (live.status, live.current, live.actual_start, live.rev) == (Status.RUNNING, "broadcast", at(19), 1)
    assert snapshot(stage, state, at(18)).next.projected_start == at(19)  # type: ignore[union-attr]


def test_zero_minute_auto_milestone_passes_immediately() -> None:
    state = advance_due(STAGE, in_block("dinner", at(12)), at(14))
    assert (state.status, state.current) == (Status.RUNNING, "dinner")  # manual dinner waits
    finished = advance_due(STAGE, run(state, "next", at(13, 10)), at(13, 10))
    assert finished.status is Status.FINISHED
    assert finished.history[-1] == BlockRun("end", at(13, 10), at(13, 10))


def test_paused_auto_block_does_not_advance() -> None:
    state = run(in_block("talk", at(9, 15)), "pause", at(9, 40))
    assert advance_due(STAGE, state, at(11)) is state
    assert next_due(STAGE, state, at(11)) is None


# ---- next_due --------------------------------------------------------------------------------


@pytest.mark.parametrize("now, due", [
    (at(9), at(9, 10)), (at(9, 9, 59), at(9, 10)), (at(9, 10), at(9, 14)), (at(9, 14), at(9, 15)),
    (at(9, 15), None), (at(10), None),
])
def test_next_due_on_a_manual_block_is_the_next_level_change(now: datetime, due: datetime | None) -> None:
    assert next_due(STAGE, started(), now) == due


@pytest.mark.parametrize("now, due", [
    (at(9, 15), at(9, 35)), (at(9, 35), at(9, 43)), (at(9, 43), at(9, 45)), (at(9, 44, 59), at(9, 45)),
])
def test_next_due_on_an_auto_block_includes_its_advance(now: datetime, due: datetime) -> None:
    assert next_due(STAGE, in_block("talk", at(9, 15)), now) == due


def test_next_due_skips_a_warning_threshold_hidden_by_a_larger_danger_threshold() -> None:
    stage = Stage("s", "S", (block("pitch", at(9), 15, warning_before=2 * MINUTE, danger_before=3 * MINUTE),))
    state = run(initial_state(stage), "start", at(9), stage)
    assert next_due(stage, state, at(9)) == at(9, 12)
    assert snapshot(stage, state, at(9, 12)).level is Level.DANGER
    assert next_due(stage, state, at(9, 12)) == at(9, 15)


def test_next_due_is_never_in_the_past() -> None:
    late = in_block("talk", at(9, 15))
    assert next_due(STAGE, late, at(10)) == at(10)


def test_next_due_is_none_when_nothing_is_scheduled() -> None:
    assert next_due(STAGE, initial_state(STAGE), at(8)) is None  # soft first block waits for the moderator
    assert next_due(STAGE, run(started(), "end", at(9, 5)), at(9, 5)) is None


# ---- projections -----------------------------------------------------------------------------


def test_before_the_start_a_soft_first_block_is_projected_at_the_later_of_plan_and_now() -> None:
    state = initial_state(STAGE)
    assert rows(state, at(8, 30))["welcome"][:2] == (at(9), at(9, 15))
    late = snapshot(STAGE, state, at(9, 5))
    assert late.projections[0].projected_start == at(9, 5)
    assert late.delay == 5 * MINUTE and late.next is not None and late.next.block_id == "welcome"
    assert [row.state for row in late.projections] == [RowState.UPCOMING] * 6


def test_a_late_manual_block_pushes_soft_blocks_and_the_gap_absorbs_it() -> None:
    projected = rows(started(), at(9, 25))
    assert projected == {
        "welcome": (at(9), at(9, 25), "current", False),
        "talk": (at(9, 25), at(9, 55), "upcoming", False),
        "groups": (at(9, 55), at(10, 40), "upcoming", False),
        "wrap": (at(10, 40), at(10, 55), "upcoming", False),
        "dinner": (at(12), at(13), "upcoming", False),
        "end": (at(13), at(13), "upcoming", False),
    }
    snap = snapshot(STAGE, started(), at(9, 25))
    assert snap.delay == 10 * MINUTE
    assert [row.delay for row in snap.projections] == [10 * MINUTE] * 4 + [timedelta(0)] * 2


def test_a_hard_start_is_flagged_at_risk_and_never_projected_earlier_than_planned() -> None:
    snap = snapshot(STAGE, started(), at(10, 40))
    dinner = next(row for row in snap.projections if row.block_id == "dinner")
    assert (dinner.projected_start, dinner.at_risk, dinner.delay) == (at(12, 10), True, 10 * MINUTE)
    early = snapshot(STAGE, in_block("wrap", at(9, 30)), at(9, 30))
    dinner = next(row for row in early.projections if row.block_id == "dinner")
    assert (dinner.projected_start, dinner.at_risk) == (at(12), False)


def test_a_show_running_early_pulls_soft_blocks_earlier() -> None:
    state = run(started(), "next", at(9, 10))
    projected = rows(state, at(9, 10))
    assert projected["talk"][:2] == (at(9, 10), at(9, 40))
    assert projected["groups"][:2] == (at(9, 40), at(10, 25))
    assert projected["welcome"] == (at(9), at(9, 10), "done", False)


def test_a_running_auto_block_is_projected_to_its_own_end() -> None:
    assert rows(in_block("talk", at(9, 15)), at(9, 50))["groups"][0] == at(9, 45)


def test_the_next_block_and_its_projected_start() -> None:
    snap = snapshot(STAGE, started(), at(9, 20))
    assert snap.next is not None and (snap.next.block_id, snap.next.title, snap.next.projected_start) == (
        "talk", "Talk", at(9, 20))


def test_finished_show_has_no_current_or_next_and_keeps_the_record() -> None:
    state = run(run(started(), "next", at(9, 14)), "end", at(9, 30))
    snap = snapshot(STAGE, state, at(10))
    assert (snap.current, snap.next, snap.delay) == (None, None, timedelta(0))
    assert [(row.block_id, row.state.value, row.projected_end) for row in snap.projections[:3]] == [
        ("welcome", "done", at(9, 14)), ("talk", "done", at(9, 30)), ("groups", "skipped", None)]


def test_blocks_spanning_several_days_wait_overnight() -> None:
    stage = Stage("conf", "Conference", (
        block("day1-close", at(16, 30), 30),
        block("day2-open", at(9, day=7), 30),
        block("keynote", at(9, 30, day=7), 60, start_rule=StartRule.HARD),
    ))
    state = run(run(initial_state(stage), "start", at(16, 30), stage), "next", at(17, 5), stage)
    assert (state.status, state.current) == (Status.GAP, "day2-open")
    assert next_due(stage, state, at(17, 5)) is None
    snap = snapshot(stage, state, at(23))
    assert [row.projected_start for row in snap.projections[1:]] == [at(9, day=7), at(9, 30, day=7)]
    morning = run(state, "next", at(9, 10, day=7), stage)
    late = snapshot(stage, morning, at(9, 45, day=7))
    assert (late.projections[2].projected_start, late.projections[2].at_risk) == (at(9, 45, day=7), True)


# ---- stream, duties, stage screen ------------------------------------------------------------


def test_next_stream_transition_follows_projected_times() -> None:
    change = snapshot(STAGE, started(), at(9, 20)).next_stream_transition
    assert change is not None
    assert (change.at, change.from_plan, change.to_plan, change.block_id) == (
        at(9, 50), StreamPlan.LIVE, StreamPlan.ON_REQUEST, "groups")
    in_gap = advance_due(STAGE, in_block("wrap", at(10, 30)), at(10, 50))
    gap = snapshot(STAGE, in_gap, at(10, 50))
    assert gap.stream_plan is StreamPlan.OFF
    change = gap.next_stream_transition
    assert change is not None and (change.at, change.to_plan, change.block_id) == (at(12), StreamPlan.LIVE, "dinner")


def test_a_gap_after_a_live_block_is_an_off_transition_unless_delay_fills_it() -> None:
    stage = Stage("s", "S", (block("a", at(9), 60, stream=StreamPlan.LIVE),
                             block("b", at(11), 30, stream=StreamPlan.LIVE)))
    state = run(initial_state(stage), "start", at(9), stage)
    gap = snapshot(stage, state, at(9, 30)).next_stream_transition
    assert gap is not None and (gap.at, gap.from_plan, gap.to_plan, gap.block_id) == (
        at(10), StreamPlan.LIVE, StreamPlan.OFF, "a")
    filled = snapshot(stage, state, at(11, 10)).next_stream_transition
    assert filled is not None and (filled.at, filled.to_plan, filled.block_id) == (at(11, 40), StreamPlan.OFF, "b")


def test_stream_mismatch_compares_the_reported_state_with_the_plan() -> None:
    live = started()
    assert snapshot(STAGE, live, at(9, 1)).stream_mismatch is False  # not reported
    assert snapshot(STAGE, run(live, "set_stream_state", at(9, 1), on=False), at(9, 2)).stream_mismatch is True
    assert snapshot(STAGE, run(live, "set_stream_state", at(9, 1), on=True), at(9, 2)).stream_mismatch is False
    on_request = run(in_block("groups", at(9, 45)), "set_stream_state", at(9, 46), on=True)
    assert snapshot(STAGE, on_request, at(9, 47)).stream_mismatch is False
    gap = run(run(in_block("wrap", at(10, 30)), "next", at(10, 45)), "set_stream_state", at(10, 46), on=True)
    assert snapshot(STAGE, gap, at(10, 47)).stream_mismatch is True


def test_duties_and_reminders_for_the_current_block_and_those_starting_within_15_minutes() -> None:
    snap = snapshot(STAGE, started(), at(9, 1))
    assert [(duty.block_id, duty.role, duty.assignee, duty.open) for duty in snap.duties_due] == [
        ("welcome", "digital group leader", None, True)]
    assert [reminder.text for reminder in snap.reminders_due] == ["Remember input from Teams"]
    later = snapshot(STAGE, run(started(), "next", at(9, 15)), at(9, 31))
    assert [(duty.block_id, duty.role, duty.assignee, duty.open) for duty in later.duties_due] == [
        ("groups", "group lead", None, False), ("groups", "host", "Kari", False)]
    assert snapshot(STAGE, run(started(), "next", at(9, 15)), at(9, 29)).duties_due == ()


def test_a_taken_duty_overrides_the_plan_until_released() -> None:
    state = run(started(), "take_duty", at(9, 1), block_id="welcome", index=0, person=" Ola ")
    assert state.duty_takers == (("welcome", 0, "Ola"),)
    duty = snapshot(STAGE, state, at(9, 2)).duties_due[0]
    assert (duty.assignee, duty.open, duty.taken, duty.source) == (
        "Ola", False, True, "Trenger en leder for den digitale gruppen")
    state = run(state, "take_duty", at(9, 3), block_id="welcome", index=0, person="Kari")
    assert state.duty_takers == (("welcome", 0, "Kari"),)
    state = run(state, "release_duty", at(9, 4), block_id="welcome", index=0)
    assert state.duty_takers == () and snapshot(STAGE, state, at(9, 5)).duties_due[0].open is True


def test_message_blackout_and_stream_state_are_plain_state_fields() -> None:
    state = run(run(run(started(), "message", at(9, 1), text="2 min left, please"), "blackout", at(9, 2), on=True),
                "set_stream_state", at(9, 3), on=False)
    snap = snapshot(STAGE, state, at(9, 4))
    assert (snap.message, snap.blackout, snap.stream_on) == ("2 min left, please", True, False)
    assert (state.current, state.actual_start) == ("welcome", at(9))
    cleared = run(state, "set_stream_state", at(9, 5), on=None)
    assert cleared.stream_on is None


# ---- snapshot as JSON ------------------------------------------------------------------------


def test_snapshot_to_dict_is_json_with_iso_instants_and_milliseconds() -> None:
    state = run(started(), "pause", at(9, 4))
    document = json.loads(json.dumps(snapshot_to_dict(snapshot(STAGE, state, at(9, 5)))))
    assert document["status"] == "paused" and document["rev"] == 2
    assert document["now"] == "2024-05-06T07:05:00+00:00"
    assert document["now_ms"] == int(datetime(2024, 5, 6, 7, 5, tzinfo=timezone.utc).timestamp() * 1000)
    current = document["current"]
    assert (current["block_id"], current["remaining_ms"], current["elapsed_ms"], current["level"]) == (
        "welcome", 11 * 60_000, 4 * 60_000, "normal")
    assert current["actual_start"] == "2024-05-06T07:00:00+00:00"
    assert "remaining" not in current
    stream = document["next_stream_transition"]
    assert (stream["from"], stream["to"], stream["block_id"]) == ("live", "on_request", "groups")
    row = document["projections"][1]
    assert (row["block_id"], row["planned_start"], row["start_rule"], row["state"], row["delay_ms"]) == (
        "talk", "2024-05-06T09:15:00+02:00", "soft", "upcoming", 60_000)


def test_snapshot_of_a_300_block_stage_takes_well_under_a_millisecond() -> None:
    start = at(9)
    blocks = tuple(
        block(f"b{index}", start + index * 20 * MINUTE, 15,
              start_rule=StartRule.HARD if index % 10 == 0 else StartRule.SOFT,
              stream=StreamPlan.LIVE if index % 3 else StreamPlan.OFF)
        for index in range(300)
    )
    stage = Stage("big", "Big", blocks)
    state = run(initial_state(stage), "goto", start + 50 * 20 * MINUTE, stage, block_id="b150")
    now = start + 51 * 20 * MINUTE
    assert len(snapshot(stage, state, now).projections) == 300
    best = timedelta.max
    for _ in range(30):
        began = time.perf_counter()
        snapshot(stage, state, now)
        best = min(best, timedelta(seconds=time.perf_counter() - began))
    assert best < timedelta(milliseconds=1)
