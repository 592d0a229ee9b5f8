"""REST API for remotes and scripts: the same commands and snapshots as the sockets, as JSON."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request

from runofshow.engine import COMMANDS
from runofshow.web.adapter import (FAILURES, STATUS, command_reply, current_service, failure_of, failure_response,
                                   problem)
from runofshow.web.auth import Identity, Role, current_identity
from runofshow.web.bodies import json_body
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


MAX_TARGET_MINUTES = 720


def _crew_read(stage_id: str, refusal: str) -> tuple[Any, Any, Any]:
    """(service, stage, None) for a crew caller (recovery and what-if are crew reads), else (.., .., the refusal)."""
    show = current_service()
    if current_identity(show.store).role is Role.PUBLIC:
        return show, None, problem(STATUS["unauthenticated"], "unauthenticated", refusal)
    return show, show.stage(stage_id), None


@bp.get("/stages/<stage_id>/recovery")
def stage_recovery(stage_id: str) -> Any:
    """Crew only: the plans to get back on time now (`block` and `minutes` ask for a target), or to use spare time."""
    from runofshow.engine.recovery import recovery_options
    from runofshow.engine.serialize import recovery_to_dict

    show, stage, refused = _crew_read(stage_id, "recovery options are for the crew")
    if refused is not None:
        return refused
    block_id = request.args.get("block") or None
    raw_minutes = request.args.get("minutes") or None
    if block_id is not None and block_id not in {block.id for block in stage.blocks}:
        return problem(STATUS["not_found"], "not_found", f"stage {stage_id!r} has no block {block_id!r}")
    if raw_minutes is not None and not (raw_minutes.isdigit() and 0 < int(raw_minutes) <= MAX_TARGET_MINUTES):
        return problem(STATUS["bad_request"], "bad_request", f"minutes must be a whole number from 1 to {MAX_TARGET_MINUTES}")
    target = None if raw_minutes is None else timedelta(minutes=int(raw_minutes))
    recovery = recovery_options(stage, show.state(stage_id), show.clock.now(), target_block_id=block_id, target=target)
    return jsonify(recovery_to_dict(recovery))


WHAT_IF_COMMANDS = ("add_time", "goto")


@bp.get("/stages/<stage_id>/what-if")
def stage_what_if(stage_id: str) -> Any:
    """Crew only: the fixed starts that `add_time` (`minutes`) or `goto` (`block`) would put at risk if pressed now."""
    from runofshow.engine.serialize import hard_start_to_dict
    from runofshow.engine.whatif import put_at_risk

    show, stage, refused = _crew_read(stage_id, "what-if is for the crew")
    if refused is not None:
        return refused
    name = request.args.get("command", "")
    if name not in WHAT_IF_COMMANDS:
        return problem(STATUS["bad_request"], "bad_request", f"command must be one of {', '.join(WHAT_IF_COMMANDS)}")
    raw = {"minutes": _number(request.args.get("minutes"))} if name == "add_time" else {"block_id": request.args.get("block")}
    args = COMMANDS[name].read(raw)
    risky = put_at_risk(stage, show.state(stage_id), name, args, show.clock.now())
    return jsonify({"command": name, "at_risk": [hard_start_to_dict(start) for start in risky]})


def _number(text: str | None) -> float | str | None:
    """A query value as a number when it is one (the command's own check then names what is wrong)."""
    try:
        return float(text) if text is not None else None
    except ValueError:
        return text


@bp.post("/stages/<stage_id>/<command>")
def stage_command(stage_id: str, command: str) -> Any:
    """Apply a command of the table to a stage; the body carries `expected_rev` and the command's arguments."""
    if command not in COMMANDS:
        return problem(STATUS["not_found"], "not_found", f"unknown command {command!r}; see /api/openapi.json")
    reply = command_reply(current_identity(current_service().store), command, json_body(), stage_id)
    return jsonify(reply), STATUS[reply["error"]] if not reply["ok"] else 200


@bp.get("/stages/<stage_id>/variables")
def stage_variables(stage_id: str) -> Response:
    """A stage's state as flat, public-safe variables for Companion's generic HTTP module (see docs/companion.md)."""
    from runofshow.integrations.variables import stage_variables as variables_of

    show = current_service()
    show.stage(stage_id)
    return jsonify(variables_of(show.event(), stage_id, show.state(stage_id), show.clock.now()))
