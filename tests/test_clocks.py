"""Clocks and placement: fake and rehearsal time, the reference day moved to another date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from runofshow.live.clocks import Clock, FakeClock, RehearsalClock, SystemClock
from runofshow.live.service import NoAgenda
from runofshow.live.site_clock import site_clock
from runofshow.live.store import Store
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


@pytest.mark.parametrize("clock", [SystemClock(), FakeClock(datetime(2024, 5, 6, 9, tzinfo=OSLO))])
def test_real_time_clocks_map_instants_and_delays_to_themselves(clock: Clock) -> None:
    instant = datetime(2024, 5, 6, 9, 30, tzinfo=OSLO)
    assert clock.speed == 1
    assert clock.to_real(instant) == instant
    assert clock.real_delay(timedelta(minutes=5)) == timedelta(minutes=5)
    assert clock.now().tzinfo is not None


def test_every_process_of_a_site_shares_the_stored_rehearsal_clock(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    event = place_on(load_agenda(REFERENCE_AGENDA), date(2024, 5, 6))
    with pytest.raises(NoAgenda):
        site_clock(store, 60)
    assert isinstance(site_clock(store, 0), SystemClock)
    first = site_clock(store, 60, event)
    assert isinstance(first, RehearsalClock) and first.speed == 60
    assert first.show_start == datetime(2024, 5, 6, 8, 59, tzinfo=OSLO)
    second = site_clock(store, 60)  # another process: the same show time, though it has no agenda at hand
    assert isinstance(second, RehearsalClock)
    assert (second.show_start, second.real_start) == (first.show_start, first.real_start)
    store.close()
