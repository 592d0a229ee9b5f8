"""Getting back on time: what blocks may give, the plans on the reference day, apply_plan and undo_plan end to end."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from runofshow.agenda.document import block_from_dict, block_to_dict
from runofshow.agenda.edits import apply_edit
from runofshow.agenda.model import Category, Event, Stage, StartRule
from runofshow.annotate.annotator import annotate
from runofshow.engine import Command, CommandError, StageState, apply, initial_state, snapshot
from runofshow.engine.projections import project
from runofshow.engine.recovery import PlanKind, parse_changes, recovery_options
from runofshow.web import service_of
from tests.conftest import OSLO
from tests.test_web_live import received

STAGE = "plenary"
LUNCH = "lunsj"
OVERRUN = timedelta(minutes=20)


def lunch_row(rows: list[dict]) -> dict:
    """The lunch's row among a snapshot's projections."""
    return next(row for row in rows if row["block_id"] == LUNCH)


def started(stage: Stage) -> StageState:
    """The stage started at its first block's planned start."""
    return apply(stage, initial_state(stage), Command("start", 0), stage.blocks[0].planned_start)


def test_minimum_by_category_and_own_minimum(reference: Event) -> None:
    blocks = {block.id: block for block in reference.stage(STAGE).blocks}
    assert blocks["ks-informerer"].category is Category.TALK
    assert blocks["ks-informerer"].shortest == timedelta(minutes=24)  # 80 % of 30
    assert blocks["pause"].shortest == timedelta(minutes=8)  # half of 15, rounded up
    assert blocks[LUNCH].shortest == blocks[LUNCH].planned_duration
    assert blocks["slutt"].shortest == timedelta(0)
    assert replace(blocks["pause"], min_duration=timedelta(minutes=3)).shortest == timedelta(minutes=3)
    assert replace(blocks["pause"], protected=True, min_duration=timedelta(0)).shortest == timedelta(minutes=15)


def test_the_native_format_carries_minimum_protected_and_optional(reference: Event) -> None:
    block = replace(reference.all_blocks()[1], min_duration=timedelta(minutes=5), protected=True, optional=True)
    document = block_to_dict(block)
    assert (document["min_minutes"], document["protected"], document["optional"]) == (5, True, True)
    assert block_from_dict(document, "block") == block


def test_the_editor_sets_the_new_fields(reference: Event) -> None:
    edited = apply_edit(reference, STAGE, {"op": "update", "block_id": "pause",
                                           "fields": {"min_minutes": 10, "optional": True, "protected": False}},
                        actor="test", at=datetime(2024, 5, 6, 8, tzinfo=OSLO))
    pause = edited.stage(STAGE).block("pause")
    assert (pause.min_duration, pause.optional, pause.protected) == (timedelta(minutes=10), True, False)


@pytest.mark.parametrize(("text", "flex", "rule"), [
    ("Innlegget kan kortes ved behov.", "shortenable", "flex.nb.shortenable"),
    ("This session can be shortened if we run late.", "shortenable", "flex.en.shortenable"),
    ("Denne økta er valgfri.", "optional", "flex.nb.optional"),
    ("Optional: a tour of the building.", "optional", "flex.en.optional"),
    ("Hovedinnlegget må ikke kortes.", "protected", "flex.nb.protected"),
    ("The keynote is protected.", "protected", "flex.en.protected"),
])
def test_the_annotator_reads_what_a_block_may_give(text: str, flex: str, rule: str) -> None:
    notes = annotate("", text)
    assert notes.flex == flex
    assert [(fact.kind, fact.value, fact.source, fact.rule) for fact in notes.facts] == [("flex", flex, text, rule)]
    fields = notes.flex_fields(timedelta(minutes=30))
    if flex == "shortenable":
        assert fields == {"min_duration": timedelta(minutes=15)}
    else:
        assert fields[flex] is True


def test_a_question_is_not_a_statement() -> None:
    assert annotate("", "Kan innlegget kortes ved behov?").flex == ""


def test_a_twenty_minute_overrun_gives_two_plans_that_keep_the_lunch(reference: Event) -> None:
    stage = reference.stage(STAGE)
    state = started(stage)
    now = stage.blocks[0].planned_end + OVERRUN
    recovery = recovery_options(stage, state, now)
    assert recovery.direction == "behind" and recovery.amount == OVERRUN
    assert recovery.target is not None and recovery.target.block_id == LUNCH
    keeping = [plan for plan in recovery.plans if LUNCH in plan.saves]
    assert len(keeping) >= 2
    assert len({plan.key for plan in keeping}) == len(keeping)
    for plan in keeping:
        assert plan.target_start == stage.block(LUNCH).planned_start
        assert plan.gained == OVERRUN
        assert stage.blocks[0].id not in {change.block_id for change in plan.changes}  # it ran past any cut


