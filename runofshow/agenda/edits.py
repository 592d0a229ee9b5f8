"""Editor operations on one stage's blocks (update, add, delete, move), pure: event in, new event out.

Following soft blocks ripple: a block that followed the edited one back to back still does, and a
soft block that would overlap is pushed later; a hard-start block never moves (an overlap is refused).
Setting a field that an inferred fact covers keeps the fact and records a `Fact(kind="override")`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.agenda.model import AgendaError, Block, Event, Fact, Stage, StartRule, validate
from runofshow.agenda.document import block_from_dict, block_to_dict
from runofshow.agenda.shown_text import UnreadableText, shown_text
from runofshow.agenda.text import slugify, unique_id

OVERRIDE = "override"
OVERRIDE_RULE = "editor"
EDITABLE_FIELDS = ("title", "start", "duration_minutes", "category", "category_label", "stream", "stream_source",
                   "breakout", "duties", "rooms", "advance", "start_rule", "description", "notes", "speakers", "contacts",
                   "facilitators", "reminders", "working_groups", "warning_minutes", "danger_minutes", "min_minutes",
                   "protected", "optional", "record", "obs_scene", "obs_automation")
# Which field each kind of inferred fact decides.
FACT_FIELDS = {"stream": "stream", "speaker": "speakers", "affiliation": "speakers", "presence": "speakers",
               "contact": "contacts", "working_group": "working_groups", "duty": "duties", "breakout": "breakout",
               "group_rule": "breakout", "reminder": "reminders", "flex": "min_minutes"}
DEFAULT_NEW_MINUTES = 15
# Fields whose text may run over several lines; every other string of an edit is kept to one line.
MULTILINE_FIELDS = frozenset({"description", "notes"})
# Keys of an edit whose value is an object of block fields (named by its keys) rather than a field itself.
FIELD_OBJECTS = frozenset({"fields", "block"})
MAX_OBS_SCENE = 256
CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class EditError(ValueError):
    """An edit that cannot be made; `field` names what is wrong, `block_id` the block the agenda refused, if any."""

    def __init__(self, field: str, message: str, *, block_id: str | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.block_id = block_id


def apply_edit(event: Event, stage_id: str, edit: Mapping[str, Any], *, actor: str, at: datetime,
               running: str | None = None) -> Event:
    """The event after one editor operation on a stage; EditError naming the field when refused.

    `running` is the id of the block the stage is running (or waiting for): it cannot be deleted.
    """
    if not isinstance(edit, Mapping):
        raise EditError("op", "expected an object")
    edit = {key: _shown(value, key, key in FIELD_OBJECTS) for key, value in edit.items()}
    try:
        stage = event.stage(stage_id)
    except KeyError:
        raise EditError("stage", f"unknown stage {stage_id!r}") from None
    operations = {"update": _update, "add": _add, "delete": _delete, "move": _move}
    operation = operations.get(edit.get("op"))  # type: ignore[arg-type]
    if operation is None:
        raise EditError("op", f"expected one of {', '.join(operations)}")
    blocks = operation(event, stage, edit, actor=actor, at=at, running=running)
    new_event = replace(event, stages=tuple(replace(s, blocks=blocks) if s.id == stage.id else s for s in event.stages))
    try:
        return validate(new_event)
    except AgendaError as error:
        raise EditError("agenda", str(error), block_id=error.block_id) from None


def _shown(value: Any, field: str, names_fields: bool = False) -> Any:
    """`value` with every string in it as a screen may show it (see shown_text); EditError naming `field` when one
    is not proper Unicode. An object that `names_fields` has each value checked under its own key's name."""
    if isinstance(value, str):
        try:
            return shown_text(value, multiline=field in MULTILINE_FIELDS)
        except UnreadableText as error:
            raise EditError(field, str(error)) from None
    if isinstance(value, Mapping):
        return {_shown(key, field): _shown(item, str(key) if names_fields else field) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item, field) for item in value]
    return value


