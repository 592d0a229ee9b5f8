"""OBS Studio over obs-websocket v5, against a real OBS (Debian's obs-studio under Xvfb) and a real server."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import timedelta
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runofshow.engine.arguments import CommandError
from runofshow.engine.commands import COMMANDS
from runofshow.integrations.obs_automation import AutomationPlanner, ObsAutomation
from runofshow.integrations.status import forget, statuses
from runofshow.integrations.obs import ObsConnection, ObsTarget, obs_targets, stage_env_name, target_from_url
from tests.support.browser import LiveServer, shoot, wait_until
from tests.support.obs import MISSING, ObsStudio, RtmpListener, stream_to
from tests.support.serverproc import ServerProcess, Watcher, http_json

needs_obs = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {MISSING} (apt-get install obs-studio xvfb ffmpeg)")
ON_AIR_BUDGET = 2.0  # seconds from the request to OBS to a stream screen holding the new stream state
UNREACHABLE_BUDGET = 5.0
NEXT_BUDGET = 0.2  # what test_server_process holds a push of Next to, OBS or not


# ---- configuration and the command, without OBS ------------------------------------------------------------


def test_first_stage_takes_obs_url_and_a_stage_can_have_its_own() -> None:
    env = {stage_env_name("side-room", "URL"): "ws://10.0.0.7:4456", stage_env_name("side-room", "PASSWORD"): "s"}
    targets = obs_targets({"OBS_URL": "ws://obs.local", "OBS_PASSWORD": "p"}, ["plenary", "side-room"], env)
    assert targets == [ObsTarget("side-room", "10.0.0.7", 4456, "s"), ObsTarget("plenary", "obs.local", 4455, "p")]
    assert stage_env_name("side-room", "URL") == "RUNOFSHOW_OBS_SIDE_ROOM_URL"
    assert obs_targets({"OBS_URL": "", "OBS_PASSWORD": ""}, ["plenary"], {}) == []


def test_an_obs_url_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="ws://host:port"):
        target_from_url(None, "http://obs.local:4455", "")


def test_obs_status_is_the_servers_alone_and_checked_like_any_command() -> None:
    spec = COMMANDS["obs_status"]
    assert spec.roles == frozenset()
    status = {"link": "connected", "streaming": True, "scene": "Live", "recording": False, "action": "",
              "action_ok": None}
    spec.check(status)
    with pytest.raises(CommandError):
        spec.check({**status, "link": "sleeping"})


@pytest.mark.parametrize("role", ["moderator", "stream"])
def test_no_token_may_send_obs_status(app, client, token_for, role: str) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import service_of

    before = service_of(app).stored_state("plenary")
    response = client.post("/api/stages/plenary/obs_status", headers={"Authorization": f"Bearer {token_for(role)}"},
                           json={"expected_rev": before.rev, "link": "connected", "streaming": True, "scene": "",
                                 "recording": False, "action": "", "action_ok": None})
    assert response.status_code == 403, response.get_json()
    assert service_of(app).stored_state("plenary") == before


def test_unreachable_obs_makes_stream_on_unknown_not_the_last_value(app) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import service_of

    service = service_of(app)
    link = ObsConnection(service, ObsTarget(None, "127.0.0.1", 1, ""), sleep=lambda _: None, clock=time.monotonic)
    stage_id = service.event().stages[0].id
    link.report.link = link.report.link.CONNECTED
    link.report.streaming, link.report.recording, link.report.scene = True, True, "Live"
    link._send()
    assert service.snapshot(stage_id).stream_on is True
    assert service.snapshot(stage_id).obs.on_air_since is not None
    assert link._connect() is None  # nothing listens on port 1
    snap = service.snapshot(stage_id)
    assert snap.stream_on is None and snap.stream_source == "obs" and snap.obs.link.value == "unreachable"
    assert snap.obs.recording is None and snap.obs.on_air_since is None
    assert [entry.actor for entry in service.journal(stage_id, limit=10)][-2:] == ["obs", "obs"]
    desk = {(item["name"], item["stage"]): item for item in (entry.to_dict() for entry in statuses())}
    assert desk[("obs", stage_id)]["state"] == "unreachable"  # the production desk says so too
    forget("obs")  # the registry is the process's: leave it as other tests expect it


def test_the_planner_switches_scenes_at_stream_transitions_and_writes_the_slate(app) -> None:  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from runofshow.web import service_of

    service = service_of(app)
    stage = service.event().stages[0]
    planner = AutomationPlanner(ObsAutomation("Live", "Break", "Slate"), ZoneInfo("Europe/Oslo"), "nb")

    def due_after(name: str, **args: Any) -> list[tuple[str, dict[str, Any]]]:
        state = service.command(stage.id, name, service.stored_state(stage.id).rev, args, actor="test")
        return [(action.request_type, dict(action.data)) for action in planner.due(stage, state, service.clock.now())]

    first = due_after("goto", block_id="fylkeskommunenes-samling")  # the baseline: no transition seen yet
    assert [kind for kind, _ in first] == ["SetInputSettings"]
    assert first[0][1]["inputSettings"]["text"].startswith("Vi har pause. Tilbake kl. ")
    assert due_after("goto", block_id="apning-og-velkommen") == [("SetCurrentProgramScene", {"sceneName": "Live"})]
    assert due_after("goto", block_id="4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na") == []
    off = due_after("goto", block_id="lunsj")
    assert off[0] == ("SetCurrentProgramScene", {"sceneName": "Break"})
    assert off[1][1]["inputName"] == "Slate" and off[1][1]["inputSettings"]["text"].endswith(": KS informerer")
    assert due_after("add_time", delta=timedelta(minutes=5)) != []  # the slate moves with the projections
    assert due_after("message", text="Hei", pin=False) == []  # nothing that OBS shows changed


def planned_requests(service: Any, stage: Any, planner: AutomationPlanner, block_id: str,
                     recording: bool | None = False) -> list[tuple[str, dict[str, Any]]]:
    """Jump the stage to a block and say what the planner asks of OBS (OBS recording or not, as given)."""
    state = service.command(stage.id, "goto", service.stored_state(stage.id).rev, {"block_id": block_id}, actor="test")
    actions = planner.due(stage, state, service.clock.now(), recording)
    return [(action.request_type, dict(action.data)) for action in actions]


def with_blocks(stage: Any, **changes: dict[str, Any]) -> Any:
    """The stage with some blocks changed (block id with `-` as `_` -> its new fields)."""
    return replace(stage, blocks=tuple(replace(block, **changes.get(block.id.replace("-", "_"), {}))
                                       for block in stage.blocks))


def test_a_block_names_its_own_scene_or_wants_no_automation(app) -> None:  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from runofshow.web import service_of

    service = service_of(app)
    stage = with_blocks(service.event().stages[0], **{"4_ar_siden_strekk_i_laget_rapporten_hvor_er_vi_na":
                                                       {"obs_scene": "Panel"}, "lunsj": {"obs_automation": False}})
    automation = ObsAutomation("Live", "Break", "", start_stream=True, stop_stream=True)
    planner = AutomationPlanner(automation, ZoneInfo("Europe/Oslo"), "en")
    scene = "SetCurrentProgramScene"
    assert planned_requests(service, stage, planner, "fylkeskommunenes-samling") == []
    assert planned_requests(service, stage, planner, "apning-og-velkommen") == [
        (scene, {"sceneName": "Live"}), ("StartStream", {})]
    assert planned_requests(service, stage, planner, "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na") == [
        (scene, {"sceneName": "Panel"})]
    assert planned_requests(service, stage, planner, "lunsj") == []  # off air, but the crew drives OBS here
    assert planned_requests(service, stage, planner, "ks-informerer") == [
        (scene, {"sceneName": "Live"}), ("StartStream", {})]
    assert planned_requests(service, stage, planner, "malkonflikter") == [
        (scene, {"sceneName": "Break"}), ("StopStream", {})]


def test_a_speakers_opt_out_stops_the_recording_for_that_block(app) -> None:  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from runofshow.agenda.model import RecordPlan
    from runofshow.web import service_of

    service = service_of(app)
    no = {"record": RecordPlan.DO_NOT_RECORD}
    stage = with_blocks(service.event().stages[0], **{"4_ar_siden_strekk_i_laget_rapporten_hvor_er_vi_na": no,
                                                       "malkonflikter": {**no, "obs_automation": False}})
    planner = AutomationPlanner(ObsAutomation(record=True), ZoneInfo("Europe/Oslo"), "en")
    assert planned_requests(service, stage, planner, "fylkeskommunenes-samling") == []
    assert planned_requests(service, stage, planner, "apning-og-velkommen") == [("StartRecord", {})]
    assert planned_requests(service, stage, planner, "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na",
                            recording=True) == [("StopRecord", {})]
    assert planned_requests(service, stage, planner, "ks-informerer") == [("StartRecord", {})]
    # Consent outranks "no automation": the opt-out is honoured in a block the crew drives by hand.
    assert planned_requests(service, stage, planner, "malkonflikter", recording=True) == [("StopRecord", {})]
    ignoring = AutomationPlanner(ObsAutomation(honour_opt_out=False), ZoneInfo("Europe/Oslo"), "en")
    assert planned_requests(service, stage, ignoring, "apning-og-velkommen", recording=True) == []
    assert planned_requests(service, stage, ignoring, "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na",
                            recording=True) == []


def test_stream_and_recording_switches_have_per_stage_forms() -> None:
    env = {stage_env_name("side-room", "URL"): "ws://10.0.0.7", stage_env_name("side-room", "START_STREAM"): "on",
           stage_env_name("side-room", "HONOUR_RECORDING_OPT_OUT"): "off"}
    values = {"OBS_URL": "ws://obs.local", "OBS_RECORD": True, "OBS_STOP_STREAM": False}
    side, first = obs_targets(values, ["plenary", "side-room"], env)
    assert side.automation == ObsAutomation(start_stream=True, honour_opt_out=False)
    assert first.automation == ObsAutomation(record=True)


def test_a_start_or_stop_obs_has_already_done_is_not_sent(app) -> None:  # type: ignore[no-untyped-def]
    from runofshow.integrations.obs_automation import output
    from runofshow.web import service_of

    link = ObsConnection(service_of(app), ObsTarget(None, "127.0.0.1", 1, ""), sleep=lambda _: None,
                         clock=time.monotonic)
    link.report.streaming, link.report.recording = True, False
    assert link._already(output("StartStream", "")) and link._already(output("StopRecord", ""))
    assert not link._already(output("StopStream", "")) and not link._already(output("StartRecord", ""))
    link.report.recording = None  # OBS's answer not in yet: send, and journal what OBS says
    assert not link._already(output("StopRecord", ""))


def test_a_block_keeps_its_obs_overrides_in_the_native_document(reference) -> None:  # type: ignore[no-untyped-def]
    from runofshow.agenda.document import event_from_dict, event_to_dict

    stage = with_blocks(reference.stages[0], lunsj={"obs_scene": "Lunch slate", "obs_automation": False})
    document = event_to_dict(replace(reference, stages=(stage, *reference.stages[1:])))
    lunch = next(block for block in document["stages"][0]["blocks"] if block["id"] == "lunsj")
    assert lunch["obs_scene"] == "Lunch slate" and lunch["obs_automation"] is False
    assert "obs_scene" not in document["stages"][0]["blocks"][0]  # the defaults stay out of the document
    assert event_from_dict(document).stages[0].block("lunsj") == stage.block("lunsj")


# ---- against a real OBS Studio ----------------------------------------------------------------------------


@pytest.fixture
def made(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Make OBS Studios, servers and screens; every one is stopped afterwards."""
    things: list[Any] = []

    def make(thing: Any) -> Any:
        things.append(thing)
        return thing

    yield make
    for thing in reversed(things):
        thing.close() if isinstance(thing, Watcher) else thing.stop()


