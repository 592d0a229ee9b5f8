"""The live server as a real process: `runofshow serve` on a localhost port, screens in other processes.

Each test starts its own server (tests/support/serverproc.py) on a temporary instance folder. Screens are
python-socketio clients (and the official JavaScript client under Node) in child processes that
print JSON lines stamped with `time.time()`, so latencies are measured on the machine's one clock.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runofshow.agenda.model import AdvanceRule, Block, Event, Stage, StartRule, validate
from runofshow.live.clocks import SystemClock
from runofshow.live.service import ShowService
from runofshow.live.store import Store
from tests.support.node import node_project
from tests.support.serverproc import ServerProcess, Watcher, http_json, sqlite_url

pytestmark = pytest.mark.slow

OSLO = ZoneInfo("Europe/Oslo")
PUSH_BUDGET = 0.2  # seconds from a REST Next to the screen holding the new block
DUE_BUDGET = 0.1  # seconds from an automatic transition's due instant (real time) to its store and to the screen


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Make server processes (not started); every one is stopped afterwards (logs stay in the instance folder)."""
    made: list[ServerProcess] = []

    def make(instance: Path | None = None, **kwargs: Any) -> ServerProcess:
        kwargs.setdefault("name", f"server{len(made)}")
        server = ServerProcess(instance or tmp_path / "instance", **kwargs)
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def watchers() -> Iterator[Callable[..., Watcher]]:
    """Make screen child processes; all stopped afterwards."""
    made: list[Watcher] = []

    def make(*args: Any, node: bool = False, **kwargs: Any) -> Watcher:
        watcher = Watcher.node(*args, **kwargs) if node else Watcher(*args, **kwargs)
        made.append(watcher)
        return watcher

    yield make
    for watcher in made:
        watcher.close()


def snapshot_of(server: ServerProcess, token: str | None = None) -> dict[str, Any]:
    """GET the plenary snapshot."""
    status, body = http_json("GET", f"{server.url}/api/stages/plenary/snapshot", token=token)
    assert status == 200, body
    return body


def command(server: ServerProcess, name: str, token: str | None, body: dict[str, Any]) -> tuple[int, Any]:
    """POST a control command to the plenary stage."""
    return http_json("POST", f"{server.url}/api/stages/plenary/{name}", body, token=token)


def is_snapshot(rev: int, block_id: str | None, status: str = "running") -> Callable[[dict[str, Any]], bool]:
    """A pushed snapshot at `rev` (or later) with this status and current block."""
    return lambda line: (line["type"] == "snapshot" and line["rev"] >= rev and line["status"] == status
                         and line["block_id"] == block_id)


def current_block(snapshot: dict[str, Any]) -> str | None:
    """The id of the block running in a snapshot (None in a gap)."""
    return snapshot["current"]["block_id"] if snapshot["current"] else None


def press_next_and_time(server: ServerProcess, token: str, watcher: Watcher, presses: int) -> list[float]:
    """Press Next over REST `presses` times; seconds from just before each POST to the screen's receipt."""
    latencies = []
    for _ in range(presses):
        rev = snapshot_of(server, token)["rev"]
        started = time.time()
        status, body = command(server, "next", token, {"expected_rev": rev})
        assert status == 200, body
        new = body["snapshot"]
        assert new["rev"] == rev + 1
        pushed = watcher.wait_for(is_snapshot(new["rev"], current_block(new), new["status"]), timeout=5)
        latencies.append(pushed["t"] - started)
    return latencies


# ---- 1 and 2: a screen in another process sees Next within 200 ms ----------------------------------


@pytest.mark.parametrize("async_mode", ["gevent", "threading"])
def test_python_client_sees_next_within_200ms(servers, watchers, async_mode: str) -> None:
    server = servers(async_mode=async_mode).start()
    token = server.token("moderator")
    screen = watchers(server.url)
    joined = screen.wait_for(lambda line: line["type"] == "join")
    assert joined["role"] == "public" and joined["rev"] == snapshot_of(server)["rev"]
    latencies = press_next_and_time(server, token, screen, presses=5)
    print("latencies", latencies)
    assert max(latencies) < PUSH_BUDGET, latencies
    assert min(latencies) > 0


