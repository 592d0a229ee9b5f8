"""REST API for remotes and scripts: the same commands and snapshots as the sockets, as JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from runofshow.engine import CommandError, StaleRevision
from runofshow.live.service import NoAgenda, ShowService, UnknownStage
from runofshow.live.store import StoreUnavailable
from runofshow.web.auth import Identity, Role, current_identity
from runofshow.web.commands import COMMANDS, COMMANDS_BY_NAME, BadRequest, read_request
from runofshow.web.openapi import openapi_document
from runofshow.web.publisher import agenda_payload, snapshot_payload

bp = Blueprint("api", __name__, url_prefix="/api")


def _service() -> ShowService:
    """The show service of the running app."""
    from runofshow.web import service_of

    return service_of(current_app)


def problem(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    """A JSON error response."""
    return jsonify({"ok": False, "error": code, "message": message, **extra}), status


def audience_for(identity: Identity) -> str:
    """Crew read the console view; everyone else the public agenda view."""
    return "console" if identity.role is not Role.PUBLIC else "agenda"


@bp.errorhandler(NoAgenda)
def _no_agenda(error: NoAgenda) -> tuple[Response, int]:
    return problem(404, "no_agenda", str(error))


@bp.errorhandler(UnknownStage)
def _unknown_stage(error: UnknownStage) -> tuple[Response, int]:
    return problem(404, "unknown_stage", str(error))


@bp.errorhandler(StoreUnavailable)
def _unavailable(error: StoreUnavailable) -> tuple[Response, int]:
    return problem(503, "unavailable", f"the store is unavailable; nothing was changed ({error})")


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())


@bp.get("/event")
def event() -> Response:
    """The event's public frame: title, days, stages and rooms."""
    from runofshow.web.payloads import event_header

    return jsonify(event_header(_service().event()))


@bp.get("/stages/<stage_id>/snapshot")
def stage_snapshot(stage_id: str) -> Response:
    """A stage's snapshot now, redacted for the caller's role."""
    service = _service()
    identity = current_identity(service.store)
    state = service.state(stage_id)
    return jsonify(snapshot_payload(service.event(), stage_id, state, service.clock.now(), audience_for(identity)))


@bp.get("/stages/<stage_id>/agenda")
def stage_agenda(stage_id: str) -> Response:
    """A stage's blocks, redacted for the caller's role."""
    service = _service()
    service.stage(stage_id)
    identity = current_identity(service.store)
    return jsonify(agenda_payload(service.event(), stage_id, audience_for(identity)))


@bp.post("/stages/<stage_id>/<command>")
def stage_command(stage_id: str, command: str) -> Any:
    """Apply a control command to a stage; the body carries `expected_rev` and the command's arguments."""
    if command not in COMMANDS_BY_NAME:
        return problem(404, "unknown_command", f"unknown command {command!r}; see /api/openapi.json")
    service = _service()
    identity = current_identity(service.store)
    if identity.role is Role.PUBLIC:
        return problem(401, "unauthenticated", "send Authorization: Bearer <token> (runofshow token create)")
    if not identity.may(command):
        return problem(403, "forbidden", f"the {identity.role.value} role may not {command}")
    body = request.get_json(silent=True)
    if body is None:
        return problem(400, "bad_request", "body: expected a JSON object with expected_rev")
    try:
        req = read_request(command, body)
        actor = f"{identity.role.value}:{identity.name}" if identity.name else identity.role.value
        state = service.command(stage_id, req.name, req.expected_rev, req.args, actor=actor)
    except StaleRevision as error:
        current = snapshot_payload(service.event(), stage_id, service.state(stage_id), service.clock.now(), "console")
        return problem(409, "stale", str(error), snapshot=current)
    except (BadRequest, CommandError) as error:
        return problem(400, "bad_request", str(error))
    return jsonify({"ok": True, "snapshot": snapshot_payload(service.event(), stage_id, state, service.clock.now(),
                                                              "console")})


__all__ = ["bp", "COMMANDS"]