def obs_link(line: dict[str, Any]) -> str | None:
    """The OBS link state a pushed snapshot carries."""
    return (line.get("obs") or {}).get("link")


def stream_screen(server: ServerProcess, made: Callable[..., Any]) -> Watcher:
    """A stream operator's screen on the server."""
    return made(Watcher(server.url, audience="stream", token=server.token("stream")))


@pytest.mark.slow
@needs_obs
def test_stream_started_and_stopped_in_obs_reaches_the_stream_screen_within_2s(tmp_path: Path, made) -> None:  # type: ignore[no-untyped-def]
    obs = made(ObsStudio(tmp_path / "obs")).start()
    listener = made(RtmpListener()).start()
    server = made(ServerProcess(tmp_path / "instance", env={"RUNOFSHOW_OBS_URL": obs.url})).start()
    screen = stream_screen(server, made)
    connected = screen.wait_for(lambda line: obs_link(line) == "connected", timeout=10)
    assert connected["stream_on"] is False and connected["stream_source"] == "obs"
    assert connected["obs"]["scene"] and connected["obs"]["recording"] is False
    client = obs.client()
    stream_to(client, listener)
    asked = time.time()
    client.start_stream()
    on_air = screen.wait_for(lambda line: line.get("stream_on") is True, timeout=ON_AIR_BUDGET + 3)
    assert on_air["t"] - asked < ON_AIR_BUDGET, on_air["t"] - asked
    assert on_air["obs"]["on_air_since_ms"] is not None
    asked = time.time()
    client.stop_stream()
    off_air = screen.wait_for(lambda line: line["t"] > asked and line.get("stream_on") is False, timeout=ON_AIR_BUDGET + 3)
    assert off_air["t"] - asked < ON_AIR_BUDGET, off_air["t"] - asked
    client.disconnect()


