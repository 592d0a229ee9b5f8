"""Spreadsheet layouts from other tools: a header row further down, column names in English, Norwegian or German.

`conference_table` finds the header row (the first of the first HEADER_SEARCH_ROWS rows that names a
title and a time), maps its column names through ALIASES to runofshow's columns, and rewrites the rows
into them: `date` + `time` become `start`, `place` the stage, `subtitle` goes before the description,
`speaker 1` ... `speaker N` become `speakers`, a `type` column gives the category by the conference
type table (annotate/rules.py). Without a length column, a block lasts until the next start
in the same place on the same day; the last of a day gets LAST_OF_DAY_MINUTES. Each such length is kept
as a `length` fact, so the import summary says where it came from.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from runofshow.agenda.text import ascii_fold, slugify
from runofshow.annotate import classify_conference_type

HEADER_SEARCH_ROWS = 20
LAST_OF_DAY_MINUTES = 30
# runofshow column (or `date`, `subtitle`, `speaker`) -> header names, compared folded to ASCII and lowercase.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "session", "talk", "tittel", "navn pa sesjon", "titel", "vortrag", "thema"),
    "start": ("start", "time", "start time", "begin", "from", "tid", "kl", "klokkeslett", "starttid", "fra",
              "zeit", "uhrzeit", "beginn", "von", "startzeit"),
    "date": ("date", "day", "dato", "dag", "datum", "tag"),
    "end": ("end", "end time", "to", "until", "slutt", "sluttid", "til", "ende", "endzeit", "bis"),
    "duration_minutes": ("duration", "length", "minutes", "lengde", "varighet", "minutter", "dauer", "lange",
                         "minuten"),
    "stage_name": ("place", "room", "location", "venue", "stage", "track", "sted", "rom", "sal", "scene", "lokale",
                   "ort", "raum", "saal", "buhne"),
    "subtitle": ("subtitle", "undertittel", "untertitel"),
    "description": ("description", "abstract", "summary", "beskrivelse", "sammendrag", "omtale", "beschreibung",
                    "zusammenfassung"),
    "speaker": ("speaker", "speakers", "presenter", "presenters", "foredragsholder", "foredragsholdere", "innleder",
                "innledere", "taler", "sprecher", "sprecherin", "referent", "referentin", "vortragende"),
    "category_label": ("type", "kind", "format", "category", "kategori", "typ", "art", "kategorie"),
}
_NUMBERED = re.compile(r"^(?P<name>.*?)[\s_#.-]*\d+$")


def alias_of(raw: Any) -> str | None:
    """The column a header cell names (`Speaker 3` is `speaker`), or None."""
    text = " ".join(re.sub(r"[_\-:/()]+", " ", ascii_fold(str(raw or "")).lower()).split())
    for candidate in (text, (_NUMBERED.match(text) or {"name": ""})["name"].strip()):  # type: ignore[index]
        for column, names in ALIASES.items():
            if candidate and candidate in names:
                return column
    return None


def find_header(records: list[tuple[int, list[Any]]]) -> int | None:
    """The index in `records` of the first row (among the first HEADER_SEARCH_ROWS) naming a title and a time."""
    for index, (_, values) in enumerate(records[:HEADER_SEARCH_ROWS]):
        columns = {alias_of(value) for value in values}
        if "title" in columns and "start" in columns:
            return index
    return None


def conference_table(records: list[tuple[int, list[Any]]],
                     header_index: int) -> tuple[int, list[str], list[tuple[int, list[Any]]], dict[str, int]]:
    """The header line, runofshow's column names, the rewritten rows and where each column came from (index)."""
    header_line, header = records[header_index]
    columns = [alias_of(value) for value in header]
    source = {column: index for index, column in reversed(list(enumerate(columns))) if column}
    source["stage"] = source.get("stage_name", -1)
    speaker_columns = [index for index, column in enumerate(columns) if column == "speaker"]
    if speaker_columns:
        source["speakers"] = speaker_columns[0]
    names = ["title", "start", "end", "duration_minutes", "stage", "stage_name", "description", "speakers",
             "category_label", "facts", "category"]
    rows = []
    for line, values in records[header_index + 1:]:
        if not any(value not in (None, "") for value in values):
            continue

        def cell(column: str, values: list[Any] = values) -> Any:
            index = source.get(column, -1)
            return values[index] if 0 <= index < len(values) else None

        place = _text(cell("stage_name"))
        description = "\n\n".join(part for part in (_text(cell("subtitle")), _text(cell("description"))) if part)
        speakers = "; ".join(_text(values[i]) for i in speaker_columns if i < len(values) and _text(values[i]))
        label = _text(cell("category_label"))
        category, fact = classify_conference_type(label, -1) if label else (None, None)
        facts = [{"kind": fact.kind, "value": fact.value, "source": fact.source, "rule": fact.rule}] if fact else []
        rows.append((line, [cell("title"), _start(cell("date"), cell("start")), cell("end"), cell("duration_minutes"),
                            slugify(place, 40) if place else None, place or None, description, speakers,
                            label or None, json.dumps(facts) if facts else None,
                            category.value if category else None]))
    if "duration_minutes" not in source and "end" not in source:
        _lengths_from_next_start(rows)
    return header_line, names, rows, source


