"""Socket.IO handlers: screens join audiences, estimate the clock, and crew send control events."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_socketio import SocketIO, join_room

from runofshow.engine import COMMANDS, stage_or_first
from runofshow.i18n import pick_language
from runofshow.live.service import ShowService, UnknownStage
from runofshow.web.adapter import (FAILED, FAILURES, NOT_FOUND, UNREADABLE, WRONG_SCREEN, Failure, command_reply,
                                   current_service, failure_of, role_name, say)
from runofshow.web.auth import PUBLIC, Identity, credential_still_works, current_identity, still_valid
from runofshow.web.commands import BadRequest, Unreadable
from runofshow.web.presence import presence_of
from runofshow.web.publisher import agenda_payload, room_name, snapshot_payload

logger = logging.getLogger(__name__)
JOIN_AUDIENCES = ("stage", "console", "stream", "room", "agenda")
EVERY_STAGE = "*"
JOIN_CACHE_SECONDS = 0.5
identities: dict[str, Identity] = {}
languages: dict[str, str] = {}
_join_snapshots: dict[tuple[str, str], tuple[float, int, Any, dict[str, Any]]] = {}
_join_locks: dict[tuple[str, str], threading.Lock] = {}


def on_connect(auth: Any = None) -> bool:
    """Any screen connects; crew prove who they are with a token in `auth` or their signed session."""
    token = auth.get("token", "") if isinstance(auth, dict) and isinstance(auth.get("token", ""), str) else ""
    identities[request.sid] = current_identity(current_service().store, token)
    languages[request.sid] = connection_language(auth)
    return True


def connection_language(auth: Any) -> str:
    """The language the connecting page is in (`auth.lang` from live.js), else the handshake's cookie or browser."""
    from runofshow.web.pages import LANGUAGE_COOKIE

    requested = auth.get("lang") if isinstance(auth, dict) else None
    requested = requested if isinstance(requested, str) else request.cookies.get(LANGUAGE_COOKIE)
    return pick_language(requested, request.headers.get("Accept-Language", ""),
                         current_app.config["RUNOFSHOW"]["LANGUAGE"])


def language_of_connection() -> str:
    """The language acknowledgements to this connection are said in."""
    return languages.get(request.sid) or connection_language(None)


def identity_of_connection() -> Identity:
    """Who this connection is now: its token or link is read again (cheaply), so a revocation ends its rights."""
    return still_valid(current_service().store, identities.get(request.sid, PUBLIC))


def close_revoked(socketio: SocketIO, show: ShowService) -> None:
    """Disconnect this node's sockets whose token or link no longer works, so none keeps receiving crew pushes."""
    holders: dict[str, list[str]] = {}
    for sid, identity in list(identities.items()):
        if identity.credential:
            holders.setdefault(identity.credential, []).append(sid)
    for credential, sids in holders.items():
        if not credential_still_works(show.store, credential):
            for sid in sids:
                identities.pop(sid, None)
                socketio.server.disconnect(sid, namespace="/")


def on_disconnect(*_: Any) -> None:
    """A screen went away."""
    identities.pop(request.sid, None)
    languages.pop(request.sid, None)
    presence_of(current_app).left(request.sid)


def on_join(data: Any) -> dict[str, Any]:
    """A screen joins an audience of a stage (or a room); answered with the agenda and a full snapshot."""
    language = language_of_connection()
    if not isinstance(data, dict):
        detail = data.detail if isinstance(data, Unreadable) else "join: expected an object with audience and stage"
        return Failure("bad_request", say(language, UNREADABLE), {"detail": detail}).ack()
    audience = data.get("audience")
    if audience not in JOIN_AUDIENCES:
        return Failure("bad_request", say(language, UNREADABLE),
                       {"detail": f"audience: expected one of {', '.join(JOIN_AUDIENCES)}"}).ack()
    identity = identity_of_connection()
    if not identity.may_watch(audience):
        return Failure("forbidden", say(language, WRONG_SCREEN, role=role_name(language, identity.role)),
                       {"detail": f"the {identity.role.value} role may not watch the {audience} screen"}).ack()
    show = current_service()
    try:
        event = show.event()
        stage_ids = _stages_for(event, data, audience)
        result = []
        for stage_id in stage_ids:
            join_room(room_name(audience, stage_id))
            result.append({
                "agenda": agenda_payload(event, stage_id, audience),
                "snapshot": _join_snapshot(show, event, stage_id, audience),
            })
    except FAILURES as error:
        return failure_of(error, language).ack()
    presence_of(current_app).joined(request.sid, audience, data.get("room") if audience == "room" else _target(data))
    return {"ok": True, "role": identity.role.value, "stages": result}