@pytest.mark.slow
@needs_obs
def test_obs_killed_is_unreachable_within_5s_next_still_flows_and_a_restart_is_picked_up(tmp_path: Path, made) -> None:  # type: ignore[no-untyped-def]
    obs = made(ObsStudio(tmp_path / "obs")).start()
    server = made(ServerProcess(tmp_path / "instance", env={"RUNOFSHOW_OBS_URL": obs.url})).start()
    screen = stream_screen(server, made)
    stage = made(Watcher(server.url, audience="stage"))
    screen.wait_for(lambda line: obs_link(line) == "connected", timeout=10)
    moderator = server.token("moderator")
    before = http_json("GET", f"{server.url}/api/stages/plenary/snapshot", token=moderator)[1]
    if before["status"] == "not_started":
        status, body = http_json("POST", f"{server.url}/api/stages/plenary/start", {"expected_rev": before["rev"]},
                                 token=moderator)
        assert status == 200, body

    killed = time.time()
    obs.kill()
    gone = screen.wait_for(lambda line: line["t"] > killed and obs_link(line) == "unreachable",
                           timeout=UNREACHABLE_BUDGET + 2)
    assert gone["t"] - killed < UNREACHABLE_BUDGET and gone["stream_on"] is None

    rev = http_json("GET", f"{server.url}/api/stages/plenary/snapshot", token=moderator)[1]["rev"]
    pressed = time.time()
    status, body = http_json("POST", f"{server.url}/api/stages/plenary/next", {"expected_rev": rev}, token=moderator)
    assert status == 200, body
    moved = stage.wait_for(lambda line: line["type"] == "snapshot" and line["rev"] >= body["snapshot"]["rev"])
    assert moved["t"] - pressed < NEXT_BUDGET, moved["t"] - pressed

    restarted = time.time()
    obs.start()
    back = screen.wait_for(lambda line: line["t"] > restarted and obs_link(line) == "connected", timeout=20)
    assert back["stream_on"] is False