def _text(value: Any) -> str:
    """A cell as trimmed text."""
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip()


def _start(day: Any, clock: Any) -> Any:
    """`date` and `time` cells as one start (ISO text without offset); the time cell alone without a date."""
    if isinstance(clock, datetime) and clock.date() != date(1899, 12, 30):
        return clock
    if isinstance(day, datetime):
        day = day.date()
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day.strip()[:10])
        except ValueError:
            day = _dotted_date(day)
    clock_value = clock.time() if isinstance(clock, datetime) else clock if isinstance(clock, time) else None
    if clock_value is None and isinstance(clock, str):
        match = re.match(r"^\s*(\d{1,2})[:.](\d{2})", clock)
        clock_value = time(int(match[1]), int(match[2])) if match else None
    if isinstance(day, date) and clock_value is not None:
        return datetime.combine(day, clock_value).isoformat(timespec="minutes")
    return clock


def _dotted_date(text: str) -> date | None:
    """A date written `3.3.2025` or `03.03.2025`, else None."""
    match = re.match(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$", text)
    try:
        return date(int(match[3]), int(match[2]), int(match[1])) if match else None
    except ValueError:
        return None


def _lengths_from_next_start(rows: list[tuple[int, list[Any]]]) -> None:
    """Fill in lengths: until the next start in the same place on the same day, else LAST_OF_DAY_MINUTES."""
    starts: list[tuple[int, str, datetime]] = []
    for index, (_, values) in enumerate(rows):
        start = _as_datetime(values[1])
        if start is not None:
            starts.append((index, str(values[4] or ""), start))
    for index, place, start in starts:
        later = [other for i, p, other in starts if p == place and other.date() == start.date() and other > start]
        values = rows[index][1]
        if later:
            minutes = int((min(later) - start) / timedelta(minutes=1))
            fact = {"kind": "length", "value": f"{minutes} min", "rule": "spreadsheet.next-start",
                    "source": "no length column: until the next start in the same place"}
        else:
            minutes = LAST_OF_DAY_MINUTES
            fact = {"kind": "length", "value": f"{minutes} min", "rule": "spreadsheet.last-of-day",
                    "source": f"no length column: the last block of the day gets {LAST_OF_DAY_MINUTES} minutes"}
        values[3] = minutes
        values[9] = json.dumps(json.loads(values[9] or "[]") + [fact], ensure_ascii=False)


def _as_datetime(value: Any) -> datetime | None:
    """A start cell as a naive datetime (a bare clock time on a placeholder day), or None."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, time):
        return datetime.combine(date(2000, 1, 1), value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            match = re.match(r"^\s*(\d{1,2})[:.](\d{2})\s*$", value)
            return datetime(2000, 1, 1, int(match[1]), int(match[2])) if match else None
    return None


__all__ = ["ALIASES", "HEADER_SEARCH_ROWS", "LAST_OF_DAY_MINUTES", "alias_of", "conference_table", "find_header"]
