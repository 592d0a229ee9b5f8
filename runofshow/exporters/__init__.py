"""Agenda exporters: `export_event` writes an event in any export format, as bytes ready for a file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from runofshow.agenda.model import Event

EXPORT_FORMATS = ("c3voc-json", "c3voc2-json", "c3voc-xml", "yaml", "json", "csv", "xlsx", "ics")
BINARY_FORMATS = frozenset({"xlsx"})
SUFFIXES = {"c3voc-json": ".json", "c3voc2-json": ".json", "c3voc-xml": ".xml", "yaml": ".yaml", "json": ".json",
            "csv": ".csv", "xlsx": ".xlsx", "ics": ".ics"}


def export_event(
    event: Event,
    format: str,
    *,
    stamp: datetime | None = None,
    projected: Mapping[str, tuple[datetime, datetime]] | None = None,
) -> bytes:
    """The event in an export format; `stamp` (DTSTAMP) and `projected` times are for ics only."""
    from runofshow.exporters.c3voc import to_schedule_json, to_schedule_xml  # imported when used: a fast CLI start
    from runofshow.exporters.c3voc2 import to_schedule2_json
    from runofshow.exporters.ical import to_ics
    from runofshow.exporters.native import to_json, to_yaml
    from runofshow.exporters.spreadsheet import to_csv_bytes, to_xlsx

    if format == "ics":
        if stamp is None:
            raise ValueError("ics export needs stamp, the instant of the export")
        return to_ics(event, stamp=stamp, projected=projected)
    writers = {
        "c3voc-json": lambda: to_schedule_json(event).encode("utf-8"),
        "c3voc2-json": lambda: to_schedule2_json(event).encode("utf-8"),
        "c3voc-xml": lambda: to_schedule_xml(event).encode("utf-8"),
        "yaml": lambda: to_yaml(event).encode("utf-8"),
        "json": lambda: to_json(event).encode("utf-8"),
        "csv": lambda: to_csv_bytes(event),
        "xlsx": lambda: to_xlsx(event),
    }
    if format not in writers:
        raise ValueError(f"unknown export format {format!r} (known: {', '.join(EXPORT_FORMATS)})")
    return writers[format]()


__all__ = ["BINARY_FORMATS", "EXPORT_FORMATS", "SUFFIXES", "export_event"]
