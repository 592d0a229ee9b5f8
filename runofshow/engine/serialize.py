"""Snapshots as JSON-ready dicts: instants as ISO text plus *_ms epoch milliseconds, durations as *_ms."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

from runofshow.engine.snapshot import Snapshot

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MILLISECOND = timedelta(milliseconds=1)
RENAMED = {"from_plan": "from", "to_plan": "to"}
SCALARS = frozenset({str, int, float, bool})

_FieldKinds = tuple[tuple[str, str, str], ...]
_field_kinds: dict[type, _FieldKinds] = {}


def epoch_ms(instant: datetime) -> int:
    """Milliseconds since the Unix epoch, rounded down."""
    return (instant - EPOCH) // MILLISECOND


def duration_ms(duration: timedelta) -> int:
    """A duration in whole milliseconds, rounded to nearest."""
    return round(duration / MILLISECOND)


def _kinds(cls: type) -> _FieldKinds:
    """(field name, output key, kind) per field of a snapshot dataclass; kind is instant, duration or plain."""
    kinds = _field_kinds.get(cls)
    if kinds is None:
        rows = []
        for item in dataclasses.fields(cls):
            annotation = str(item.type)
            kind = "duration" if "timedelta" in annotation else "instant" if "datetime" in annotation else "plain"
            rows.append((item.name, RENAMED.get(item.name, item.name), kind))
        kinds = _field_kinds[cls] = tuple(rows)
    return kinds


def _to_json(value: Any) -> Any:
    """A snapshot value as JSON-ready data."""
    if hasattr(type(value), "__dataclass_fields__"):
        out: dict[str, Any] = {}
        for name, key, kind in _kinds(type(value)):
            item = getattr(value, name)
            if kind == "instant":
                out[key] = None if item is None else item.isoformat()
                out[f"{key}_ms"] = None if item is None else epoch_ms(item)
            elif kind == "duration":
                out[f"{key}_ms"] = None if item is None else duration_ms(item)
            elif item is None or type(item) in SCALARS:
                out[key] = item
            elif isinstance(item, Enum):
                out[key] = item._value_
            else:
                out[key] = _to_json(item)
        return out
    if isinstance(value, Enum):
        return value._value_
    if isinstance(value, (tuple, list)):
        return [_to_json(item) for item in value]
    return value


def snapshot_to_dict(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as a JSON-ready dict."""
    result: dict[str, Any] = _to_json(snap)
    return result