def test_node_client_sees_next_within_200ms(servers, watchers, tmp_path_factory) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the official JavaScript client cannot run")
    project = node_project(tmp_path_factory)
    installed = json.loads((project / "node_modules" / "socket.io-client" / "package.json").read_text())
    vendored = json.loads((Path(__file__).resolve().parents[1] / "static" / "vendor" / "socket.io" /
                           "VERSION.json").read_text())
    assert installed["version"] == vendored["version"]
    server = servers().start()
    token = server.token("moderator")
    screen = watchers(server.url, project, node=True)
    joined = screen.wait_for(lambda line: line["type"] == "join", timeout=15)
    assert joined["role"] == "public" and joined["rev"] == snapshot_of(server)["rev"]
    latencies = press_next_and_time(server, token, screen, presses=5)
    print("latencies", latencies)
    assert max(latencies) < PUSH_BUDGET, latencies


# ---- 3 and 4: conflicts and roles over REST ----------------------------------------------------------


def status_json(server: ServerProcess) -> dict[str, Any]:
    """`runofshow status --json` on the server's instance folder."""
    return json.loads(server.cli("status", "--json").stdout)


def journal(server: ServerProcess) -> list[Any]:
    """The store's journal, oldest first."""
    store = Store(sqlite_url(server.instance))
    try:
        return store.journal(stage_id="plenary", limit=10_000)
    finally:
        store.close()


