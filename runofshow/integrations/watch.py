"""The latest state of every stage as the service announces it, for integrations that work off the request path."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from runofshow.agenda.model import Event
from runofshow.engine import StageState
from runofshow.live.changes import Change
from runofshow.live.service import NoAgenda, ShowService
from runofshow.live.store import StoreUnavailable


MAX_PENDING = 1000

Announced = tuple[str, Event, StageState]
"""A stage id with the event and state announced for it."""


class StageWatch:
    """Keeps the last announced (event, state) of each stage, and every change since the worker last looked, and
    wakes the worker on every change.

    The service's listener only stores and signals: it never sends, so a slow peer never delays a command or a push.
    """

    def __init__(self, service: ShowService) -> None:
        self.service = service
        self.changed = threading.Event()
        self._latest: dict[str, tuple[Event, StageState]] = {}
        self._pending: deque[Announced] = deque(maxlen=MAX_PENDING)
        self._lock = threading.Lock()

    def start(self) -> None:
        """Read every stage's stored state once, then follow the service's changes."""
        self.service.subscribe(self.on_change)
        try:
            event = self.service.event()
            for stage in event.stages:
                self._remember(stage.id, event, self.service.stored_state(stage.id))
        except (NoAgenda, StoreUnavailable):
            pass  # the first change fills it in

    def on_change(self, change: Change) -> None:
        """The service's listener: remember the change and wake the worker."""
        self._remember(change.stage_id, change.event, change.state)

    def _remember(self, stage_id: str, event: Event, state: StageState) -> None:
        """Store a stage's state unless an older revision of the same agenda arrives late."""
        with self._lock:
            known = self._latest.get(stage_id)
            if known is None or known[0] is not event or state.rev >= known[1].rev:
                self._latest[stage_id] = (event, state)
                self._pending.append((stage_id, event, state))
        self.changed.set()

    def take_changes(self) -> list[Announced]:
        """Every change since the last call, oldest first (a worker that fell far behind gets the last MAX_PENDING)."""
        with self._lock:
            self.changed.clear()
            pending = list(self._pending)
            self._pending.clear()
        return pending

    def latest(self) -> dict[str, tuple[Event, StageState]]:
        """Every known stage's last (event, state)."""
        with self._lock:
            return dict(self._latest)

    def now(self) -> datetime:
        """The site's time now."""
        return self.service.clock.now()


def every(seconds: float, watch: StageWatch, work: Callable[[list[Announced]], Any], stopped: threading.Event,
          on_error: Callable[[Exception], None]) -> None:
    """Call `work(changes since the last call)` on every change and at least every `seconds`, until `stopped`."""
    while not stopped.is_set():
        watch.changed.wait(seconds)
        if stopped.is_set():
            return
        try:
            work(watch.take_changes())
        except Exception as error:  # noqa: BLE001 - an integration fails soft and keeps going
            on_error(error)
