"""Every Socket.IO event, declared once: name, direction, who sends it, what it carries."""

from __future__ import annotations

from dataclasses import dataclass

from runofshow.web.commands import COMMANDS


@dataclass(frozen=True)
class SocketEvent:
    """One event of the realtime protocol."""

    name: str
    direction: str  # "client->server" or "server->client"
    sender: str
    summary: str


BASE_EVENTS: tuple[SocketEvent, ...] = (
    SocketEvent("connect", "client->server", "any screen",
                "Open the link; crew pass {token} in the auth object or rely on their signed session cookie."),
    SocketEvent("disconnect", "client->server", "any screen", "The link closed; the server forgets the screen."),
    SocketEvent("join", "client->server", "any screen",
                "Join an audience {audience, stage?, room?}; ack {ok, role, stages: [{agenda, snapshot}]}."),
    SocketEvent("clock", "client->server", "any screen",
                "Clock sample {t0}; ack {t0, server_ms, speed} for an NTP-style offset estimate."),
    SocketEvent("snapshot", "server->client", "server",
                "The stage's state after every change, redacted for the audience; higher rev wins."),
    SocketEvent("agenda", "server->client", "server",
                "The event frame and a stage's blocks, redacted for the audience; sent when the agenda changes."),
)
COMMAND_EVENTS: tuple[SocketEvent, ...] = tuple(
    SocketEvent(spec.name, "client->server", "crew", f"{spec.summary} Body {{expected_rev, stage?, ...}}; "
                "ack {ok, snapshot} or {ok: false, error, message, snapshot?}.")
    for spec in COMMANDS
)
EVENTS: tuple[SocketEvent, ...] = BASE_EVENTS + COMMAND_EVENTS
