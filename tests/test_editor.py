"""The agenda editor: edits validated, stored, journaled, pushed; ripple; overrides; undo; roles; stale versions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runofshow.agenda.document import event_from_dict, event_to_dict
from runofshow.live.clocks import FakeClock
from runofshow.agenda.edits import EditError, apply_edit
from runofshow.exporters.native import to_yaml
from runofshow.importers import parse_agenda

OSLO = ZoneInfo("Europe/Oslo")
AT = datetime(2024, 5, 6, 8, 0, tzinfo=OSLO)


def _service(app: Any) -> Any:
    from runofshow.web import service_of

    return service_of(app)


def _edit(client: Any, **edit: Any) -> Any:
    """Post one edit against the current version."""
    version = client.get("/editor/plenary/document").get_json()["version"]
    return client.post("/editor/plenary/edit", json={"expected_version": version, **edit})


def _starts(app: Any) -> dict[str, str]:
    return {b.id: b.planned_start.astimezone(OSLO).strftime("%H:%M") for b in _service(app).stage("plenary").blocks}


def test_duration_change_ripples_to_back_to_back_blocks(app: Any, moderator: Any) -> None:
    response = _edit(moderator, op="update", block_id="malkonflikter", fields={"duration_minutes": 130})
    assert response.status_code == 200, response.get_json()
    starts = _starts(app)
    assert starts["pause"] == "15:25" and starts["avrundning"] == "17:30" and starts["slutt"] == "17:40"
    assert starts["middag-pa-hotel-victoria"] == "19:00"  # a fixed time never moves
    assert starts["lunsj"] == "12:00"


def test_overlapping_a_fixed_start_is_refused_naming_the_field(app: Any, moderator: Any) -> None:
    before = _service(app).store.load_agenda()
    response = _edit(moderator, op="update", block_id="4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na",
                     fields={"duration_minutes": 60})
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == "duration_minutes" and "12:00" in body["message"]
    assert _service(app).store.load_agenda() == before


@pytest.mark.parametrize(("fields", "field"), [
    ({"duration_minutes": "long"}, "duration_minutes"),
    ({"duration_minutes": -5}, "duration_minutes"),
    ({"title": " "}, "title"),
    ({"stream": "maybe"}, "stream"),
    ({"start": "25:99"}, "start"),
    ({"rooms": ["mars"]}, "agenda"),
    ({"colour": "red"}, "colour"),
    ({"breakout": {"teams_rooms": "yes"}}, "breakout"),
    ({"obs_scene": 5}, "obs_scene"),
    ({"obs_scene": "Panel\ud800"}, "obs_scene"),
    ({"obs_scene": "P" * 257}, "obs_scene"),
    ({"obs_automation": "no"}, "obs_automation"),
    ({"record": "maybe"}, "record"),
])
def test_bad_input_is_400_naming_the_field_and_changes_nothing(app: Any, moderator: Any, fields: dict[str, Any],
                                                               field: str) -> None:
    store = _service(app).store
    before, journal = store.load_agenda(), len(store.journal())
    response = _edit(moderator, op="update", block_id="pause", fields=fields)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert store.load_agenda() == before and len(store.journal()) == journal


def test_a_blocks_obs_fields_are_edited_and_drive_the_obs_automation(app: Any, moderator: Any) -> None:
    from runofshow.integrations.obs_automation import AutomationPlanner, ObsAutomation

    fields = {"obs_scene": "  Panel wide  ", "obs_automation": False, "record": "do_not_record"}
    response = _edit(moderator, op="update", block_id="malkonflikter", fields=fields)
    assert response.status_code == 200, response.get_json()
    shown = next(b for b in response.get_json()["blocks"] if b["id"] == "malkonflikter")
    assert (shown["obs_scene"], shown["obs_automation"], shown["record"]) == ("Panel wide", False, "do_not_record")
    block = _service(app).stage("plenary").block("malkonflikter")
    assert (block.obs_scene, block.obs_automation, block.record.value) == ("Panel wide", False, "do_not_record")
    assert _service(app).store.journal()[-1].command.startswith("edit update malkonflikter")
    # An empty scene is the stage's scene again; automation back on: the planner switches to the block's own scene.
    assert _edit(moderator, op="update", block_id="malkonflikter", fields={"obs_scene": ""}).status_code == 200
    assert _service(app).stage("plenary").block("malkonflikter").obs_scene is None
    assert _edit(moderator, op="update", block_id="malkonflikter",
                 fields={"obs_scene": "Panel", "obs_automation": True}).status_code == 200
    service = _service(app)
    stage = service.stage("plenary")
    planner = AutomationPlanner(ObsAutomation("Live", "Break"), OSLO, "en")
    state = service.state("plenary")
    service.command("plenary", "goto", state.rev, {"block_id": "pause"}, actor="test")
    planner.due(stage, service.state("plenary"), service.clock.now())
    service.command("plenary", "goto", service.state("plenary").rev, {"block_id": "malkonflikter"}, actor="test")
    actions = planner.due(stage, service.state("plenary"), service.clock.now())
    assert [(a.request_type, dict(a.data)) for a in actions] == [("SetCurrentProgramScene", {"sceneName": "Panel"})]


def test_an_edit_is_journaled_and_pushed_to_every_screen(app: Any, moderator: Any, socket_client: Any) -> None:
    stage = socket_client()
    assert stage.emit("join", {"audience": "stage", "stage": "plenary"}, callback=True)["ok"]
    stage.get_received()
    assert _edit(moderator, op="update", block_id="pause", fields={"title": "Kaffe"}).status_code == 200
    received = stage.get_received()
    agenda = [item["args"][0] for item in received if item["name"] == "agenda"]
    assert [b["title"] for b in agenda[-1]["blocks"] if b["id"] == "pause"] == ["Kaffe"]
    assert any(item["name"] == "snapshot" for item in received)
    entry = _service(app).store.journal()[-1]
    assert entry.command == "edit update pause title" and entry.actor == "moderator"


def test_running_block_keeps_its_state_and_countdown_follows_duration(app: Any, moderator: Any,
                                                                       clock: FakeClock) -> None:
    service = _service(app)
    clock.set(datetime(2024, 5, 6, 13, 15, tzinfo=OSLO))
    service.command("plenary", "goto", service.state("plenary").rev, {"block_id": "malkonflikter"}, actor="moderator")
    clock.advance(timedelta(minutes=10))
    before = service.snapshot("plenary")
    assert before.current is not None and before.current.remaining == timedelta(minutes=110)
    assert _edit(moderator, op="update", block_id="malkonflikter", fields={"duration_minutes": 130}).status_code == 200
    after = service.snapshot("plenary")
    assert after.current is not None and after.current.block_id == "malkonflikter"
    assert after.current.remaining == timedelta(minutes=120)
    assert after.current.actual_start == datetime(2024, 5, 6, 13, 15, tzinfo=OSLO)
    pause = next(row for row in after.projections if row.block_id == "pause")
    assert pause.projected_start == datetime(2024, 5, 6, 15, 25, tzinfo=OSLO)
    # The running block cannot be deleted.
    response = _edit(moderator, op="delete", block_id="malkonflikter")
    assert response.status_code == 400 and response.get_json()["field"] == "block_id"
    # Undo restores the duration and the countdown.
    version = moderator.get("/editor/plenary/document").get_json()["version"]
    assert moderator.post("/editor/plenary/undo", json={"expected_version": version}).status_code == 200
    assert service.snapshot("plenary").current.remaining == timedelta(minutes=110)


def test_add_delete_move_and_undo(app: Any, moderator: Any) -> None:
    original = [b.id for b in _service(app).stage("plenary").blocks]
    assert _edit(moderator, op="add", after="slutt", block={"title": "Mingling", "duration_minutes": 30}).status_code == 200
    ids = [b.id for b in _service(app).stage("plenary").blocks]
    assert ids[ids.index("slutt") + 1] == "mingling"
    assert _starts(app)["mingling"] == "17:30"
    assert _edit(moderator, op="delete", block_id="pause").status_code == 200
    assert "pause" not in [b.id for b in _service(app).stage("plenary").blocks]
    assert _edit(moderator, op="move", block_id="avrundning", to=5).status_code == 200
    moved = [b.id for b in _service(app).stage("plenary").blocks]
    assert moved[5] == "avrundning"
    assert _starts(app)["avrundning"] == "13:15" and _starts(app)["malkonflikter"] == "13:25"
    document = moderator.get("/editor/plenary/document").get_json()
    assert document["undo_depth"] == 3
    for _ in range(3):
        version = moderator.get("/editor/plenary/document").get_json()["version"]
        assert moderator.post("/editor/plenary/undo", json={"expected_version": version}).status_code == 200
    assert [b.id for b in _service(app).stage("plenary").blocks] == original
    version = moderator.get("/editor/plenary/document").get_json()["version"]
    nothing = moderator.post("/editor/plenary/undo", json={"expected_version": version})
    assert nothing.status_code == 400 and nothing.get_json()["error"] == "nothing_to_undo"


def test_stale_version_is_refused(app: Any, moderator: Any) -> None:
    old = moderator.get("/editor/plenary/document").get_json()["version"]
    assert _edit(moderator, op="update", block_id="pause", fields={"title": "A"}).status_code == 200
    stale = moderator.post("/editor/plenary/edit", json={"expected_version": old, "op": "update", "block_id": "pause",
                                                         "fields": {"title": "B"}})
    assert stale.status_code == 409 and stale.get_json()["version"] != old
    assert _service(app).stage("plenary").block("pause").title == "A"


def test_only_moderators_may_edit(client: Any) -> None:
    assert client.get("/editor/plenary").status_code == 302
    assert client.post("/editor/plenary/edit", json={}).status_code == 401
    with client.session_transaction() as session:
        session["role"] = "stream"
    assert client.get("/editor/plenary").status_code == 403
    assert client.post("/editor/plenary/edit", json={"op": "delete", "block_id": "pause"}).status_code == 403
    assert client.post("/editor/plenary/undo", json={}).status_code == 403


def test_editor_page_renders_for_moderator(moderator: Any) -> None:
    page = moderator.get("/editor/plenary")
    assert page.status_code == 200 and b"js/editor.js" in page.data and b'name="csrf-token"' in page.data
    assert moderator.get("/editor/nowhere").status_code == 404


def test_override_keeps_the_inferred_fact_and_round_trips(app: Any, moderator: Any) -> None:
    block_id = "fylkeskommunenes-samling"
    assert _edit(moderator, op="update", block_id=block_id, fields={"stream": "off"}).status_code == 200
    event = _service(app).event()
    block = event.stage("plenary").block(block_id)
    assert block.stream.value == "off"
    kinds = [(fact.kind, fact.value) for fact in block.facts]
    assert ("stream", "on_request") in kinds and ("override", "stream") in kinds
    override = next(fact for fact in block.facts if fact.kind == "override")
    assert override.source == '"off"' and override.rule.startswith("editor moderator")
    # A second override of the same field replaces the first; the inferred fact stays.
    assert _edit(moderator, op="update", block_id=block_id, fields={"stream": "live"}).status_code == 200
    block = _service(app).stage("plenary").block(block_id)
    assert [f.source for f in block.facts if f.kind == "override"] == ['"live"']
    # Native YAML and JSON keep the facts and overrides.
    again = parse_agenda(to_yaml(_service(app).event()).encode("utf-8"), path="x.yaml")
    assert again.stage("plenary").block(block_id).facts == block.facts
    assert event_from_dict(event_to_dict(_service(app).event())).stage("plenary").block(block_id).facts == block.facts
    # A field no fact decided is an edit, not an override.
    assert _edit(moderator, op="update", block_id=block_id, fields={"title": "Samling"}).status_code == 200
    block = _service(app).stage("plenary").block(block_id)
    assert [f.value for f in block.facts if f.kind == "override"] == ["stream"]


def test_pure_edit_names_the_field(app: Any) -> None:
    event = _service(app).event()
    with pytest.raises(EditError) as refused:
        apply_edit(event, "plenary", {"op": "move", "block_id": "pause", "to": 99}, actor="m", at=AT)
    assert refused.value.field == "to"
    with pytest.raises(EditError) as hard:
        apply_edit(event, "plenary", {"op": "move", "block_id": "middag-pa-hotel-victoria", "to": 0}, actor="m", at=AT)
    assert hard.value.field == "to"
    start = apply_edit(event, "plenary", {"op": "update", "block_id": "slutt", "fields": {"start": "17:45"}},
                       actor="m", at=AT)
    assert start.stage("plenary").block("slutt").planned_start == datetime(2024, 5, 6, 17, 45, tzinfo=OSLO)


def _with_duties(event: Any, block_id: str, duties: tuple[Any, ...]) -> Any:
    """The event with one block's duties replaced."""
    from dataclasses import replace

    stages = tuple(replace(stage, blocks=tuple(replace(b, duties=duties) if b.id == block_id else b for b in stage.blocks))
                   for stage in event.stages)
    return replace(event, stages=stages)


