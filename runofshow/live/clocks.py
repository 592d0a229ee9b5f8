"""Clocks: the only place that reads the time. System, fake (tests) and rehearsal (xN speed)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Show time as an aware datetime, and how it maps to real time (a rehearsal runs faster)."""

    @property
    def speed(self) -> float:
        """How many seconds of show time pass in one real second."""
        ...

    def now(self) -> datetime:
        """The current instant, aware."""
        ...

    def to_real(self, show_instant: datetime) -> datetime:
        """The real instant at which show time reaches `show_instant`."""
        ...

    def real_delay(self, show_delay: timedelta) -> timedelta:
        """How long to wait in real time for `show_delay` of show time to pass."""
        ...


class _RealTime:
    """Show time that is real time: speed 1, instants and delays map to themselves."""

    speed = 1.0

    def to_real(self, show_instant: datetime) -> datetime:
        """The same instant."""
        return show_instant

    def real_delay(self, show_delay: timedelta) -> timedelta:
        """The same delay."""
        return show_delay


class SystemClock(_RealTime):
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        return datetime.now(timezone.utc)


class FakeClock(_RealTime):
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The instant the clock was last set to."""
        with self._lock:
            return self._now

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward (or back, for tests that need it) and return the new time."""
        with self._lock:
            self._now = self._now + by
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to an instant."""
        if instant.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        with self._lock:
            self._now = instant


class RehearsalClock:
    """Show time that starts at `show_start` when real time is `real_start` and runs `speed` times faster."""

    def __init__(self, show_start: datetime, speed: float = 1.0, *, real: Clock | None = None,
                 real_start: datetime | None = None) -> None:
        if show_start.tzinfo is None:
            raise ValueError("RehearsalClock needs an aware show_start")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.real = real or SystemClock()
        self.show_start = show_start
        self.speed = speed
        self.real_start = real_start or self.real.now()

    def now(self) -> datetime:
        """The rehearsal's show time."""
        return self.show_start + (self.real.now() - self.real_start) * self.speed

    def real_delay(self, show_delay: timedelta) -> timedelta:
        """How long to wait in real time for `show_delay` of show time to pass."""
        return show_delay / self.speed

    def to_real(self, show_instant: datetime) -> datetime:
        """The real instant at which show time reaches `show_instant`."""
        return self.real_start + (show_instant - self.show_start) / self.speed


def wall_now() -> datetime:
    """The calendar time, whatever clock the show runs on: tokens and links expire by it."""
    return SystemClock().now()
