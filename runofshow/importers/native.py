"""Importer for the native document, as JSON or as YAML a person can write by hand.

The document is the one `agenda_json.event_to_dict` writes (see docs/formats.md). A hand-written
file may leave out what has a default, and may also:

* give a block's `end` instead of `duration_minutes`;
* give `start`/`end` without a UTC offset (`2024-05-06 09:00`): local time in `timezone`;
* leave out `date` and `days`: the days are then the dates the blocks start on.

YAML is read with YAML 1.2 scalars: `off`, `no` and `yes` stay strings, `9:00` is not a number and
dates stay text, so `stream: off` means what it says. Anchors and aliases are allowed, at most
MAX_ALIASES of them (a "billion laughs" document is refused).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from runofshow.agenda.model import EVENT, AgendaError, Event
from runofshow.agenda.document import ROOT, event_from_dict, field_error
from runofshow.importers.errors import ImportProblem
from runofshow.importers.limits import check_json_depth, check_yaml_depth

YAML_FORMAT = "yaml"
JSON_FORMAT = "json"
MAX_ALIASES = 1000

_PATH_PART = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")
_YAML_HINT = re.compile(r"^(?:format:\s*['\"]?runofshow\b|stages:\s*$)", re.MULTILINE)


class NativeLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars: only true/false are booleans, no dates, no sexagesimals."""


NativeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp",
    )]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
NativeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
NativeLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
NativeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


def looks_like_native(text: str) -> str | None:
    """"json" or "yaml" when text is a native document (any JSON object that is no C3VOC schedule), else None."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return JSON_FORMAT  # any other JSON object is read as a native document, whose faults name the field
    return YAML_FORMAT if _YAML_HINT.search(text[:65536]) else None


def parse_native_json(text: str, *, path: str = "<text>", timezone: str = "Europe/Oslo") -> Event:
    """An event from the native JSON document; ImportProblem names the line or field at fault."""
    check_json_depth(text, path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(path, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})") from None
    return event_from_native(data, path=path, timezone=timezone)


def parse_native_yaml(text: str, *, path: str = "<text>", timezone: str = "Europe/Oslo") -> Event:
    """An event from a native YAML document; ImportProblem names the line and field at fault."""
    root = compose_yaml(text, path)
    try:
        data = yaml.load(text, Loader=NativeLoader)  # noqa: S506 - NativeLoader is a SafeLoader
    except yaml.YAMLError as error:  # pragma: no cover - compose_yaml has already parsed it
        raise ImportProblem(path, None, f"not valid YAML: {error}") from None
    return event_from_native(data, path=path, timezone=timezone, lines=lambda field: yaml_line(root, field))


def compose_yaml(text: str, path: str) -> yaml.Node | None:
    """The YAML node tree (for line numbers), refusing files nested too deep, syntax errors and alias bombs."""
    check_yaml_depth(text, path)
    try:
        aliases = sum(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=NativeLoader))
        if aliases > MAX_ALIASES:
            raise ImportProblem(path, None, f"{aliases} YAML aliases, more than the {MAX_ALIASES} allowed")
        return yaml.compose(text, Loader=NativeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise ImportProblem(path, line, f"not valid YAML: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ImportProblem(path, None, f"not valid YAML: {error}") from None


def yaml_line(root: yaml.Node | None, field: str) -> int | None:
    """The 1-based line of the node at a field path like `stages[0].blocks[2].start` (or of its nearest parent)."""
    node = root
    for key, index in _PATH_PART.findall("." + field if field and not field.startswith("[") else field):
        if isinstance(node, yaml.MappingNode) and key:
            found = next((value for name, value in node.value if getattr(name, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and index and int(index) < len(node.value):
            found = node.value[int(index)]
        else:
            found = None
        if found is None:
            break
        node = found
    return node.start_mark.line + 1 if node is not None else None


def event_from_native(
    data: Any, *, path: str, timezone: str = "Europe/Oslo", lines: Any = None
) -> Event:
    """The validated event from a parsed native document, hand-written shortcuts filled in."""
    if not isinstance(data, dict):
        raise ImportProblem(path, 1, f"expected a mapping of event fields at the top, got {type(data).__name__}")
    if "format" not in data and "stages" not in data:
        raise ImportProblem(path, 1, "neither a runofshow agenda (no `format` or `stages`) nor a C3VOC schedule "
                            "(no `schedule`)", field="stages")
    if data.get("format", "runofshow") != "runofshow":
        raise ImportProblem(path, lines("format") if lines else None,
                            f"format is {data.get('format')!r}, expected 'runofshow'", field="format")
    try:
        return event_from_dict(completed(data, timezone))
    except AgendaError as error:  # from completed() too
        raise problem_from_agenda_error(error, path, data, lines) from None


def completed(data: dict[str, Any], timezone: str) -> dict[str, Any]:
    """A copy of the document with durations, offsets and days filled in where a person left them out."""
    document = dict(data)
    zone_name = document.get("timezone") if isinstance(document.get("timezone"), str) else timezone
    if "timezone" not in document:
        document["timezone"], document["timezone_assumed"] = zone_name, True
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return document  # event_from_dict names the bad zone
    stages = document.get("stages")
    if isinstance(stages, list):
        document["stages"] = [completed_stage(stage, zone, f"{ROOT}.stages[{i}]") for i, stage in enumerate(stages)]
    if document.get("days") is None and document.get("date") is None:
        document["days"] = block_days(document["stages"] if isinstance(stages, list) else [])
    return document


def completed_stage(stage: Any, zone: ZoneInfo, path: str) -> Any:
    """A stage with each block's shortcuts filled in."""
    if not isinstance(stage, dict) or not isinstance(stage.get("blocks"), list):
        return stage
    return {**stage, "blocks": [completed_block(block, zone, f"{path}.blocks[{j}]")
                                for j, block in enumerate(stage["blocks"])]}


