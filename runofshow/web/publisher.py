"""Pushes every stored change to the Socket.IO rooms of each audience, redacted per audience."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from socketio import Manager, RedisManager

from runofshow.agenda.model import Event
from runofshow.engine import snapshot, snapshot_to_dict
from runofshow.live.changes import Change, ChangeCause
from runofshow.live.service import ShowService
from runofshow.web.extensions import socketio
from runofshow.web.payloads import AUDIENCES, blocks_for, event_header, public_parts, redact_snapshot


def room_name(audience: str, stage_id: str) -> str:
    """The Socket.IO room of one audience of one stage."""
    return f"{audience}:{stage_id}"


def full_snapshot(event: Event, stage_id: str, state: Any, now: Any) -> dict[str, Any]:
    """The unredacted snapshot, plus who has taken which duty all day (crew only after redaction)."""
    data = snapshot_to_dict(snapshot(event.stage(stage_id), state, now))
    data["duty_takers"] = [{"block_id": block_id, "index": index, "person": person}
                           for block_id, index, person in state.duty_takers]
    return data


def snapshot_payload(event: Event, stage_id: str, state: Any, now: Any, audience: str) -> dict[str, Any]:
    """The snapshot event's payload for one audience."""
    return redact_snapshot(full_snapshot(event, stage_id, state, now), audience)


_agenda_payloads: dict[tuple[int, str, str], tuple[Event, dict[str, Any]]] = {}
AGENDA_CACHE_SIZE = 256


def agenda_payload(event: Event, stage_id: str, audience: str) -> dict[str, Any]:
    """The agenda event's payload for one audience: the event frame and the stage's blocks (built once per agenda)."""
    key = (id(event), stage_id, audience)
    cached = _agenda_payloads.get(key)
    if cached is not None and cached[0] is event:
        return cached[1]
    payload = {"stage_id": stage_id, "event": event_header(event), "blocks": blocks_for(event, event.stage(stage_id), audience)}
    if len(_agenda_payloads) >= AGENDA_CACHE_SIZE:
        _agenda_payloads.clear()
    _agenda_payloads[key] = (event, payload)
    return payload


class Publisher:
    """Listens to the service and emits `snapshot` (and `agenda` when the agenda changed) to every audience.

    `emitter` is the app's Socket.IO server or, in the scheduler process, an external emitter on the
    message queue. Changes whose cause is in `skip_causes` are not emitted: with a message queue,
    a change another process stored (REFRESH) was already pushed by that process.
    """

    def __init__(self, service: ShowService, emitter: Any = None,
                 skip_causes: frozenset[ChangeCause] = frozenset()) -> None:
        self.service = service
        self.emitter = emitter if emitter is not None else socketio
        self.skip_causes = skip_causes
        self.sent_revs: dict[str, int] = {}
        self.received_revs: dict[str, int] = {}
        self.resyncs = 0
        self._behind: dict[str, int] = {}
        self._events: dict[str, Event] = {}
        self._lock = threading.Lock()

    def on_change(self, change: Change) -> None:
        """A stored change: emit it unless its cause is one this publisher leaves to others."""
        if change.cause not in self.skip_causes:
            self.publish(change)

    def publish(self, change: Change, local: bool = False) -> None:
        """Emit the new state of a stage to each audience once, never an older one after a newer one.

        `local` emits to this node's screens only, not through the message queue.
        """
        with self._lock:
            if change.cause is not ChangeCause.AGENDA and self.sent_revs.get(change.stage_id, -1) >= change.state.rev:
                return
            self.sent_revs[change.stage_id] = change.state.rev
            self._events[change.stage_id] = change.event
            now = self.service.clock.now()
            full = full_snapshot(change.event, change.stage_id, change.state, now)
            public = public_parts(full)
            options = {"ignore_queue": True} if local else {}
            for audience in AUDIENCES:
                room = room_name(audience, change.stage_id)
                if change.cause is ChangeCause.AGENDA:
                    self.emitter.emit("agenda", agenda_payload(change.event, change.stage_id, audience), to=room,
                                      **options)
                self.emitter.emit("snapshot", redact_snapshot(full, audience, public), to=room, **options)

    def received(self, stage_id: str, rev: int) -> None:
        """A snapshot another process pushed through the message queue reached this node's screens."""
        with self._lock:
            if rev > self.received_revs.get(stage_id, -1):
                self.received_revs[stage_id] = rev

    def delivered_rev(self, stage_id: str) -> int:
        """The newest revision of a stage this node's screens were sent, by this node or through the queue."""
        return max(self.sent_revs.get(stage_id, -1), self.received_revs.get(stage_id, -1))

    def resync(self) -> list[str]:
        """Push, to this node's screens only, stages still behind the store since the last look (a lost push).

        Returns the stage ids pushed. A push still on its way through the queue has a look's grace.
        """
        event = self.service.event()
        stored = self.service.stored_states()
        behind = {stage_id: state for stage_id, state in stored.items()
                  if state.rev > self.delivered_rev(stage_id) and any(s.id == stage_id for s in event.stages)}
        due = [stage_id for stage_id, state in behind.items() if self._behind.get(stage_id) == state.rev]
        self._behind = {stage_id: state.rev for stage_id, state in behind.items()}
        for stage_id in due:
            cause = ChangeCause.RESYNC if self._events.get(stage_id) is event else ChangeCause.AGENDA
            self.publish(Change(stage_id, behind[stage_id], event, cause), local=True)
            self._behind.pop(stage_id, None)
            self.resyncs += 1
        return due