@pytest.mark.slow
@needs_obs
def test_a_wrong_password_is_a_clear_status(tmp_path: Path, made) -> None:  # type: ignore[no-untyped-def]
    obs = made(ObsStudio(tmp_path / "obs", password="right-password")).start()
    server = made(ServerProcess(tmp_path / "instance", env={"RUNOFSHOW_OBS_URL": obs.url,
                                                            "RUNOFSHOW_OBS_PASSWORD": "wrong-password"})).start()
    screen = stream_screen(server, made)
    refused = screen.wait_for(lambda line: obs_link(line) == "wrong_password", timeout=10)
    assert refused["stream_on"] is None
    assert "wrong-password" not in server.log()


@pytest.mark.slow
@needs_obs
def test_stream_view_and_console_show_what_obs_does(tmp_path: Path, made, open_page) -> None:  # type: ignore[no-untyped-def]
    obs = made(ObsStudio(tmp_path / "obs")).start()
    listener = made(RtmpListener()).start()
    live = LiveServer(tmp_path / "instance")
    # The OBS link runs on the node that runs the scheduler.
    live.process.extra_env.update({"RUNOFSHOW_OBS_URL": obs.url, "RUNOFSHOW_SCHEDULER": "on",
                                   "RUNOFSHOW_OBS_BREAK_SCENE": "No such scene"})
    made(live.start())
    stream = open_page(live.share_link("stream", "/stream/plenary"), viewport={"width": 1280, "height": 1000}, wait=True)
    stream.wait_for_function("document.getElementById('obs').textContent.includes('OBS connected')", timeout=10_000)
    assert "Scene: " in stream.locator("#obs").inner_text() and "Not recording" in stream.locator("#obs").inner_text()
    assert "OFF AIR" in stream.locator("#actual").inner_text()
    assert stream.locator("#toggle").is_hidden()
    client = obs.client()
    stream_to(client, listener)
    client.start_stream()
    client.start_record()
    stream.wait_for_function("document.getElementById('obs').textContent.includes('On air for')", timeout=5000)
    assert "ON AIR" in stream.locator("#actual").inner_text()
    stream.wait_for_function("document.getElementById('obs').textContent.includes('· Recording')", timeout=5000)
    shoot(stream, "stream-obs")
    console = open_page(live.share_link("moderator", "/console/plenary"), wait=True)
    console.wait_for_function("document.getElementById('stream-obs').textContent.includes('On air for')", timeout=5000)
    assert "ON AIR" in console.locator("#stream-actual").inner_text()
    client.stop_record()
    client.disconnect()

    live.go_to("apning-og-velkommen")
    live.go_to("lunsj")  # the plan goes off air: the break scene is missing in this OBS
    stream.wait_for_function("document.getElementById('obs').textContent.includes('OBS automation failed: scene No such scene')",
                             timeout=5000)
    console.wait_for_function("document.getElementById('stream-obs').classList.contains('failed')", timeout=5000)

    obs.kill()
    stream.wait_for_function("document.getElementById('actual').textContent.includes('OBS unreachable')", timeout=5000)
    assert "ON AIR" not in stream.locator("#actual").inner_text()
    console.wait_for_function("document.getElementById('stream-actual').textContent.includes('OBS unreachable')",
                              timeout=5000)
    shoot(stream, "stream-obs-unreachable")


