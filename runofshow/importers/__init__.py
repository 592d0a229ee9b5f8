"""Agenda importers: `load_agenda` reads a file in any known format and returns a validated Event."""

from __future__ import annotations

import codecs
from datetime import date
from dataclasses import replace
from pathlib import Path

from runofshow.agenda.model import Event
from runofshow.agenda.text import MAX_BYTES
from runofshow.importers.c3voc import (
    JSON_FORMAT as C3VOC_JSON,
    XML_FORMAT as C3VOC_XML,
    looks_like_c3voc_json,
    looks_like_c3voc_xml,
    parse_c3voc_json,
    parse_c3voc_xml,
)
from runofshow.importers.c3voc2 import FORMAT_NAME as C3VOC2_JSON, looks_like_c3voc2_json, parse_c3voc2_json
from runofshow.importers.common import read_limited
from runofshow.importers.remote import fetch, is_url
from runofshow.importers.errors import ImportProblem
from runofshow.importers.limits import check_block_counts, check_nesting
from runofshow.importers.native import (
    JSON_FORMAT as NATIVE_JSON,
    YAML_FORMAT as NATIVE_YAML,
    looks_like_native,
    parse_native_json,
    parse_native_yaml,
)
from runofshow.importers.sessionplan import (
    FORMAT_NAME as SESSIONPLAN,
    decoded,
    load_sessionplan,
    looks_like_sessionplan,
    parse_sessionplan,
    read_export,
)
from runofshow.importers.spreadsheet import (
    CSV_FORMAT,
    XLSX_FORMAT,
    XLSX_MAGIC,
    looks_like_csv,
    parse_csv,
    parse_xlsx,
)

DEFAULT_TIMEZONE = "Europe/Oslo"
FORMATS = (SESSIONPLAN, C3VOC_JSON, C3VOC2_JSON, C3VOC_XML, NATIVE_YAML, NATIVE_JSON, CSV_FORMAT, XLSX_FORMAT)
_SUFFIX_FORMATS = {".xlsx": XLSX_FORMAT, ".csv": CSV_FORMAT, ".yaml": NATIVE_YAML, ".yml": NATIVE_YAML,
                   ".xml": C3VOC_XML}


def detect_format(text: str) -> str | None:
    """The name of the format text is in, or None when no importer recognises it."""
    if looks_like_c3voc2_json(text):  # before schedule.json: both have `schedule` and `conference`
        return C3VOC2_JSON
    if looks_like_c3voc_json(text):
        return C3VOC_JSON
    if looks_like_c3voc_xml(text):
        return C3VOC_XML
    native = looks_like_native(text)
    if native:
        return native
    if looks_like_sessionplan(text):
        return SESSIONPLAN
    if looks_like_csv(text):
        return CSV_FORMAT
    return None


def read_bytes(path: Path | str) -> bytes:
    """The bytes of an agenda file, at most MAX_BYTES; ImportProblem for a missing, huge or empty file."""
    data, size = read_limited(path)
    if size > MAX_BYTES or not data.strip():
        decoded(data, str(path), size)  # raises the size or emptiness problem, with the line the limit is passed on
    return data


def text_of(data: bytes, name: str) -> str:
    """UTF-8 text (UTF-16 too, when it starts with its byte-order mark); ImportProblem for anything else."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportProblem(name, None, f"broken UTF-16 text at byte {error.start}") from None
    return decoded(data, name)


def parse_agenda(
    data: bytes,
    *,
    path: str = "<bytes>",
    format: str | None = None,
    timezone: str | None = None,
    day: date | None = None,
    venue: str = "",
) -> Event:
    """An event from the bytes of an agenda file, its format detected unless given; ImportProblem on any fault.

    Without `timezone`, times the file gives no zone for are read in DEFAULT_TIMEZONE and the importer marks
    the event `timezone_assumed`; a zone the person chose is never marked assumed.
    """
    event, _ = _parsed(data, path, format, timezone or DEFAULT_TIMEZONE, day, venue)
    check_block_counts(event, path)
    return replace(event, timezone_assumed=False) if timezone is not None and event.timezone_assumed else event


def _parsed(data: bytes, path: str, format: str | None, timezone: str, day: date | None,
            venue: str) -> tuple[Event, str]:
    """The event, parsed by the importer of its (given or detected) format, and that format."""
    if format is not None and format not in FORMATS:
        raise ImportProblem(path, None, f"unknown format {format!r} (known: {', '.join(FORMATS)})", field="format")
    if format == XLSX_FORMAT or (format is None and data.startswith(XLSX_MAGIC)):
        return parse_xlsx(data, path=path, timezone=timezone, day=day), XLSX_FORMAT
    text = text_of(data, path)
    check_nesting(text, path)
    chosen = format or detect_format(text) or _SUFFIX_FORMATS.get(Path(path).suffix.lower())
    if chosen is None:
        raise ImportProblem(path, None, f"not a known agenda format (known: {', '.join(FORMATS)})", field="format")
    if chosen == SESSIONPLAN:
        return parse_sessionplan(text, path=path, timezone=timezone, day=day, venue=venue), chosen
    if chosen == CSV_FORMAT:
        return parse_csv(text, path=path, timezone=timezone, day=day), chosen
    if chosen == XLSX_FORMAT:  # pragma: no cover - handled above
        return parse_xlsx(data, path=path, timezone=timezone, day=day), chosen
    parsers = {C3VOC_JSON: parse_c3voc_json, C3VOC2_JSON: parse_c3voc2_json, C3VOC_XML: parse_c3voc_xml,
               NATIVE_YAML: parse_native_yaml, NATIVE_JSON: parse_native_json}
    return parsers[chosen](text, path=path, timezone=timezone), chosen


def load_agenda(
    path: Path | str,
    *,
    format: str | None = None,
    timezone: str | None = None,
    day: date | None = None,
    venue: str = "",
) -> Event:
    """An event from an agenda file or an http(s) address, its format detected unless given; ImportProblem on faults."""
    name = str(path)
    if format is not None and format not in FORMATS:
        raise ImportProblem(name, None, f"unknown format {format!r} (known: {', '.join(FORMATS)})", field="format")
    data = fetch(name) if isinstance(path, str) and is_url(path) else read_bytes(path)
    event = parse_agenda(data, path=name, format=format, timezone=timezone, day=day, venue=venue)
    return event if event.source else replace(event, source=name)


__all__ = [
    "DEFAULT_TIMEZONE",
    "FORMATS",
    "ImportProblem",
    "detect_format",
    "load_agenda",
    "load_sessionplan",
    "parse_agenda",
    "parse_sessionplan",
    "read_bytes",
    "read_export",
]
