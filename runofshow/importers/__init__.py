"""Agenda importers: `load_agenda` reads a file in any known format and returns a validated Event."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from runofshow.agenda import Event
from runofshow.importers.errors import ImportProblem
from runofshow.importers.sessionplan import (
    FORMAT_NAME as SESSIONPLAN,
    load_sessionplan,
    looks_like_sessionplan,
    parse_sessionplan,
    read_export,
)

FORMATS = (SESSIONPLAN,)


def detect_format(text: str) -> str | None:
    """The name of the format text is in, or None when no importer recognises it."""
    if looks_like_sessionplan(text):
        return SESSIONPLAN
    return None


def load_agenda(
    path: Path | str,
    *,
    format: str | None = None,
    timezone: str = "Europe/Oslo",
    day: date | None = None,
    venue: str = "",
) -> Event:
    """An event from an agenda file, its format detected unless given; ImportProblem on any fault."""
    name = str(path)
    if format is not None and format not in FORMATS:
        raise ImportProblem(name, None, f"unknown format {format!r} (known: {', '.join(FORMATS)})", field="format")
    text = read_export(path)
    chosen = format or detect_format(text)
    if chosen is None:
        raise ImportProblem(
            name, None, f"not a known agenda format (known: {', '.join(FORMATS)})", field="format"
        )
    return parse_sessionplan(text, path=name, timezone=timezone, day=day, venue=venue)


__all__ = ["FORMATS", "ImportProblem", "detect_format", "load_agenda", "load_sessionplan", "parse_sessionplan"]
