"""HTTP automations: on the moments each target asks for, a signed JSON POST, sent in order by a background worker.

The service's listener only notes a change (StageWatch); moments are told and deliveries queued on the integrations'
feed (runofshow/integrations/watch.py, after the push), and each target has its own bounded queue and worker, so a
slow or dead receiver never delays a command, a push or another target. Every delivery carries `X-Runofshow-Timestamp` (Unix seconds) and
`X-Runofshow-Signature: sha256=<hex>`, the HMAC-SHA256 of "<timestamp>.<body>" with the target's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from runofshow.integrations import status
from runofshow.integrations.moments import TRIGGERS, Look, Moment, moments
from runofshow.integrations.watch import StageFeed, StageReading

SIGNATURE_HEADER = "X-Runofshow-Signature"
TIMESTAMP_HEADER = "X-Runofshow-Timestamp"
QUEUE_SIZE = 500
LOG_SIZE = 50
STATUS_NAME = "webhooks"

log = logging.getLogger(__name__)
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count(1)


def delivery_id() -> str:
    """A unique id for one delivery: this process's random prefix and a count (no system call per delivery)."""
    return f"{_ID_PREFIX}-{next(_ID_COUNTER)}"


@dataclass(frozen=True)
class Target:
    """One receiver: its URL, the triggers it wants, its secret, and the stages it hears (empty: every stage)."""

    url: str
    triggers: frozenset[str]
    secret: str
    stages: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """The URL without credentials or query, as the production desk shows it."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"

    def wants(self, trigger: str, stage_id: str) -> bool:
        """True when this target asked for `trigger` on `stage_id`."""
        return trigger in self.triggers and (not self.stages or stage_id in self.stages)


def read_targets(text: str, default_secret: str) -> tuple[Target, ...]:
    """The targets of the WEBHOOKS setting: a path of a JSON file, or JSON itself; ValueError saying what is wrong.

    The JSON is a list (or `{"targets": [...]}`) of `{url, triggers, secret?, stages?}`; `triggers` is a list of
    TRIGGERS or "*" for all of them.
    """
    raw = text.strip()
    document = json.loads(raw if raw[:1] in "[{" else Path(raw).read_text(encoding="utf-8"))
    items = document.get("targets", []) if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise ValueError("webhooks: expected a list of targets")
    targets = []
    for index, item in enumerate(items):
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"webhooks: target {index}: expected an http(s) url")
        wanted = item.get("triggers", "*")
        triggers = frozenset(TRIGGERS if wanted == "*" else wanted)
        unknown = sorted(triggers - set(TRIGGERS))
        if unknown or not triggers:
            raise ValueError(f"webhooks: target {index}: unknown trigger {unknown[0] if unknown else '(none)'}; "
                             f"known: {', '.join(TRIGGERS)}")
        secret = item.get("secret") or default_secret
        if not secret:
            raise ValueError(f"webhooks: target {index}: no secret (set RUNOFSHOW_WEBHOOK_SECRET or the target's)")
        targets.append(Target(url, triggers, secret, frozenset(item.get("stages", ()))))
    return tuple(targets)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass
class Delivery:
    """One POST to one target and how it went; the desk's log shows the last ones."""

    target: Target
    trigger: str
    stage: str
    body: bytes
    queued_at: float = field(default_factory=time.time)  # the site's time (a rehearsal's show time)
    state: str = "queued"  # queued, retrying, delivered, failed, dropped
    attempts: int = 0
    code: int | None = None
    error: str = ""
    latency_ms: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The log entry as JSON for the production desk."""
        return {"target": self.target.name, "trigger": self.trigger, "stage": self.stage, "state": self.state,
                "attempts": self.attempts, "code": self.code, "error": self.error, "latency_ms": self.latency_ms,
                "at": int(self.queued_at * 1000)}


@dataclass(frozen=True)
class Retry:
    """How a worker retries: attempts in all, the first wait, the longest wait, and each request's timeout."""

    attempts: int = 8
    first: float = 1.0
    longest: float = 30.0
    timeout: float = 5.0

    def wait(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based): doubling from `first` up to `longest`."""
        return min(self.first * 2 ** (attempt - 1), self.longest)


class TargetWorker:
    """Sends one target's deliveries one at a time, in the order they were queued, retrying each with backoff."""

    def __init__(self, target: Target, retry: Retry, stopped: threading.Event, on_done: Any) -> None:
        self.target = target
        self.retry = retry
        self.stopped = stopped
        self.on_done = on_done
        self.queue: queue.Queue[Delivery] = queue.Queue(maxsize=QUEUE_SIZE)

    def start(self) -> None:
        """Work in the background."""
        threading.Thread(target=self.work, name=f"webhook {self.target.name}", daemon=True).start()

    def offer(self, delivery: Delivery) -> bool:
        """Queue a delivery without waiting; False (and the delivery marked dropped) when the queue is full."""
        try:
            self.queue.put_nowait(delivery)
            return True
        except queue.Full:
            delivery.state = "dropped"
            delivery.error = "queue full"
            log.warning("webhook %s: queue full, dropped %s", self.target.name, delivery.trigger)
            return False

    def work(self) -> None:
        """Deliver until stopped."""
        while not self.stopped.is_set():
            try:
                delivery = self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.deliver(delivery)
            self.on_done(delivery)

    def deliver(self, delivery: Delivery) -> None:
        """Attempt a delivery until it is accepted (2xx), the attempts run out, or the worker stops."""
        while not self.stopped.is_set():
            delivery.attempts += 1
            if self.attempt(delivery):
                delivery.state = "delivered"
                return
            if delivery.attempts >= self.retry.attempts:
                delivery.state = "failed"
                log.warning("webhook %s: gave up on %s after %d attempts (%s)", self.target.name, delivery.trigger,
                            delivery.attempts, delivery.error or delivery.code)
                return
            delivery.state = "retrying"
            self.on_done(delivery)
            self.stopped.wait(self.retry.wait(delivery.attempts))

    def attempt(self, delivery: Delivery) -> bool:
        """One signed POST; True when the receiver accepted it. Records the code, error and latency."""
        timestamp = int(time.time())
        request = urllib.request.Request(self.target.url, data=delivery.body, method="POST", headers={
            "Content-Type": "application/json",
            "User-Agent": "runofshow-webhooks",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self.target.secret, timestamp, delivery.body),
        })
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.retry.timeout) as response:  # noqa: S310 - http(s) only
                delivery.code, delivery.error = response.status, ""
        except urllib.error.HTTPError as error:
            delivery.code, delivery.error = error.code, error.reason or ""
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            delivery.code, delivery.error = None, "timed out" if isinstance(reason, TimeoutError) else str(reason)
        delivery.latency_ms = round((time.monotonic() - started) * 1000)
        return delivery.code is not None and 200 <= delivery.code < 300


