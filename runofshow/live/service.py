"""The show service: the one place that applies commands, stores state and tells listeners."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from runofshow.agenda.model import Event, Stage, validate
from runofshow.agenda.document import event_from_dict, event_to_dict
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
from runofshow.live.store import RevisionConflict, Store, StoreUnavailable

AGENDA_VERSION_KEY = "agenda_version"
UNDO_KEY = "agenda_undo"
UNDO_DEPTH = 20
ACTIVE_STATUSES = ("running", "paused", "gap")
AUTO_ACTOR = "scheduler"
CAS_RETRIES = 5
EVENT_RECHECK_SECONDS = 0.25


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


@dataclass(frozen=True)
class Change:
    """What listeners hear after every stored change of a stage."""

    stage_id: str
    state: StageState
    event: Event
    cause: str


Listener = Callable[[Change], None]


class ShowService:
    """Applies commands to the live show through the engine, with compare-and-set in the store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._listeners: list[Listener] = []
        self._event: Event | None = None
        self._event_version: str | None = None
        self._lock = threading.RLock()
        self._known_revs: dict[str, int] = {}
        self._announced_version: str | None = None
        self._event_checked = 0.0

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
                pass

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
        return any(
            stored.state.get("status") not in ("not_started", "finished") for stored in self.store.load_states().values()
        )

    def replace_event(self, event: Event, *, actor: str, replace_running: bool = False) -> None:
        """Store a new agenda and fresh states for its stages, in one transaction."""
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
            self._notify(Change(stage.id, self._load(stage.id), event, "agenda"))

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

    def running_block(self, stage_id: str) -> str | None:
        """The id of the block a stage is running, paused in or waiting for; None when idle."""
        state = self.state(stage_id)
        return state.current if state.status.value in ACTIVE_STATUSES else None

    def edit_event(self, event: Event, *, actor: str, expected_version: str | None, note: str = "edit") -> str:
        """Store an edited agenda issued against `expected_version`, keeping each stage's live state; the new version.

        StaleAgenda when the agenda changed meanwhile; ShowInProgress when a running block would vanish.
        """
        with self._lock:
            self._check_version(expected_version)
            previous = self.store.load_agenda()
            stack = self._undo_stack() + ([previous] if previous is not None else [])
            return self._store_agenda(event, actor=actor, note=note, undo=stack[-UNDO_DEPTH:])

    def undo_edit(self, *, actor: str, expected_version: str | None) -> str:
        """Restore the agenda as it was before the last edit; the new version. NothingToUndo when none."""
        with self._lock:
            self._check_version(expected_version)
            stack = self._undo_stack()
            if not stack:
                raise NothingToUndo("there is no edit to undo")
            event = event_from_dict(stack.pop())
            return self._store_agenda(event, actor=actor, note="undo", undo=stack)

    def _check_version(self, expected_version: str | None) -> None:
        """StaleAgenda unless the stored agenda is still at `expected_version`."""
        current = self.agenda_version()
        if expected_version != current:
            raise StaleAgenda(f"the agenda changed meanwhile (now version {current}); reload and try again",
                              current_version=current)

    def _store_agenda(self, event: Event, *, actor: str, note: str, undo: list[dict[str, Any]]) -> str:
        """Store the agenda with the live states kept where their block still exists; tell listeners."""
        validate(event)
        stored = self.store.load_states()
        previous = self.store.load_agenda()
        old_blocks = {stage.id: stage.blocks for stage in event_from_dict(previous).stages} if previous else {}
        states: dict[str, dict[str, Any]] = {}
        for stage in event.stages:
            item = stored.get(stage.id)
            if item is None:
                states[stage.id] = initial_state(stage).to_dict()
                continue
            state = StageState.from_dict({**item.state, "rev": item.rev})
            if state.status.value in ACTIVE_STATUSES and state.current is not None \
                    and not any(block.id == state.current for block in stage.blocks):
                raise ShowInProgress(f"stage {stage.id!r} is running block {state.current!r}; it cannot be removed")
            takers = remap_duty_takers(old_blocks.get(stage.id, ()), stage.blocks, state.duty_takers)
            states[stage.id] = replace(state, duty_takers=takers).to_dict()
        dropped = [stage_id for stage_id, item in stored.items()
                   if stage_id not in states and item.state.get("status") in ACTIVE_STATUSES]
        if dropped:
            raise ShowInProgress(f"stage {dropped[0]!r} is running; it cannot be removed")
        version = uuid.uuid4().hex
        kept_revs = {stage_id: stored[stage_id].rev for stage_id in states if stage_id in stored}
        try:
            self.store.replace_agenda(event_to_dict(event), states, actor=actor, at=self.clock.now(), note=note[:100],
                                      meta={AGENDA_VERSION_KEY: version, UNDO_KEY: json.dumps(undo, ensure_ascii=False)},
                                      expected_revs=kept_revs)
        except RevisionConflict as error:
            # Another process stored a command between our read and our write: its state must not be lost.
            raise StaleAgenda(f"the show moved on while the agenda was saved ({error}); try again",
                              current_version=self.agenda_version()) from None
        self._announced_version = version
        self._event = None
        for stage in event.stages:
            self._notify(Change(stage.id, self._load(stage.id), event, "agenda"))
        return version

    def refresh(self) -> None:
        """Tell listeners about changes another process stored since this one last looked."""
        if not self.has_agenda():
            return
        version = self.store.get_meta(AGENDA_VERSION_KEY)
        agenda_changed = self._announced_version is not None and version != self._announced_version
        self._announced_version = version
        if version != self._event_version:
            with self._lock:
                self._event = None
        event = self.event()
        for stage_id, stored in self.store.load_states().items():
            if not any(stage.id == stage_id for stage in event.stages):
                continue
            if agenda_changed or self._known_revs.get(stage_id, -1) < stored.rev:
                state = StageState.from_dict({**stored.state, "rev": stored.rev})
                self._notify(Change(stage_id, state, event, "agenda" if agenda_changed else "refresh"))

    # ---- live state -------------------------------------------------------------------------

    def _load(self, stage_id: str) -> StageState:
        """The stored state of a stage, without catching up."""
        stored = self.store.load_state(stage_id)
        if stored is None:
            raise UnknownStage(f"unknown stage {stage_id!r}")
        state = StageState.from_dict(stored.state)
        if state.rev != stored.rev:
            state = StageState.from_dict({**stored.state, "rev": stored.rev})
        return state

    def _store(self, stage: Stage, old: StageState, new: StageState, *, actor: str, command: str,
               args: Mapping[str, Any], at: datetime) -> Change | None:
        """Compare-and-set the new state and journal it; the change to tell listeners, None when someone was first."""
        stored = self.store.compare_and_set(
            stage.id, old.rev, new.rev, new.to_dict(), actor=actor, at=at, command=command, args=_jsonable(args)
        )
        return Change(stage.id, new, self.event(), command) if stored else None

    def _catch_up(self, stage: Stage, at: datetime | None) -> tuple[StageState, Change | None]:
        """Apply and store every automatic transition due by `at` (or now); the state and the change stored, if any."""
        for _ in range(CAS_RETRIES):
            now = at or self.clock.now()
            current = self._load(stage.id)
            caught_up = advance_due(stage, current, now)
            if caught_up is current:
                return current, None
            stored = self._store(stage, current, caught_up, actor=AUTO_ACTOR, command="auto", args={}, at=now)
            if stored is not None:
                return caught_up, stored
        return self._load(stage.id), None

    def state(self, stage_id: str, at: datetime | None = None) -> StageState:
        """The stage's state now (or `at`), with every automatic transition due by then applied and stored."""
        state, change = self._catch_up(self.stage(stage_id), at)
        if change is not None:
            self._notify(change)
        return state

    def command(self, stage_id: str, name: str, expected_rev: int, args: Mapping[str, Any] | None = None, *,
                actor: str) -> StageState:
        """Apply one command issued against `expected_rev`; StaleRevision or CommandError if refused.

        Listeners hear once, of the newest state: the catch-ups before and after the command are journalled
        revisions of their own, but a screen has no use for a state that lasted no time at all.
        """
        stage = self.stage(stage_id)
        # One reading of the clock: a transition due between catching up and applying must not be overtaken.
        now = self.clock.now()
        current, last = self._catch_up(stage, now)
        try:
            new = apply(stage, current, Command(name=name, expected_rev=expected_rev, args=dict(args or {})), now)
            stored = self._store(stage, current, new, actor=actor, command=name, args=args or {}, at=now)
            if stored is None:
                current_rev = self._load(stage_id).rev
                raise StaleRevision(f"the show changed while {name} was applied; now at revision {current_rev}",
                                    current_rev=current_rev)
            last = stored
            due = next_due(stage, new, now)
            if due is not None and due <= now:
                # The command made a transition due at once (a 0-minute milestone restarted, an auto block cut
                # to nothing): apply it here rather than leave it to a scheduler that may learn of it later.
                new, caught_up = self._catch_up(stage, now)
                if caught_up is not None:
                    last = Change(stage_id, new, caught_up.event, name)
            return new
        finally:
            if last is not None:
                self._notify(last)

    def run_due(self, stage_id: str, planned_rev: int) -> StageState | None:
        """The scheduler's job: catch up if the state is still the one the job was planned against."""
        current = self._load(stage_id)
        if current.rev != planned_rev:
            return None
        caught_up = self.state(stage_id)
        return caught_up if caught_up.rev != planned_rev else None

    def next_due(self, stage_id: str) -> datetime | None:
        """When the stage next changes by itself."""
        return next_due(self.stage(stage_id), self.state(stage_id), self.clock.now())

    def snapshot(self, stage_id: str) -> Snapshot:
        """The stage's snapshot at the clock's now."""
        stage = self.stage(stage_id)
        return snapshot(stage, self.state(stage_id), self.clock.now())


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
