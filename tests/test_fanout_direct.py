"""Pushes under gevent: written straight to each screen's WebSocket, in order, and only to rooms with members;
a storm of joins reads the store once.

These tests pin the library internals runofshow/web/fanout.py and the managers in runofshow/web/publisher.py rely
on (Engine.IO's socket queue and WebSocket wrapper, gevent-websocket's framing, Socket.IO's manager and pub/sub
emit): when an upgrade changes them, a test here fails instead of the fast path silently going away or going wrong.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
import socketio
from gevent import pywsgi
from gevent import socket as gsocket
from gevent.lock import Semaphore
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket

from runofshow.web import FANOUT_KEY, create_app, service_of, sockets
from runofshow.web.extensions import socketio as flask_socketio
from runofshow.web.fanout import DirectFanout, text_frame
from runofshow.web.publisher import LocalManager, QueueManager

READ_LIMIT_SECONDS = 10  # only so a broken push fails the test instead of hanging it


class RawScreen:
    """A stage screen speaking Engine.IO 4 / Socket.IO 5 over a raw WebSocket on a gevent socket."""

    def __init__(self, port: int, receive_buffer: int = 0) -> None:
        self.sock = gsocket.socket(gsocket.AF_INET, gsocket.SOCK_STREAM)
        if receive_buffer:  # before connecting, so the window it offers stays small
            self.sock.setsockopt(gsocket.SOL_SOCKET, gsocket.SO_RCVBUF, receive_buffer)
        self.sock.connect(("127.0.0.1", port))
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = self._until(b"\r\n\r\n")
        assert b" 101 " in head.split(b"\r\n")[0], head
        assert self.message().startswith("0{")
        self.send("40")
        assert self.message().startswith("40")
        self.sid = ""

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _fill(self) -> None:
        with gevent.Timeout(READ_LIMIT_SECONDS):
            chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def frame(self) -> str:
        """The next text frame (server frames are unmasked and unfragmented here)."""
        first, second = self._take(2)
        assert first == 0x81, f"expected a final text frame, got {first:#x}"
        size = second & 0x7F
        if size == 126:
            size = struct.unpack("!H", self._take(2))[0]
        elif size == 127:
            size = struct.unpack("!Q", self._take(8))[0]
        return self._take(size).decode()

    def message(self) -> str:
        """The next Engine.IO message, answering pings on the way."""
        while True:
            text = self.frame()
            if text == "2":
                self.send("3")
                continue
            return text

    def send(self, text: str) -> None:
        """One masked client text frame."""
        body = text.encode()
        mask = os.urandom(4)
        head = bytes((0x81, 0x80 | len(body))) if len(body) < 126 else struct.pack("!BBH", 0x81, 0x80 | 126, len(body))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(body)))

    def join(self) -> dict[str, Any]:
        """Join the stage audience; the acknowledgement."""
        self.ask_to_join()
        return self.join_reply()

    def ask_to_join(self) -> None:
        """Send a join to the stage audience."""
        self.send('421["join",{"audience":"stage"}]')

    def join_reply(self) -> dict[str, Any]:
        """The acknowledgement of the join."""
        reply = self.message()
        assert reply.startswith("431"), reply
        return json.loads(reply[3:])[0]

    def event(self) -> tuple[str, Any]:
        """The next Socket.IO event: name and payload."""
        text = self.message()
        assert text.startswith("42"), text
        name, payload = json.loads(text[2:])
        return name, payload

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def live(tmp_path: Path, clock: Any) -> Iterator[tuple[Any, int]]:
    """An app on gevent served in this process by gevent's WSGI server with gevent-websocket, like `runofshow serve`."""
    app = create_app({"TESTING": True, "ASYNC_MODE": "gevent", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "SCHEDULER": False}, clock=clock)
    server = pywsgi.WSGIServer(("127.0.0.1", 0), app, handler_class=WebSocketHandler, log=None)
    server.start()
    try:
        yield app, server.server_port
    finally:
        server.stop(timeout=1)
        service_of(app).store.close()


def token(app: Any, role: str) -> str:
    """A bearer token for a crew role."""
    from runofshow.web.auth import Role, create_token

    return create_token(service_of(app).store, Role(role), f"test-{role}")