class Webhooks:
    """Tells the moments of every stage from the shared feed's readings (each change, and each active stage once a
    second) and queues them for the targets."""

    def __init__(self, feed: StageFeed, targets: Iterable[Target], retry: Retry = Retry()) -> None:
        self.feed = feed
        self.targets = tuple(targets)
        self.stopped = threading.Event()
        self.workers = [TargetWorker(target, retry, self.stopped, self._done) for target in self.targets]
        self.deliveries: deque[Delivery] = deque(maxlen=LOG_SIZE)
        self._looks: dict[str, Look] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the workers and follow the feed."""
        for worker in self.workers:
            worker.start()
        status.report(STATUS_NAME, "", "ok", f"{len(self.targets)} target(s), nothing sent yet")
        self.feed.subscribe(self.look_round, self._failed)
        self.feed.start()

    def stop(self) -> None:
        """Stop telling moments and delivering."""
        self.stopped.set()
        self.feed.unsubscribe(self.look_round)

    def look_round(self, readings: list[StageReading]) -> None:
        """Queue the moments of each reading, in order, since its stage's last look."""
        for reading in readings:
            facts = reading.facts
            found = moments(self._looks.get(reading.stage_id), facts)
            self._looks[reading.stage_id] = facts
            for moment in found:
                self.queue(reading.stage_id, moment, reading.variables, reading.now)

    def queue(self, stage_id: str, moment: Moment, variables: dict[str, Any], at: datetime) -> None:
        """One delivery of `moment` (at the site's time `at`) to each target that wants it."""
        for worker in self.workers:
            if not worker.target.wants(moment.trigger, stage_id):
                continue
            body = json.dumps({"id": delivery_id(), "trigger": moment.trigger, "stage": stage_id,
                               "block_id": moment.block_id, "at": at.isoformat(), "variables": variables},
                              ensure_ascii=False).encode("utf-8")
            delivery = Delivery(worker.target, moment.trigger, stage_id, body, at.timestamp())
            with self._lock:
                self.deliveries.append(delivery)
            if not worker.offer(delivery):
                self._done(delivery)

    def _done(self, delivery: Delivery) -> None:
        """A delivery settled or is retrying: the desk's status says so."""
        state = {"delivered": "ok", "retrying": "unreachable", "failed": "error", "dropped": "error"}[delivery.state]
        outcome = f"HTTP {delivery.code}" if delivery.code else delivery.error
        status.report(STATUS_NAME, "", state, f"{delivery.trigger} to {delivery.target.name}: {delivery.state} "
                      f"({outcome}, {delivery.latency_ms} ms)")

    def _failed(self, error: Exception) -> None:
        """A round that could not be told: logged, and the next round tries again."""
        log.warning("webhooks: a round was not told (%s)", error)
        status.report(STATUS_NAME, "", "error", str(error))

    def log_entries(self) -> list[dict[str, Any]]:
        """The last deliveries, newest first, for the production desk."""
        with self._lock:
            return [delivery.to_dict() for delivery in reversed(self.deliveries)]


def start_webhooks(feed: StageFeed, values: dict[str, Any], retry: Retry = Retry()) -> Webhooks | None:
    """Start the webhooks the settings name (none by default) on the shared `feed`."""
    if not values["WEBHOOKS"]:
        return None
    hooks = Webhooks(feed, read_targets(values["WEBHOOKS"], values["WEBHOOK_SECRET"]), retry)
    hooks.start()
    return hooks
