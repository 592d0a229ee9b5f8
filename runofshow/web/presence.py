"""Which screens are connected to this node now, and when each kind of screen was last seen.

Kept in memory per node: on a scaled-out site each web node knows its own connections (the setup page says so).
A screen is counted under what it joined: (audience, stage or room id); the production desk joins every stage
as "console" with the stage "*".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

Key = tuple[str, str]
PRESENCE_KEY = "runofshow.presence"


@dataclass
class Seen:
    """The connections on one screen (audience, target) now, and when one was last heard from."""

    connected: set[str] = field(default_factory=set)
    last_seen: float = 0.0


@dataclass(frozen=True)
class ScreenPresence:
    """What the setup page shows for one screen: how many are connected and how long ago one was seen."""

    audience: str
    target: str
    connected: int
    seconds_ago: float | None  # None: never seen since this node started


class Presence:
    """Connections by screen, fed by the Socket.IO handlers' connect, join, clock and disconnect."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._screens: dict[Key, Seen] = {}
        self._joined: dict[str, set[Key]] = {}

    def joined(self, sid: str, audience: str, target: str) -> None:
        """Connection `sid` joined `audience` of `target` (a stage id, a room id, or "*")."""
        with self._lock:
            seen = self._screens.setdefault((audience, target), Seen())
            seen.connected.add(sid)
            seen.last_seen = self._now()
            self._joined.setdefault(sid, set()).add((audience, target))

    def heard(self, sid: str) -> None:
        """Connection `sid` sent something (a clock sample): its screens were seen now."""
        with self._lock:
            for key in self._joined.get(sid, ()):
                self._screens[key].last_seen = self._now()

    def left(self, sid: str) -> None:
        """Connection `sid` closed: last seen now, no longer counted."""
        with self._lock:
            for key in self._joined.pop(sid, set()):
                self._screens[key].connected.discard(sid)
                self._screens[key].last_seen = self._now()

    def report(self, expected: list[Key]) -> list[ScreenPresence]:
        """Every expected screen (seen or not) and any other seen one, with counts and seconds since last seen."""
        now = self._now()
        with self._lock:
            keys = list(dict.fromkeys([*expected, *self._screens]))
            return [self._presence(key, now) for key in keys]

    def _presence(self, key: Key, now: float) -> ScreenPresence:
        """One screen's line of the report (the lock held)."""
        seen = self._screens.get(key)
        if seen is None:
            return ScreenPresence(key[0], key[1], 0, None)
        ago = 0.0 if seen.connected else max(0.0, now - seen.last_seen)
        return ScreenPresence(key[0], key[1], len(seen.connected), ago)


def presence_of(app: Flask) -> Presence:
    """The presence record of an app (made on first use)."""
    return app.extensions.setdefault(PRESENCE_KEY, Presence())
