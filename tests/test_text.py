"""The shared text helpers: ids, names, lengths, times past midnight, bounded reads; editor ids equal import ids."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runofshow.agenda.edits import apply_edit
from runofshow.agenda.model import Event
from runofshow.agenda.text import (
    MAX_BYTES,
    ascii_fold,
    parse_duration,
    past_midnight,
    read_bounded,
    slugify,
    split_names,
    strip_html,
    unique_id,
)
from runofshow.importers import parse_agenda
from runofshow.importers.sessionplan import parse_sessionplan

OSLO = ZoneInfo("Europe/Oslo")
AT = datetime(2024, 5, 6, 8, 0, tzinfo=OSLO)
TITLE = "Åpning – velkommen!"


def sessionplan(*titles: str) -> Event:
    """A one-day session plan with one 15-minute row per title, from 09:00."""
    rows = "".join(f"09:{15 * i:02d}\t15m\t{title}\t\n" for i, title in enumerate(titles))
    return parse_sessionplan(f"# Dag 2024-05-06\n\nKL.\tLENGDE\tTITTEL\tBESKRIVELSE\n{rows}")


def test_folding_and_slugs() -> None:
    assert ascii_fold("Blåbær Ørsta Straße") == "Blabaer Orsta Strasse"
    assert slugify(TITLE) == "apning-velkommen"
    assert slugify("word " * 30) == "-".join(["word"] * 12)  # cut at a word boundary, at most 64
    assert slugify("—") == "block"


def test_unique_ids_count_up_from_two() -> None:
    taken: set[str] = {"a"}
    assert [unique_id("a", taken), unique_id("a", taken), unique_id("b", taken)] == ["a-2", "a-3", "b"]
    assert taken == {"a", "a-2", "a-3", "b"}


def test_html_is_stripped_to_text() -> None:
    assert strip_html("<p>Hei &amp; velkommen</p>linje<br/>to") == "Hei & velkommen\n\nlinje\nto"


def test_names_split_on_every_separator_either_importer_knew() -> None:
    assert split_names("Ola Nordmann, Kari; Per & Pål / Anne og Nils and Eva\nLise.") == [
        "Ola Nordmann", "Kari", "Per", "Pål", "Anne", "Nils", "Eva", "Lise"]
    assert split_names(" ; , ") == []


@pytest.mark.parametrize("raw, minutes", [
    ("2h 00m", 120), ("1 t 30 min", 90), ("1,5 t", 90), ("45m", 45),  # the session plan's spellings
    ("1:30", 90), ("0:5", 5), ("0:30:00", 30), ("1:30:30", 90.5), ("1:00:15:00", 1455),  # C3VOC's
])
def test_durations_every_importer_reads(raw: str, minutes: float) -> None:
    assert parse_duration(raw) == timedelta(minutes=minutes)
    assert parse_duration(raw, bare_minutes=True) == timedelta(minutes=minutes)


def test_bare_numbers_are_minutes_only_when_asked() -> None:
    assert parse_duration("7,5", bare_minutes=True) == timedelta(minutes=7.5)
    assert parse_duration("  ", bare_minutes=True) is None
    with pytest.raises(ValueError, match="'30' is not a duration"):
        parse_duration("30")
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration("nan", bare_minutes=True)


def test_lengths_over_a_week_are_refused() -> None:
    with pytest.raises(ValueError, match="longer than 7 days"):
        parse_duration("8:00:00:00")
    with pytest.raises(ValueError, match="longer than 7 days"):
        parse_duration("20000", bare_minutes=True)


@pytest.mark.parametrize("previous, clock, expected", [
    ("23:00", "01:00", "2024-05-07 01:00"),  # an evening running past midnight
    ("13:30", "01:15", "2024-05-07 01:15"),  # 11 h 45 min later: still the same night
    ("17:00", "09:00", "2024-05-06 09:00"),  # 16 h later would be a new day: stays, and validation refuses it
    ("12:00", "00:00", "2024-05-06 00:00"),  # exactly 12 h: stays
    ("09:00", "10:00", "2024-05-06 10:00"),  # later anyway
])
def test_one_rule_for_times_past_midnight(previous: str, clock: str, expected: str) -> None:
    day = "2024-05-06"
    moved = past_midnight(datetime.fromisoformat(f"{day} {clock}"), datetime.fromisoformat(f"{day} {previous}"))
    assert moved == datetime.fromisoformat(expected)


def test_every_clock_time_importer_uses_the_rule() -> None:
    csv = "title,start,duration_minutes\nLate,2024-05-06T23:00,60\nLater,01:00,30\nNext morning,09:00,30\n"
    late, later, morning = parse_agenda(csv.encode(), path="a.csv").all_blocks()
    assert later.planned_start == datetime(2024, 5, 7, 1, 0, tzinfo=OSLO)
    assert morning.planned_start == datetime(2024, 5, 7, 9, 0, tzinfo=OSLO)  # 8 h after 01:00
    plan = parse_sessionplan("# Dag 2024-05-06\n\nKL.\tLENGDE\tTITTEL\tBESKRIVELSE\n23:00\t1t\tSent\t\n01:00\t30m\tNatt\t\n")
    assert plan.all_blocks()[1].planned_start == datetime(2024, 5, 7, 1, 0, tzinfo=OSLO)


def test_bounded_read_never_reads_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * (MAX_BYTES + 10))
    data, size = read_bounded(path)
    assert (len(data), size) == (MAX_BYTES + 1, MAX_BYTES + 10)
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing.txt")


def test_a_block_added_in_the_editor_gets_the_id_an_import_gives_its_title() -> None:
    event = sessionplan("Kaffe", "Panel")
    imported = sessionplan("Kaffe", TITLE).all_blocks()[1].id
    added = apply_edit(event, "plenary", {"op": "add", "after": "kaffe", "block": {"title": TITLE}}, actor="m", at=AT)
    assert [block.id for block in added.all_blocks()] == ["kaffe", imported, "panel"]
    assert imported == "apning-velkommen"


def test_an_added_title_that_is_taken_gets_the_next_free_suffix() -> None:
    event = sessionplan(TITLE, TITLE)
    assert [block.id for block in event.all_blocks()] == ["apning-velkommen", "apning-velkommen-2"]
    last = {"op": "add", "after": "apning-velkommen-2"}
    added = apply_edit(event, "plenary", {**last, "block": {"title": TITLE}}, actor="m", at=AT)
    assert added.all_blocks()[-1].id == "apning-velkommen-3"
    untitled = apply_edit(event, "plenary", {**last, "block": {}}, actor="m", at=AT)
    assert untitled.all_blocks()[-1].id == "block"