def test_two_nexts_at_once_advance_the_show_once(servers) -> None:
    server = servers().start()
    tokens = [server.token("moderator"), server.token("moderator")]
    for _ in range(4):
        before = snapshot_of(server, tokens[0])
        journal_before = journal(server)
        barrier = threading.Barrier(2)
        results: list[tuple[int, Any]] = [(0, None), (0, None)]

        def press(index: int) -> None:
            barrier.wait()
            results[index] = command(server, "next", tokens[index], {"expected_rev": before["rev"]})

        threads = [threading.Thread(target=press, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=15)
        assert sorted(status for status, _ in results) == [200, 409], results
        (_, won), = [body for body in results if body[0] == 200]
        (_, lost), = [body for body in results if body[0] == 409]
        assert won["snapshot"]["rev"] == before["rev"] + 1
        assert lost["error"] == "stale" and lost["message"]
        assert lost["snapshot"]["rev"] == before["rev"] + 1
        assert current_block(lost["snapshot"]) == current_block(won["snapshot"])
        assert lost["snapshot"]["status"] == won["snapshot"]["status"]
        status = status_json(server)
        assert status["rev"] == before["rev"] + 1
        assert current_block(status) == current_block(won["snapshot"])
        new_entries = journal(server)[len(journal_before):]
        assert [(entry.command, entry.rev) for entry in new_entries] == [("next", before["rev"] + 1)]


def test_control_without_the_right_credentials_changes_nothing(servers) -> None:
    server = servers().start()
    before = snapshot_of(server)
    journal_before = journal(server)
    body = {"expected_rev": before["rev"]}
    assert command(server, "next", None, body)[0] == 401
    status, reply = command(server, "next", "not-a-token", body)
    assert status == 401 and reply["error"] == "unauthenticated"
    for role in ("screen", "stream", "facilitator"):
        status, reply = command(server, "next", server.token(role), body)
        assert status == 403 and reply["error"] == "forbidden", (role, reply)
        assert role in reply["message"]
    status, reply = command(server, "goto", server.token("stream"), {**body, "block_id": "pause"})
    assert status == 403
    # The same over a real Socket.IO connection: an error ack, nothing changes.
    import socketio

    client = socketio.Client(reconnection=False)
    client.connect(server.url, transports=["websocket"], auth={"token": server.token("screen")})
    try:
        ack = client.call("next", body, timeout=5)
    finally:
        client.disconnect()
    anonymous = socketio.Client(reconnection=False)
    anonymous.connect(server.url, transports=["websocket"])
    try:
        anonymous_ack = anonymous.call("goto", {**body, "block_id": "pause"}, timeout=5)
    finally:
        anonymous.disconnect()
    assert ack["ok"] is False and ack["error"] == "forbidden"
    # One vocabulary for both adapters: no credentials is `unauthenticated`, as over REST.
    assert anonymous_ack["ok"] is False and anonymous_ack["error"] == "unauthenticated"
    after = snapshot_of(server)
    # The stored facts are the same; remaining and elapsed time move on by themselves.
    # Before the day starts there is no current block: then both must have none.
    def stored_facts(snapshot: dict[str, Any]) -> dict[str, Any] | None:
        current = snapshot["current"]
        facts = ("block_id", "actual_start_ms", "time_up_ms", "added_ms", "paused")
        return None if current is None else {key: current[key] for key in facts}

    assert (after["rev"], after["status"]) == (before["rev"], before["status"])
    assert stored_facts(after) == stored_facts(before)
    assert status_json(server)["rev"] == before["rev"]
    assert len(journal(server)) == len(journal_before)
    # ...and the right token does work, so the refusals above were about the role.
    status, reply = command(server, "next", server.token("moderator"), body)
    assert status == 200 and reply["snapshot"]["rev"] == before["rev"] + 1


# ---- 5: kill -9 mid-block --------------------------------------------------------------------------


def test_kill_9_mid_block_keeps_the_show_and_screens_resync(servers, watchers) -> None:
    server = servers().start()
    token = server.token("moderator")
    screen = watchers(server.url, reconnect_delay=0.3)
    screen.wait_for(lambda line: line["type"] == "join")
    status, agenda = http_json("GET", f"{server.url}/api/stages/plenary/agenda")
    assert status == 200
    longest = max(agenda["blocks"], key=lambda block: block["duration_minutes"])
    block_id = longest["id"]
    assert longest["duration_minutes"] >= 30
    rev = snapshot_of(server, token)["rev"]
    status, reply = command(server, "goto", token, {"expected_rev": rev, "block_id": block_id})
    assert status == 200, reply
    running = reply["snapshot"]
    assert current_block(running) == block_id and running["status"] == "running"
    screen.wait_for(is_snapshot(running["rev"], block_id))
    time_up_ms = running["current"]["time_up_ms"]
    assert time_up_ms - running["now_ms"] == pytest.approx(longest["duration_minutes"] * 60_000, abs=1000)
    time.sleep(0.5)

    server.kill9()
    killed_at = time.time()
    screen.wait_for(lambda line: line["type"] == "disconnect" and line["t"] >= killed_at - 0.1, timeout=5)
    time.sleep(1.0)
    server.start()

    asked_at = time.time()
    after = snapshot_of(server, token)
    answered_at = time.time()
    assert after["status"] == "running"
    assert after["rev"] == running["rev"]
    assert after["current"]["block_id"] == block_id
    assert after["current"]["time_up_ms"] == time_up_ms
    expected_remaining_ms = time_up_ms - (asked_at + answered_at) / 2 * 1000
    assert abs(after["current"]["remaining_ms"] - expected_remaining_ms) < 1000

    reconnected = screen.wait_for(lambda line: line["type"] == "connect" and line["t"] > killed_at, timeout=10)
    rejoined = screen.wait_for(lambda line: line["type"] == "join" and line["t"] >= reconnected["t"], timeout=5)
    assert rejoined["block_id"] == block_id and rejoined["rev"] == running["rev"]
    assert rejoined["time_up_ms"] == time_up_ms
    assert abs(rejoined["remaining_ms"] - (time_up_ms - rejoined["t"] * 1000)) < 1000
    # The resynced screen gets live pushes again.
    status, reply = command(server, "next", token, {"expected_rev": running["rev"]})
    assert status == 200
    pushed = reply["snapshot"]
    screen.wait_for(is_snapshot(pushed["rev"], current_block(pushed), pushed["status"]), timeout=2)


# ---- 6 and 7: rehearsal at x60, automatic transitions on time, never twice ------------------------


SPEED = 60


@dataclass(frozen=True)
class Transition:
    """An automatic transition of the test agenda: its due show time and what the screen then shows."""

    due: datetime
    status: str
    block_id: str | None
    next_block_id: str | None = None

    def matches(self, line: dict[str, Any]) -> bool:
        """True for a pushed snapshot showing the state after this transition."""
        if line["type"] != "snapshot" or line["status"] != self.status or line["block_id"] != self.block_id:
            return False
        return self.next_block_id is None or line["next_block_id"] == self.next_block_id


def auto_agenda(first_block_minutes: int) -> tuple[Event, list[Transition]]:
    """A one-stage day of short automatic blocks (hard start, 0-minute milestone, gap, hard start) and its transitions.

    09:00 `open` (hard, auto), `talk`, `mark` (0 min), gap, `late` (hard), `wrap`: all advance by themselves.
    """
    day = date(2024, 5, 6)

    def at(hour: int, minute: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)

    first = first_block_minutes
    spec = [  # id, start minute after 09:00, minutes, start rule
        ("open", 0, first, StartRule.HARD),
        ("talk", first, 1, StartRule.SOFT),
        ("mark", first + 1, 0, StartRule.SOFT),
        ("late", first + 4, 1, StartRule.HARD),
        ("wrap", first + 5, 1, StartRule.SOFT),
    ]
    blocks = tuple(
        Block(id=block_id, title=block_id.title(), planned_start=at(9, 0) + timedelta(minutes=start),
              planned_duration=timedelta(minutes=minutes), start_rule=rule, advance=AdvanceRule.AUTO)
        for block_id, start, minutes, rule in spec
    )
    event = validate(Event(title="Auto rehearsal", days=(day,), timezone="Europe/Oslo",
                           stages=(Stage(id="plenary", name="Plenary", blocks=blocks),)))
    transitions = [
        Transition(at(9, 0), "running", "open"),
        Transition(at(9, 0) + timedelta(minutes=first), "running", "talk"),
        Transition(at(9, 0) + timedelta(minutes=first + 1), "gap", None, "late"),  # `mark` starts and ends
        Transition(at(9, 0) + timedelta(minutes=first + 4), "running", "late"),
        Transition(at(9, 0) + timedelta(minutes=first + 5), "running", "wrap"),
        Transition(at(9, 0) + timedelta(minutes=first + 6), "finished", None),
    ]
    return event, transitions


def import_agenda(instance: Path, event: Event) -> None:
    """Store `event` as the instance's agenda, as `runofshow import FILE --replace` does."""
    instance.mkdir(parents=True, exist_ok=True)
    store = Store(sqlite_url(instance))
    try:
        ShowService(store, SystemClock()).replace_event(event, actor="test", replace_running=True)
    finally:
        store.close()


@dataclass(frozen=True)
class RehearsalMapping:
    """The stored rehearsal clock: show time `show_start` was real time `real_start`, running `speed` times faster."""

    show_start: datetime
    real_start: datetime
    speed: float

    @classmethod
    def load(cls, instance: Path) -> RehearsalMapping:
        store = Store(sqlite_url(instance))
        try:
            raw = store.get_meta("rehearsal_clock")
        finally:
            store.close()
        assert raw, "the server stored no rehearsal clock"
        data = json.loads(raw)
        return cls(datetime.fromisoformat(data["show_start"]), datetime.fromisoformat(data["real_start"]),
                   float(data["speed"]))

    def real_seconds(self, show_instant: datetime) -> float:
        """The real instant (epoch seconds) at which show time reaches `show_instant`."""
        return (self.real_start + (show_instant - self.show_start) / self.speed).timestamp()


def stored_history(instance: Path) -> list[tuple[str, datetime, datetime | None]]:
    """(block id, actual start, actual end) of every block run, from the stored state."""
    store = Store(sqlite_url(instance))
    try:
        stored = store.load_state("plenary")
    finally:
        store.close()
    assert stored is not None
    return [(run["block_id"], datetime.fromisoformat(run["actual_start"]),
             datetime.fromisoformat(run["actual_end"]) if run["actual_end"] else None)
            for run in stored.state["history"]]


def check_rehearsal(instance: Path, transitions: list[Transition], screens: dict[str, Watcher],
                    first_checked: int) -> dict[str, list[float]]:
    """Every transition is stored at its due instant and reaches each screen; seconds from due to each screen."""
    mapping = RehearsalMapping.load(instance)
    assert mapping.speed == SPEED
    first_due = mapping.real_seconds(transitions[0].due)
    last_due = mapping.real_seconds(transitions[-1].due)
    assert first_due - mapping.real_start.timestamp() == pytest.approx(60 / SPEED, abs=0.001)
    lags: dict[str, list[float]] = {}
    for name, screen in screens.items():
        screen.wait_for(transitions[-1].matches, timeout=max(last_due - time.time(), 0) + 5)
        lags[name] = []
        for transition in transitions[first_checked:]:
            due = mapping.real_seconds(transition.due)
            pushed = screen.wait_for(lambda line, t=transition, d=due: t.matches(line) and line["t"] > d - 0.5,
                                     timeout=1)
            lags[name].append(round(pushed["t"] - due, 4))

    history = stored_history(instance)
    assert [run[0] for run in history] == ["open", "talk", "mark", "late", "wrap"]
    assert [run[1] for run in history] == [transition.due for transition in transitions[:5]]
    assert history[2][2] == transitions[2].due  # the 0-minute milestone ends as it starts
    assert history[-1][2] == transitions[-1].due
    return lags


def auto_entries(instance: Path) -> list[Any]:
    """The journal's automatic transitions."""
    store = Store(sqlite_url(instance))
    try:
        return [entry for entry in store.journal(stage_id="plenary", limit=10_000) if entry.command == "auto"]
    finally:
        store.close()


def fired_lateness(entries: list[Any], transitions: list[Transition]) -> list[float]:
    """Exactly one journal entry per transition; real seconds from each due instant to its stored change."""
    assert len(entries) == len(transitions), [(entry.rev, entry.at, entry.actor) for entry in entries]
    assert len({entry.rev for entry in entries}) == len(entries)
    assert all(entry.actor == "scheduler" for entry in entries)
    return [round((entry.at - transition.due).total_seconds() / SPEED, 4)
            for entry, transition in zip(entries, transitions)]


def over_budget(name: str, lags: list[float], budget: float) -> list[str]:
    """What missed its budget (never early either: a push before its due time is a bug too)."""
    return [f"{name}: {lags} (budget {budget} s)"] if not all(-0.02 < lag < budget for lag in lags) else []


def within_budget_twice(attempt: Callable[[int], list[str]]) -> None:
    """Run a timed rehearsal; a second, fresh one only if the first missed a time budget (a busy 2-core machine).

    Anything but a time budget (wrong history, a duplicate transition, a screen that never got a push)
    fails at once; a budget missed twice in a row fails.
    """
    misses = attempt(0)
    if not misses:
        return
    retry = attempt(1)
    if retry:
        pytest.fail(f"time budget missed twice: first {misses}, then {retry}")
    print("first attempt missed a time budget, the second met it:", misses)


def test_rehearsal_x60_transitions_fire_on_time(servers, watchers, tmp_path) -> None:
    def attempt(number: int) -> list[str]:
        instance = tmp_path / f"instance{number}"
        event, transitions = auto_agenda(first_block_minutes=2)
        import_agenda(instance, event)
        server = servers(instance, env={"RUNOFSHOW_REHEARSAL_SPEED": str(SPEED)})
        # The screen starts first and keeps trying, so it is in the room before the 09:00 hard start (1 s in).
        screen = watchers(server.url, retry_connect=True, lifetime=60)
        server.start()
        joined = screen.wait_for(lambda line: line["type"] == "join", timeout=10)
        mapping = RehearsalMapping.load(instance)
        first_checked = 0 if joined["t"] < mapping.real_seconds(transitions[0].due) - 0.05 else 1
        lags = check_rehearsal(instance, transitions, {"screen": screen}, first_checked)
        fired = fired_lateness(auto_entries(instance), transitions)
        print("fired", fired, "pushed", lags)
        assert len(lags["screen"]) >= 5
        assert status_json(server)["status"] == "finished"
        server.stop()
        screen.close()
        return over_budget("stored", fired, DUE_BUDGET) + over_budget("screen", lags["screen"], DUE_BUDGET)

    within_budget_twice(attempt)


def test_two_nodes_one_store_no_transition_twice(servers, watchers, tmp_path) -> None:
    def attempt(number: int) -> list[str]:
        instance = tmp_path / f"instance{number}"
        event, transitions = auto_agenda(first_block_minutes=3)
        import_agenda(instance, event)
        rehearsal = {"RUNOFSHOW_REHEARSAL_SPEED": str(SPEED)}
        first = servers(instance, env=rehearsal, name="scheduler-node")
        screen_a = watchers(first.url, retry_connect=True, lifetime=60)
        first.start()
        second = servers(instance, env={**rehearsal, "RUNOFSHOW_SCHEDULER": "off"}, name="web-node").start()
        screen_b = watchers(second.url, lifetime=60)
        joined_b = screen_b.wait_for(lambda line: line["type"] == "join", timeout=10)
        mapping = RehearsalMapping.load(instance)
        # The second node runs the same rehearsal clock: it read the stored mapping, not a new one.
        expected_show_now = mapping.show_start.timestamp() + (joined_b["t"] - mapping.real_start.timestamp()) * SPEED
        assert abs(joined_b["now_ms"] / 1000 - expected_show_now) < 0.2 * SPEED
        later = [index for index, transition in enumerate(transitions)
                 if mapping.real_seconds(transition.due) > joined_b["t"] + 0.05]
        assert len(later) >= 4, "the second node came up too late to watch the rehearsal"
        lags = check_rehearsal(instance, transitions, {"scheduler-node": screen_a, "web-node": screen_b},
                               first_checked=later[0])
        fired = fired_lateness(auto_entries(instance), transitions)
        print("fired", fired, "pushed", lags)
        for node in (first, second):
            assert node.process is not None and node.process.poll() is None, node.log()
            node.stop()
        screen_a.close()
        screen_b.close()
        # The web node learns of changes by polling the store every 250 ms.
        return (over_budget("stored", fired, DUE_BUDGET) + over_budget("scheduler-node", lags["scheduler-node"],
                DUE_BUDGET) + over_budget("web-node", lags["web-node"], 0.25 + DUE_BUDGET))

    within_budget_twice(attempt)


def test_ctrl_c_stops_the_server_cleanly(servers) -> None:  # type: ignore[no-untyped-def]
    server = servers().start()
    assert server.stop() == 0
    log = server.log()
    assert "Stopped." in log and "Aborted!" not in log and "Traceback" not in log
    assert "KeyboardInterrupt" not in log