def press_next(app: Any) -> int:
    """A REST Next on the plenary stage; the new revision."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token(app, 'moderator')}"}
    rev = client.get("/api/stages/plenary/snapshot", headers=headers).get_json()["rev"]
    reply = client.post("/api/stages/plenary/next", json={"expected_rev": rev}, headers=headers)
    assert reply.status_code == 200, reply.get_json()
    return int(reply.get_json()["snapshot"]["rev"])


def fanout_of(app: Any) -> DirectFanout:
    """The app's direct fan-out (installed on gevent)."""
    fanout = app.extensions[FANOUT_KEY]
    assert isinstance(fanout, DirectFanout)
    return fanout


def eio_socket(sid: str) -> Any:
    """The Engine.IO socket behind the only Socket.IO client of the running server."""
    return flask_socketio.server.eio.sockets[sid]


def socketio_sid(eio_sid: str) -> str:
    """The Socket.IO session id of a screen in the default namespace."""
    return str(flask_socketio.server.manager.sid_from_eio_sid(eio_sid, "/"))


def only_eio_sid() -> str:
    """The Engine.IO session id of the one connected screen."""
    [sid] = list(flask_socketio.server.eio.sockets)
    return sid


@pytest.mark.parametrize("size", [0, 1, 125, 126, 1000, 65535, 65536, 200_000])
def test_text_frames_match_gevent_websocket(size: int) -> None:
    text = ("snapshot ø " * (size // 11 + 1))[:size]
    body = text.encode()
    assert text_frame(text) == bytes(Header.encode_header(True, WebSocket.OPCODE_TEXT, b"", len(body), 0)) + body


def test_installed_only_on_gevent(live: tuple[Any, int], tmp_path: Path) -> None:
    app, _ = live
    assert fanout_of(app).library_send_packet is not None
    assert flask_socketio.server.eio.send_packet == fanout_of(app).send_packet
    threaded = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "threaded"),
                           "DATABASE_URL": f"sqlite:///{tmp_path / 'threaded.sqlite3'}", "SCHEDULER": False})
    assert threaded.extensions[FANOUT_KEY] is None
    service_of(threaded).store.close()


def test_a_press_is_written_directly_to_every_joined_screen(live: tuple[Any, int]) -> None:
    app, port = live
    screens = [RawScreen(port) for _ in range(5)]
    try:
        for screen in screens:
            assert screen.join()["ok"] is True
        fanout = fanout_of(app)
        assert len(fanout.sockets) == 5  # every WebSocket registered itself
        before = fanout.direct_writes
        for _ in range(3):
            rev = press_next(app)
            for screen in screens:
                name, payload = screen.event()
                assert (name, payload["rev"]) == ("snapshot", rev)
        assert fanout.direct_writes - before == 3 * 5
    finally:
        for screen in screens:
            screen.close()
    with gevent.Timeout(READ_LIMIT_SECONDS):
        while fanout.sockets:
            gevent.sleep(0.01)  # closed WebSockets unregister


def message(data: str) -> Any:
    """An Engine.IO message packet."""
    import engineio.packet

    return engineio.packet.Packet(engineio.packet.MESSAGE, data=data)


def test_a_packet_waiting_in_the_queue_keeps_its_place(live: tuple[Any, int]) -> None:
    app, port = live
    screen = RawScreen(port)
    try:
        screen.join()
        sid = only_eio_sid()
        fanout = fanout_of(app)
        before = fanout.direct_writes
        # Queued the library's way (the writer greenlet has not run yet), then sent while it waits.
        eio_socket(sid).send(message('2["first",1]'))
        flask_socketio.server.eio.send_packet(sid, message('2["second",2]'))
        assert fanout.direct_writes == before  # not written past the queued one
        assert [screen.event()[0] for _ in range(2)] == ["first", "second"]
        flask_socketio.server.eio.send_packet(sid, message('2["third",3]'))
        assert fanout.direct_writes == before + 1  # queue empty, writer idle: written at once
        assert screen.event()[0] == "third"
    finally:
        screen.close()