def test_a_taken_duty_follows_its_duty_through_edits_and_goes_with_it(app: Any) -> None:
    from runofshow.agenda.model import Duty

    service = _service(app)
    block = service.stage("plenary").block("malkonflikter")
    assert block.duties, "the reference block has an open duty"
    service.command("plenary", "take_duty", service.state("plenary").rev,
                    {"block_id": "malkonflikter", "index": 0, "person": "Kari"}, actor="facilitator")
    host = Duty("host", "Per", "Per er vert")
    moved = _with_duties(service.event(), "malkonflikter", (host,) + block.duties)
    service.edit_event(moved, actor="moderator", expected_version=service.agenda_version())
    assert service.state("plenary").duty_takers == (("malkonflikter", 1, "Kari"),)
    removed = _with_duties(service.event(), "malkonflikter", (host,))
    service.edit_event(removed, actor="moderator", expected_version=service.agenda_version())
    assert service.state("plenary").duty_takers == ()


def test_a_duty_edited_in_place_keeps_its_taker() -> None:
    from runofshow.agenda.model import Block, Duty
    from runofshow.engine import remap_duty_takers

    before = (Block("b", "B", AT, timedelta(minutes=30), duties=(Duty("note taker", None, "Referent"),)),)
    after = (Block("b", "B", AT, timedelta(minutes=30), duties=(Duty("note-taker", None, "Referent: en"),)),)
    assert remap_duty_takers(before, after, (("b", 0, "Ola"),)) == (("b", 0, "Ola"),)
    assert remap_duty_takers(before, (), (("b", 0, "Ola"),)) == ()
    assert remap_duty_takers(before, after, (("b", 3, "Ola"),)) == ()