def completed_block(block: Any, zone: ZoneInfo, path: str) -> Any:
    """A block with local times given an offset, and its duration from its end (which must agree when both are given)."""
    if not isinstance(block, dict):
        return block
    result = dict(block)
    for key in ("start", "end"):
        if key in result:
            result[key] = with_offset(result[key], zone)
    span = end_minus_start(result)
    if span is None:
        return result
    duration = result.get("duration_minutes")
    if duration is None:
        result["duration_minutes"] = minutes_value(span)
    elif isinstance(duration, (int, float)) and not isinstance(duration, bool) and abs(duration - span) > 1e-6:
        raise field_error(f"{path}.end", f"{result['end']} is {minutes_value(span)} minutes after the start, "
                          f"but duration_minutes is {duration}; change both, or remove one")
    return result


def end_minus_start(block: dict[str, Any]) -> float | None:
    """Minutes from start to end when both are aware ISO date-times, else None."""
    try:
        start, end = datetime.fromisoformat(block["start"]), datetime.fromisoformat(block["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if start.tzinfo is None or end.tzinfo is None:
        return None
    return (end - start).total_seconds() / 60


def with_offset(value: Any, zone: ZoneInfo) -> Any:
    """An ISO date-time string given the zone's offset when it has none; anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return parsed.replace(tzinfo=zone).isoformat() if parsed.tzinfo is None else value


def minutes_value(minutes: float) -> int | float:
    """Minutes as an int when whole."""
    return int(minutes) if minutes == int(minutes) else minutes


def block_days(stages: list[Any]) -> list[str]:
    """The sorted dates blocks start on, as ISO strings."""
    days: set[str] = set()
    for stage in stages:
        for block in stage.get("blocks", []) if isinstance(stage, dict) and isinstance(stage.get("blocks"), list) else []:
            if isinstance(block, dict) and isinstance(block.get("start"), str):
                try:
                    days.add(datetime.fromisoformat(block["start"]).date().isoformat())
                except ValueError:
                    continue
    return sorted(days)


def problem_from_agenda_error(error: AgendaError, path: str, data: Any, lines: Any = None) -> ImportProblem:
    """The model's complaint as an ImportProblem naming the field path (and line, when known)."""
    field, problem = located(error, data)
    line = lines(field) if lines and field else None
    return ImportProblem(path, line, f"{field}: {problem}" if field else problem, field=field,
                         stage_id=error.stage_id, block_id=error.block_id)


def located(error: AgendaError, data: Any) -> tuple[str | None, str]:
    """The document path an AgendaError is about (a refused block, a bad value; none for the event) and what to say."""
    if error.block_id is not None:
        return block_path(data, error.stage_id, error.block_id), str(error)
    if error.where == EVENT:
        return None, error.problem
    return error.field, error.problem if error.field else str(error)


def block_path(data: Any, stage_id: str | None, block_id: str) -> str | None:
    """`stages[i].blocks[j]` of the block with these ids in the raw document, or None."""
    stages = data.get("stages") if isinstance(data, dict) else None
    for i, stage in enumerate(stages if isinstance(stages, list) else []):
        if isinstance(stage, dict) and stage.get("id") == stage_id and isinstance(stage.get("blocks"), list):
            for j, block in enumerate(stage["blocks"]):
                if isinstance(block, dict) and block.get("id") == block_id:
                    return f"stages[{i}].blocks[{j}]"
    return None


__all__ = [
    "JSON_FORMAT",
    "YAML_FORMAT",
    "event_from_native",
    "looks_like_native",
    "parse_native_json",
    "parse_native_yaml",
    "located",
    "problem_from_agenda_error",
]