class LocalManager(Manager):  # type: ignore[misc]
    """Socket.IO's room bookkeeping, delivering nothing (not even encoding the payload) to a room empty on this node."""

    def emit(self, event: str, data: Any, namespace: str | None, room: Any = None, skip_sid: Any = None,
             callback: Any = None, to: Any = None, **kwargs: Any) -> None:
        """Deliver to this node's members of a room, if it has any."""
        target = to or room
        if isinstance(target, str) and callback is None and target not in self.rooms.get(namespace or "/", {}):
            return
        super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs)


class QueueManager(RedisManager, LocalManager):  # type: ignore[misc]
    """Flask-SocketIO's Redis message queue that also tells the publisher which snapshots arrived from others.

    An emit on this node is published before it is delivered here, so the other nodes fan out at the same time.
    """

    def __init__(self, url: str, on_snapshot: Callable[[str, int], None] | None = None, **kwargs: Any) -> None:
        super().__init__(url, channel="flask-socketio", **kwargs)
        self.on_snapshot = on_snapshot
        self._ahead: dict[int, tuple[dict[str, Any], Any]] = {}

    def _handle_emit(self, message: dict[str, Any]) -> None:
        """Deliver to this node's screens, then note the revision of a snapshot from another process."""
        if message.get("host_id") == self.host_id and self.server is not None:
            self._publish_ahead(message)
        try:
            super()._handle_emit(message)
        except BaseException:
            self._ahead.pop(id(message), None)  # the emit stops here: nobody will wait for that publish
            raise
        if message.get("event") != "snapshot" or message.get("host_id") == self.host_id or self.on_snapshot is None:
            return
        data = message.get("data")
        payload = data[0] if isinstance(data, list) and data else data
        if isinstance(payload, dict) and isinstance(payload.get("stage_id"), str) and isinstance(payload.get("rev"), int):
            self.on_snapshot(payload["stage_id"], payload["rev"])

    def _publish_ahead(self, message: dict[str, Any]) -> None:
        """Start publishing this node's emit in the background and let it leave before the local delivery."""
        task = self.server.start_background_task(super()._publish, message)
        self._ahead[id(message)] = (message, task)
        # A publish stuck on a dead Redis stays in its own task: this node's screens are not held up.
        self.server.sleep(0)

    def _publish(self, data: Any) -> None:
        """Publish, or (for an emit published ahead) wait until that publish is done, as the emit would have."""
        ahead = self._ahead.pop(id(data), None)
        if ahead is not None and ahead[0] is data:
            ahead[1].join()
            return
        super()._publish(data)


def attach(app: Flask, service: ShowService, queue: QueueManager | None = None) -> Publisher:
    """Create the app's publisher and subscribe it to the service; with a queue, note what others pushed."""
    publisher = Publisher(service, skip_causes=frozenset({ChangeCause.REFRESH}) if queue is not None else frozenset())
    service.subscribe(publisher.on_change)
    if queue is not None:
        queue.on_snapshot = publisher.received
    app.extensions["runofshow.publisher"] = publisher
    return publisher
