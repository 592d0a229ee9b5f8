"""Clocks and placement: fake and rehearsal time, the reference day moved to another date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from runofshow.live.clocks import FakeClock, RehearsalClock
from runofshow.importers import load_agenda
from runofshow.agenda.placement import place_on, shift_by
from runofshow.agenda.reference import REFERENCE_AGENDA
from tests.conftest import OSLO


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(datetime(2024, 5, 6, 9, tzinfo=OSLO))
    assert clock.now() == clock.now() == datetime(2024, 5, 6, 9, tzinfo=OSLO)
    assert clock.advance(timedelta(minutes=5)) == datetime(2024, 5, 6, 9, 5, tzinfo=OSLO)
    with pytest.raises(ValueError):
        FakeClock(datetime(2024, 5, 6, 9))


def test_rehearsal_clock_runs_faster_and_maps_back_to_real_time() -> None:
    real = FakeClock(datetime(2026, 1, 1, 12, tzinfo=timezone.utc))
    show_start = datetime(2024, 5, 6, 8, 59, tzinfo=OSLO)
    rehearsal = RehearsalClock(show_start, 60, real=real)
    assert rehearsal.now() == show_start
    real.advance(timedelta(seconds=1))
    assert rehearsal.now() == datetime(2024, 5, 6, 9, 0, tzinfo=OSLO)
    nine_thirty = datetime(2024, 5, 6, 9, 30, tzinfo=OSLO)
    assert rehearsal.to_real(nine_thirty) == datetime(2026, 1, 1, 12, 0, 31, tzinfo=timezone.utc)
    assert rehearsal.real_delay(timedelta(hours=8)) == timedelta(minutes=8)


def test_place_on_keeps_local_times_across_a_dst_change() -> None:
    event = load_agenda(REFERENCE_AGENDA)
    winter = place_on(event, date(2026, 11, 28))
    first = winter.stages[0].blocks[0]
    assert first.planned_start.astimezone(OSLO).strftime("%H:%M") == "09:00"
    assert first.planned_start.utcoffset() == timedelta(hours=1)
    assert winter.days == (date(2026, 11, 28),)
    assert [b.planned_duration for b in winter.all_blocks()] == [b.planned_duration for b in event.all_blocks()]


def test_shift_by_moves_every_block_and_the_day() -> None:
    event = load_agenda(REFERENCE_AGENDA)
    moved = shift_by(event, timedelta(hours=20))
    assert moved.stages[0].blocks[0].planned_start == event.stages[0].blocks[0].planned_start + timedelta(hours=20)
    assert moved.days == (date(2024, 5, 7),)