def test_a_frame_the_send_buffer_cannot_take_is_finished_before_anything_else(live: tuple[Any, int]) -> None:
    app, port = live
    screen = RawScreen(port, receive_buffer=4096)
    try:
        screen.join()
        sid = only_eio_sid()
        fanout = fanout_of(app)
        fanout.sockets[sid].raw.setsockopt(gsocket.SOL_SOCKET, gsocket.SO_SNDBUF, 4096)
        filler = "x" * 300_000
        sent = 0
        while fanout.partial_writes == 0 and sent < 20:  # until the send buffer, not read from, splits a frame
            flask_socketio.emit("bulk", {"index": sent, "filler": filler}, to=socketio_sid(sid))
            sent += 1
        assert fanout.partial_writes == 1
        for index in range(sent, sent + 5):  # queued behind the rest of the split frame
            flask_socketio.emit("bulk", {"index": index, "filler": filler}, to=socketio_sid(sid))
        received = [screen.event() for _ in range(sent + 5)]
        assert [payload["index"] for _, payload in received] == list(range(sent + 5))
        assert all(payload["filler"] == filler for _, payload in received)
    finally:
        screen.close()


class CountingPacket(socketio.packet.Packet):  # type: ignore[misc]
    """A Socket.IO packet that counts how often one is encoded."""

    encoded = 0

    def encode(self) -> Any:
        CountingPacket.encoded += 1
        return super().encode()


def recording_server(manager: Any, delivered: list[str]) -> socketio.Server:
    """A Socket.IO server on gevent whose manager is `manager`, recording each local delivery in `delivered`."""
    server = socketio.Server(client_manager=manager, async_mode="gevent")
    server.packet_class = CountingPacket
    server._send_eio_packet = lambda eio_sid, pkt: delivered.append(f"deliver {eio_sid}")
    manager.basic_enter_room("s1", "/", "stage:plenary", eio_sid="e1")
    return server


def test_a_room_without_members_here_costs_no_encoding() -> None:
    delivered: list[str] = []
    server = recording_server(LocalManager(), delivered)
    CountingPacket.encoded = 0
    server.emit("snapshot", {"rev": 1}, to="console:plenary")
    assert (delivered, CountingPacket.encoded) == ([], 0)
    server.emit("snapshot", {"rev": 1}, to="stage:plenary")
    assert (delivered, CountingPacket.encoded) == (["deliver e1"], 1)


def test_the_queue_publishes_before_delivering_here_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    published: list[dict[str, Any]] = []

    def publish(self: Any, data: dict[str, Any]) -> None:
        events.append(f"publish {data['room']}")
        published.append(data)

    monkeypatch.setattr(socketio.RedisManager, "_publish", publish)
    queue = QueueManager("redis://127.0.0.1:1/0")
    recording_server(queue, events)
    CountingPacket.encoded = 0
    queue.emit("snapshot", {"rev": 2}, namespace="/", room="stage:plenary")
    queue.emit("snapshot", {"rev": 2}, namespace="/", room="console:plenary")
    assert events == ["publish stage:plenary", "deliver e1", "publish console:plenary"]
    assert [item["data"] for item in published] == [[{"rev": 2}], [{"rev": 2}]]
    assert CountingPacket.encoded == 1 and not queue._ahead
    queue.emit("snapshot", {"rev": 3}, namespace="/", room="stage:plenary", ignore_queue=True)
    assert events[3:] == ["deliver e1"]  # this node only, as asked


def test_joins_arriving_together_read_the_store_once(live: tuple[Any, int], monkeypatch: pytest.MonkeyPatch) -> None:
    app, port = live
    service = service_of(app)
    reads: list[str] = []
    library_state = service.state

    def slow_state(stage_id: str, at: Any = None) -> Any:
        reads.append(stage_id)
        gevent.sleep(0.05)  # like a PostgreSQL round trip: the other joins arrive meanwhile
        return library_state(stage_id, at)

    monkeypatch.setattr(service, "state", slow_state)
    # `runofshow serve` monkey-patches threading, so its locks are gevent's; this test process is not patched.
    monkeypatch.setattr(sockets, "threading", SimpleNamespace(Lock=Semaphore))
    monkeypatch.setattr(sockets, "_join_locks", {})
    screens = [RawScreen(port) for _ in range(10)]
    try:
        for screen in screens:
            screen.ask_to_join()
        replies = [screen.join_reply() for screen in screens]
        assert all(reply["ok"] for reply in replies)
        assert len({reply["stages"][0]["snapshot"]["rev"] for reply in replies}) == 1
        assert reads == ["plenary"]
    finally:
        for screen in screens:
            screen.close()