def plenary_blocks(server: ServerProcess) -> list[dict[str, Any]]:
    """The plenary's blocks as the crew gets them."""
    status, body = http_json("GET", f"{server.url}/api/stages/plenary/agenda", token=server.token("moderator"))
    assert status == 200, body
    return body["blocks"]


def goto(server: ServerProcess, token: str, block_id: str) -> None:
    """Jump the plenary to a block, as the moderator."""
    rev = http_json("GET", f"{server.url}/api/stages/plenary/snapshot", token=token)[1]["rev"]
    status, body = http_json("POST", f"{server.url}/api/stages/plenary/goto", {"expected_rev": rev, "block_id": block_id},
                             token=token)
    assert status == 200, body


@pytest.mark.slow
@needs_obs
def test_a_plan_transition_switches_the_obs_scene_and_writes_the_slate(tmp_path: Path, made) -> None:  # type: ignore[no-untyped-def]
    from obsws_python import EventClient
    from obsws_python.subs import Subs

    obs = made(ObsStudio(tmp_path / "obs")).start()
    client = obs.client()
    client.create_scene("Live")
    client.create_scene("Break")
    client.create_input("Break", "Slate", "text_ft2_source_v2", {"text": ""}, True)
    scenes: list[str] = []
    events = EventClient(host="127.0.0.1", port=obs.port, password="", subs=Subs.SCENES)

    def on_current_program_scene_changed(data: Any) -> None:
        scenes.append(data.scene_name)

    events.callback.register(on_current_program_scene_changed)
    server = made(ServerProcess(tmp_path / "instance", env={
        "RUNOFSHOW_OBS_URL": obs.url, "RUNOFSHOW_OBS_LIVE_SCENE": "Live", "RUNOFSHOW_OBS_BREAK_SCENE": "Break",
        "RUNOFSHOW_OBS_SLATE_SOURCE": "Slate"})).start()
    screen = stream_screen(server, made)
    screen.wait_for(lambda line: obs_link(line) == "connected", timeout=10)
    moderator = server.token("moderator")
    blocks = plenary_blocks(server)
    live = next(block for block in blocks if block["stream"] == "live")
    after = next(block for block in blocks[blocks.index(live):] if block["stream"] != "live")
    try:
        goto(server, moderator, after["id"])  # off air first, whatever ran before
        time.sleep(1)
        scenes.clear()
        goto(server, moderator, live["id"])
        wait_until(lambda: "Live" in scenes, timeout=3)
        goto(server, moderator, after["id"])
        wait_until(lambda: scenes[-1:] == ["Break"], timeout=3)
        slate = client.get_input_settings("Slate").input_settings["text"]
        following = next(block for block in blocks[blocks.index(after):] if block["stream"] == "live")
        assert slate.startswith("We are on a break. Back at ") and slate.endswith(f": {following['title']}"), slate
        done = screen.wait_for(lambda line: (line.get("obs") or {}).get("action", "").startswith("slate Slate"),
                               timeout=3)
        assert done["obs"]["action_ok"] is True
    finally:
        events.disconnect()
        client.disconnect()


