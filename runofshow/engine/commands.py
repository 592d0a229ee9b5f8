"""Commands from the moderator and crew, checked against the revision they were issued for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from runofshow.agenda.model import Stage
from runofshow.engine.moves import finish, keeps_planned_start, move_on, start_block, wait_for
from runofshow.engine.state import StageState, Status
from runofshow.engine.timing import time_up_at

MAX_ADD_TIME = timedelta(hours=12)
MAX_MESSAGE_LENGTH = 1000


class CommandError(ValueError):
    """A command that cannot be applied: unknown, bad arguments, or not allowed now."""


class StaleRevision(CommandError):
    """A command issued against an older revision of the state than the current one."""

    def __init__(self, message: str, *, current_rev: int) -> None:
        super().__init__(message)
        self.current_rev = current_rev


@dataclass(frozen=True)
class Command:
    """One request to change a stage's state, issued against revision `expected_rev`."""

    name: str
    expected_rev: int
    args: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[Stage, StageState, Mapping[str, Any], datetime], StageState]

ACTIVE = (Status.RUNNING, Status.PAUSED)


def apply(stage: Stage, state: StageState, command: Command, now: datetime) -> StageState:
    """The state after `command` at `now`, with rev + 1; StaleRevision or CommandError when refused."""
    now = require_aware(now)
    if isinstance(command.expected_rev, bool) or not isinstance(command.expected_rev, int):
        raise CommandError(f"expected_rev must be an integer, not {command.expected_rev!r}")
    if command.expected_rev != state.rev:
        raise StaleRevision(
            f"{command.name}: issued against revision {command.expected_rev}, but the stage is at "
            f"revision {state.rev}; reload and try again",
            current_rev=state.rev,
        )
    entry = COMMANDS.get(command.name)
    if entry is None:
        raise CommandError(f"unknown command {command.name!r}; known: {', '.join(COMMAND_NAMES)}")
    allowed_args, handler = entry
    if not isinstance(command.args, Mapping):
        raise CommandError(f"{command.name}: args must be a mapping")
    unknown = sorted(set(command.args) - set(allowed_args))
    if unknown:
        takes = ", ".join(allowed_args) if allowed_args else "no arguments"
        raise CommandError(f"{command.name}: unexpected argument {unknown[0]!r} (takes {takes})")
    new_state = handler(stage, state, command.args, now)
    return replace(new_state, rev=state.rev + 1)


def require_aware(now: datetime) -> datetime:
    """`now` in UTC (so durations added to it are real time, even across a DST change); ValueError if naive."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime, not {now!r}")
    return now.astimezone(timezone.utc)


def _index(stage: Stage, block_id: str) -> int:
    """Position of a block of this stage, or CommandError."""
    try:
        return stage.index_of(block_id)
    except KeyError:
        raise CommandError(f"stage {stage.id!r} has no block {block_id!r}") from None


def _require_status(name: str, state: StageState, allowed: tuple[Status, ...]) -> None:
    """CommandError unless the stage is in one of the allowed statuses."""
    if state.status not in allowed:
        names = " or ".join(status.value for status in allowed)
        raise CommandError(f"{name}: not allowed while the stage is {state.status.value} (only when {names})")


def _arg(name: str, args: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    """A required argument of the given type, or CommandError."""
    if key not in args:
        raise CommandError(f"{name}: missing argument {key!r}")
    value = args[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        wanted = " or ".join("None" if k is type(None) else k.__name__ for k in kinds)
        raise CommandError(f"{name}: {key} must be {wanted}, not {value!r}")
    return value


def _block_arg(name: str, stage: Stage, args: Mapping[str, Any]) -> tuple[int, str]:
    """The `block_id` argument as (index, id), or CommandError."""
    block_id = _arg(name, args, "block_id", str)
    return _index(stage, block_id), block_id


def _start(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The first block starts now."""
    _require_status("start", state, (Status.NOT_STARTED,))
    if not stage.blocks:
        raise CommandError(f"start: stage {stage.id!r} has no blocks")
    return start_block(state, stage.blocks[0].id, now)


