"""OSC in and out against real python-osc UDP clients and servers on localhost."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import ThreadingOSCUDPServer
from pythonosc.udp_client import SimpleUDPClient

from runofshow.engine import Role
from runofshow.integrations import status
from runofshow.integrations.osc import OscIn, OscOut, host_port, osc_arguments, osc_message
from runofshow.integrations.watch import StageFeed
from runofshow.web import service_of
from tests.support.browser import wait_until


# The shared poll of the browser tests: the first truthy result within the timeout, else AssertionError.
eventually = wait_until


@pytest.fixture
def osc_in(app) -> Iterator[OscIn]:  # type: ignore[no-untyped-def]
    """OSC in on a free localhost port, accepting 127.0.0.1 with the moderator's role."""
    listener = OscIn(app, ("127.0.0.1", 0), "127.0.0.1", Role.MODERATOR)
    listener.start()
    yield listener
    listener.stop()


def stage_snapshots(screen: Any) -> list[dict[str, Any]]:
    """The snapshots a test socket received."""
    return [message["args"][0] for message in screen.get_received() if message["name"] == "snapshot"]


def test_an_osc_next_reaches_a_stage_screen_and_is_journaled(app, osc_in, socket_client) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    screen = socket_client()
    assert screen.emit("join", {"audience": "stage", "stage": "plenary"}, callback=True)["ok"]
    screen.get_received()
    client = SimpleUDPClient("127.0.0.1", osc_in.port)
    client.send_message("/runofshow/plenary/start", [])
    eventually(lambda: service.state("plenary").status.value == "running")
    first = service.state("plenary").current
    client.send_message("/runofshow/plenary/next", [])
    eventually(lambda: service.state("plenary").current != first)
    pushed = eventually(lambda: [shot for shot in stage_snapshots(screen)
                                 if shot["current"] and shot["current"]["block_id"] != first])
    assert pushed[-1]["current"]["block_id"] == service.state("plenary").current
    client.send_message("/runofshow/plenary/add_time", [2])
    client.send_message("/runofshow/plenary/message", ["Two minutes left"])
    eventually(lambda: service.state("plenary").message == "Two minutes left")
    assert service.snapshot("plenary").current.added.total_seconds() == 120
    actors = {entry.actor for entry in service.journal("plenary", limit=10)}
    assert "moderator:osc:127.0.0.1" in actors


def test_a_packet_from_an_address_not_allowed_changes_nothing(app) -> None:  # type: ignore[no-untyped-def]
    listener = OscIn(app, ("127.0.0.1", 0), "10.9.8.7", Role.MODERATOR)
    listener.start()
    try:
        SimpleUDPClient("127.0.0.1", listener.port).send_message("/runofshow/plenary/start", [])
        eventually(lambda: listener.refused == 1)
        assert service_of(app).state("plenary").status.value == "not_started"
        assert listener.received == 0
    finally:
        listener.stop()


def test_malformed_packets_are_dropped_and_logged_and_the_listener_goes_on(app, osc_in, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="runofshow.integrations.osc")
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for junk in (b"not osc at all", b"/runofshow\x00\x00", b"#bundle\x00garbage"):
        raw.sendto(junk, ("127.0.0.1", osc_in.port))
    client = SimpleUDPClient("127.0.0.1", osc_in.port)
    client.send_message("/runofshow/plenary/no_such_command", [])
    client.send_message("/elsewhere/next", [])
    client.send_message("/runofshow/plenary/add_time", ["lots"])  # refused by the table's limits, not a crash
    eventually(lambda: osc_in.dropped >= 5)
    assert "malformed" in caplog.text
    client.send_message("/runofshow/plenary/start", [])
    eventually(lambda: service_of(app).state("plenary").status.value == "running")
    raw.close()


def test_osc_arguments_follow_the_command_table() -> None:
    assert osc_arguments("goto", ["keynote"]) == {"block_id": "keynote"}
    assert osc_arguments("blackout", [1]) == {"on": True}
    assert osc_arguments("message", ["Hi", 0]) == {"text": "Hi", "pin": False}
    with pytest.raises(ValueError):
        osc_arguments("next", ["extra"])
    assert host_port(":9000", "0.0.0.0") == ("0.0.0.0", 9000)
    with pytest.raises(ValueError):
        host_port("nowhere")


class OscReceiver:
    """A real python-osc UDP server on localhost, in a thread, that keeps every message it gets."""

    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(self.note)
        self.server = ThreadingOSCUDPServer(("127.0.0.1", 0), dispatcher)
        self.port: int = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def note(self, address: str, *values: Any) -> None:
        """Keep one message: its address and first value."""
        with self.lock:
            self.received.append((address, values[0] if values else None))

    def seen(self, address: str) -> list[Any]:
        """Every value received at `address`, in order."""
        with self.lock:
            return [value for where, value in self.received if where == address]

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("value", ["Målkonflikter", "", 59, -90, 2 ** 40, 1.5, True, False])
def test_an_osc_message_is_what_python_osc_builds_and_parses(value: Any) -> None:
    from pythonosc.osc_message import OscMessage
    from pythonosc.osc_message_builder import OscMessageBuilder

    packet = osc_message("/runofshow/plenary/title", value)
    builder = OscMessageBuilder("/runofshow/plenary/title")
    builder.add_arg(int(value) if isinstance(value, bool) else value)
    assert packet == builder.build().dgram
    assert OscMessage(packet).params == [int(value) if isinstance(value, bool) else value]


def test_the_show_goes_out_to_a_real_osc_server(app) -> None:  # type: ignore[no-untyped-def]
    receiver = OscReceiver()
    service = service_of(app)
    sender = OscOut(StageFeed(service), [("127.0.0.1", receiver.port)])
    sender.start()
    try:
        rev = service.state("plenary").rev
        service.command("plenary", "start", rev, actor="test")
        title = service.event().stage("plenary").blocks[0].title
        seen = receiver.seen
        assert eventually(lambda: title in seen("/runofshow/plenary/title"))
        # The receiver handles each datagram in a thread of its own: wait until the rest of the round is handled.
        assert eventually(lambda: "running" in seen("/runofshow/plenary/status"))
        assert eventually(lambda: seen("/runofshow/plenary/next_title") and seen("/runofshow/plenary/delay_seconds"))
        assert eventually(lambda: seen("/runofshow/plenary/stream_plan"))
        # The remaining time keeps coming once a second while the block runs, without a change.
        count = len(seen("/runofshow/plenary/remaining_seconds"))
        eventually(lambda: len(seen("/runofshow/plenary/remaining_seconds")) >= count + 2, 4.0)
        assert any(item.stage == "" and item.name == "osc out" and item.state == "ok" for item in status.statuses())
    finally:
        sender.stop()
        receiver.close()
