"""OSC over UDP (off by default): commands in at /runofshow/<stage>/<command>, the show's state out to targets.

In: a packet is read only from an allowed source address; each message is a button press (see docs/companion.md)
of the command table's command, its OSC arguments in the order the table declares them, applied with the
configured role through the one adapter path and journaled as "<role>:osc:<address>".
Out: on every change each stage's variables (runofshow/integrations/variables.py) go to every target as
/runofshow/<stage>/<variable> <value>; while a block runs, the remaining time and level once a second. The
variables come from the feed the webhooks share (read once per change, after the push to the screens).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Flask
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket, ParseError
from pythonosc.parsing import osc_types

from runofshow.engine import COMMANDS, Role
from runofshow.engine.arguments import Kind
from runofshow.i18n import SOURCE_LANGUAGE
from runofshow.integrations import status
from runofshow.integrations.watch import StageFeed, StageReading

PREFIX = "/runofshow"
MAX_PACKET = 65536
TICKING = ("remaining_seconds", "remaining_text", "level")
"""The variables sent once a second while a block runs; the rest only change with a stored change."""
RUNNING = ("running", "paused")

log = logging.getLogger(__name__)


def host_port(text: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """`host:port` (or `:port`, or `[v6]:port`) as a pair; ValueError naming the text when unreadable."""
    host, _, port = text.strip().rpartition(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{text!r}: expected host:port")
    return host.strip("[]") or default_host, int(port)


def allowed_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A comma-separated list of addresses or networks (10.0.0.0/24) as networks."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def osc_arguments(command: str, values: Sequence[Any]) -> dict[str, Any]:
    """A command's REST body from OSC arguments in the table's order; OSC's ints stand in for booleans (0/1)."""
    spec = COMMANDS[command]
    if len(values) > len(spec.arguments):
        raise ValueError(f"{command}: takes {len(spec.arguments)} arguments, got {len(values)}")
    body: dict[str, Any] = {}
    for argument, value in zip(spec.arguments, values):
        if argument.kind is Kind.BOOLEAN and isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
            value = bool(value)
        elif argument.kind is Kind.INTEGER and isinstance(value, float) and value.is_integer():
            value = int(value)
        body[argument.wire_name] = value
    return body


class OscIn:
    """Listens on a UDP port and applies the commands of allowed senders; malformed packets are logged and dropped."""

    def __init__(self, app: Flask, listen: tuple[str, int], allow: str, role: Role) -> None:
        self.app = app
        self.listen = listen
        self.allow = allowed_networks(allow)
        self.role = role
        self.stopped = threading.Event()
        self.sock = socket.socket(socket.AF_INET6 if ":" in listen[0] else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(listen)
        self.sock.settimeout(0.5)
        self.port: int = self.sock.getsockname()[1]
        self.received = 0
        self.refused = 0
        self.dropped = 0

    def start(self) -> None:
        """Listen in the background."""
        status.report("osc in", "", "ok", f"listening on {self.listen[0]}:{self.port}")
        threading.Thread(target=self.serve, name="osc-in", daemon=True).start()

    def stop(self) -> None:
        """Stop listening and close the socket."""
        self.stopped.set()

    def serve(self) -> None:
        """Read packets until stopped; nothing a sender does ends the loop."""
        try:
            while not self.stopped.is_set():
                try:
                    data, sender = self.sock.recvfrom(MAX_PACKET)
                except TimeoutError:
                    continue
                except OSError:
                    if self.stopped.is_set():
                        return
                    raise
                try:
                    self.handle(data, sender[0])
                except Exception:  # noqa: BLE001 - one bad packet never stops the listener
                    log.exception("OSC in: a packet from %s could not be handled", sender[0])
        finally:
            self.sock.close()
            status.report("osc in", "", "off", "stopped")

    def allowed(self, address: str) -> bool:
        """True when `address` is one of the configured senders."""
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.allow)

    def handle(self, data: bytes, sender: str) -> None:
        """One datagram: refused unless from an allowed sender, dropped when malformed, else each message applied."""
        if not self.allowed(sender):
            self.refused += 1
            log.warning("OSC in: ignored a packet from %s (not in RUNOFSHOW_OSC_ALLOW)", sender)
            status.report("osc in", "", "ok", f"ignored a packet from {sender}: not allowed")
            return
        try:
            messages = OscPacket(data).messages
        except ParseError as error:
            self.dropped += 1
            log.warning("OSC in: dropped a malformed packet from %s (%s)", sender, error)
            status.report("osc in", "", "error", f"dropped a malformed packet from {sender}")
            return
        for timed in messages:
            self.apply(timed.message.address, list(timed.message.params), sender)

    def apply(self, address: str, values: list[Any], sender: str) -> None:
        """Apply one message `/runofshow/<stage>/<command> args...` as a press from `sender`."""
        from runofshow.web.adapter import command_reply
        from runofshow.web.auth import Identity

        parts = address.split("/")
        if len(parts) != 4 or f"/{parts[1]}" != PREFIX or parts[3] not in COMMANDS or not parts[2]:
            self.dropped += 1
            log.warning("OSC in: dropped %s from %s (expected %s/<stage>/<command>)", address, sender, PREFIX)
            return
        stage_id, command = parts[2], parts[3]
        try:
            body = {"press": True, **osc_arguments(command, values)}
        except ValueError as error:
            self.dropped += 1
            log.warning("OSC in: dropped %s from %s (%s)", address, sender, error)
            return
        with self.app.app_context():
            reply = command_reply(Identity(self.role, f"osc:{sender}"), command, body, stage_id, SOURCE_LANGUAGE)
        self.received += 1
        if reply["ok"]:
            status.report("osc in", "", "ok", f"{command} on {stage_id} from {sender}")
        else:
            log.info("OSC in: %s on %s from %s refused: %s", command, stage_id, sender, reply.get("detail", reply["message"]))
            status.report("osc in", "", "ok", f"{command} on {stage_id} from {sender} refused: {reply['message']}")


