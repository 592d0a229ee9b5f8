"""Event days: the day change at 04:00, which day each block belongs to, and cueing a day's first block."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from runofshow.agenda.model import Block, Event, Stage, StartRule
from runofshow.agenda.days import block_days, calendar_day, day_of, first_blocks
from runofshow.engine import Command, Status, advance_due, apply, initial_state, next_due, snapshot
from runofshow.web.payloads import blocks_for, event_header

OSLO = ZoneInfo("Europe/Oslo")
DAYS = (date(2025, 9, 11), date(2025, 9, 12))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in September 2025, Oslo time."""
    return datetime(2025, 9, day, hour, minute, tzinfo=OSLO)


def block(block_id: str, start: datetime, minutes: int, **kwargs: object) -> Block:
    """A block titled after its id."""
    return Block(id=block_id, title=block_id, planned_start=start, planned_duration=timedelta(minutes=minutes),
                 **kwargs)  # type: ignore[arg-type]


STAGE = Stage("main", "Main", (
    block("open", at(11, 9), 30, start_rule=StartRule.HARD),
    block("talk", at(11, 9, 30), 60),
    block("party", at(11, 23), 150),  # runs past midnight: still the first day
    block("morning", at(12, 9), 30, start_rule=StartRule.HARD),
    block("close", at(12, 9, 30), 30),
))
EVENT = Event("Two days", DAYS, "Europe/Oslo", stages=(STAGE,))


def test_the_day_changes_at_four_in_the_morning() -> None:
    assert calendar_day(at(12, 3, 59), OSLO) == date(2025, 9, 11)
    assert calendar_day(at(12, 4, 0), OSLO) == date(2025, 9, 12)
    assert calendar_day(at(12, 1, 0).astimezone(ZoneInfo("UTC")), OSLO) == date(2025, 9, 11)


def test_each_block_belongs_to_its_day_and_each_day_has_a_first_block() -> None:
    assert block_days(EVENT, STAGE) == {"open": DAYS[0], "talk": DAYS[0], "party": DAYS[0],
                                        "morning": DAYS[1], "close": DAYS[1]}
    assert first_blocks(EVENT, STAGE) == {DAYS[0]: "open", DAYS[1]: "morning"}


def test_an_instant_before_the_first_day_belongs_to_the_first_day() -> None:
    assert day_of(at(1, 12), DAYS, OSLO) == DAYS[0]
    assert day_of(datetime(2025, 9, 20, 12, tzinfo=OSLO), DAYS, OSLO) == DAYS[1]


@given(st.lists(st.datetimes(min_value=datetime(2025, 9, 1), max_value=datetime(2025, 9, 30)), min_size=2))
def test_day_of_never_goes_back_as_time_goes_on(instants: list[datetime]) -> None:
    ordered = sorted(instant.replace(tzinfo=OSLO) for instant in instants)
    days = [day_of(instant, DAYS, OSLO) for instant in ordered]
    assert days == sorted(days)


def test_cue_of_the_next_days_first_block_waits_for_its_planned_start_and_then_starts_by_itself() -> None:
    state = apply(STAGE, initial_state(STAGE), Command("cue", 0, {"block_id": "morning"}), at(11, 9, 5))
    assert state.status is Status.GAP and state.current == "morning" and state.rev == 1
    view = snapshot(STAGE, state, at(11, 9, 5))
    assert view.next is not None and view.next.block_id == "morning"
    assert next_due(STAGE, state, at(11, 9, 5)) == at(12, 9)
    started = advance_due(STAGE, state, at(12, 9, 1))
    assert started.status is Status.RUNNING and started.current == "morning" and started.actual_start == at(12, 9)


def test_cue_of_a_block_whose_time_has_come_starts_it_now() -> None:
    state = apply(STAGE, initial_state(STAGE), Command("cue", 0, {"block_id": "morning"}), at(12, 9, 10))
    assert state.status is Status.RUNNING and state.actual_start == at(12, 9, 10)
    soft = apply(STAGE, initial_state(STAGE), Command("cue", 0, {"block_id": "talk"}), at(11, 9, 5))
    assert soft.status is Status.RUNNING and soft.current == "talk"


def test_cue_after_the_show_ended_moves_to_the_day() -> None:
    ended = apply(STAGE, initial_state(STAGE), Command("end", 0), at(11, 23))
    state = apply(STAGE, ended, Command("cue", ended.rev, {"block_id": "morning"}), at(11, 23, 30))
    assert state.status is Status.GAP and state.current == "morning"


def test_screens_get_each_blocks_day_and_the_day_change() -> None:
    public = blocks_for(EVENT, STAGE, "agenda")
    crew = blocks_for(EVENT, STAGE, "console")
    assert [b["day"] for b in public] == [b["day"] for b in crew] == ["2025-09-11"] * 3 + ["2025-09-12"] * 2
    assert event_header(EVENT)["day_change"] == "04:00"
