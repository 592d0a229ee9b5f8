"""First start on an empty store: the built-in reference agenda, placed on today's date."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Event
from runofshow.importers import load_agenda
from runofshow.agenda.placement import place_on
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.live.service import ShowService

def reference_for(day: date) -> Event:
    """The reference agenda placed on `day`."""
    return place_on(load_agenda(REFERENCE_AGENDA), day)


def seed_reference_agenda(service: ShowService) -> bool:
    """Store the reference agenda on today's date if the store has none; True when it did."""
    if service.has_agenda():
        return False
    event = load_agenda(REFERENCE_AGENDA)
    today = service.clock.now().astimezone(ZoneInfo(event.timezone)).date()
    service.replace_event(place_on(event, today), actor="seed")
    return True

