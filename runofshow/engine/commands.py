"""The command table and its handlers: commands from the moderator and crew, checked against the revision they were
issued for. The table is the one declaration every adapter (REST, Socket.IO, CLI, OpenAPI, docs) reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from runofshow.agenda.model import Stage
from runofshow.engine.arguments import N_, Argument, CommandError, boolean, choice, integer, minutes, text
from runofshow.engine.moves import finish, keeps_planned_start, move_on, start_block, wait_for
from runofshow.engine.projections import project
from runofshow.engine.recovery import adjusted_state, parse_changes, refusal
from runofshow.engine.roles import Role
from runofshow.engine.state import DisplayMode, ObsLink, ObsStatus, StageState, Status
from runofshow.engine.timing import time_up_at

MAX_ADD_TIME = timedelta(hours=12)
# One limit for every adapter: a stage screen must stay readable.
MAX_MESSAGE_LENGTH = 500
MAX_ID_LENGTH = 200
MAX_PERSON_LENGTH = 100
MAX_DUTY_INDEX = 1000
MAX_CHANGES_LENGTH = 20000


class StaleRevision(CommandError):
    """A command issued against an older revision of the state than the current one."""

    def __init__(self, message: str, *, current_rev: int) -> None:
        super().__init__(message, N_("Someone changed the show a moment ago and your screen now shows it. "
                                     "Check it, then press again if you still want to."), "stale")
        self.current_rev = current_rev


@dataclass(frozen=True)
class Command:
    """One request to change a stage's state, issued against revision `expected_rev`."""

    name: str
    expected_rev: int
    args: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[Stage, StageState, Mapping[str, Any], datetime], StageState]


