"""The clock a site runs on: the system clock, or the rehearsal clock every process of the site shares."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from runofshow.agenda.document import event_from_dict
from runofshow.agenda.model import Event
from runofshow.live.clocks import Clock, RehearsalClock, SystemClock
from runofshow.live.service import NoAgenda
from runofshow.live.store import Store

REHEARSAL_KEY = "rehearsal_clock"
REHEARSAL_LEAD = timedelta(minutes=1)


def site_clock(store: Store, speed: float, pending: Event | None = None) -> Clock:
    """The system clock at speed 0; else the rehearsal clock kept in the store, so a restart keeps show time.

    A new rehearsal (none stored, or at another speed) starts a minute before the first block of the stored
    agenda, or of `pending` (the agenda about to be stored) when the store has none; NoAgenda without either.
    """
    if speed <= 0:
        return SystemClock()
    stored = store.get_meta(REHEARSAL_KEY)
    if stored:
        data = json.loads(stored)
        if data.get("speed") == speed:
            return RehearsalClock(datetime.fromisoformat(data["show_start"]), speed,
                                  real_start=datetime.fromisoformat(data["real_start"]))
    document = store.load_agenda()
    event = event_from_dict(document) if document is not None else pending
    if event is None:
        raise NoAgenda("a rehearsal needs an agenda: import one first")
    first = min(block.planned_start for block in event.all_blocks())
    clock = RehearsalClock(first - REHEARSAL_LEAD, speed)
    keep_rehearsal_clock(store, clock)
    return clock


def keep_rehearsal_clock(store: Store, clock: RehearsalClock) -> None:
    """Store the rehearsal clock so every process of the site, and a restart, runs on the same show time."""
    store.set_meta(REHEARSAL_KEY, json.dumps({"show_start": clock.show_start.isoformat(),
                                              "real_start": clock.real_start.isoformat(), "speed": clock.speed}))
