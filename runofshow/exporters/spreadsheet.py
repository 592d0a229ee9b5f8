"""Exporter to agenda spreadsheets, CSV and XLSX, in the documented column set; safe to open in a spreadsheet.

Every text cell that a spreadsheet could take for a formula (it starts with `=`, `+`, `-`, `@`, tab
or CR) gets a leading `'`; the importer removes it again, so the round trip is exact. XLSX text
cells are also written as plain strings, never formulas.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from runofshow.agenda.model import Event
from runofshow.agenda.document import event_to_dict
from runofshow.importers.spreadsheet import (
    COLUMNS,
    FLAG_COLUMNS,
    JSON_LIST_COLUMNS,
    NAME_LIST_COLUMNS,
    NUMBER_COLUMNS,
    neutralised,
)

SHEET_TITLE = "Agenda"
_WIDTHS = {"title": 40, "description": 50, "notes": 50, "start": 26, "end": 26, "stage_name": 16, "id": 24}


def table_rows(event: Event) -> list[list[Any]]:
    """The header and one row per block: text neutralised, numbers as numbers, lists and objects as JSON."""
    document = event_to_dict(event)
    rows: list[list[Any]] = [list(COLUMNS)]
    for stage in document["stages"]:
        for block in stage["blocks"]:
            cells = {**block, "stage": stage["id"], "stage_name": stage["name"]}
            if len(rows) == 1:
                cells.update(event_cells(document))
            rows.append([cell_value(column, cells.get(column)) for column in COLUMNS])
    return rows


def event_cells(document: dict[str, Any]) -> dict[str, Any]:
    """The event's own fields, for the first row."""
    return {
        "event_title": document["title"],
        "event_venue": document["venue"],
        "event_timezone": "" if document.get("timezone_assumed") else document["timezone"],
        "event_days": compact_json(document["days"]),
        "event_rooms": compact_json(document["rooms"]),
    }


def compact_json(value: Any) -> str:
    """JSON on one line, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def cell_value(column: str, value: Any) -> Any:
    """One cell: None for nothing, numbers unchanged, lists and objects as JSON, text neutralised."""
    if value is None:
        return None
    if column in NUMBER_COLUMNS or column == "duration_minutes":
        return value
    if column in FLAG_COLUMNS:
        return "yes" if value else None
    if column in NAME_LIST_COLUMNS | JSON_LIST_COLUMNS | {"speakers"}:
        return compact_json(value) if value else None
    if isinstance(value, (dict, list)):
        return compact_json(value)
    return neutralised(str(value)) if value != "" else None


def to_csv(event: Event) -> str:
    """The event as CSV (comma separated, every cell quoted; write it as UTF-8 with a byte-order mark for Excel)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in table_rows(event):
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def to_csv_bytes(event: Event) -> bytes:
    """The CSV as UTF-8 with a byte-order mark (so Excel reads it as UTF-8)."""
    return to_csv(event).encode("utf-8-sig")


def to_xlsx(event: Event) -> bytes:
    """The event as an XLSX workbook with one sheet, `Agenda`."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for row_number, row in enumerate(table_rows(event), start=1):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # a string, never a formula
                cell.alignment = Alignment(wrap_text="\n" in value, vertical="top")
            else:
                cell.value = value
    for column_number, name in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=column_number).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column_number)].width = _WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["table_rows", "to_csv", "to_csv_bytes", "to_xlsx"]
