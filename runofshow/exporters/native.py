"""Exporter of the native document: JSON as `event_to_dict` writes it, and the same as readable YAML."""

from __future__ import annotations

import json
from typing import Any

import yaml

from runofshow.agenda.model import Event
from runofshow.agenda.document import event_to_dict

_YAML_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
YAML_HEADER = "# runofshow agenda: edit freely; the fields are described in docs/formats.md\n"


class _NativeDumper(yaml.SafeDumper):
    """SafeDumper that writes text with line breaks as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Multi-line text as a `|` block (when YAML can keep it exactly), else a plain or quoted scalar."""
    if any(char in value for char in _YAML_BREAKS):
        style: str | None = '"'  # escaped: YAML would read these as line breaks
    else:
        style = "|" if "\n" in value and _literal_safe(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _literal_safe(value: str) -> bool:
    """True when a literal block keeps the text exactly (no trailing spaces, tabs or odd line breaks)."""
    lines = value.split("\n")
    return not any(line != line.rstrip(" \t") for line in lines) and "\r" not in value and not value.startswith(" ")


_NativeDumper.add_representer(str, _represent_str)


def to_yaml(event: Event) -> str:
    """The native document as YAML, in the document's key order."""
    return YAML_HEADER + yaml.dump(
        event_to_dict(event), Dumper=_NativeDumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )


def to_json(event: Event) -> str:
    """The native document as indented JSON."""
    return json.dumps(event_to_dict(event), ensure_ascii=False, indent=2) + "\n"


def document(event: Event) -> dict[str, Any]:
    """The native document as a dict (for callers that serialise it themselves)."""
    return event_to_dict(event)