def _target(data: dict[str, Any]) -> str:
    """What a join names for the setup page's presence: one stage id, or "*" for every stage."""
    stage_id = data.get("stage")
    return stage_id if isinstance(stage_id, str) else EVERY_STAGE


def _join_snapshot(show: ShowService, event: Any, stage_id: str, audience: str) -> dict[str, Any]:
    """The snapshot for a joining screen, shared by screens joining within half a second (a storm of
    reconnects after a network blip), never older than what this node has already pushed."""
    key = (stage_id, audience)
    cached = _shared_join_snapshot(key, event)
    if cached is not None:
        return cached
    # Joins arriving while one reads the store wait for its answer instead of each queueing for a connection.
    with _join_locks.setdefault(key, threading.Lock()):
        cached = _shared_join_snapshot(key, event)
        if cached is not None:
            return cached
        state = show.state(stage_id)
        payload = snapshot_payload(event, stage_id, state, show.clock.now(), audience)
        _join_snapshots[key] = (time.monotonic(), state.rev, event, payload)
        return payload


def _shared_join_snapshot(key: tuple[str, str], event: Any) -> dict[str, Any] | None:
    """The join snapshot made in the last half second for this agenda, unless this node has pushed a newer one."""
    cached = _join_snapshots.get(key)
    newest_pushed = current_app.extensions["runofshow.publisher"].delivered_rev(key[0])
    if cached is not None and time.monotonic() - cached[0] < JOIN_CACHE_SECONDS and cached[1] >= newest_pushed \
            and cached[2] is event:
        return cached[3]
    return None


def _stages_for(event: Any, data: dict[str, Any], audience: str) -> list[str]:
    """The stage ids a join asks for: one stage, or every stage for the agenda and room screens and for "*"."""
    stage_id = data.get("stage")
    if audience == "room" and not any(room.id == data.get("room") for room in event.rooms):
        raise BadRequest("room: expected the id of one of the event's rooms")
    if stage_id == EVERY_STAGE or (stage_id is None and audience in ("agenda", "room")):
        return [stage.id for stage in event.stages]
    if stage_id is None:
        return [stage_or_first(event, None)]
    if not isinstance(stage_id, str):
        raise BadRequest("stage: expected a stage id")
    if not any(s.id == stage_id for s in event.stages):
        raise UnknownStage(f"unknown stage {stage_id!r}")
    return [stage_id]


def on_clock(data: Any) -> dict[str, Any]:
    """A screen asks for the server time to estimate its clock offset (NTP-style)."""
    client_sent = data.get("t0") if isinstance(data, dict) else None
    presence_of(current_app).heard(request.sid)
    clock = current_service().clock
    now = clock.now()
    return {"t0": client_sent if isinstance(client_sent, (int, float)) else None,
            "server_ms": int(now.timestamp() * 1000), "speed": clock.speed}


def control_handler(name: str) -> Any:
    """The handler of one command of the table: acknowledged with the new console snapshot or a failure."""

    def handle(data: Any = None) -> dict[str, Any]:
        return command_reply(identity_of_connection(), name, data, language=language_of_connection())

    handle.__name__ = f"on_{name}"
    handle.__doc__ = f"Crew send {name}: acknowledged with the new console snapshot or an error."
    return handle


def one_payload(handler: Callable[[Any], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """`handler` for an event sent with no payload, one, or several (refused as Unreadable, so it acks an error)."""

    @functools.wraps(handler)
    def handle(*payloads: Any) -> dict[str, Any]:
        if len(payloads) > 1:
            return handler(Unreadable(f"expected one payload, not {len(payloads)}"))
        return handler(payloads[0] if payloads else None)

    return handle


def on_unknown_event(name: Any, *_: Any) -> dict[str, Any]:
    """An event no handler takes: acknowledged as not found."""
    language = language_of_connection()
    return Failure("not_found", say(language, NOT_FOUND, detail=f"event {str(name)[:100]!r}")).ack()


def on_handler_error(error: Exception) -> dict[str, Any] | bool:
    """A handler failed unexpectedly: logged with its traceback; the sender still gets an acknowledgement (a failed
    connect is refused, so the screen tries again rather than carrying on unidentified)."""
    logger.exception("Socket.IO handler failed: %s", error)
    if request.event["message"] == "connect":  # type: ignore[attr-defined]
        return False
    return Failure("internal", say(language_of_connection(), FAILED)).ack()


def register(socketio: SocketIO) -> None:
    """Bind every handler, one per command of the table as it is now, to the server `init_app` has just built;
    every event gets an acknowledgement, an error one when its payload is wrong, unknown or a handler fails."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("join", one_payload(on_join))
    socketio.on_event("clock", one_payload(on_clock))
    for name in COMMANDS:
        socketio.on_event(name, one_payload(control_handler(name)))
    socketio.on_event("*", on_unknown_event)
    socketio.on_error_default(on_handler_error)
