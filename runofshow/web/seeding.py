"""First start on an empty store: the built-in reference agenda, placed on today's date."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Event
from runofshow.agenda.placement import place_on
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.importers import load_agenda
from runofshow.live.clocks import Clock
from runofshow.live.store import Store


def reference_for(day: date) -> Event:
    """The reference agenda placed on `day`."""
    return place_on(load_agenda(REFERENCE_AGENDA), day)


def reference_seed(store: Store, clock: Clock) -> Event | None:
    """The reference agenda on the clock's today when the store has no agenda yet; None when it has one."""
    if store.load_agenda() is not None:
        return None
    event = load_agenda(REFERENCE_AGENDA)
    return place_on(event, clock.now().astimezone(ZoneInfo(event.timezone)).date())
