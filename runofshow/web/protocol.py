"""Every Socket.IO event, declared once: name, direction, who sends it, what it carries; the commands come from the
engine's command table, read when asked, and render the command rows of docs/protocol.md."""

from __future__ import annotations

from dataclasses import dataclass

from runofshow.engine import COMMANDS, CommandSpec, Role


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
                'Join an audience {audience, stage? (an id, or "*" for every stage), room?}; '
                "ack {ok, role, stages: [{agenda, snapshot}]}."),
    SocketEvent("clock", "client->server", "any screen",
                "Clock sample {t0}; ack {t0, server_ms, speed} for an NTP-style offset estimate."),
    SocketEvent("*", "client->server", "any screen",
                "Any other event name: ack {ok: false, error: not_found}. Every event is acknowledged, an unreadable "
                "payload (not one object, nested deeper than 32) with {ok: false, error: bad_request}."),
    SocketEvent("snapshot", "server->client", "server",
                "The stage's state after every change, redacted for the audience; higher rev wins."),
    SocketEvent("agenda", "server->client", "server",
                "The event frame and a stage's blocks, redacted for the audience; sent when the agenda changes."),
)


def events() -> tuple[SocketEvent, ...]:
    """The base events and one client->server event per command of the table as it is now."""
    return BASE_EVENTS + tuple(
        SocketEvent(spec.name, "client->server", senders(spec), f"{spec.summary} Body {{expected_rev, stage?, ...}}; "
                    "ack {ok, snapshot} or {ok: false, error, message, snapshot?}.")
        for spec in COMMANDS.values()
    )


def senders(spec: CommandSpec) -> str:
    """The roles that may send a command, in the roles' order."""
    return ", ".join(role.value for role in Role if role in spec.roles) or "the server only"


def event_rows() -> list[str]:
    """The rows of the document's events table."""
    return [f"| `{event.name}` | {event.direction} | {event.sender} | {event.summary} |" for event in BASE_EVENTS]


def command_rows() -> list[str]:
    """The rows of the document's commands table, rendered from the command table."""
    rows = []
    for spec in COMMANDS.values():
        arguments = "; ".join(f"`{argument.wire_name}`: {argument.describe()}" for argument in spec.arguments)
        rows.append(f"| `{spec.name}` | {senders(spec)} | {arguments or 'none'} | {spec.summary} |")
    return rows
