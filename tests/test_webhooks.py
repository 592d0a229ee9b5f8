"""Webhooks against real local HTTP receivers: a normal one, one down for a while, one that hangs."""

from __future__ import annotations

import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from runofshow.integrations import status
from runofshow.integrations.moments import Look, moments
from runofshow.integrations.watch import StageFeed
from runofshow.integrations.webhooks import (SIGNATURE_HEADER, TIMESTAMP_HEADER, Retry, Webhooks, delivery_id,
                                             read_targets, sign)
from runofshow.web import service_of
from tests.support.browser import wait_until

SECRET = "s3cret"
FAST = Retry(attempts=30, first=0.1, longest=0.4, timeout=1.0)


class Receiver:
    """A real HTTP server in a thread that keeps what it was sent; `hang` makes it never answer in time."""

    def __init__(self, port: int = 0, hang: float = 0.0) -> None:
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hang:
                    time.sleep(hang)
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def triggers(self) -> list[str]:
        """The triggers received, in order."""
        return [json.loads(item["body"])["trigger"] for item in self.received]


def free_port() -> int:
    """A localhost port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The shared poll of the browser tests: the first truthy result within the timeout, else AssertionError.
eventually = wait_until


@pytest.fixture
def hooks_for(app) -> Iterator[Callable[..., Webhooks]]:  # type: ignore[no-untyped-def]
    """Start webhooks on the app's service for targets given as JSON; all stopped afterwards."""
    started: list[Webhooks] = []

    def make(targets: list[dict[str, Any]], retry: Retry = FAST) -> Webhooks:
        hooks = Webhooks(StageFeed(service_of(app)), read_targets(json.dumps(targets), SECRET), retry)
        hooks.start()
        started.append(hooks)
        return hooks

    yield make
    for hooks in started:
        hooks.stop()


def run(app, name: str, **args: Any) -> float:  # type: ignore[no-untyped-def]
    """Apply a command as a console would; returns how long it took in seconds."""
    service = service_of(app)
    began = time.monotonic()
    service.command("plenary", name, service.state("plenary").rev, args, actor="test")
    return time.monotonic() - began


def verified(item: dict[str, Any]) -> bool:
    """True when a received delivery's signature is the HMAC of its timestamp and body."""
    timestamp = int(item["headers"][TIMESTAMP_HEADER])
    return abs(time.time() - timestamp) < 120 and hmac.compare_digest(
        item["headers"][SIGNATURE_HEADER], sign(SECRET, timestamp, item["body"]))


def test_each_delivery_has_its_own_id() -> None:
    ids = [delivery_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids) and all(len(item) > 16 for item in ids)


def test_a_receiver_gets_the_moments_it_asked_for_signed(app, hooks_for, clock) -> None:  # type: ignore[no-untyped-def]
    receiver = Receiver()
    try:
        hooks = hooks_for([{"url": f"http://127.0.0.1:{receiver.port}/hook",
                            "triggers": ["show_started", "block_started", "block_ended", "warning", "show_ended"]}])
        time.sleep(0.1)  # the first look
        run(app, "start")
        first = service_of(app).state("plenary").current
        eventually(lambda: receiver.triggers() == ["show_started", "block_started"])
        current = service_of(app).snapshot("plenary").current
        clock.advance(current.remaining - current.warning_before + timedelta(seconds=1))
        eventually(lambda: "warning" in receiver.triggers())
        run(app, "next")
        eventually(lambda: receiver.triggers()[-2:] == ["block_ended", "block_started"])
        ended = json.loads(receiver.received[-2]["body"])
        assert ended["block_id"] == first and ended["stage"] == "plenary"
        assert json.loads(receiver.received[-1]["body"])["variables"]["title"]
        assert all(verified(item) for item in receiver.received)
        entries = hooks.log_entries()
        assert entries[0]["state"] == "delivered" and entries[0]["code"] == 204
        assert entries[0]["target"] == f"http://127.0.0.1:{receiver.port}/hook" and entries[0]["latency_ms"] >= 0
    finally:
        receiver.close()


def test_a_receiver_down_for_a_while_gets_everything_in_order_when_back(app, hooks_for) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    hooks = hooks_for([{"url": f"http://127.0.0.1:{port}/", "triggers": "*"}])
    time.sleep(0.1)
    run(app, "start")
    for _ in range(3):
        run(app, "next")
    eventually(lambda: any(entry["state"] == "retrying" for entry in hooks.log_entries()))
    assert any(item.name == "webhooks" and item.state == "unreachable" for item in status.statuses())
    time.sleep(0.5)
    receiver = Receiver(port)
    try:
        eventually(lambda: all(entry["state"] == "delivered" for entry in hooks.log_entries()))
        queued = [entry["trigger"] for entry in reversed(hooks.log_entries())]
        assert receiver.triggers() == queued  # in the order they happened, none lost, none twice
        assert queued[:2] == ["show_started", "block_started"] and queued.count("block_ended") == 3
        started = [json.loads(item["body"])["block_id"] for item in receiver.received
                   if json.loads(item["body"])["trigger"] == "block_started"]
        order = [block.id for block in service_of(app).event().stage("plenary").blocks]
        assert len(started) >= 3 and started == sorted(started, key=order.index)
        assert all(verified(item) for item in receiver.received)
        assert hooks.log_entries()[-1]["attempts"] > 1
    finally:
        receiver.close()