def test_a_target_asks_for_minutes_back_by_a_block(reference: Event) -> None:
    stage = reference.stage(STAGE)
    state = started(stage)
    now = stage.blocks[0].planned_end - timedelta(minutes=30)
    recovery = recovery_options(stage, state, now, target_block_id=LUNCH, target=timedelta(minutes=10))
    assert recovery.direction == "behind" and recovery.amount == timedelta(minutes=10)
    assert recovery.plans and all(plan.gained == timedelta(minutes=10) for plan in recovery.plans)


def test_an_optional_block_may_be_dropped_and_the_show_passes_over_it(reference: Event) -> None:
    stage = reference.stage(STAGE)
    stage = replace(stage, blocks=tuple(replace(block, optional=True) if block.id == "apning-og-velkommen" else block
                                        for block in stage.blocks))
    state = started(stage)
    now = stage.blocks[0].planned_end + OVERRUN
    dropping = [plan for plan in recovery_options(stage, state, now).plans if plan.kind == PlanKind.DROP_OPTIONAL]
    assert dropping and dropping[0].changes[0].after is None
    applied = apply(stage, state, Command("apply_plan", state.rev, {"changes": dropping[0].key}), now)
    dropped_row = project(stage, applied, now).rows[1]
    assert dropped_row.dropped and dropped_row.projected_start == dropped_row.projected_end
    assert snapshot(stage, applied, now).next.block_id == "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na"
    moved = apply(stage, applied, Command("next", applied.rev), now)
    assert moved.current == "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na"


def test_being_ahead_offers_to_extend_or_start_early(reference: Event) -> None:
    stage = reference.stage(STAGE)
    state = started(stage)
    now = stage.blocks[0].planned_start + timedelta(minutes=100)
    state = apply(stage, state, Command("next", state.rev), now)  # the first block ended 20 minutes early
    recovery = recovery_options(stage, state, now)
    assert recovery.direction == "ahead" and recovery.target is not None and recovery.target.block_id == LUNCH
    kinds = [plan.kind for plan in recovery.plans]
    assert PlanKind.START_EARLY in kinds and PlanKind.EXTEND_SPREAD in kinds
    for plan in recovery.plans:
        assert plan.gained <= timedelta(0)
        assert all(row.projected_start >= row.planned_start for row in plan.rows
                   if row.start_rule is StartRule.HARD and row.projected_start is not None and row.state.value == "upcoming")


@pytest.mark.parametrize(("changes", "reason"), [
    ("lunsj=30", "plan_below_minimum"),  # a meal gives nothing
    ("ks-informerer=10", "plan_below_minimum"),
    ("ks-informerer=drop", "plan_not_optional"),
    ("fylkeskommunenes-samling=80", "plan_running_past"),
    ("pause=10", "plan_protected"),
    ("nope=10", "plan_no_block"),
])
def test_apply_plan_refuses_what_a_block_may_not_give(reference: Event, changes: str, reason: str) -> None:
    stage = reference.stage(STAGE)
    stage = replace(stage, blocks=tuple(replace(block, protected=True) if block.id == "pause" else block
                                        for block in stage.blocks))
    state = started(stage)
    now = stage.blocks[0].planned_start + timedelta(minutes=90)
    with pytest.raises(CommandError) as refused:
        apply(stage, state, Command("apply_plan", state.rev, {"changes": changes}), now)
    assert refused.value.reason == reason


def test_parse_changes_names_what_is_wrong() -> None:
    assert parse_changes("a=25, b=drop") == {"a": timedelta(minutes=25), "b": None}
    for bad in ("a", "=5", "a=five", ","):
        with pytest.raises(ValueError):
            parse_changes(bad)


def test_adjustments_survive_the_store_and_undo_stack_is_kept() -> None:
    state = StageState("s", adjusted=(("a", timedelta(minutes=25)), ("b", None)), adjusted_before=((),))
    assert StageState.from_dict(state.to_dict()) == state


