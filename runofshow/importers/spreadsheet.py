"""Importer for agenda spreadsheets: CSV and XLSX with the documented column set (docs/formats.md).

One row per block; the columns are found by their header name (case and spaces do not matter,
order is free, unknown columns are ignored). The event's own fields sit in `event_*` columns,
read from the first row that fills them. Lists and objects are JSON in a cell; the simple lists
(`facilitators`, `working_groups`, `rooms`) and `speakers` also take plain names separated by `;`
(or `,`, `&`, `/`, line breaks, `og`, `and`: `agenda.text.split_names`).

Cells are only ever text or numbers here: a formula (`=HYPERLINK(...)`) is kept as its text, and
the `'` an export puts before a cell starting with `=`, `+`, `-`, `@`, tab or CR is removed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runofshow.agenda.model import AgendaError, Event
from runofshow.agenda.document import event_from_dict
from runofshow.importers.errors import ImportProblem
from runofshow.agenda.text import TakenIds, parse_duration, past_midnight, slugify, split_names, unique_id
from runofshow.importers.limits import block_limits, check_json_depth, check_row_count
from runofshow.importers.layouts import HEADER_SEARCH_ROWS, conference_table, find_header
from runofshow.importers.native import located

CSV_FORMAT = "csv"
XLSX_FORMAT = "xlsx"
XLSX_MAGIC = b"PK\x03\x04"
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000

BLOCK_COLUMNS: tuple[str, ...] = (
    "stage", "stage_name", "id", "title", "start", "end", "duration_minutes", "category", "category_label",
    "stream", "stream_source", "start_rule", "advance", "description", "facilitators", "speakers", "notes",
    "contacts", "breakout", "duties", "reminders", "working_groups", "rooms", "warning_minutes", "danger_minutes",
    "facts", "record", "record_source", "min_minutes", "protected", "optional",
)
EVENT_COLUMNS: tuple[str, ...] = ("event_title", "event_venue", "event_timezone", "event_days", "event_rooms")
COLUMNS: tuple[str, ...] = BLOCK_COLUMNS + EVENT_COLUMNS
TEXT_COLUMNS = frozenset({"stage_name", "title", "category_label", "stream_source", "record_source", "description",
                          "notes", "event_title", "event_venue"})
ENUM_COLUMNS = frozenset({"category", "stream", "record", "start_rule", "advance"})
NUMBER_COLUMNS = frozenset({"warning_minutes", "danger_minutes", "min_minutes"})
FLAG_COLUMNS = frozenset({"protected", "optional"})
FLAG_YES = frozenset({"yes", "true", "1", "x", "ja"})
NAME_LIST_COLUMNS = frozenset({"facilitators", "working_groups", "rooms"})
JSON_LIST_COLUMNS = frozenset({"contacts", "duties", "reminders", "facts"})
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_STAGE = "main"

UNDERSTOOD_LAYOUTS = (
    "(1) runofshow's columns in the first row: title, start and duration_minutes or end, and optional stage, "
    "speakers, description ... (docs/formats.md); (2) another tool's template: a header row within the first "
    f"{HEADER_SEARCH_ROWS} rows naming a title and a time in English, Norwegian or German (e.g. place, date, time, "
    "title, subtitle, description, speaker 1 to 5; sted, dato, tid, tittel; Ort, Datum, Zeit, Titel)"
)
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True)
class Row:
    """One data row: its line (CSV) or row number (XLSX) and its cells by column name."""

    line: int
    cells: dict[str, Any]


class Sheet:
    """Locates cells for error messages: `file:line`, and the field as `B7 (title)` or `title`."""

    def __init__(self, path: str, letters: dict[str, str] | None, name: str = "") -> None:
        self.path = path
        self.letters = letters
        self.name = name

    def problem(self, row: Row | None, column: str | None, message: str) -> ImportProblem:
        """An ImportProblem at a row and column."""
        line = row.line if row else None
        if column is None:
            return ImportProblem(self.path, line, message)
        field = f"{self.letters[column]}{line} ({column})" if self.letters and column in self.letters else column
        where = f"sheet {self.name!r}, {field}" if self.name else field
        return ImportProblem(self.path, line, f"{where}: {message}", field=field)


def neutralised(text: str) -> str:
    """Text safe in a spreadsheet cell: a `'` before a leading `=`, `+`, `-`, `@`, tab or CR (and before such a `'`)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def unneutralised(text: str) -> str:
    """The inverse of `neutralised`: the added `'` removed."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def header_name(raw: Any) -> str:
    """A header cell as a column name: lowercase, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", str(raw or "").strip().lower())