@pytest.mark.slow
@needs_obs
def test_a_missing_scene_is_journaled_as_failed_and_the_show_goes_on(tmp_path: Path, made) -> None:  # type: ignore[no-untyped-def]
    obs = made(ObsStudio(tmp_path / "obs")).start()
    server = made(ServerProcess(tmp_path / "instance", env={"RUNOFSHOW_OBS_URL": obs.url,
                                                            "RUNOFSHOW_OBS_LIVE_SCENE": "No such scene"})).start()
    screen = stream_screen(server, made)
    screen.wait_for(lambda line: obs_link(line) == "connected", timeout=10)
    moderator = server.token("moderator")
    blocks = plenary_blocks(server)
    live = next(block for block in blocks if block["stream"] == "live")
    goto(server, moderator, next(block for block in blocks if block["stream"] != "live")["id"])
    goto(server, moderator, live["id"])
    failed = screen.wait_for(lambda line: (line.get("obs") or {}).get("action", "").startswith("scene No such scene"),
                             timeout=3)
    assert failed["obs"]["action_ok"] is False and failed["block_id"] == live["id"]


class OutputEvents:
    """OBS's own StreamStateChanged and RecordStateChanged events, each with the time it arrived."""

    def __init__(self, obs: ObsStudio) -> None:
        from obsws_python import EventClient
        from obsws_python.subs import Subs

        self.seen: list[tuple[str, str, float]] = []
        self.client = EventClient(host="127.0.0.1", port=obs.port, password=obs.password, subs=Subs.OUTPUTS)
        self.client.callback.register([self.on_stream_state_changed, self.on_record_state_changed])

    def on_stream_state_changed(self, data: Any) -> None:
        self.seen.append(("stream", data.output_state, time.time()))

    def on_record_state_changed(self, data: Any) -> None:
        self.seen.append(("record", data.output_state, time.time()))

    def wait(self, output: str, state: str, after: float, timeout: float = 5.0) -> float:
        """When OBS said `output` reached `state` (OBS_WEBSOCKET_OUTPUT_STARTED, say) after `after`."""
        wanted = f"OBS_WEBSOCKET_OUTPUT_{state}"
        found: list[float] = []
        wait_until(lambda: found.extend(at for kind, seen, at in self.seen
                                        if kind == output and seen == wanted and at > after) or bool(found),
                   timeout=timeout)
        return found[0]

    def stop(self) -> None:
        """Stop listening."""
        self.client.disconnect()


def server_with_agenda(tmp_path: Path, made: Callable[..., Any], reference: Any, env: dict[str, str],
                       **changes: dict[str, Any]) -> ServerProcess:
    """A started server running the reference agenda with some blocks changed (see `with_blocks`)."""
    from runofshow.agenda.document import event_to_dict

    stages = (with_blocks(reference.stages[0], **changes), *reference.stages[1:])
    agenda = tmp_path / "agenda.json"
    agenda.write_text(json.dumps(event_to_dict(replace(reference, stages=stages))))
    server = made(ServerProcess(tmp_path / "instance", env=env))
    server.cli("import", str(agenda))
    return server.start()


def obs_action(line: dict[str, Any]) -> str:
    """The OBS automation action a pushed snapshot reports (empty: none)."""
    return (line.get("obs") or {}).get("action") or ""


