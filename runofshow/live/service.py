"""The show service: the one place that applies commands, stores state and tells listeners."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from runofshow.agenda.document import event_from_dict, event_to_dict
from runofshow.agenda.edits import apply_edit, edit_summary
from runofshow.agenda.model import Event, Stage, validate
from runofshow.live.changes import Change, ChangeCause
from runofshow.live.clocks import Clock
from runofshow.engine import (
    Command,
    CommandError,
    Snapshot,
    StageState,
    StaleRevision,
    advance_due,
    apply,
    initial_state,
    next_due,
    remap_duty_takers,
    snapshot,
)
from runofshow.live.store import JournalEntry, MetaConflict, RevisionConflict, Store, StoredState, StoreUnavailable

AGENDA_VERSION_KEY = "agenda_version"
UNDO_KEY = "agenda_undo"
UNDO_DEPTH = 20
ACTIVE_STATUSES = ("running", "paused", "gap")
AUTO_ACTOR = "scheduler"
CAS_RETRIES = 5
EVENT_RECHECK_SECONDS = 0.25

log = logging.getLogger(__name__)


class NoAgenda(LookupError):
    """The store holds no agenda yet."""


class UnknownStage(LookupError):
    """A stage id that the event does not have."""


class ShowInProgress(RuntimeError):
    """Replacing the agenda would end a show that is running."""


class StaleAgenda(RuntimeError):
    """An agenda edit issued against a version that is no longer the stored one."""

    def __init__(self, message: str, *, current_version: str | None) -> None:
        super().__init__(message)
        self.current_version = current_version


class NothingToUndo(LookupError):
    """The undo stack is empty."""


Listener = Callable[[Change], None]


def stage_state(stored: StoredState) -> StageState:
    """The engine's state of a stored stage row, carrying the row's revision."""
    return StageState.from_dict({**stored.state, "rev": stored.rev})


def running_block(state: StageState) -> str | None:
    """The id of the block a state is running, paused in or waiting for; None when idle."""
    return state.current if state.status.value in ACTIVE_STATUSES else None


class ShowService:
    """Applies commands to the live show through the engine, with compare-and-set in the store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self._clock = clock
        self._listeners: list[Listener] = []
        self._event: Event | None = None
        self._event_version: str | None = None
        self._lock = threading.RLock()
        self._known_revs: dict[str, int] = {}
        self._announced_version: str | None = None
        self._event_checked = 0.0

    @property
    def clock(self) -> Clock:
        """The clock the service was built with; it is never swapped."""
        return self._clock

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` after every stored change."""
        self._listeners.append(listener)

    def _notify(self, change: Change) -> None:
        """Tell every listener; one failing listener does not stop the others."""
        self._known_revs[change.stage_id] = max(change.state.rev, self._known_revs.get(change.stage_id, -1))
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # noqa: BLE001 - a broken screen push must not undo a stored command
                log.exception("listener %r missed stage %s revision %d (%s); it stays stored", listener,
                              change.stage_id, change.state.rev, change.cause)

    # ---- the agenda -------------------------------------------------------------------------

    def event(self) -> Event:
        """The stored event, parsed once per stored version; the version is looked up at most every 250 ms."""
        with self._lock:
            if self._event is not None and time.monotonic() - self._event_checked < EVENT_RECHECK_SECONDS:
                return self._event
            self._event_checked = time.monotonic()
            version = self.store.get_meta(AGENDA_VERSION_KEY)
            if self._event is None or version != self._event_version:
                document = self.store.load_agenda()
                if document is None:
                    raise NoAgenda("no agenda has been imported yet")
                self._event = event_from_dict(document)
                self._event_version = version
            return self._event

    def has_agenda(self) -> bool:
        """True when an agenda is stored."""
        return self.store.load_agenda() is not None

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id, or UnknownStage."""
        try:
            return self.event().stage(stage_id)
        except KeyError:
            raise UnknownStage(f"unknown stage {stage_id!r}") from None

    def show_in_progress(self) -> bool:
        """True when some stage has started and not finished."""
        if not self.has_agenda():
            return False
        return any(state.status.value not in ("not_started", "finished") for state in self.stored_states().values())

    def replace_event(self, event: Event, *, actor: str, replace_running: bool = False) -> None:
        """Store a new agenda and fresh states for its stages, in one transaction, whatever version is stored."""
        if not replace_running and self.show_in_progress():
            raise ShowInProgress("a show is in progress; replacing the agenda would reset it (use --replace)")
        states = {stage.id: initial_state(stage).to_dict() for stage in event.stages}
        document = event_to_dict(event)
        version = uuid.uuid4().hex
        with self._lock:
            self.store.replace_agenda(document, states, actor=actor, at=self.clock.now(),
                                      meta={AGENDA_VERSION_KEY: version, UNDO_KEY: "[]"})
            self._announced_version = version
            self._event = None
        for stage in event.stages:
            self._notify(Change(stage.id, self.stored_state(stage.id), event, ChangeCause.AGENDA))

    def agenda_version(self) -> str | None:
        """The version of the stored agenda (changes with every import, edit and undo)."""
        return self.store.get_meta(AGENDA_VERSION_KEY)

    def undo_depth(self) -> int:
        """How many agenda edits can be undone."""
        return len(self._undo_stack())

    def _undo_stack(self) -> list[dict[str, Any]]:
        """The stored previous agenda documents, oldest first."""
        raw = self.store.get_meta(UNDO_KEY)
        return json.loads(raw) if raw else []

    def _pushed_undo(self, previous: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The undo stack with `previous` on top, as deep as it may get."""
        return (self._undo_stack() + ([previous] if previous is not None else []))[-UNDO_DEPTH:]

    def running_block(self, stage_id: str) -> str | None:
        """The id of the block a stage is running, paused in or waiting for; None when idle."""
        return running_block(self.state(stage_id))

    def edit_stage(self, stage_id: str, edit: Mapping[str, Any], *, expected_version: str | None, actor: str) -> str:
        """Store one editor operation on a stage's blocks (see agenda.edits), issued against `expected_version`.

        The agenda is read fresh from the store and the edit stored only while it is still at that version;
        returns the new version. StaleAgenda when it changed, EditError naming a refused field,
        UnknownStage or NoAgenda, ShowInProgress when a running block would vanish.
        """
        with self._lock:
            previous = self._agenda_at(expected_version)
            if previous is None:
                raise NoAgenda("no agenda has been imported yet")
            event = event_from_dict(previous)
            try:
                stage = event.stage(stage_id)
            except KeyError:
                raise UnknownStage(f"unknown stage {stage_id!r}") from None
            now = self.clock.now()
            running = running_block(advance_due(stage, self.stored_state(stage_id), now))
            edited = apply_edit(event, stage_id, edit, actor=actor, at=now, running=running)
            return self._store_agenda(edited, previous, actor=actor, note=edit_summary(edit),
                                      undo=self._pushed_undo(previous), expected_version=expected_version)

    def edit_event(self, event: Event, *, actor: str, expected_version: str | None, note: str = "edit") -> str:
        """Store a whole new agenda issued against `expected_version`, keeping each stage's live state; the new version.

        StaleAgenda when the agenda changed meanwhile; ShowInProgress when a running block would vanish.
        """
        with self._lock:
            previous = self._agenda_at(expected_version)
            return self._store_agenda(event, previous, actor=actor, note=note, undo=self._pushed_undo(previous),
                                      expected_version=expected_version)

    def undo_edit(self, *, actor: str, expected_version: str | None) -> str:
        """Store the agenda as it was before the last edit, issued against `expected_version`; the new version.

        NothingToUndo when there was no edit; StaleAgenda when the agenda changed meanwhile.
        """
        with self._lock:
            previous = self._agenda_at(expected_version)
            stack = self._undo_stack()
            if not stack:
                raise NothingToUndo("there is no edit to undo")
            event = event_from_dict(stack.pop())
            return self._store_agenda(event, previous, actor=actor, note="undo", undo=stack,
                                      expected_version=expected_version)

    def _agenda_at(self, expected_version: str | None) -> dict[str, Any] | None:
        """The stored agenda document, read fresh, while the store is at `expected_version`; StaleAgenda otherwise.

        The version is read before the document: a document newer than the version read fails the
        compare-and-set when the edit is stored.
        """
        current = self.agenda_version()
        if expected_version != current:
            raise _stale(current)
        return self.store.load_agenda()

    def _store_agenda(self, event: Event, previous: dict[str, Any] | None, *, actor: str, note: str,
                      undo: list[dict[str, Any]], expected_version: str | None) -> str:
        """Store the agenda if still at `expected_version`, live states kept where their block still exists; tell listeners."""
        validate(event)
        stored = self.stored_states()
        old_blocks = {stage.id: stage.blocks for stage in event_from_dict(previous).stages} if previous else {}
        states: dict[str, dict[str, Any]] = {}
        for stage in event.stages:
            state = stored.get(stage.id)
            if state is None:
                states[stage.id] = initial_state(stage).to_dict()
                continue
            if running_block(state) is not None and not any(block.id == state.current for block in stage.blocks):
                raise ShowInProgress(f"stage {stage.id!r} is running block {state.current!r}; it cannot be removed")
            takers = remap_duty_takers(old_blocks.get(stage.id, ()), stage.blocks, state.duty_takers)
            states[stage.id] = replace(state, duty_takers=takers).to_dict()
        dropped = [stage_id for stage_id, state in stored.items()
                   if stage_id not in states and state.status.value in ACTIVE_STATUSES]
        if dropped:
            raise ShowInProgress(f"stage {dropped[0]!r} is running; it cannot be removed")
        version = uuid.uuid4().hex
        kept_revs = {stage_id: stored[stage_id].rev for stage_id in states if stage_id in stored}
        try:
            self.store.replace_agenda(event_to_dict(event), states, actor=actor, at=self.clock.now(), note=note[:100],
                                      meta={AGENDA_VERSION_KEY: version, UNDO_KEY: json.dumps(undo, ensure_ascii=False)},
                                      expected_revs=kept_revs, expected_meta={AGENDA_VERSION_KEY: expected_version})
        except MetaConflict as error:
            raise _stale(error.current) from None
        except RevisionConflict as error:
            # Another process stored a command between our read and our write: its state must not be lost.
            raise StaleAgenda(f"the show moved on while the agenda was saved ({error}); try again",
                              current_version=self.agenda_version()) from None
        self._announced_version = version
        self._event = None
        for stage in event.stages:
            self._notify(Change(stage.id, self.stored_state(stage.id), event, ChangeCause.AGENDA))
        return version

    def refresh(self) -> None:
        """Tell listeners about changes another process stored since this one last looked (stores nothing)."""
        if not self.has_agenda():
            return
        version = self.store.get_meta(AGENDA_VERSION_KEY)
        agenda_changed = self._announced_version is not None and version != self._announced_version
        self._announced_version = version
        if version != self._event_version:
            with self._lock:
                self._event = None
        event = self.event()
        cause = ChangeCause.AGENDA if agenda_changed else ChangeCause.REFRESH
        for stage_id, state in self.stored_states().items():
            if not any(stage.id == stage_id for stage in event.stages):
                continue
            if agenda_changed or self._known_revs.get(stage_id, -1) < state.rev:
                self._notify(Change(stage_id, state, event, cause))

    # ---- live state -------------------------------------------------------------------------

    def stored_state(self, stage_id: str) -> StageState:
        """The stage's state as stored, without automatic transitions due since; UnknownStage when not live."""
        stored = self.store.load_state(stage_id)
        if stored is None:
            raise UnknownStage(f"unknown stage {stage_id!r}")
        return stage_state(stored)

    def stored_states(self) -> dict[str, StageState]:
        """Every live stage's state as stored, by stage id, without automatic transitions due since."""
        return {stage_id: stage_state(stored) for stage_id, stored in self.store.load_states().items()}

    def _store(self, stage: Stage, old: StageState, new: StageState, *, actor: str, at: datetime,
               command: str | None = None, args: Mapping[str, Any] | None = None) -> Change | None:
        """Compare-and-set the new state and journal it; the change to tell listeners, None when someone was first.

        `command` None stores automatic transitions (journalled as "auto").
        """
        cause = ChangeCause.AUTO if command is None else ChangeCause.COMMAND
        stored = self.store.compare_and_set(
            stage.id, old.rev, new.rev, new.to_dict(), actor=actor, at=at, command=command or cause.value,
            args=_jsonable(args or {}),
        )
        return Change(stage.id, new, self.event(), cause, command) if stored else None

    def _store_catch_up(self, stage: Stage, at: datetime | None) -> tuple[StageState, Change | None]:
        """Store every automatic transition due by `at` (or now); the state and the change stored, if any."""
        for _ in range(CAS_RETRIES):
            now = at or self.clock.now()
            current = self.stored_state(stage.id)
            caught_up = advance_due(stage, current, now)
            if caught_up is current:
                return current, None
            stored = self._store(stage, current, caught_up, actor=AUTO_ACTOR, at=now)
            if stored is not None:
                return caught_up, stored
        return self.stored_state(stage.id), None

    def state(self, stage_id: str, at: datetime | None = None) -> StageState:
        """The stage's state now (or `at`) with every automatic transition due by then applied; nothing is stored."""
        return advance_due(self.stage(stage_id), self.stored_state(stage_id), at or self.clock.now())

    def command(self, stage_id: str, name: str, expected_rev: int, args: Mapping[str, Any] | None = None, *,
                actor: str) -> StageState:
        """Store one command issued against `expected_rev` (after storing the catch-up due); StaleRevision or CommandError if refused.

        Listeners hear once, of the newest state: the catch-ups before and after the command are journalled
        revisions of their own, but a screen has no use for a state that lasted no time at all.
        """
        stage = self.stage(stage_id)
        # One reading of the clock: a transition due between catching up and applying must not be overtaken.
        now = self.clock.now()
        current, last = self._store_catch_up(stage, now)
        try:
            new = apply(stage, current, Command(name=name, expected_rev=expected_rev, args=dict(args or {})), now)
            stored = self._store(stage, current, new, actor=actor, at=now, command=name, args=args)
            if stored is None:
                current_rev = self.stored_state(stage_id).rev
                raise StaleRevision(f"the show changed while {name} was applied; now at revision {current_rev}",
                                    current_rev=current_rev)
            last = stored
            due = next_due(stage, new, now)
            if due is not None and due <= now:
                # The command made a transition due at once (a 0-minute milestone restarted, an auto block cut
                # to nothing): apply it here rather than leave it to a scheduler that may learn of it later.
                new, caught_up = self._store_catch_up(stage, now)
                if caught_up is not None:
                    last = replace(caught_up, cause=ChangeCause.COMMAND, command=name)
            return new
        finally:
            if last is not None:
                self._notify(last)

    def store_due_transitions(self, stage_id: str, planned_rev: int) -> StageState | None:
        """The scheduler's job: store the transitions due now if the stage is still at `planned_rev`, and tell listeners.

        Returns the stored state, or None when the stage had moved on or nothing was due.
        """
        stage = self.stage(stage_id)
        if self.stored_state(stage_id).rev != planned_rev:
            return None
        state, change = self._store_catch_up(stage, None)
        if change is None:
            return None
        self._notify(change)
        return state

    def next_due(self, stage_id: str) -> datetime | None:
        """When the stage next changes by itself."""
        return next_due(self.stage(stage_id), self.state(stage_id), self.clock.now())

    def snapshot(self, stage_id: str) -> Snapshot:
        """The stage's snapshot at the clock's now (automatic transitions due applied, nothing stored)."""
        stage = self.stage(stage_id)
        return snapshot(stage, self.state(stage_id), self.clock.now())

    def journal(self, stage_id: str, *, limit: int) -> list[JournalEntry]:
        """A stage's journal, oldest first, at most `limit` entries (the run report reads it)."""
        return self.store.journal(stage_id=stage_id, limit=limit)


def _stale(current_version: str | None) -> StaleAgenda:
    """The refusal of an agenda change issued against a version that is no longer stored."""
    return StaleAgenda(f"the agenda changed meanwhile (now version {current_version}); reload and try again",
                       current_version=current_version)


def _jsonable(args: Mapping[str, Any]) -> dict[str, Any]:
    """Command arguments as JSON-ready values for the journal."""
    return json.loads(json.dumps(dict(args), default=_encode))


def _encode(value: Any) -> Any:
    """JSON encoding for timedeltas and datetimes in command arguments."""
    if hasattr(value, "total_seconds"):
        return value.total_seconds()
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot journal {type(value).__name__}")


__all__ = [
    "Change",
    "ChangeCause",
    "CommandError",
    "NoAgenda",
    "NothingToUndo",
    "ShowInProgress",
    "ShowService",
    "StaleAgenda",
    "StaleRevision",
    "StoreUnavailable",
    "UnknownStage",
]
