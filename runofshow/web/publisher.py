"""Pushes every stored change to the Socket.IO rooms of each audience, redacted per audience."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from runofshow.agenda import Event
from runofshow.engine import snapshot, snapshot_to_dict
from runofshow.service import Change, ShowService
from runofshow.web.extensions import socketio
from runofshow.web.payloads import AUDIENCES, blocks_for, event_header, redact_snapshot


def room_name(audience: str, stage_id: str) -> str:
    """The Socket.IO room of one audience of one stage."""
    return f"{audience}:{stage_id}"


def snapshot_payload(event: Event, stage_id: str, state: Any, now: Any, audience: str) -> dict[str, Any]:
    """The snapshot event's payload for one audience."""
    stage = event.stage(stage_id)
    return redact_snapshot(snapshot_to_dict(snapshot(stage, state, now)), audience)


_agenda_payloads: dict[tuple[int, str, str], tuple[Event, dict[str, Any]]] = {}
AGENDA_CACHE_SIZE = 256


def agenda_payload(event: Event, stage_id: str, audience: str) -> dict[str, Any]:
    """The agenda event's payload for one audience: the event frame and the stage's blocks (built once per agenda)."""
    key = (id(event), stage_id, audience)
    cached = _agenda_payloads.get(key)
    if cached is not None and cached[0] is event:
        return cached[1]
    payload = {"stage_id": stage_id, "event": event_header(event), "blocks": blocks_for(event.stage(stage_id), audience)}
    if len(_agenda_payloads) >= AGENDA_CACHE_SIZE:
        _agenda_payloads.clear()
    _agenda_payloads[key] = (event, payload)
    return payload


class Publisher:
    """Listens to the service and emits `snapshot` (and `agenda` when the agenda changed) to every audience."""

    def __init__(self, service: ShowService) -> None:
        self.service = service
        self.sent_revs: dict[str, int] = {}
        self._lock = threading.Lock()

    def on_change(self, change: Change) -> None:
        """Emit the new state of a stage to each audience once, never an older one after a newer one."""
        with self._lock:
            if change.cause != "agenda" and self.sent_revs.get(change.stage_id, -1) >= change.state.rev:
                return
            self.sent_revs[change.stage_id] = change.state.rev
            now = self.service.clock.now()
            full = snapshot_to_dict(snapshot(change.event.stage(change.stage_id), change.state, now))
            for audience in AUDIENCES:
                room = room_name(audience, change.stage_id)
                if change.cause == "agenda":
                    socketio.emit("agenda", agenda_payload(change.event, change.stage_id, audience), to=room)
                socketio.emit("snapshot", redact_snapshot(full, audience), to=room)


def attach(app: Flask, service: ShowService) -> Publisher:
    """Create the app's publisher and subscribe it to the service."""
    publisher = Publisher(service)
    service.subscribe(publisher.on_change)
    app.extensions["runofshow.publisher"] = publisher
    return publisher