def _next(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The current block ends now; the next one starts, or waits for its planned start, or the show ends."""
    _require_status("next", state, (Status.NOT_STARTED, Status.RUNNING, Status.PAUSED, Status.GAP))
    if not stage.blocks:
        raise CommandError(f"next: stage {stage.id!r} has no blocks")
    if state.status is Status.NOT_STARTED:
        return start_block(state, stage.blocks[0].id, now)
    if state.current is None:
        raise CommandError(f"next: the stage is {state.status.value} but has no current block")
    if state.status is Status.GAP:
        return start_block(state, state.current, now)
    return move_on(stage, state, _index(stage, state.current), now)


def _previous(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The block before the current one (or the last one run, when finished) restarts now with full time."""
    _require_status("previous", state, (Status.RUNNING, Status.PAUSED, Status.GAP, Status.FINISHED))
    if state.status is Status.FINISHED:
        if not state.history:
            raise CommandError("previous: no block has run yet")
        return start_block(state, state.history[-1].block_id, now)
    if state.current is None:
        raise CommandError(f"previous: the stage is {state.status.value} but has no current block")
    index = _index(stage, state.current)
    if index == 0:
        raise CommandError("previous: already at the first block")
    return start_block(state, stage.blocks[index - 1].id, now)


def _goto(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The given block starts now with its full duration."""
    _, block_id = _block_arg("goto", stage, args)
    return start_block(state, block_id, now)


def _cue(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Move to the block: it waits for its planned start when that is ahead and kept, else starts now."""
    index, block_id = _block_arg("cue", stage, args)
    if keeps_planned_start(stage, index) and stage.blocks[index].planned_start > now:
        return wait_for(state, block_id, now)
    return start_block(state, block_id, now)


def _add_time(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The current block gets `delta` more (or less) time; cutting ends it now at the earliest."""
    _require_status("add_time", state, ACTIVE)
    delta = _arg("add_time", args, "delta", timedelta)
    if delta == timedelta(0):
        raise CommandError("add_time: delta is zero")
    if abs(delta) > MAX_ADD_TIME:
        raise CommandError(f"add_time: delta {delta} is more than {MAX_ADD_TIME} either way")
    block = stage.blocks[_index(stage, _current(state))]
    time_up = time_up_at(block, state, now)
    new_time_up = time_up + delta
    if delta < timedelta(0):
        new_time_up = max(new_time_up, min(time_up, now))
    return replace(state, added=state.added + (new_time_up - time_up))


def _pause(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The countdown stops now."""
    _require_status("pause", state, (Status.RUNNING,))
    return replace(state, status=Status.PAUSED, paused_at=now)


def _resume(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The countdown goes on from where it stopped."""
    _require_status("resume", state, (Status.PAUSED,))
    if state.paused_at is None:
        raise CommandError("resume: the stage is paused but has no pause start")
    paused_for = max(now - state.paused_at, timedelta(0))
    return replace(state, status=Status.RUNNING, paused_at=None, paused_total=state.paused_total + paused_for)


def _end(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The show is over now."""
    _require_status("end", state, (Status.NOT_STARTED, Status.RUNNING, Status.PAUSED, Status.GAP))
    return finish(state, now)


def _message(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The moderator's message to the stage screen; empty text clears it."""
    text = _arg("message", args, "text", str)
    if len(text) > MAX_MESSAGE_LENGTH:
        raise CommandError(f"message: text is {len(text)} characters, at most {MAX_MESSAGE_LENGTH}")
    return replace(state, message=text)


def _blackout(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The stage screen goes black, or comes back."""
    return replace(state, blackout=_arg("blackout", args, "on", bool))


def _set_stream_state(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """What the stream operator reports the real stream is doing (None: not reported)."""
    return replace(state, stream_on=_arg("set_stream_state", args, "on", (bool, type(None))))


def _duty_args(name: str, stage: Stage, args: Mapping[str, Any]) -> tuple[str, int]:
    """The (block_id, index) of an existing duty, or CommandError."""
    block_index, block_id = _block_arg(name, stage, args)
    index = _arg(name, args, "index", int)
    duties = stage.blocks[block_index].duties
    if not 0 <= index < len(duties):
        raise CommandError(f"{name}: block {block_id!r} has {len(duties)} duties, no index {index}")
    return block_id, index


def _take_duty(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Someone takes a duty (over whoever had it)."""
    block_id, index = _duty_args("take_duty", stage, args)
    person = _arg("take_duty", args, "person", str).strip()
    if not person:
        raise CommandError("take_duty: person is empty")
    others = tuple(taker for taker in state.duty_takers if taker[:2] != (block_id, index))
    return replace(state, duty_takers=tuple(sorted(others + ((block_id, index, person),))))


def _release_duty(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Whoever took a duty gives it back; the plan's assignee applies again."""
    block_id, index = _duty_args("release_duty", stage, args)
    others = tuple(taker for taker in state.duty_takers if taker[:2] != (block_id, index))
    if len(others) == len(state.duty_takers):
        raise CommandError(f"release_duty: nobody has taken duty {index} of block {block_id!r}")
    return replace(state, duty_takers=others)


def _current(state: StageState) -> str:
    """The current block id, or CommandError."""
    if state.current is None:
        raise CommandError(f"the stage is {state.status.value} but has no current block")
    return state.current


COMMANDS: dict[str, tuple[tuple[str, ...], Handler]] = {
    "start": ((), _start),
    "next": ((), _next),
    "previous": ((), _previous),
    "goto": (("block_id",), _goto),
    "cue": (("block_id",), _cue),
    "add_time": (("delta",), _add_time),
    "pause": ((), _pause),
    "resume": ((), _resume),
    "end": ((), _end),
    "message": (("text",), _message),
    "blackout": (("on",), _blackout),
    "set_stream_state": (("on",), _set_stream_state),
    "take_duty": (("block_id", "index", "person"), _take_duty),
    "release_duty": (("block_id", "index"), _release_duty),
}

COMMAND_NAMES: tuple[str, ...] = tuple(COMMANDS)