def test_a_receiver_that_hangs_never_delays_a_command(app, hooks_for, client, token_for) -> None:  # type: ignore[no-untyped-def]
    hanging = Receiver(hang=3.0)
    other = Receiver()
    try:
        hooks = hooks_for([{"url": f"http://127.0.0.1:{hanging.port}/", "triggers": "*"},
                   {"url": f"http://127.0.0.1:{other.port}/", "triggers": ["block_started"]}],
                  Retry(attempts=2, first=0.1, longest=0.1, timeout=0.5))
        time.sleep(0.1)
        took = [run(app, "start")]
        headers = {"Authorization": f"Bearer {token_for('moderator')}"}
        for _ in range(5):
            began = time.monotonic()
            assert client.post("/api/stages/plenary/next", json={"press": True}, headers=headers).status_code == 200
            took.append(time.monotonic() - began)
            time.sleep(1.6)  # past the press window
        assert max(took) < 0.5, took
        # The other target is not held up behind the hanging one, none of whose deliveries got an answer in time.
        name = f"http://127.0.0.1:{other.port}/"
        queued = [entry for entry in hooks.log_entries() if entry["target"] == name]
        assert len(queued) >= 4
        eventually(lambda: len(other.received) == len(queued), 2.0)
        stuck = [entry for entry in hooks.log_entries() if entry["target"] != name]
        assert stuck and not any(entry["state"] == "delivered" for entry in stuck)
        assert any(entry["error"] == "timed out" for entry in stuck)
    finally:
        hanging.close()
        other.close()


def test_moments_between_two_looks() -> None:
    idle = Look("not_started", None, None, False, frozenset())
    running = Look("running", "a", "normal", True, frozenset())
    warned = Look("running", "a", "warning", True, frozenset({"keynote"}))
    moved = Look("running", "b", "normal", False, frozenset({"keynote"}))
    done = Look("finished", None, None, False, frozenset())
    assert moments(None, running) == []
    assert [m.trigger for m in moments(idle, running)] == ["show_started", "block_started", "stream_plan_on"]
    assert [(m.trigger, m.block_id) for m in moments(running, warned)] == [("warning", "a"),
                                                                            ("hard_start_at_risk", "keynote")]
    assert [(m.trigger, m.block_id) for m in moments(warned, moved)] == [("block_ended", "a"), ("block_started", "b"),
                                                                          ("stream_plan_off", "b")]
    assert [m.trigger for m in moments(moved, done)] == ["block_ended", "show_ended"]
    assert moments(warned, warned) == []


def test_targets_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hooks.json"
    path.write_text(json.dumps({"targets": [{"url": "https://u:p@example.org/x?k=1", "triggers": ["overtime"],
                                             "stages": ["plenary"], "secret": "own"}]}))
    (target,) = read_targets(str(path), "")
    assert target.name == "https://example.org/x" and target.secret == "own"
    assert target.wants("overtime", "plenary") and not target.wants("overtime", "hall-b")
    with pytest.raises(ValueError, match="unknown trigger"):
        read_targets('[{"url": "http://x/", "triggers": ["lunch"]}]', SECRET)
    with pytest.raises(ValueError, match="no secret"):
        read_targets('[{"url": "http://x/"}]', "")
    with pytest.raises(ValueError, match="http"):
        read_targets('[{"url": "ftp://x/"}]', SECRET)


def test_a_broken_setting_is_a_status_on_the_desk_never_a_crash(app) -> None:  # type: ignore[no-untyped-def]
    from runofshow.integrations.running import desk_report, start_integrations

    app.config["RUNOFSHOW"] = {**app.config["RUNOFSHOW"], "WEBHOOKS": '[{"url": "http://x/", "triggers": ["lunch"]}]',
                               "OSC_LISTEN": "nowhere"}
    running = start_integrations(app)
    assert running.webhooks is None and running.osc == []
    report = {(item["name"], item["stage"]): item for item in desk_report(app, ["plenary"])["integrations"]}
    assert report[("webhooks", "")]["state"] == "error" and "lunch" in report[("webhooks", "")]["detail"]
    assert report[("osc in", "")]["state"] == "error" and report[("obs", "plenary")]["state"] == "off"
    status.forget("webhooks")
    status.forget("osc in")
