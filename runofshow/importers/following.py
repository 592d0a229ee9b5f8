"""Following a published schedule from the upload page: re-read its address every few minutes, keep what it says.

Reading never writes: a round fetches and parses the address and keeps the result (the new version or the
error); the page compares it with the stored agenda and shows the difference, and only a person's apply
stores it, through the one service.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from runofshow.agenda.model import AgendaError, Event
from runofshow.importers import ImportProblem, load_agenda

FOLLOW_MINUTES = 5.0


@dataclass(frozen=True)
class FollowedRead:
    """The last read of a followed address: the schedule it gave, or why it gave none."""

    url: str
    timezone: str | None
    checked_at: datetime | None = None
    event: Event | None = None
    error: str = ""


class FollowedAddress:
    """The one address this node follows (or none), and its last read; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._read: FollowedRead | None = None

    def follow(self, url: str, timezone: str | None, event: Event, now: datetime) -> None:
        """Follow `url` from now on, starting from the version just read."""
        with self._lock:
            self._read = FollowedRead(url, timezone, now, event)

    def stop(self) -> None:
        """Follow nothing."""
        with self._lock:
            self._read = None

    def last(self) -> FollowedRead | None:
        """The followed address and its last read, or None."""
        with self._lock:
            return self._read

    def check(self, now: datetime) -> None:
        """Re-read the followed address (a timeout, an error page or a non-schedule answer is kept as the error)."""
        read = self.last()
        if read is None:
            return
        try:
            result = FollowedRead(read.url, read.timezone, now, load_agenda(read.url, timezone=read.timezone))
        except (ImportProblem, AgendaError) as error:
            result = FollowedRead(read.url, read.timezone, now, read.event, str(error))
        with self._lock:
            if self._read is not None and self._read.url == read.url:  # not stopped or changed meanwhile
                self._read = result


__all__ = ["FOLLOW_MINUTES", "FollowedAddress", "FollowedRead"]