def edit_summary(edit: Mapping[str, Any]) -> str:
    """A short journal note for an edit: the operation, the block and the fields."""
    fields = edit.get("fields")
    names = ",".join(sorted(fields)) if isinstance(fields, Mapping) else ""
    text = " ".join(str(part) for part in ("edit", edit.get("op"), edit.get("block_id") or "", names) if part)
    return text[:100]


def _block_index(stage: Stage, edit: Mapping[str, Any], key: str = "block_id") -> int:
    """The position of the block the edit names."""
    block_id = edit.get(key)
    if not isinstance(block_id, str):
        raise EditError(key, "expected a block id")
    try:
        return stage.index_of(block_id)
    except KeyError:
        raise EditError(key, f"stage {stage.id!r} has no block {block_id!r}") from None


def _start_text(value: Any, block_start: datetime, zone: ZoneInfo) -> Any:
    """A start given as HH:MM on the block's day (in the event's zone) as ISO text; anything else unchanged."""
    if not isinstance(value, str):
        return value
    match = CLOCK_TIME.match(value.strip())
    if not match:
        return value
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise EditError("start", f"{value!r} is not a time of day")
    day = block_start.astimezone(zone).date()
    return datetime.combine(day, time(hour, minute), tzinfo=zone).isoformat()


def _obs_scene(text: str) -> str:
    """A block's own OBS scene name, trimmed ("" for the stage's scene); EditError when it is too long (line breaks
    and control characters are already gone: see `_shown`)."""
    name = text.strip()
    if len(name) > MAX_OBS_SCENE:
        raise EditError("obs_scene", f"longer than {MAX_OBS_SCENE} characters")
    return name


def _with_fields(block: Block, fields: Mapping[str, Any], path: str, zone: ZoneInfo) -> Block:
    """The block with the fields set, each checked on its own so the error names it."""
    document = block_to_dict(block)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise EditError(name, f"not an editable field (editable: {', '.join(EDITABLE_FIELDS)})")
        if name == "start":
            value = _start_text(value, block.planned_start, zone)
        if name == "title" and (not isinstance(value, str) or not value.strip()):
            raise EditError("title", "the title is empty")
        if name == "duration_minutes" and isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise EditError("duration_minutes", "negative duration")
        if name == "obs_scene" and isinstance(value, str):
            value = _obs_scene(value)
        try:
            block_from_dict({**document, name: value}, path)
        except AgendaError as error:
            raise EditError(name, str(error)) from None
        document[name] = value
    return block_from_dict(document, path)


def _overrides(block: Block, fields: Mapping[str, Any], actor: str, at: datetime) -> tuple[Fact, ...]:
    """The block's facts with an override recorded for each set field that an inferred fact decided."""
    inferred = {FACT_FIELDS.get(fact.kind) for fact in block.facts if fact.kind != OVERRIDE}
    facts = list(block.facts)
    for name, value in fields.items():
        if name not in inferred:
            continue
        facts = [fact for fact in facts if not (fact.kind == OVERRIDE and fact.value == name)]
        facts.append(Fact(OVERRIDE, name, json.dumps(value, ensure_ascii=False, sort_keys=True),
                          f"{OVERRIDE_RULE} {actor} {at.isoformat(timespec='seconds')}"))
    return tuple(facts)


def _update(event: Event, stage: Stage, edit: Mapping[str, Any], *, actor: str, at: datetime,
            running: str | None) -> tuple[Block, ...]:
    """Set fields of one block; following blocks ripple."""
    index = _block_index(stage, edit)
    fields = edit.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        raise EditError("fields", "expected an object of fields to set")
    old = stage.blocks[index]
    new = _with_fields(old, fields, f"blocks[{index}]", ZoneInfo(event.timezone))
    new = replace(new, facts=_overrides(old, fields, actor, at))
    blocks = list(stage.blocks)
    blocks[index] = new
    field = "start" if "start" in fields else "duration_minutes"
    return _ripple(stage.blocks, blocks, index + 1, field)