@pytest.mark.slow
@needs_obs
def test_a_plan_transition_starts_and_stops_the_obs_stream(tmp_path: Path, made) -> None:  # type: ignore[no-untyped-def]
    obs = made(ObsStudio(tmp_path / "obs")).start()
    listener = made(RtmpListener()).start()
    client = obs.client()
    stream_to(client, listener)
    events = made(OutputEvents(obs))
    server = made(ServerProcess(tmp_path / "instance", env={
        "RUNOFSHOW_OBS_URL": obs.url, "RUNOFSHOW_OBS_START_STREAM": "on", "RUNOFSHOW_OBS_STOP_STREAM": "on"})).start()
    screen = stream_screen(server, made)
    screen.wait_for(lambda line: obs_link(line) == "connected", timeout=10)
    moderator = server.token("moderator")
    goto(server, moderator, "fylkeskommunenes-samling")  # off air: nothing to start
    pressed = time.time()
    goto(server, moderator, "apning-og-velkommen")
    events.wait("stream", "STARTED", pressed, timeout=10)
    started = screen.wait_for(lambda line: obs_action(line) == "stream start", timeout=5)
    assert started["obs"]["action_ok"] is True
    screen.wait_for(lambda line: line.get("stream_on") is True and not line["stream_mismatch"], timeout=5)
    pressed = time.time()
    goto(server, moderator, "lunsj")
    events.wait("stream", "STOPPED", pressed, timeout=10)
    assert screen.wait_for(lambda line: obs_action(line) == "stream stop", timeout=5)["obs"]["action_ok"] is True
    client.disconnect()


@pytest.mark.slow
@needs_obs
def test_a_speakers_opt_out_stops_obs_recording_until_the_next_block(tmp_path: Path, made, reference) -> None:  # type: ignore[no-untyped-def]
    from runofshow.agenda.model import RecordPlan

    obs = made(ObsStudio(tmp_path / "obs")).start()
    client = obs.client()
    events = made(OutputEvents(obs))
    server = server_with_agenda(tmp_path, made, reference, {"RUNOFSHOW_OBS_URL": obs.url},
                                **{"4_ar_siden_strekk_i_laget_rapporten_hvor_er_vi_na":
                                   {"record": RecordPlan.DO_NOT_RECORD}})
    screen = stream_screen(server, made)
    screen.wait_for(lambda line: obs_link(line) == "connected", timeout=10)
    moderator = server.token("moderator")
    goto(server, moderator, "apning-og-velkommen")
    asked = time.time()
    client.start_record()
    events.wait("record", "STARTED", asked)
    screen.wait_for(lambda line: (line.get("obs") or {}).get("recording") is True, timeout=5)
    pressed = time.time()
    goto(server, moderator, "4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na")
    events.wait("record", "STOPPED", pressed)
    stopped = screen.wait_for(lambda line: obs_action(line).startswith("recording stop"), timeout=5)
    assert stopped["obs"]["action_ok"] is True
    pressed = time.time()
    goto(server, moderator, "lunsj")  # a block that may be recorded: the recording comes back
    events.wait("record", "STARTED", pressed)
    assert screen.wait_for(lambda line: obs_action(line).startswith("recording start"), timeout=5)["obs"]["action_ok"]
    assert client.get_record_status().output_active is True
    client.stop_record()
    client.disconnect()


@pytest.mark.slow
@needs_obs
def test_a_mismatch_with_the_plan_reaches_the_stream_screen_within_1s_of_obs(tmp_path: Path, made) -> None:  # type: ignore[no-untyped-def]
    obs = made(ObsStudio(tmp_path / "obs")).start()
    listener = made(RtmpListener()).start()
    client = obs.client()
    stream_to(client, listener)
    events = made(OutputEvents(obs))
    server = made(ServerProcess(tmp_path / "instance", env={"RUNOFSHOW_OBS_URL": obs.url})).start()
    screen = stream_screen(server, made)
    screen.wait_for(lambda line: obs_link(line) == "connected", timeout=10)
    moderator = server.token("moderator")
    goto(server, moderator, "lunsj")  # plan off air, OBS off air: they agree
    asked = time.time()
    client.start_stream()  # OBS on air, plan off air
    on_air = screen.wait_for(lambda line: line["t"] > asked and line.get("stream_on") is True, timeout=5)
    assert on_air["stream_mismatch"] is True and on_air["t"] - events.wait("stream", "STARTED", asked) < 1.0
    goto(server, moderator, "ks-informerer")  # the plan goes on air too
    screen.wait_for(lambda line: line.get("stream_plan") == "live" and line["stream_mismatch"] is False, timeout=5)
    asked = time.time()
    client.stop_stream()  # plan on air, OBS off air
    mismatch = screen.wait_for(lambda line: line["t"] > asked and line["stream_mismatch"] is True, timeout=5)
    said_off = min(at for kind, state, at in events.seen if kind == "stream" and at > asked)
    assert mismatch["stream_on"] is False and mismatch["t"] - said_off < 1.0, mismatch["t"] - said_off
    client.disconnect()
