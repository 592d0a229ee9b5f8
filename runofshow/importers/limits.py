"""What an agenda file may hold: nesting depth (checked before any parser sees the text) and numbers of blocks.

The depth scans are linear, never recursive, and stop at the first level past the limit, so a file nested
100,000 deep is refused in milliseconds instead of ending in a RecursionError (or minutes of YAML scanning).
"""

from __future__ import annotations

import re

from runofshow.agenda.model import Event
from runofshow.importers.errors import ImportProblem
from runofshow.settings import current_value, setting

MAX_DEPTH = 32
"""Deepest nesting of objects and lists (JSON, YAML) or elements (XML) an agenda file may have; the deepest
format runofshow reads (C3VOC schedule.json) needs 8."""

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_XML_SKIPPED = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![A-Za-z][^>]*>", re.DOTALL)
_XML_TAG = re.compile(r"<(/?)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
_YAML_QUOTED = re.compile(r"\"[^\"\\]*(?:\\.[^\"\\]*)*\"|'[^']*(?:''[^']*)*'")
_YAML_COMMENT = re.compile(r"(?:^|\s)#.*$")
_YAML_DASHES = re.compile(r"(?:-[ \t]+)+")
_YAML_BLOCK_SCALAR = re.compile(r"[|>][0-9+-]*$")
_YAML_FLOW_VALUE = re.compile(r"^(?:[^\s\[\]{}][^:\[\]{}]*:[ \t]+)?[\[{]")


def too_deep(path: str, depth_kind: str) -> ImportProblem:
    """The refusal of a file nested deeper than MAX_DEPTH."""
    return ImportProblem(path, None, f"{depth_kind} nested more than {MAX_DEPTH} levels deep (the limit is "
                         f"{MAX_DEPTH}); no agenda needs that many")


def json_deeper_than(text: str, limit: int) -> bool:
    """True when the JSON text nests objects and arrays deeper than `limit` (brackets inside strings ignored)."""
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def check_json_depth(text: str, path: str) -> None:
    """ImportProblem when the JSON text nests objects and arrays deeper than MAX_DEPTH (strings ignored)."""
    if json_deeper_than(text, MAX_DEPTH):
        raise too_deep(path, "JSON")


def check_xml_depth(text: str, path: str) -> None:
    """ImportProblem when the XML text nests elements deeper than MAX_DEPTH (comments, CDATA and declarations ignored)."""
    depth = 0
    for tag in _XML_TAG.finditer(_XML_SKIPPED.sub("", text)):
        if tag[1]:
            depth -= 1
        elif not tag[2]:
            depth += 1
            if depth > MAX_DEPTH:
                raise too_deep(path, "XML")


def check_nesting(text: str, path: str) -> None:
    """ImportProblem when a JSON or XML text (by its first character) nests too deep: before detecting its format,
    which parses JSON."""
    first = text.lstrip("\ufeff \t\r\n")[:1]
    if first in ("{", "["):
        check_json_depth(text, path)
    elif first == "<":
        check_xml_depth(text, path)


def check_yaml_depth(text: str, path: str) -> None:
    """ImportProblem when the YAML text nests deeper than MAX_DEPTH: indentation levels, `- ` items on one line
    and flow collections (`[`, `{`) together; block scalars (`|`, `>`) and quoted text are not counted."""
    indents: list[int] = []
    flow = 0
    scalar_indent: int | None = None
    for raw in text.splitlines():
        content = raw.lstrip(" ")
        indent = len(raw) - len(content)
        if not content.strip():
            continue
        if scalar_indent is not None:
            if indent > scalar_indent:
                continue
            scalar_indent = None
        line = _YAML_COMMENT.sub("", _YAML_QUOTED.sub("''", content)).rstrip()
        if flow == 0:
            while indents and indents[-1] >= indent:
                indents.pop()
            indents.append(indent)
            dashes = _YAML_DASHES.match(line + " ")
            items = dashes[0].count("-") if dashes else 0
            rest = line[dashes.end():] if dashes else line
            if _YAML_BLOCK_SCALAR.search(rest):
                scalar_indent = indent
            if not _YAML_FLOW_VALUE.match(rest):
                if len(indents) + items > MAX_DEPTH:
                    raise too_deep(path, "YAML")
                continue
            line = rest
        else:
            items = 0
        for character in _NOT_BRACKET.sub("", line):
            if character in "[{":
                flow += 1
                if len(indents) + items + flow > MAX_DEPTH:
                    raise too_deep(path, "YAML")
            elif character in "]}":
                flow = max(flow - 1, 0)


def block_limits() -> tuple[int, int]:
    """(blocks per stage, blocks per event) an import may hold, from the settings."""
    return int(current_value("MAX_BLOCKS_PER_STAGE")), int(current_value("MAX_BLOCKS_PER_EVENT"))


def check_row_count(rows: int, path: str) -> None:
    """ImportProblem when a file has more rows than an event may have blocks (before building any of them)."""
    per_event = block_limits()[1]
    if rows > per_event:
        raise ImportProblem(path, None, f"{rows} rows, more than the {per_event} blocks an event may have "
                            f"({setting('MAX_BLOCKS_PER_EVENT').env_var})")


def check_block_counts(event: Event, path: str) -> Event:
    """The event, or ImportProblem when a stage or the event has more blocks than the settings allow."""
    per_stage, per_event = block_limits()
    for stage in event.stages:
        if len(stage.blocks) > per_stage:
            raise ImportProblem(path, None, f"stage {stage.id!r} has {len(stage.blocks)} blocks, more than the "
                                f"{per_stage} a stage may have ({setting('MAX_BLOCKS_PER_STAGE').env_var})",
                                stage_id=stage.id)
    total = sum(len(stage.blocks) for stage in event.stages)
    if total > per_event:
        raise ImportProblem(path, None, f"{total} blocks, more than the {per_event} an event may have "
                            f"({setting('MAX_BLOCKS_PER_EVENT').env_var})")
    return event


__all__ = ["MAX_DEPTH", "block_limits", "check_block_counts", "check_json_depth", "check_nesting", "check_row_count",
           "check_xml_depth", "check_yaml_depth"]
