"""The one path from a request or a socket event to the service: the running app's service, who acts, which stage,
applying a command, and one error vocabulary that REST turns into a status code and Socket.IO into an ack."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, jsonify

from runofshow.engine import CommandError, Role, StaleRevision, stage_or_first
from runofshow.live.service import NoAgenda, ShowService, UnknownStage
from runofshow.live.store import StoreUnavailable
from runofshow.web.commands import BadRequest, read_request
from runofshow.web.publisher import snapshot_payload

if TYPE_CHECKING:
    from runofshow.web.auth import Identity

STATUS: dict[str, int] = {
    "bad_request": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "no_agenda": 404,
    "stale": 409,
    "unavailable": 503,
}
"""Every error code an adapter answers with, and the HTTP status REST gives it."""

FAILURES: tuple[type[Exception], ...] = (BadRequest, CommandError, UnknownStage, NoAgenda, StoreUnavailable)
"""The service and engine errors a request can cause (StaleRevision is a CommandError)."""

CONSOLE = "console"


@dataclass(frozen=True)
class Failure:
    """A refused request: a code of the vocabulary, a message for a person, and for `stale` the current snapshot."""

    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        """The HTTP status of this failure."""
        return STATUS[self.code]

    def ack(self) -> dict[str, Any]:
        """The failure as a Socket.IO acknowledgement (and REST's JSON body)."""
        return {"ok": False, "error": self.code, "message": self.message, **self.extra}


def failure_of(error: Exception) -> Failure:
    """The vocabulary's word for a service or engine error."""
    if isinstance(error, StoreUnavailable):
        return Failure("unavailable", f"the store is unavailable; nothing was changed ({error})")
    if isinstance(error, StaleRevision):
        return Failure("stale", str(error))
    if isinstance(error, (BadRequest, CommandError)):
        return Failure("bad_request", str(error))
    if isinstance(error, UnknownStage):
        return Failure("not_found", str(error))
    if isinstance(error, NoAgenda):
        return Failure("no_agenda", str(error))
    raise TypeError(f"no error code for {type(error).__name__}") from error


def refusal(identity: Identity, command: str) -> Failure | None:
    """Why `identity` may not send `command` (no credentials, or the wrong role), or None when it may."""
    if identity.may(command):
        return None
    if identity.role is Role.PUBLIC:
        return Failure("unauthenticated", f"{command} needs crew credentials: a bearer token "
                       "(runofshow token create) or a signed-in session")
    return Failure("forbidden", f"the {identity.role.value} role may not {command}")


def current_service() -> ShowService:
    """The show service of the running app."""
    from runofshow.web import service_of

    return service_of(current_app)


def actor_of(identity: Identity) -> str:
    """The journal's name for who made a change: the role, and the token's name when it has one."""
    return f"{identity.role.value}:{identity.name}" if identity.name else identity.role.value


def command_reply(identity: Identity, name: str, body: Any, stage_id: str | None = None) -> dict[str, Any]:
    """Apply command `name` with `body` for `identity`: `{ok: true, snapshot}` or a failure's ack.

    The stage is `stage_id` (REST's path), else the body's `stage`, else the event's first stage.
    """
    refused = refusal(identity, name)
    if refused is not None:
        return refused.ack()
    show = current_service()
    target: str | None = None
    try:
        checked = read_request(name, body)
        event = show.event()
        target = stage_or_first(event, stage_id or checked.stage_id)
        state = show.command(target, name, checked.expected_rev, checked.args, actor=actor_of(identity))
    except FAILURES as error:
        failure = failure_of(error)
        if isinstance(error, StaleRevision) and target is not None:
            failure = replace(failure, extra={"snapshot": current_snapshot(show, target)})
        return failure.ack()
    return {"ok": True, "snapshot": snapshot_payload(event, target, state, show.clock.now(), CONSOLE)}


def current_snapshot(show: ShowService, stage_id: str) -> dict[str, Any] | None:
    """The console snapshot a refused stale command is answered with; None when it cannot be read."""
    try:
        return snapshot_payload(show.event(), stage_id, show.state(stage_id), show.clock.now(), CONSOLE)
    except FAILURES:
        return None


def problem(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    """A JSON error answer: `{ok: false, error, message, ...}` with its status."""
    return jsonify({"ok": False, "error": code, "message": message, **extra}), status


def failure_response(failure: Failure) -> tuple[Response, int]:
    """A failure as REST's JSON error answer."""
    return problem(failure.status, failure.code, failure.message, **failure.extra)