def _add(event: Event, stage: Stage, edit: Mapping[str, Any], *, actor: str, at: datetime,
         running: str | None) -> tuple[Block, ...]:
    """Insert a new block after `after` (at the start when it is missing), starting when that block ends."""
    fields = edit.get("block", {})
    if not isinstance(fields, Mapping):
        raise EditError("block", "expected an object")
    position = _block_index(stage, edit, "after") + 1 if edit.get("after") is not None else 0
    if position > 0:
        start = stage.blocks[position - 1].planned_end
    elif stage.blocks:
        start = stage.blocks[0].planned_start
    else:
        start = datetime.combine(event.date, time(9, 0), tzinfo=ZoneInfo(event.timezone))
    title = fields.get("title", "")
    base = Block(id=_new_id(event, title if isinstance(title, str) else ""), title="New block",
                 planned_start=start, planned_duration=timedelta(minutes=DEFAULT_NEW_MINUTES))
    block = _with_fields(base, fields, f"blocks[{position}]", ZoneInfo(event.timezone))
    blocks = list(stage.blocks)
    blocks.insert(position, block)
    return _ripple(stage.blocks, blocks, position + 1, "start")


def _delete(event: Event, stage: Stage, edit: Mapping[str, Any], *, actor: str, at: datetime,
            running: str | None) -> tuple[Block, ...]:
    """Remove a block, never the one the stage is running."""
    index = _block_index(stage, edit)
    if stage.blocks[index].id == running:
        raise EditError("block_id", f"{stage.blocks[index].title!r} is running now: move on before deleting it")
    return stage.blocks[:index] + stage.blocks[index + 1:]


def _move(event: Event, stage: Stage, edit: Mapping[str, Any], *, actor: str, at: datetime,
          running: str | None) -> tuple[Block, ...]:
    """Move a block to position `to`; the moved stretch is re-timed back to back from its first start."""
    index = _block_index(stage, edit)
    to = edit.get("to")
    if isinstance(to, bool) or not isinstance(to, int) or not 0 <= to < len(stage.blocks):
        raise EditError("to", f"expected a position from 0 to {len(stage.blocks) - 1}")
    blocks = list(stage.blocks)
    blocks.insert(to, blocks.pop(index))
    low, high = min(index, to), max(index, to)
    cursor = stage.blocks[low].planned_start
    for position in range(low, high + 1):
        block = blocks[position]
        if block.start_rule is StartRule.HARD:
            if block.planned_start < cursor:
                raise EditError("to", f"{block.title!r} has a fixed start at {block.planned_start:%H:%M} and "
                                      f"cannot come after {cursor:%H:%M}")
        else:
            block = replace(block, planned_start=cursor)
            blocks[position] = block
        cursor = block.planned_end
    return _ripple(stage.blocks, blocks, high + 1, "to")


def _ripple(old: tuple[Block, ...], blocks: list[Block], start: int, field: str) -> tuple[Block, ...]:
    """From `start` on: soft blocks that followed back to back still do; soft overlaps move later; hard ones stay."""
    back_to_back = {block.id for previous, block in zip(old, old[1:]) if block.planned_start == previous.planned_end}
    for position in range(max(start, 1), len(blocks)):
        previous, block = blocks[position - 1], blocks[position]
        if block.start_rule is StartRule.HARD:
            if block.planned_start < previous.planned_end:
                raise EditError(field, f"{previous.title!r} would end at {previous.planned_end:%H:%M}, after "
                                       f"{block.title!r}, which has a fixed start at {block.planned_start:%H:%M}")
            continue
        if block.id in back_to_back or block.planned_start < previous.planned_end:
            blocks[position] = replace(block, planned_start=previous.planned_end)
    return tuple(blocks)


def _new_id(event: Event, title: str) -> str:
    """A block id from the title as the importers make it (`agenda.text.slugify`), unique in the event."""
    return unique_id(slugify(title), {block.id for block in event.all_blocks()})


__all__ = ["EDITABLE_FIELDS", "EditError", "FACT_FIELDS", "OVERRIDE", "apply_edit", "edit_summary"]
