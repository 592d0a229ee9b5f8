"""Control commands as they arrive over REST or Socket.IO: checked, typed, then applied by the service."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

MAX_TEXT = 500
MAX_ID = 200
MAX_MINUTES = 12 * 60


class BadRequest(ValueError):
    """A malformed command: says which field is wrong and why."""


def _text(raw: Mapping[str, Any], key: str, limit: int, *, allow_empty: bool = False) -> str:
    """A string field, bounded in length."""
    value = raw.get(key)
    if not isinstance(value, str):
        raise BadRequest(f"{key}: expected a string")
    if len(value) > limit:
        raise BadRequest(f"{key}: longer than {limit} characters")
    if not allow_empty and not value.strip():
        raise BadRequest(f"{key}: empty")
    return value


def _flag(raw: Mapping[str, Any], key: str) -> bool:
    """A boolean field."""
    value = raw.get(key)
    if not isinstance(value, bool):
        raise BadRequest(f"{key}: expected true or false")
    return value


def _integer(raw: Mapping[str, Any], key: str, low: int, high: int) -> int:
    """An integer field within bounds."""
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{key}: expected an integer")
    if not low <= value <= high:
        raise BadRequest(f"{key}: must be between {low} and {high}")
    return value


def _minutes(raw: Mapping[str, Any], key: str) -> timedelta:
    """A number of minutes as a timedelta, bounded to ±12 hours."""
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadRequest(f"{key}: expected a number of minutes")
    if abs(value) > MAX_MINUTES:
        raise BadRequest(f"{key}: at most {MAX_MINUTES} minutes either way")
    if value == 0:
        raise BadRequest(f"{key}: zero minutes changes nothing")
    return timedelta(minutes=value)


def _no_args(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Commands without arguments."""
    return {}


@dataclass(frozen=True)
class CommandSpec:
    """One control command: its name, who explains it, and how its arguments are read."""

    name: str
    summary: str
    read_args: Callable[[Mapping[str, Any]], dict[str, Any]]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "Start the show with the first block.", _no_args),
    CommandSpec("next", "Move on to the next block now.", _no_args),
    CommandSpec("previous", "Go back to the previous block and restart it.", _no_args),
    CommandSpec("goto", "Jump to a block and start it now. Arguments: block_id.",
                lambda raw: {"block_id": _text(raw, "block_id", MAX_ID)}),
    CommandSpec("cue", "Move to a block (a day's first, say): it waits for its planned start when that is still "
                "ahead, else starts now. Arguments: block_id.",
                lambda raw: {"block_id": _text(raw, "block_id", MAX_ID)}),
    CommandSpec("add_time", "Add minutes to the current block (negative removes). Arguments: minutes.",
                lambda raw: {"delta": _minutes(raw, "minutes")}),
    CommandSpec("pause", "Pause the current block's countdown.", _no_args),
    CommandSpec("resume", "Resume a paused countdown.", _no_args),
    CommandSpec("end", "End the show.", _no_args),
    CommandSpec("message", "Show a message on the stage screen; empty text clears it. Arguments: text.",
                lambda raw: {"text": _text(raw, "text", MAX_TEXT, allow_empty=True)}),
    CommandSpec("blackout", "Blank the stage screen or bring it back. Arguments: on.",
                lambda raw: {"on": _flag(raw, "on")}),
    CommandSpec("set_stream_state", "Report whether the stream is actually on air. Arguments: on.",
                lambda raw: {"on": _flag(raw, "on")}),
    CommandSpec("take_duty", "Take a duty of a block. Arguments: block_id, index, person.",
                lambda raw: {"block_id": _text(raw, "block_id", MAX_ID), "index": _integer(raw, "index", 0, 1000),
                             "person": _text(raw, "person", 100)}),
    CommandSpec("release_duty", "Give a taken duty back. Arguments: block_id, index.",
                lambda raw: {"block_id": _text(raw, "block_id", MAX_ID), "index": _integer(raw, "index", 0, 1000)}),
)
COMMANDS_BY_NAME = {spec.name: spec for spec in COMMANDS}


@dataclass(frozen=True)
class Request:
    """A checked control request: which stage, which command, against which revision, with what."""

    stage_id: str | None
    name: str
    expected_rev: int
    args: dict[str, Any]


def read_request(name: str, body: Any) -> Request:
    """Check a command body (`expected_rev`, optional `stage`, the command's arguments)."""
    if name not in COMMANDS_BY_NAME:
        raise BadRequest(f"unknown command {name!r}")
    if not isinstance(body, Mapping):
        raise BadRequest("body: expected a JSON object")
    expected_rev = _integer(body, "expected_rev", 0, 2**53)
    stage_id = body.get("stage")
    if stage_id is not None and (not isinstance(stage_id, str) or len(stage_id) > MAX_ID):
        raise BadRequest("stage: expected a stage id")
    return Request(stage_id, name, expected_rev, COMMANDS_BY_NAME[name].read_args(body))