PAUSE_TO_A = {"op": "update", "block_id": "pause", "fields": {"title": "A"}}
LUNSJ_TO_B = {"op": "update", "block_id": "lunsj", "fields": {"title": "B"}}


def _stored_stage(service: Any) -> Any:
    """The plenary as stored now, not as any service cached it."""
    return event_from_dict(service.store.load_agenda()).stage("plenary")


def test_a_second_service_edits_the_stored_agenda_not_the_one_it_cached(app: Any) -> None:
    service = _service(app)
    other = type(service)(service.store, service.clock)
    other.event()  # cached for a while
    version = service.edit_stage("plenary", PAUSE_TO_A, expected_version=service.agenda_version(), actor="moderator:a")
    other.edit_stage("plenary", LUNSJ_TO_B, expected_version=version, actor="moderator:b")
    stage = _stored_stage(service)
    assert stage.block("pause").title == "A" and stage.block("lunsj").title == "B"
    assert service.undo_depth() == 2


def test_a_stale_edit_or_undo_on_a_second_service_is_refused_and_changes_nothing(app: Any) -> None:
    from runofshow.live.service import StaleAgenda

    service = _service(app)
    other = type(service)(service.store, service.clock)
    old = other.agenda_version()
    service.edit_stage("plenary", PAUSE_TO_A, expected_version=old, actor="moderator:a")
    stored, journal, version = service.store.load_agenda(), service.store.journal(), service.agenda_version()
    with pytest.raises(StaleAgenda) as raised:
        other.edit_stage("plenary", LUNSJ_TO_B, expected_version=old, actor="moderator:b")
    assert raised.value.current_version == version != old
    with pytest.raises(StaleAgenda):
        other.undo_edit(actor="moderator:b", expected_version=old)
    assert service.store.load_agenda() == stored and service.store.journal() == journal
    assert service.agenda_version() == version and service.undo_depth() == 1


