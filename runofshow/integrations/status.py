"""Every integration's status in one registry (OSC, webhooks, OBS per stage), for the production desk.

An integration calls `report(name, stage, state, detail)` whenever its state changes; the desk reads `statuses()`.
`stage` is "" for an integration of the whole event. `state` is one of STATES.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

STATES = ("off", "connecting", "ok", "error", "unreachable")
"""ok: working; error: configured but failing (a wrong password, a refused delivery); unreachable: the peer is away."""


@dataclass(frozen=True)
class IntegrationStatus:
    """One integration's last reported state, with a short detail for the crew and when it was reported."""

    name: str
    stage: str
    state: str
    detail: str
    at: float

    def to_dict(self) -> dict[str, Any]:
        """The status as JSON, `at` in epoch milliseconds."""
        return {**asdict(self), "at": int(self.at * 1000)}


_statuses: dict[tuple[str, str], IntegrationStatus] = {}
_lock = threading.Lock()


def report(name: str, stage: str, state: str, detail: str = "") -> None:
    """Record the state of integration `name` (for `stage`, or "" for the whole event)."""
    if state not in STATES:
        raise ValueError(f"integration state {state!r}: expected one of {', '.join(STATES)}")
    with _lock:
        _statuses[(name, stage)] = IntegrationStatus(name, stage, state, detail, time.time())


def forget(name: str) -> None:
    """Drop every status of integration `name` (it was stopped)."""
    with _lock:
        for key in [key for key in _statuses if key[0] == name]:
            del _statuses[key]


def statuses() -> list[IntegrationStatus]:
    """Every reported status, by name then stage."""
    with _lock:
        return sorted(_statuses.values(), key=lambda status: (status.name, status.stage))