def test_done_when_apply_and_undo_on_every_screen_and_the_report(app, client, socket_client, clock, token_for) -> None:  # type: ignore[no-untyped-def]
    """The reference day as a rehearsal: the first block overruns by 20 minutes; a plan keeps the lunch; undo."""
    screens = {audience: socket_client() for audience in ("agenda", "stage", "room")}
    screens["stream"] = socket_client("stream")
    for audience, screen in screens.items():
        where = {"room": "plenary"} if audience == "room" else {"stage": STAGE}
        joined = screen.emit("join", {"audience": audience, **where}, callback=True)
        assert joined["ok"] is True, (audience, joined)
    moderator = socket_client("moderator")
    moderator.emit("join", {"audience": "console"}, callback=True)
    clock.set(datetime(2024, 5, 6, 9, 0, tzinfo=OSLO))
    state = service_of(app).state(STAGE)
    if state.status.value == "not_started":
        assert moderator.emit("start", {"expected_rev": state.rev}, callback=True)["ok"] is True
    assert service_of(app).state(STAGE).current == "fylkeskommunenes-samling"
    clock.set(datetime(2024, 5, 6, 11, 0, tzinfo=OSLO) + OVERRUN)
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    assert client.get(f"/api/stages/{STAGE}/recovery").status_code == 401
    options = client.get(f"/api/stages/{STAGE}/recovery", headers=headers).get_json()
    keeping = [plan for plan in options["plans"] if LUNCH in plan["saves"]]
    assert options["direction"] == "behind" and options["amount_ms"] == 20 * 60_000 and len(keeping) >= 2
    for screen in screens.values():
        screen.get_received()

    ack = moderator.emit("apply_plan", {"expected_rev": options["rev"], "changes": keeping[0]["changes"]}, callback=True)
    assert ack["ok"] is True
    lunch = lunch_row(ack["snapshot"]["projections"])
    assert lunch["projected_start"] == "2024-05-06T10:00:00+00:00" and not lunch["at_risk"]
    pushed = {audience: received(screen, "snapshot")[-1] for audience, screen in screens.items()}
    assert {snap["rev"] for snap in pushed.values()} == {ack["snapshot"]["rev"]}
    for audience in ("agenda", "room", "stream"):  # the public agenda, room screens and the stream windows move
        assert lunch_row(pushed[audience]["projections"])["projected_start"] == "2024-05-06T10:00:00+00:00", audience
    changed = keeping[0]["blocks"][0]
    row = next(row for row in ack["snapshot"]["projections"] if row["block_id"] == changed["block_id"])
    assert row["adjusted_ms"] == changed["after_ms"] < changed["before_ms"]

    undone = moderator.emit("undo_plan", {"expected_rev": ack["snapshot"]["rev"]}, callback=True)
    assert undone["ok"] is True
    assert lunch_row(undone["snapshot"]["projections"])["projected_start"] == "2024-05-06T10:20:00+00:00"
    assert moderator.emit("undo_plan", {"expected_rev": undone["snapshot"]["rev"]}, callback=True)["error"] == "bad_request"

    again = moderator.emit("apply_plan", {"expected_rev": undone["snapshot"]["rev"], "changes": keeping[0]["changes"]},
                           callback=True)
    assert again["ok"] is True
    with client.session_transaction() as session:
        session["role"] = "moderator"
    page = client.get(f"/report/{STAGE}").get_data(as_text=True)
    assert "Adjusted min" in page
    cell = page.split(f'data-block="{changed["block_id"]}"', 1)[1].split("adjusted-cell", 1)[1].split("</td>", 1)[0]
    assert str(changed["after_ms"] // 60_000) in cell


def test_what_if_names_the_fixed_starts_a_command_would_put_at_risk(reference: Event) -> None:
    from runofshow.engine.whatif import put_at_risk

    stage = reference.stage(STAGE)
    state = started(stage)
    now = stage.blocks[0].planned_end - timedelta(minutes=3)
    assert put_at_risk(stage, state, "add_time", {"delta": timedelta(minutes=-1)}, now) == ()
    risky = put_at_risk(stage, state, "add_time", {"delta": timedelta(minutes=5)}, now)
    assert [start.block_id for start in risky] == [LUNCH] and risky[0].late_by == timedelta(minutes=5)
    assert put_at_risk(stage, state, "goto", {"block_id": "ks-informerer"}, now) == ()
    with pytest.raises(CommandError):
        put_at_risk(stage, state, "goto", {"block_id": "nope"}, now)


def test_what_if_over_rest(app, client, clock, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    clock.set(datetime(2024, 5, 6, 9, 0, tzinfo=OSLO))
    state = service_of(app).state(STAGE)
    if state.status.value == "not_started":
        assert client.post(f"/api/stages/{STAGE}/start", json={"expected_rev": state.rev}, headers=headers).status_code == 200
    clock.set(datetime(2024, 5, 6, 10, 57, tzinfo=OSLO))
    answer = client.get(f"/api/stages/{STAGE}/what-if?command=add_time&minutes=5", headers=headers)
    assert answer.status_code == 200
    assert [(start["block_id"], start["late_ms"]) for start in answer.get_json()["at_risk"]] == [(LUNCH, 5 * 60_000)]
    assert client.get(f"/api/stages/{STAGE}/what-if?command=add_time&minutes=5").status_code == 401
    assert client.get(f"/api/stages/{STAGE}/what-if?command=end", headers=headers).status_code == 400
    assert client.get(f"/api/stages/{STAGE}/what-if?command=add_time&minutes=x", headers=headers).status_code == 400
