"""Event days: which day a block belongs to (the day changes at 04:00, so a late session stays on its day)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Event, Stage

DAY_CHANGE = time(4, 0)


def calendar_day(instant: datetime, zone: ZoneInfo) -> date:
    """The date in `zone` of an instant, counting the hours before the day change as the day before."""
    return (instant.astimezone(zone) - timedelta(hours=DAY_CHANGE.hour, minutes=DAY_CHANGE.minute)).date()


def day_of(instant: datetime, days: tuple[date, ...], zone: ZoneInfo) -> date:
    """The event day an instant belongs to: the last of `days` on or before its calendar day, else the first."""
    shifted = calendar_day(instant, zone)
    earlier = [day for day in days if day <= shifted]
    return earlier[-1] if earlier else days[0]


def first_blocks(event: Event, stage: Stage) -> dict[date, str]:
    """Each event day with a block on this stage, mapped to the id of the day's first block, in day order."""
    zone = ZoneInfo(event.timezone)
    firsts: dict[date, str] = {}
    for block in stage.blocks:
        firsts.setdefault(day_of(block.planned_start, event.days, zone), block.id)
    return dict(sorted(firsts.items()))


def block_days(event: Event, stage: Stage) -> dict[str, date]:
    """Block id to the event day it belongs to."""
    zone = ZoneInfo(event.timezone)
    return {block.id: day_of(block.planned_start, event.days, zone) for block in stage.blocks}
