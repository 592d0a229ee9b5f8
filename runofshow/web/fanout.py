"""Pushes written straight to each screen's WebSocket under gevent, instead of through a writer greenlet per screen.

Engine.IO puts every outgoing packet on the socket's queue; a writer greenlet per socket then wakes up,
encodes the packet, frames it (gevent-websocket) and sends it. For a push to a thousand screens that is most
of the server's work: a thousand queue hand-offs, greenlet switches, timeouts, encodes and frames of the same
bytes. When a socket's queue is empty and its writer is not in the middle of a send, writing the frame at
once is equivalent, so a broadcast frames its packet once and writes it to each such socket without blocking;
any other socket (queue busy, upgrading, closing, send buffer full) gets the packet through the queue as usual.

Only installed where the internals are as expected (gevent with gevent-websocket; see `install`);
tests/test_fanout_direct.py fails when they change.
"""

from __future__ import annotations

import struct
from typing import Any

TEXT_FINAL = 0x81  # FIN bit + text opcode
SOCKET_STATE = ("queue", "upgraded", "upgrading", "closing", "closed", "check_ping_timeout")


def text_frame(text: str) -> bytes:
    """One final, unmasked WebSocket text frame carrying `text` (RFC 6455 section 5.2)."""
    body = text.encode()
    size = len(body)
    if size < 126:
        return bytes((TEXT_FINAL, size)) + body
    if size < 1 << 16:
        return struct.pack("!BBH", TEXT_FINAL, 126, size) + body
    return struct.pack("!BBQ", TEXT_FINAL, 127, size) + body


class DirectFanout:
    """Direct writes for one Engine.IO server: its WebSocket wrapper class and its `send_packet`."""

    def __init__(self, eio: Any, websocket_base: type) -> None:
        self.eio = eio
        self.library_send_packet = eio.send_packet
        self.sockets: dict[str, Any] = {}
        self.direct_writes = 0
        self.partial_writes = 0
        self._packet: Any = None
        self._frame = b""
        self.websocket_class = self._websocket_class(websocket_base)

    def _websocket_class(self, base: type) -> type:
        """The driver's gevent-websocket wrapper, registering each open socket here and locking its sends."""
        from gevent.lock import Semaphore

        sockets = self.sockets

        class DirectWebSocket(base):  # type: ignore[valid-type, misc]
            """A WebSocket a broadcast may write to while its writer greenlet waits."""

            def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
                self.sending = Semaphore()
                self.owner = getattr(self.app, "__self__", None)  # app is the Engine.IO socket's bound handler
                self.websocket = environ.get("wsgi.websocket")
                self.raw = getattr(getattr(self.websocket, "handler", None), "socket", None)
                sid = getattr(self.owner, "sid", None)
                usable = isinstance(sid, str) and self.raw is not None and hasattr(self.websocket, "closed") \
                    and all(hasattr(self.owner, name) for name in SOCKET_STATE)
                if usable:
                    sockets[sid] = self
                try:
                    return super().__call__(environ, start_response)
                finally:
                    if usable and sockets.get(sid) is self:
                        del sockets[sid]

            def send(self, message: Any) -> Any:
                """The writer greenlet's send, which a broadcast never interleaves with."""
                with self.sending:
                    return super().send(message)

        return DirectWebSocket

    def send_packet(self, sid: str, pkt: Any) -> None:
        """Engine.IO's `send_packet`: written directly when that keeps the socket's order, else queued."""
        if not self._write(sid, pkt):
            self.library_send_packet(sid, pkt)

    def _write(self, sid: str, pkt: Any) -> bool:
        """Write one packet to a socket without blocking; False (nothing written) when it must be queued."""
        ws = self.sockets.get(sid)
        if ws is None or pkt.binary:
            return False
        owner = ws.owner
        if owner.closing or owner.closed or not owner.upgraded or owner.upgrading or owner.queue.qsize() \
                or ws.sending.locked() or ws.websocket.closed:
            return False
        if not owner.check_ping_timeout():
            return True  # the client is gone and the socket now closed: dropped, like Engine.IO's own send
        frame = self._frame_of(pkt)
        try:
            sent = ws.raw.send(frame, 0, 0.0)
        except OSError:  # send buffer full (nothing written) or a dead socket: the writer deals with it
            return False
        self.direct_writes += 1
        if sent < len(frame):
            self.partial_writes += 1
            ws.sending.acquire()  # free (checked above): the writer waits until the rest is out
            self.eio.start_background_task(self._finish, ws, frame[sent:])
        return True

    def _frame_of(self, pkt: Any) -> bytes:
        """The WebSocket frame of a packet, built once for all the recipients of one emit."""
        if pkt is not self._packet:
            self._packet, self._frame = pkt, text_frame(pkt.encode())
        return self._frame

    @staticmethod
    def _finish(ws: Any, rest: bytes) -> None:
        """Send the rest of a partly written frame, then let the socket's writer go on."""
        try:
            ws.raw.sendall(rest)
        except OSError:
            pass  # the connection is gone; its reader notices and closes the socket
        finally:
            ws.sending.release()


def install(server: Any) -> DirectFanout | None:
    """Direct writes for a Socket.IO server's Engine.IO server, when it runs on gevent with gevent-websocket."""
    eio = getattr(server, "eio", None)
    if getattr(eio, "async_mode", None) != "gevent" or not callable(getattr(eio, "send_packet", None)):
        return None
    try:
        from engineio.async_drivers import gevent as driver
        from geventwebsocket.handler import WebSocketHandler  # noqa: F401 - the server's handler class
    except ImportError:
        return None
    websocket_base = getattr(eio, "_async", {}).get("websocket")
    if getattr(driver, "SimpleWebSocketWSGI", True) is not None or websocket_base is not driver.WebSocketWSGI:
        return None  # simple-websocket, or a driver this module was not written against
    fanout = DirectFanout(eio, websocket_base)
    eio._async = {**eio._async, "websocket": fanout.websocket_class}
    eio.send_packet = fanout.send_packet
    return fanout
