"""Control commands as they arrive over REST or Socket.IO: read against the engine's command table, then applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runofshow.engine import COMMANDS
from runofshow.engine.arguments import UNREADABLE
from runofshow.engine.commands import MAX_ID_LENGTH

MAX_REV = 2**53


class BadRequest(ValueError):
    """A malformed request: `str(error)` says which field is wrong and why (for a developer); `sentence` (an English
    gettext msgid) says what to do for a person, by default that the request could not be read."""

    def __init__(self, detail: str, sentence: str = UNREADABLE) -> None:
        super().__init__(detail)
        self.sentence = sentence


@dataclass(frozen=True)
class Unreadable:
    """A body or payload that was not parsed (not JSON, nested too deeply, several payloads): why, for a developer
    (`detail`) and for a person (`sentence`, an English gettext msgid)."""

    detail: str
    sentence: str = UNREADABLE


@dataclass(frozen=True)
class Request:
    """A checked control request: which stage, which command, against which revision, with what.

    A button press (`press`) carries no revision: its revision is the stage's own when it is applied. When it names
    the block it expects to leave (`checks_block`), `expected_block` is that block, None for "no block running"
    (see docs/companion.md).
    """

    stage_id: str | None
    name: str
    expected_rev: int | None
    args: dict[str, Any]
    press: bool = False
    checks_block: bool = False
    expected_block: str | None = None


def read_request(name: str, body: Any) -> Request:
    """Check a command body (`expected_rev` or a press's `expected_block`, optional `stage`, the command's arguments
    as the table declares them); BadRequest, or the table's CommandError for a wrong argument."""
    spec = COMMANDS.get(name)
    if spec is None:
        raise BadRequest(f"unknown command {name!r}")
    if isinstance(body, Unreadable):
        raise BadRequest(body.detail, body.sentence)
    if not isinstance(body, Mapping):
        raise BadRequest("body: expected a JSON object")
    checks_block = "expected_rev" not in body and "expected_block" in body
    press = checks_block or ("expected_rev" not in body and body.get("press") is True)
    expected_rev = body.get("expected_rev")
    expected_block = body.get("expected_block")
    if press:
        if expected_block is not None and (not isinstance(expected_block, str) or len(expected_block) > MAX_ID_LENGTH):
            raise BadRequest("expected_block: expected a block id, or null for no block")
        expected_block = expected_block or None
    elif isinstance(expected_rev, bool) or not isinstance(expected_rev, int) or not 0 <= expected_rev <= MAX_REV:
        raise BadRequest(f"expected_rev: expected an integer from 0 to {MAX_REV} (or a button press: expected_block, "
                         "or press: true)")
    stage_id = body.get("stage")
    if stage_id is not None and (not isinstance(stage_id, str) or len(stage_id) > MAX_ID_LENGTH):
        raise BadRequest("stage: expected a stage id")
    # A wrong argument stays a CommandError: it carries the sentence a crew member reads.
    return Request(stage_id, name, None if press else expected_rev, spec.read(body), press, checks_block,
                   expected_block if checks_block else None)