@dataclass(frozen=True)
class CommandSpec:
    """One command of the table: its name, one-line summary, who may send it, its arguments and its handler."""

    name: str
    summary: str
    roles: frozenset[Role]
    handler: Handler
    arguments: tuple[Argument, ...] = ()

    def check(self, args: Mapping[str, Any]) -> None:
        """CommandError unless `args` are exactly this command's arguments, each of the right type and in its limits."""
        keys = [argument.key for argument in self.arguments]
        unknown = sorted(set(args) - set(keys))
        if unknown:
            takes = ", ".join(keys) if keys else "no arguments"
            raise CommandError(f"{self.name}: unexpected argument {unknown[0]!r} (takes {takes})")
        for argument in self.arguments:
            if argument.key not in args and argument.optional:
                continue
            if argument.key not in args:
                raise CommandError(f"{self.name}: missing argument {argument.key!r}")
            argument.check(self.name, args[argument.key])

    def complete(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """`args` with the defaults of the optional arguments left out (a journal from before they existed, say)."""
        defaults = {argument.key: argument.default for argument in self.arguments if argument.optional}
        return {**defaults, **args}

    def read(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The engine's arguments from a request body or CLI values (keyed by wire name); CommandError when one is wrong."""
        return {argument.key: argument.from_wire(self.name, raw) for argument in self.arguments}


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
    spec = COMMANDS.get(command.name)
    if spec is None:
        raise CommandError(f"unknown command {command.name!r}; known: {', '.join(COMMANDS)}")
    if not isinstance(command.args, Mapping):
        raise CommandError(f"{command.name}: args must be a mapping")
    spec.check(command.args)
    new_state = spec.handler(stage, state, spec.complete(command.args), now)
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
        raise CommandError(f"stage {stage.id!r} has no block {block_id!r}",
                           N_("There is no block “%(block)s” in this stage's agenda. Reload the page."), "no_block",
                           block=block_id) from None


STATUS_REFUSALS: dict[Status, str] = {
    Status.NOT_STARTED: N_("The show has not started yet. Press Start first."),
    Status.RUNNING: N_("The show is already running."),
    Status.PAUSED: N_("The show has already started."),
    Status.GAP: N_("No block is running: the next one waits for its planned start. Press Next to start it now."),
    Status.FINISHED: N_("The show has ended. Press Back to run the last block again."),
}
"""Why a command is refused in a status, for a crew member (the exceptions are in COMMAND_REFUSALS)."""

COMMAND_REFUSALS: dict[tuple[str, Status], str] = {
    ("pause", Status.PAUSED): N_("The countdown is already paused."),
    ("resume", Status.RUNNING): N_("The countdown is not paused."),
    ("resume", Status.GAP): N_("The countdown is not paused."),
}


def _require_status(name: str, state: StageState, allowed: tuple[Status, ...]) -> None:
    """CommandError unless the stage is in one of the allowed statuses."""
    if state.status not in allowed:
        names = " or ".join(status.value for status in allowed)
        sentence = COMMAND_REFUSALS.get((name, state.status), STATUS_REFUSALS[state.status])
        raise CommandError(f"{name}: not allowed while the stage is {state.status.value} (only when {names})",
                           sentence, f"not_when_{state.status.value}")


def _block_arg(stage: Stage, args: Mapping[str, Any]) -> tuple[int, str]:
    """The `block_id` argument as (index, id), or CommandError."""
    block_id = args["block_id"]
    return _index(stage, block_id), block_id


def _start(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The first block starts now."""
    _require_status("start", state, (Status.NOT_STARTED,))
    if not stage.blocks:
        raise _no_blocks("start", stage)
    return start_block(state, stage.blocks[0].id, now)


def _next(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The current block ends now; the next one starts, or waits for its planned start, or the show ends."""
    _require_status("next", state, (Status.NOT_STARTED, Status.RUNNING, Status.PAUSED, Status.GAP))
    if not stage.blocks:
        raise _no_blocks("next", stage)
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
            raise CommandError("previous: no block has run yet", N_("No block has run yet."), "nothing_ran")
        return start_block(state, state.history[-1].block_id, now)
    if state.current is None:
        raise CommandError(f"previous: the stage is {state.status.value} but has no current block")
    index = _index(stage, state.current)
    if index == 0:
        raise CommandError("previous: already at the first block",
                           N_("This is the first block: there is nothing to go back to."), "first_block")
    return start_block(state, stage.blocks[index - 1].id, now)


def _goto(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The given block starts now with its full duration."""
    _, block_id = _block_arg(stage, args)
    return start_block(state, block_id, now)


def _cue(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Move to the block: it waits for its planned start when that is ahead and kept, else starts now."""
    index, block_id = _block_arg(stage, args)
    if keeps_planned_start(stage, index) and stage.blocks[index].planned_start > now:
        return wait_for(state, block_id, now)
    return start_block(state, block_id, now)


def _add_time(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The current block gets `delta` more (or less) time; cutting ends it now at the earliest."""
    _require_status("add_time", state, ACTIVE)
    delta = args["delta"]
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
    """The moderator's message to the stage screen, pinned or not; empty text clears it."""
    return replace(state, message=args["text"], message_pinned=bool(args["text"]) and args["pin"])


def _flash(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The stage screen flashes from now for a few seconds, to catch the speaker's eye."""
    return replace(state, flash_at=now)


def _display_mode(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """What the stage screen's big timer shows: time left, time run, or the time of day."""
    return replace(state, display_mode=DisplayMode(args["mode"]))


def _blackout(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The stage screen goes black, or comes back."""
    return replace(state, blackout=args["on"])


def _set_stream_state(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """What the stream operator reports the real stream is doing (None: not reported)."""
    return replace(state, stream_on=args["on"], stream_source="manual")


def _obs_status(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """What the stage's OBS Studio reports; stream_on is unknown (None) while OBS is not connected."""
    link = ObsLink(args["link"])
    streaming = args["streaming"] if link is ObsLink.CONNECTED else None
    since = state.obs.on_air_since if state.obs is not None and state.stream_on and streaming else None
    if streaming and since is None:
        since = now
    action, action_ok = (args["action"], args["action_ok"]) if args["action"] else (
        (state.obs.action, state.obs.action_ok) if state.obs is not None else ("", None))
    status = ObsStatus(link, args["scene"], args["recording"] if link is ObsLink.CONNECTED else None, since, action,
                       action_ok)
    return replace(state, stream_on=streaming, stream_source="obs", obs=status)


def _duty_args(name: str, stage: Stage, args: Mapping[str, Any]) -> tuple[str, int]:
    """The (block_id, index) of an existing duty, or CommandError."""
    block_index, block_id = _block_arg(stage, args)
    index = args["index"]
    duties = stage.blocks[block_index].duties
    if not 0 <= index < len(duties):
        raise CommandError(f"{name}: block {block_id!r} has {len(duties)} duties, no index {index}",
                           N_("That duty is no longer in the agenda. Reload the page."), "no_duty")
    return block_id, index


def _take_duty(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Someone takes a duty (over whoever had it)."""
    block_id, index = _duty_args("take_duty", stage, args)
    person = args["person"].strip()
    others = tuple(taker for taker in state.duty_takers if taker[:2] != (block_id, index))
    return replace(state, duty_takers=tuple(sorted(others + ((block_id, index, person),))))


def _release_duty(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Whoever took a duty gives it back; the plan's assignee applies again."""
    block_id, index = _duty_args("release_duty", stage, args)
    others = tuple(taker for taker in state.duty_takers if taker[:2] != (block_id, index))
    if len(others) == len(state.duty_takers):
        raise CommandError(f"release_duty: nobody has taken duty {index} of block {block_id!r}",
                           N_("Nobody has taken this duty."), "duty_not_taken")
    return replace(state, duty_takers=others)


PLAN_REFUSALS: dict[str, str] = {
    "no_block": N_("There is no block “%(block)s” in this stage's agenda. Reload the page."),
    "finished": N_("“%(block)s” has already run: its length can no longer change."),
    "protected": N_("“%(block)s” is protected: its length may not change."),
    "not_optional": N_("“%(block)s” is not optional, or is running: it cannot be dropped."),
    "below_minimum": N_("“%(block)s” cannot be shorter than its minimum."),
    "running_past": N_("“%(block)s” has already run longer than that."),
}
"""Why a plan's change is refused, for the moderator; the reason code is the key."""


def _apply_plan(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Blocks get the plan's new lengths (or are dropped); the planned lengths stay on record."""
    try:
        lengths = parse_changes(args["changes"])
    except ValueError as error:
        raise CommandError(f"apply_plan: {error}") from None
    projection = project(stage, state, now)
    for block_id, length in lengths.items():
        reason = refusal(stage, state, projection, block_id, length, now)
        if reason is not None:
            raise CommandError(f"apply_plan: block {block_id!r} refused ({reason})", PLAN_REFUSALS[reason],
                               f"plan_{reason}", block=block_id)
    return adjusted_state(state, lengths, stage)


def _undo_plan(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """The block lengths as they were before the last plan applied."""
    if not state.adjusted_before:
        raise CommandError("undo_plan: no plan to undo", N_("No plan has been applied: there is nothing to undo."),
                           "no_plan")
    return replace(state, adjusted=state.adjusted_before[-1], adjusted_before=state.adjusted_before[:-1])


def _no_blocks(name: str, stage: Stage) -> CommandError:
    """The refusal of a command on a stage without blocks."""
    return CommandError(f"{name}: stage {stage.id!r} has no blocks", N_("This stage has no blocks in the agenda."),
                        "no_blocks")


def _current(state: StageState) -> str:
    """The current block id, or CommandError."""
    if state.current is None:
        raise CommandError(f"the stage is {state.status.value} but has no current block")
    return state.current


SHOW_CONTROL = frozenset({Role.MODERATOR})
STREAM_REPORTERS = frozenset({Role.MODERATOR, Role.STREAM})
DUTY_TAKERS = frozenset({Role.MODERATOR, Role.FACILITATOR})
# Sent by the server's own OBS link only: no browser, token or CLI role may send it.
SERVER_ONLY: frozenset[Role] = frozenset()
MAX_SCENE_LENGTH = 256
BLOCK_ID = text("block_id", MAX_ID_LENGTH)
DUTY_INDEX = integer("index", 0, MAX_DUTY_INDEX)


def _table(*specs: CommandSpec) -> dict[str, CommandSpec]:
    """The table keyed by command name, in the order declared."""
    return {spec.name: spec for spec in specs}


COMMANDS: dict[str, CommandSpec] = _table(
    CommandSpec("start", "Start the show with the first block.", SHOW_CONTROL, _start),
    CommandSpec("next", "Move on to the next block now.", SHOW_CONTROL, _next),
    CommandSpec("previous", "Go back to the previous block and restart it.", SHOW_CONTROL, _previous),
    CommandSpec("goto", "Jump to a block and start it now.", SHOW_CONTROL, _goto, (BLOCK_ID,)),
    CommandSpec("cue", "Move to a block (a day's first, say): it waits for its planned start when that is still "
                "ahead, else starts now.", SHOW_CONTROL, _cue, (BLOCK_ID,)),
    CommandSpec("add_time", "Add minutes to the current block (negative removes).", SHOW_CONTROL, _add_time,
                (minutes("delta", "minutes", MAX_ADD_TIME),)),
    CommandSpec("pause", "Pause the current block's countdown.", SHOW_CONTROL, _pause),
    CommandSpec("resume", "Resume a paused countdown.", SHOW_CONTROL, _resume),
    CommandSpec("end", "End the show.", SHOW_CONTROL, _end),
    CommandSpec("message", "Show a message on the stage screen; empty text clears it. Moving to another block clears "
                "it too, unless it is pinned.", SHOW_CONTROL, _message,
                (text("text", MAX_MESSAGE_LENGTH, non_empty=False, multiline=True), boolean("pin", default=False))),
    CommandSpec("flash", "Flash the stage screen for a few seconds to catch the speaker's eye.", SHOW_CONTROL, _flash),
    CommandSpec("display_mode", "Choose what the stage screen's timer shows: time left, time run or the time of day.",
                SHOW_CONTROL, _display_mode, (choice("mode", tuple(mode.value for mode in DisplayMode)),)),
    CommandSpec("blackout", "Blank the stage screen or bring it back.", SHOW_CONTROL, _blackout, (boolean("on"),)),
    CommandSpec("set_stream_state", "Report whether the stream is actually on air (null: not reported, unknown).",
                STREAM_REPORTERS, _set_stream_state, (boolean("on", nullable=True),)),
    CommandSpec("obs_status", "What the stage's OBS Studio reports (the server's OBS link sends it): link, streaming, "
                "program scene, recording, and the result of an automation action (empty action: none new).",
                SERVER_ONLY, _obs_status,
                (choice("link", tuple(link.value for link in ObsLink)), boolean("streaming", nullable=True),
                 text("scene", MAX_SCENE_LENGTH, non_empty=False), boolean("recording", nullable=True),
                 text("action", MAX_MESSAGE_LENGTH, non_empty=False), boolean("action_ok", nullable=True))),
    CommandSpec("take_duty", "Take a duty of a block.", DUTY_TAKERS, _take_duty,
                (BLOCK_ID, DUTY_INDEX, text("person", MAX_PERSON_LENGTH))),
    CommandSpec("release_duty", "Give a taken duty back.", DUTY_TAKERS, _release_duty, (BLOCK_ID, DUTY_INDEX)),
    CommandSpec("apply_plan", "Apply a recovery plan: new lengths for blocks still to run, `block=minutes` or "
                "`block=drop`, comma-separated (as the recovery options give them). The planned lengths stay on record.",
                SHOW_CONTROL, _apply_plan, (text("changes", MAX_CHANGES_LENGTH),)),
    CommandSpec("undo_plan", "Undo the last plan applied: the block lengths go back to what they were before it.",
                SHOW_CONTROL, _undo_plan),
)
"""Every command, declared once; adapters read it when they are built, so a command added here reaches them all."""