def test_an_agenda_stored_while_an_edit_is_applied_refuses_that_edit(app: Any, monkeypatch: Any) -> None:
    from runofshow.live import service as service_module
    from runofshow.live.service import StaleAgenda

    service = _service(app)
    other = type(service)(service.store, service.clock)
    version = service.agenda_version()
    real_apply_edit = service_module.apply_edit
    rivals: list[str] = []

    def apply_edit_while_a_rival_stores(*args: Any, **kwargs: Any) -> Any:
        """The edit is computed; before it is stored, the first service stores its own edit."""
        edited = real_apply_edit(*args, **kwargs)
        if kwargs["actor"] == "moderator:b":
            rivals.append(service.edit_stage("plenary", PAUSE_TO_A, expected_version=version, actor="moderator:a"))
        return edited

    monkeypatch.setattr(service_module, "apply_edit", apply_edit_while_a_rival_stores)
    with pytest.raises(StaleAgenda) as raised:
        other.edit_stage("plenary", LUNSJ_TO_B, expected_version=version, actor="moderator:b")
    assert raised.value.current_version == rivals[0] == service.agenda_version()
    stage = _stored_stage(service)
    assert stage.block("pause").title == "A" and stage.block("lunsj").title != "B"
    assert [entry.actor for entry in service.store.journal() if entry.stage_id is None][-1] == "moderator:a"