# The OSC type tag and encoder of each kind of value a variable holds. Encoded directly: python-osc's builder
# parses every message it builds once more, which made most of OSC out's cost.
WRITERS = {str: ("s", osc_types.write_string), int: ("i", osc_types.write_int), float: ("f", osc_types.write_float)}


def osc_message(address: str, value: Any) -> bytes:
    """One OSC message of a single value; booleans go as 0/1, which every console reads."""
    value = int(value) if isinstance(value, bool) else value
    kind = WRITERS.get(type(value))
    if kind is None or (kind[0] == "i" and not -(2 ** 31) <= value < 2 ** 31):
        builder = OscMessageBuilder(address)
        builder.add_arg(value)
        return builder.build().dgram
    tag, write = kind
    return osc_types.write_string(address) + osc_types.write_string("," + tag) + write(value)


class OscOut:
    """Sends each stage's variables to the targets on every change, and the remaining time once a second (the shared
    feed's readings, after the push)."""

    def __init__(self, feed: StageFeed, targets: Iterable[tuple[str, int]]) -> None:
        self.feed = feed
        self.targets = tuple(targets)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self._addresses: dict[tuple[str, int], tuple[str, int]] = {}
        self._failing = False
        self.sent = 0
        self.failures = 0

    def start(self) -> None:
        """Send in the background."""
        status.report("osc out", "", "ok", self.describe())
        self.feed.subscribe(self.send_round, self.failed)
        self.feed.start()

    def stop(self) -> None:
        """Stop sending."""
        self.feed.unsubscribe(self.send_round)

    def failed(self, error: Exception) -> None:
        """A round that could not be sent: logged, shown on the desk, and the next round tries again."""
        self.failures += 1
        self._failing = True
        log.warning("OSC out: a round was not sent (%s)", error)
        status.report("osc out", "", "error", str(error))

    def send_round(self, readings: list[StageReading]) -> None:
        """Everything of the changed stages (as they are now); the ticking variables of running stages."""
        failures = self.failures
        changed = {reading.stage_id for reading in readings if reading.changed}
        latest = {reading.stage_id: reading for reading in readings}
        for stage_id, reading in latest.items():
            if stage_id in changed:
                keys: Iterable[str] = reading.variables
            elif reading.state.status.value in RUNNING:
                keys = TICKING
            else:
                continue
            variables = reading.variables
            for key in keys:
                if key != "stage":
                    self.send(osc_message(f"{PREFIX}/{stage_id}/{key}", variables[key]))
        if self.failures == failures:
            self.recovered()

    def address_of(self, target: tuple[str, int]) -> tuple[str, int]:
        """A target's IPv4 address, looked up once in this worker (a name is never looked up on a command's path)."""
        if target not in self._addresses:
            self._addresses[target] = (socket.gethostbyname(target[0]), target[1])
        return self._addresses[target]

    def send(self, packet: bytes) -> None:
        """One datagram to every target; a target that refuses (nothing listening) is skipped this time."""
        for target in self.targets:
            try:
                self.sock.sendto(packet, self.address_of(target))
                self.sent += 1
            except OSError as error:
                self.failures += 1
                self._failing = True
                status.report("osc out", "", "unreachable", f"{target[0]}:{target[1]}: {error.strerror or error}")

    def recovered(self) -> None:
        """A round went out to every target after one that did not: the desk says so again."""
        if self._failing:
            self._failing = False
            status.report("osc out", "", "ok", self.describe())

    def describe(self) -> str:
        """Where the show's state goes, for the desk."""
        return "to " + ", ".join(f"{host}:{port}" for host, port in self.targets)


def start_osc(app: Flask, values: dict[str, Any], feed: StageFeed) -> list[OscIn | OscOut]:
    """Start what the settings switch on (nothing by default), OSC out on the shared `feed`; the started parts."""
    started: list[OscIn | OscOut] = []
    if values["OSC_LISTEN"]:
        listener = OscIn(app, host_port(values["OSC_LISTEN"], "0.0.0.0"), values["OSC_ALLOW"], Role(values["OSC_ROLE"]))
        listener.start()
        started.append(listener)
    if values["OSC_TARGETS"]:
        targets = [host_port(part) for part in values["OSC_TARGETS"].split(",") if part.strip()]
        sender = OscOut(feed, targets)
        sender.start()
        started.append(sender)
    return started
