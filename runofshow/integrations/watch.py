"""The latest state of every stage as the service announces it, read once per change for the integrations that work
off the request path (OSC out, webhooks), after the push to the screens."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from runofshow.agenda.model import Event
from runofshow.engine import Snapshot, StageState, snapshot
from runofshow.integrations.moments import Look, look_at_snapshot
from runofshow.integrations.variables import variables_of_snapshot
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


ACTIVE = ("running", "paused", "gap")
"""The statuses in which a stage changes with time alone (a countdown, a level): the feed reads them once a second."""
TICK_SECONDS = 1.0
SETTLE_SECONDS = 0.1
"""How long the feed lets a change's push to the screens have the CPU before the integrations' work on it (OSC and
webhooks follow the screens by about this much); changes arriving meanwhile are read in the same round."""
IDLE_WAIT_LIMIT = 0.5


@dataclass(frozen=True)
class StageReading:
    """One stage at one instant, read once for every integration: its snapshot, public variables and moment facts.

    `changed` is True for a stored change, False for the once-a-second reading of an active stage.
    """

    stage_id: str
    event: Event
    state: StageState
    now: datetime
    changed: bool

    @cached_property
    def shot(self) -> Snapshot:
        """The stage's snapshot at `now`."""
        return snapshot(self.event.stage(self.stage_id), self.state, self.now)

    @cached_property
    def variables(self) -> dict[str, Any]:
        """The flat variables OSC sends and webhooks carry."""
        return variables_of_snapshot(self.event, self.stage_id, self.state, self.shot)

    @cached_property
    def facts(self) -> Look:
        """The facts webhooks tell moments from."""
        return look_at_snapshot(self.shot)


Consumer = Callable[[list[StageReading]], None]
OnError = Callable[[Exception], None]


def after_pushes(limit: float = IDLE_WAIT_LIMIT) -> None:
    """Under gevent, wait (at most `limit` s) until the server's loop has nothing else to do, so a push's writes to
    the screens go before any integration's work; with real threads, return at once."""
    try:
        from gevent.monkey import is_module_patched
    except ImportError:
        return
    if not is_module_patched("threading"):
        return
    import gevent

    with gevent.Timeout(limit, False):
        gevent.idle()


class StageFeed:
    """One background thread that reads each change (and each active stage once a second) once, after the push has
    gone out, and hands the readings to every integration that subscribed (OSC out, webhooks).

    On a machine that also runs the screens' clients, or under load, work done the moment a change is stored takes
    the CPU from the fan-out; after `settle` seconds it no longer does (bench.integrations measures it).
    """

    def __init__(self, service: ShowService, tick: float = TICK_SECONDS, settle: float = SETTLE_SECONDS) -> None:
        self.watch = StageWatch(service)
        self.tick = tick
        self.settle = settle
        self.stopped = threading.Event()
        self._consumers: dict[Consumer, OnError] = {}
        self._started = False
        self._last_tick = 0.0
        self._lock = threading.Lock()

    def subscribe(self, consumer: Consumer, on_error: OnError) -> None:
        """Hand every round of readings to `consumer`; what it raises goes to `on_error`, and the feed goes on."""
        with self._lock:
            self._consumers[consumer] = on_error

    def unsubscribe(self, consumer: Consumer) -> None:
        """Stop handing readings to `consumer`; the feed stops with its last consumer."""
        with self._lock:
            self._consumers.pop(consumer, None)
            last = not self._consumers
        if last:
            self.stop()

    def start(self) -> None:
        """Follow the service in the background (once, however many integrations share the feed)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self.watch.start()
        threading.Thread(target=self.run, name="integrations feed", daemon=True).start()

    def stop(self) -> None:
        """Stop reading."""
        self.stopped.set()
        self.watch.changed.set()

    def run(self) -> None:
        """A round after every change (`settle` s later) and at least every `tick` seconds, until stopped."""
        while not self.stopped.is_set():
            if self.watch.changed.wait(self.tick):
                self.stopped.wait(self.settle)
            if self.stopped.is_set():
                return
            after_pushes()
            self.round()

    def round(self) -> None:
        """Read every change since the last round, and every other active stage when a tick is due; hand them on."""
        changes = self.watch.take_changes()
        now = self.watch.now()
        readings = [StageReading(stage_id, event, state, now, True) for stage_id, event, state in changes]
        if time.monotonic() - self._last_tick >= self.tick:
            self._last_tick = time.monotonic()
            changed = {stage_id for stage_id, _, _ in changes}
            readings += [StageReading(stage_id, event, state, now, False)
                         for stage_id, (event, state) in self.watch.latest().items()
                         if stage_id not in changed and state.status.value in ACTIVE]
        if not readings:
            return
        with self._lock:
            consumers = list(self._consumers.items())
        for consumer, on_error in consumers:
            try:
                consumer(readings)
            except Exception as error:  # noqa: BLE001 - an integration fails soft and keeps going
                on_error(error)
