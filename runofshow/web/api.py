"""REST API for remotes and scripts: the same commands and snapshots as the sockets, as JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from runofshow.engine import COMMANDS
from runofshow.web.adapter import (FAILURES, STATUS, command_reply, current_service, failure_of, failure_response,
                                   problem)
from runofshow.web.auth import Identity, Role, current_identity
from runofshow.web.openapi import openapi_document
from runofshow.web.publisher import agenda_payload, snapshot_payload

bp = Blueprint("api", __name__, url_prefix="/api")


def audience_for(identity: Identity) -> str:
    """Crew read the console view; everyone else the public agenda view."""
    return "console" if identity.role is not Role.PUBLIC else "agenda"


def _failure(error: Exception) -> tuple[Response, int]:
    """A service or engine error raised by a read, in the one error vocabulary."""
    return failure_response(failure_of(error))


for _kind in FAILURES:
    bp.register_error_handler(_kind, _failure)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())


@bp.get("/event")
def event() -> Response:
    """The event's public frame: title, days, stages and rooms."""
    from runofshow.web.payloads import event_header

    return jsonify(event_header(current_service().event()))


@bp.get("/stages/<stage_id>/snapshot")
def stage_snapshot(stage_id: str) -> Response:
    """A stage's snapshot now, redacted for the caller's role."""
    show = current_service()
    identity = current_identity(show.store)
    state = show.state(stage_id)
    return jsonify(snapshot_payload(show.event(), stage_id, state, show.clock.now(), audience_for(identity)))


@bp.get("/stages/<stage_id>/agenda")
def stage_agenda(stage_id: str) -> Response:
    """A stage's blocks, redacted for the caller's role."""
    show = current_service()
    show.stage(stage_id)
    identity = current_identity(show.store)
    return jsonify(agenda_payload(show.event(), stage_id, audience_for(identity)))


@bp.post("/stages/<stage_id>/<command>")
def stage_command(stage_id: str, command: str) -> Any:
    """Apply a command of the table to a stage; the body carries `expected_rev` and the command's arguments."""
    if command not in COMMANDS:
        return problem(STATUS["not_found"], "not_found", f"unknown command {command!r}; see /api/openapi.json")
    reply = command_reply(current_identity(current_service().store), command, request.get_json(silent=True), stage_id)
    return jsonify(reply), STATUS[reply["error"]] if not reply["ok"] else 200


@bp.get("/stages/<stage_id>/variables")
def stage_variables(stage_id: str) -> Response:
    """A stage's state as flat, public-safe variables for Companion's generic HTTP module (see docs/companion.md)."""
    from runofshow.integrations.variables import stage_variables as variables_of

    show = current_service()
    show.stage(stage_id)
    return jsonify(variables_of(show.event(), stage_id, show.state(stage_id), show.clock.now()))