def looks_like_csv(text: str) -> bool:
    """True when the first line is a header with `title` and `start`, or a later row names them (layouts.py)."""
    lines = text.lstrip("\ufeff").split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    cells = [re.split(r"[,;\t]", line.replace('"', "")) for line in lines]
    return {"title", "start"} <= {header_name(cell) for cell in cells[0]} or (
        len(cells) > 1 and find_header(list(enumerate(cells, start=1))) is not None)


# ---------------------------------------------------------------- reading files


def parse_csv(text: str, *, path: str = "<text>", timezone: str = "Europe/Oslo", day: date | None = None) -> Event:
    """An event from agenda CSV text (`,`, `;` or tab separated)."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            rows.append((line, record))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportProblem(path, reader.line_num, f"not readable as CSV: {error}") from None
    if not rows:
        raise ImportProblem(path, 1, "the file is empty")
    header, records, sheet, header_line = read_table(rows, path, "", None)
    return table_to_event(header, records, sheet, timezone, day, header_line)


def parse_xlsx(data: bytes, *, path: str = "<bytes>", timezone: str = "Europe/Oslo", day: date | None = None) -> Event:
    """An event from an agenda workbook (its first sheet, or the one named `Agenda`)."""
    check_zip(data, path)
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it skips: nothing a person importing an agenda can act on.
        warnings.simplefilter("ignore")
        sheet_name, records = read_workbook(load_workbook, data, path)
    records = [(number, values) for number, values in records if any(value not in (None, "") for value in values)]
    if not records:
        raise ImportProblem(path, 1, "the workbook's sheet is empty")
    header, rows, table, header_line = read_table(records, path, sheet_name, get_column_letter)
    return table_to_event(header, rows, table, timezone, day, header_line)


def read_workbook(load_workbook: Callable[..., Any], data: bytes, path: str) -> tuple[str, list[tuple[int, list[Any]]]]:
    """The name and numbered rows of a workbook's agenda sheet (the one named `Agenda`, else the first)."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportProblem(path, None, f"not a readable XLSX workbook ({type(error).__name__}: {error})") from None
    try:
        sheet = workbook["Agenda"] if "Agenda" in workbook.sheetnames else workbook.worksheets[0]
        return sheet.title, [(number, list(values))
                             for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    except Exception as error:
        raise ImportProblem(path, None, f"not a readable XLSX workbook ({type(error).__name__}: {error})") from None
    finally:
        workbook.close()


def read_table(records: list[tuple[int, list[Any]]], path: str, sheet_name: str,
               letter: Callable[[int], str] | None) -> tuple[list[Any], list[tuple[int, list[Any]]], Sheet, int]:
    """Header, data rows, cell locator and header line: runofshow's columns, else another tool's (layouts.py)."""
    header_line, header = records[0]
    if not {"title", "start"} <= {header_name(cell) for cell in header}:
        index = find_header(records)
        if index is not None:
            line, names, rows, source = conference_table(records, index)
            letters = {name: (letter or _column_letter)(at + 1) for name, at in source.items() if at >= 0}
            return names, rows, Sheet(path, letters, sheet_name), line
    letters = {header_name(cell): letter(at) for at, cell in enumerate(header, start=1)} if letter else None
    return header, records[1:], Sheet(path, letters, sheet_name), header_line


def _column_letter(number: int) -> str:
    """The spreadsheet letter of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_zip(data: bytes, path: str) -> None:
    """Refuse a workbook that is no ZIP archive or unpacks to more than MAX_UNPACKED_BYTES (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise ImportProblem(path, None, f"not a readable XLSX workbook ({error})") from None
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED_BYTES:
        raise ImportProblem(
            path, None, f"refused: the workbook unpacks to {unpacked / 1024 / 1024:.0f} MB in {len(entries)} parts "
            f"(limit {MAX_UNPACKED_BYTES // 1024 // 1024} MB, {MAX_ZIP_ENTRIES} parts)",
        )


# ---------------------------------------------------------------- table -> event


def table_to_event(header: list[Any], records: Iterable[tuple[int, list[Any]]], sheet: Sheet, timezone: str,
                   day: date | None, header_line: int) -> Event:
    """The validated event from a header and data rows."""
    names = [header_name(cell) for cell in header]
    missing = [name for name in ("title", "start") if name not in names]
    if missing:
        where = f"sheet {sheet.name!r}, " if sheet.name else ""
        raise ImportProblem(sheet.path, header_line, f"{where}the header has no {' or '.join(missing)} column. "
                            f"Understood layouts: {UNDERSTOOD_LAYOUTS}", field=missing[0])
    most = block_limits()[1]
    rows: list[Row] = []
    for line, values in records:
        if any(value not in (None, "") for value in values):
            rows.append(Row(line, {name: value for name, value in zip(names, values) if name in COLUMNS}))
            if len(rows) > most:
                check_row_count(len(rows), sheet.path)
    if not rows:
        raise ImportProblem(sheet.path, header_line, "no rows under the header")
    document, positions = table_document(rows, sheet, timezone, day)
    try:
        return event_from_dict(document)
    except AgendaError as error:
        raise table_problem(error, document, positions, sheet) from None


def table_document(rows: list[Row], sheet: Sheet, timezone: str, day: date | None) -> tuple[dict[str, Any], dict[str, Row]]:
    """The native document the rows describe, and which row became which `stages[i].blocks[j]`."""
    event = {name: event_value(rows, name, sheet) for name in EVENT_COLUMNS}
    zone_name = str(event["event_timezone"] or timezone).strip()
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        row = next((row for row in rows if cell_text(row, "event_timezone")), None)
        raise sheet.problem(row, "event_timezone" if row else None, f"unknown time zone {zone_name!r}") from None
    days = day_list(event["event_days"], rows, sheet)
    stages: dict[str, dict[str, Any]] = {}
    positions: dict[str, Row] = {}
    taken = TakenIds()
    previous: dict[str, datetime] = {}
    for row in rows:
        stage_id = cell_text(row, "stage").strip() or DEFAULT_STAGE
        stage = stages.setdefault(stage_id, {"id": stage_id, "name": "", "blocks": []})
        stage["name"] = stage["name"] or cell_text(row, "stage_name")
        default_day = previous[stage_id].date() if stage_id in previous else (days[0] if days else day)
        block = row_block(row, sheet, zone, default_day, previous.get(stage_id), taken)
        previous[stage_id] = datetime.fromisoformat(block["start"])
        positions[f"stages[{list(stages).index(stage_id)}].blocks[{len(stage['blocks'])}]"] = row
        stage["blocks"].append(block)
    for stage in stages.values():
        stage["name"] = stage["name"] or stage["id"]
    starts = [datetime.fromisoformat(b["start"]).astimezone(zone).date() for s in stages.values() for b in s["blocks"]]
    document = {
        "title": str(event["event_title"] or "").strip() or default_title(sheet.path),
        "venue": str(event["event_venue"] or ""),
        "timezone": zone_name,
        "days": [d.isoformat() for d in (days or sorted(set(starts)))],
        "stages": list(stages.values()),
        "rooms": room_list(event["event_rooms"], rows, stages, sheet),
    }
    if not event["event_timezone"]:
        document["timezone_assumed"] = True
    return document, positions


def event_value(rows: list[Row], column: str, sheet: Sheet) -> Any:
    """The one value an event column has (from the first row that fills it); differing values are refused."""
    found: tuple[Row, Any] | None = None
    for row in rows:
        value = row.cells.get(column)
        value = unneutralised(value) if isinstance(value, str) else value
        if value in (None, ""):
            continue
        if found is None:
            found = (row, value)
        elif value != found[1]:
            raise sheet.problem(row, column, f"differs from line {found[0].line} ({found[1]!r}); "
                                "the event has one value")
    return found[1] if found else None


def day_list(raw: Any, rows: list[Row], sheet: Sheet) -> list[date]:
    """The event days from `event_days`: a JSON list or dates separated by `,` or `;`."""
    if raw in (None, ""):
        return []
    if isinstance(raw, (datetime, date)):
        return [raw.date() if isinstance(raw, datetime) else raw]
    text = str(raw).strip()
    row = next(row for row in rows if row.cells.get("event_days") not in (None, ""))
    items = json_cell(row, "event_days", sheet, list) if text.startswith("[") else re.split(r"[,;]\s*", text)
    try:
        return [date.fromisoformat(str(item).strip()) for item in items if str(item).strip()]
    except ValueError:
        raise sheet.problem(row, "event_days", f"{text!r}: expected ISO dates like 2024-05-06") from None


def room_list(raw: Any, rows: list[Row], stages: dict[str, dict[str, Any]], sheet: Sheet) -> list[Any]:
    """The rooms from `event_rooms` (JSON list, or ids separated by `;`), else every room a block names."""
    if raw not in (None, ""):
        row = next(row for row in rows if row.cells.get("event_rooms") not in (None, ""))
        if str(raw).strip().startswith("["):
            return json_cell(row, "event_rooms", sheet, list)
        return [{"id": item, "name": item} for item in split_names(str(raw))]
    used = dict.fromkeys(room for stage in stages.values() for block in stage["blocks"] for room in block["rooms"]
                         if isinstance(room, str))
    return [{"id": room, "name": room} for room in used]


def row_block(row: Row, sheet: Sheet, zone: ZoneInfo, default_day: date | None, previous: datetime | None,
              taken: TakenIds) -> dict[str, Any]:
    """One row as a native block dict."""
    title = cell_text(row, "title")
    if not title.strip():
        raise sheet.problem(row, "title", "empty: every block needs a title")
    start = start_of(row, sheet, zone, default_day, previous)
    block: dict[str, Any] = {
        "id": unique_id(cell_text(row, "id").strip() or slugify(title), taken),
        "title": title,
        "start": start.isoformat(),
        "duration_minutes": duration_of(row, sheet, start, zone),
    }
    for column in TEXT_COLUMNS & set(BLOCK_COLUMNS) - {"title", "stage_name"}:
        block[column] = cell_text(row, column)
    for column in ENUM_COLUMNS:
        value = cell_text(row, column).strip().lower().replace(" ", "_")
        if value:
            block[column] = value
    for column in NAME_LIST_COLUMNS:
        block[column] = name_list(row, column, sheet)
    for column in JSON_LIST_COLUMNS:
        block[column] = json_cell(row, column, sheet, list) if cell_text(row, column).strip() else []
    block["speakers"] = speakers_of(row, sheet)
    block["breakout"] = json_cell(row, "breakout", sheet, dict) if cell_text(row, "breakout").strip() else None
    for column in NUMBER_COLUMNS:
        block[column] = minutes_cell(row, column, sheet, required=False)
    for column in FLAG_COLUMNS:
        block[column] = cell_text(row, column).strip().lower() in FLAG_YES
    return block


def cell_text(row: Row, column: str) -> str:
    """A cell as text, the export's `'` removed; empty for a missing cell."""
    value = row.cells.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return unneutralised(value) if isinstance(value, str) else str(value)


def start_of(row: Row, sheet: Sheet, zone: ZoneInfo, default_day: date | None, previous: datetime | None) -> datetime:
    """The start: ISO date and time (local in the zone when it has no offset), or a clock time on the day."""
    value = row.cells.get("start")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, time):
        return on_day(value, row, sheet, zone, default_day, previous)
    text = cell_text(row, "start").strip()
    if not text:
        raise sheet.problem(row, "start", "empty: every block needs a start")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        clock = _CLOCK.match(text)
        if not clock:
            raise sheet.problem(row, "start", f"{text!r} is neither a date and time (2024-05-06T09:00+02:00) "
                                "nor a clock time (09:00)") from None
        return on_day(time(int(clock[1]), int(clock[2]), int(clock[3] or 0)), row, sheet, zone, default_day, previous)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def on_day(clock: time, row: Row, sheet: Sheet, zone: ZoneInfo, default_day: date | None,
           previous: datetime | None) -> datetime:
    """A clock time on the previous block's day (past midnight by `past_midnight`), else the first day."""
    if default_day is None:
        raise sheet.problem(row, "start", "a clock time without a date: give a full date and time, "
                            "an event_days column or --date")
    return past_midnight(datetime.combine(default_day, clock, tzinfo=zone), previous)


def duration_of(row: Row, sheet: Sheet, start: datetime, zone: ZoneInfo) -> int | float:
    """Minutes from `duration_minutes` (a number or H:MM), else from `end`; when both are given they must agree."""
    minutes = minutes_cell(row, "duration_minutes", sheet, required=False)
    value = row.cells.get("end")
    text = cell_text(row, "end").strip()
    if not isinstance(value, datetime) and not text:
        if minutes is None:
            raise sheet.problem(row, "duration_minutes", "empty, and no end either: give the length in minutes")
        return minutes
    end = value if isinstance(value, datetime) else parse_end(text, row, sheet, start)
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    span = whole((end - start).total_seconds() / 60)
    if minutes is not None and abs(minutes - span) > 1e-6:
        raise sheet.problem(row, "end", f"{text or value} is {span} minutes after the start, but duration_minutes "
                            f"is {minutes}; change both, or clear one")
    return span


def parse_end(text: str, row: Row, sheet: Sheet, start: datetime) -> datetime:
    """An end as an ISO date and time, or a clock time after the start (past midnight by `past_midnight`)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        clock = _CLOCK.match(text)
        if not clock:
            raise sheet.problem(row, "end", f"{text!r} is not a date and time or a clock time") from None
        return past_midnight(datetime.combine(start.date(), time(int(clock[1]), int(clock[2])), tzinfo=start.tzinfo),
                             start)


def minutes_cell(row: Row, column: str, sheet: Sheet, *, required: bool) -> int | float | None:
    """A number of minutes: a number, or text like `45`, `1:30`, `0:30:00` or `1h 30m` (`parse_duration`)."""
    value = row.cells.get(column)
    if isinstance(value, bool):
        raise sheet.problem(row, column, "expected a number of minutes, got true/false")
    if isinstance(value, (int, float)):
        return whole(float(value))
    if isinstance(value, time):
        return whole(value.hour * 60 + value.minute + value.second / 60)
    text = cell_text(row, column).strip()
    try:
        length = parse_duration(text, bare_minutes=True)
    except ValueError:
        raise sheet.problem(row, column, f"{text.replace(',', '.')!r} is not a number of minutes") from None
    if length is None:
        if required:
            raise sheet.problem(row, column, "empty")
        return None
    return whole(length / timedelta(minutes=1))


def whole(minutes: float) -> int | float:
    """Minutes as an int when whole."""
    return int(minutes) if minutes == int(minutes) else minutes


def json_cell(row: Row, column: str, sheet: Sheet, kind: type) -> Any:
    """A JSON list or object in a cell."""
    text = cell_text(row, column).strip()
    try:
        check_json_depth(text, sheet.path)
    except ImportProblem as error:
        raise sheet.problem(row, column, error.problem) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise sheet.problem(row, column, f"not valid JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(value, kind):
        expected = "a JSON list [...]" if kind is list else "a JSON object {...}"
        raise sheet.problem(row, column, f"expected {expected}, got {type(value).__name__}")
    return value


def name_list(row: Row, column: str, sheet: Sheet) -> list[Any]:
    """A list of names: JSON, or separated by `;` (`agenda.text.split_names`)."""
    text = cell_text(row, column).strip()
    if text.startswith("["):
        return json_cell(row, column, sheet, list)
    return split_names(text)


def speakers_of(row: Row, sheet: Sheet) -> list[Any]:
    """Speakers: a JSON list of objects, or names separated by `;`."""
    text = cell_text(row, "speakers").strip()
    if text.startswith("["):
        return json_cell(row, "speakers", sheet, list)
    return [{"name": name} for name in split_names(text)]


def table_problem(error: AgendaError, document: dict[str, Any], positions: dict[str, Row], sheet: Sheet) -> ImportProblem:
    """The model's complaint at the row and column it is about."""
    field, problem = located(error, document)
    for block, row in positions.items():
        if field is not None and (field == block or field.startswith(f"{block}.")):
            inner = field[len(block) + 1:]
            column = inner.split(".")[0].split("[")[0]
            rest = inner[len(column):]
            return sheet.problem(row, column if column in COLUMNS else None,
                                 f"{column}{rest}: {problem}" if rest else problem)
    if field and field.startswith("rooms"):
        row = next((row for row in positions.values() if row.cells.get("event_rooms") not in (None, "")), None)
        return sheet.problem(row, "event_rooms" if row else None, f"{field}: {problem}")
    return sheet.problem(None, None, f"{field}: {problem}" if field else problem)


def default_title(path: str) -> str:
    """A title from the file name."""
    return PurePath(path).stem.replace("_", " ").strip() or "Agenda"


__all__ = [
    "BLOCK_COLUMNS",
    "COLUMNS",
    "CSV_FORMAT",
    "EVENT_COLUMNS",
    "XLSX_FORMAT",
    "XLSX_MAGIC",
    "looks_like_csv",
    "neutralised",
    "parse_csv",
    "parse_xlsx",
    "unneutralised",
]
