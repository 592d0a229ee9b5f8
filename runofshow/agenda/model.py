"""The agenda model: an event, its stages and rooms, and the blocks each stage runs."""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


EVENT = "event"


class AgendaError(ValueError):
    """An agenda that cannot be run: overlapping blocks, negative durations, bad references.

    It says where as well as what: `where` begins the message (`event`, `stage 'a', block 'b' ('B')` or
    a document path); `stage_id` and `block_id` name the block at fault; `field` is the field at fault,
    a key of that block when a block is named (`start`), else a key or path of the native document
    (`timezone`, `stages[0].blocks[2].start`); `line` is the source line when known.
    """

    def __init__(self, problem: str, *, where: str = "", stage_id: str | None = None, block_id: str | None = None,
                 field: str | None = None, line: int | None = None) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.problem = problem
        self.where = where
        self.stage_id = stage_id
        self.block_id = block_id
        self.field = field
        self.line = line


class Category(StrEnum):
    """What kind of block this is."""

    TALK = "talk"
    DISCUSSION = "discussion"
    WORKSHOP = "workshop"
    BREAK = "break"
    MEAL = "meal"
    MILESTONE = "milestone"
    OTHER = "other"


class StreamPlan(StrEnum):
    """Whether the block is meant to go out on the live stream."""

    LIVE = "live"
    OFF = "off"
    ON_REQUEST = "on_request"
    UNSPECIFIED = "unspecified"


class RecordPlan(StrEnum):
    """Whether the block may be recorded (a speaker's opt-out is `do_not_record`); separate from the stream plan."""

    RECORD = "record"
    DO_NOT_RECORD = "do_not_record"
    UNSPECIFIED = "unspecified"


class StartRule(StrEnum):
    """Soft blocks follow the previous block; hard blocks keep their clock time."""

    SOFT = "soft"
    HARD = "hard"


class AdvanceRule(StrEnum):
    """Whether the show moves on by itself at the block's end or waits for the moderator."""

    AUTO = "auto"
    MANUAL = "manual"


class Presence(StrEnum):
    """Where a speaker will be."""

    ON_SITE = "on_site"
    REMOTE = "remote"
    UNKNOWN = "unknown"


class RoomKind(StrEnum):
    """What a room is used for."""

    PLENARY = "plenary"
    BREAKOUT = "breakout"
    REMOTE = "remote"
    OTHER = "other"


@dataclass(frozen=True)
class Fact:
    """One thing the annotator inferred from free text, with the sentence it came from."""

    kind: str
    value: str
    source: str
    rule: str = ""


@dataclass(frozen=True)
class Speaker:
    """A person presenting in a block."""

    name: str
    presence: Presence = Presence.UNKNOWN
    affiliation: str = ""


@dataclass(frozen=True)
class Contact:
    """A private contact detail found in the notes (crew only)."""

    kind: str
    value: str
    source: str = ""


@dataclass(frozen=True)
class Breakout:
    """How a block splits into groups: Teams breakout rooms and/or physical groups."""

    teams_rooms: bool = False
    physical_groups: bool = False
    group_size_min: int | None = None
    group_size_max: int | None = None
    rules: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Duty:
    """A job someone has to do in a block; assignee None means nobody has taken it yet."""

    role: str
    assignee: str | None
    source: str
    per_group: bool = False
    detail: str = ""

    @property
    def is_open(self) -> bool:
        """True when nobody is named and it is not handed to each group."""
        return self.assignee is None and not self.per_group


@dataclass(frozen=True)
class Reminder:
    """Something the crew must remember during a block."""

    text: str
    source: str


@cache
def fixed_offset(offset: timedelta) -> timezone:
    """The fixed-offset zone for a UTC offset (one object per offset)."""
    return timezone(offset)


MINIMUM_SHARE: dict[Category, float] = {
    Category.TALK: 0.8,
    Category.DISCUSSION: 0.5,
    Category.WORKSHOP: 0.5,
    Category.BREAK: 0.5,
    Category.MEAL: 1.0,
    Category.MILESTONE: 1.0,
    Category.OTHER: 0.6,
}
"""How much of its planned length a block keeps at least when none is given: talks give little, a discussion or a
break half, a meal or a milestone nothing."""


def default_minimum(category: Category, planned: timedelta) -> timedelta:
    """The category's share of the planned length, rounded up to a whole minute."""
    minutes = math.ceil(planned.total_seconds() / 60 * MINIMUM_SHARE[category] - 1e-9)
    return min(timedelta(minutes=max(minutes, 0)), planned)


@dataclass(frozen=True)
class Block:
    """One item of a stage's run of show."""

    id: str
    title: str
    planned_start: datetime
    planned_duration: timedelta
    category: Category = Category.OTHER
    category_label: str = ""
    description: str = ""
    facilitators: tuple[str, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    notes: str = ""
    contacts: tuple[Contact, ...] = ()
    stream: StreamPlan = StreamPlan.UNSPECIFIED
    stream_source: str = ""
    record: RecordPlan = RecordPlan.UNSPECIFIED
    record_source: str = ""
    # OBS automation for this block: its own program scene (None: the stage's), or none at all (False).
    obs_scene: str | None = None
    obs_automation: bool = True
    # The source's own fields (JSON text), written back on export where runofshow changed nothing.
    passthrough: str = ""
    breakout: Breakout | None = None
    duties: tuple[Duty, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    working_groups: tuple[str, ...] = ()
    start_rule: StartRule = StartRule.SOFT
    advance: AdvanceRule = AdvanceRule.MANUAL
    rooms: tuple[str, ...] = ()
    warning_before: timedelta | None = None
    danger_before: timedelta | None = None
    facts: tuple[Fact, ...] = ()
    min_duration: timedelta | None = None
    protected: bool = False
    optional: bool = False

    def __post_init__(self) -> None:
        """Keep the start as a fixed UTC offset: a ZoneInfo start would add durations in wall-clock time,
        an hour off across a DST change; display code converts to the event's zone."""
        start = self.planned_start
        offset = start.utcoffset() if isinstance(start, datetime) and start.tzinfo is not None else None
        if offset is not None and type(start.tzinfo) is not timezone:
            object.__setattr__(self, "planned_start", start.replace(tzinfo=fixed_offset(offset), fold=0))

    @property
    def planned_end(self) -> datetime:
        """When the block is planned to end."""
        return self.planned_start + self.planned_duration

    @property
    def shortest(self) -> timedelta:
        """The shortest this block may run: its own minimum, else its category's share of the planned length."""
        if self.protected:
            return self.planned_duration
        if self.min_duration is not None:
            return min(self.min_duration, self.planned_duration)
        return default_minimum(self.category, self.planned_duration)


@dataclass(frozen=True)
class Stage:
    """A room that runs its own sequence of blocks, with its own moderator and screens."""

    id: str
    name: str
    blocks: tuple[Block, ...] = ()

    def block(self, block_id: str) -> Block:
        """The block with this id, or KeyError."""
        for candidate in self.blocks:
            if candidate.id == block_id:
                return candidate
        raise KeyError(block_id)

    def index_of(self, block_id: str) -> int:
        """Position of the block with this id, or KeyError."""
        for index, candidate in enumerate(self.blocks):
            if candidate.id == block_id:
                return index
        raise KeyError(block_id)


@dataclass(frozen=True)
class Room:
    """A place where people follow the agenda: plenary hall, breakout room, the Teams group."""

    id: str
    name: str
    kind: RoomKind = RoomKind.OTHER


@dataclass(frozen=True)
class Event:
    """A whole event: title, days, time zone, venue, stages and rooms."""

    title: str
    days: tuple[date, ...]
    timezone: str
    venue: str = ""
    stages: tuple[Stage, ...] = ()
    rooms: tuple[Room, ...] = ()
    source: str = field(default="", compare=False)
    # The file gave no zone and the importer assumed `timezone`: summaries say so, exports do not claim it.
    timezone_assumed: bool = False
    # The source's schedule and conference fields runofshow does not model (JSON text), written back on export.
    passthrough: str = ""

    @property
    def date(self) -> date:
        """The first day of the event."""
        return self.days[0]

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id, or KeyError."""
        for candidate in self.stages:
            if candidate.id == stage_id:
                return candidate
        raise KeyError(stage_id)

    def all_blocks(self) -> list[Block]:
        """Every block of every stage, in stage order."""
        return [block for stage in self.stages for block in stage.blocks]


def validate(event: Event) -> Event:
    """Return the event unchanged, or raise AgendaError saying what is wrong and where."""
    if not event.title.strip():
        raise AgendaError("the title is empty", where=EVENT, field="title")
    if not event.days:
        raise AgendaError("no days", where=EVENT, field="days")
    if not event.stages:
        raise AgendaError("no stages", where=EVENT, field="stages")
    try:
        ZoneInfo(event.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AgendaError(f"unknown time zone {event.timezone!r}", where=EVENT, field="timezone") from None
    stage_ids = [stage.id for stage in event.stages]
    if len(set(stage_ids)) != len(stage_ids):
        raise AgendaError(f"duplicate stage id among {stage_ids}", where=EVENT, field="stages")
    room_ids = {room.id for room in event.rooms}
    if len(room_ids) != len(event.rooms):
        raise AgendaError("duplicate room id", where=EVENT, field="rooms")
    seen_block_ids: set[str] = set()
    for stage in event.stages:
        previous: Block | None = None
        for block in stage.blocks:
            _validate_block(stage, block, previous, seen_block_ids, room_ids)
            seen_block_ids.add(block.id)
            previous = block
    return event


def _validate_block(stage: Stage, block: Block, previous: Block | None, seen_block_ids: set[str],
                    room_ids: set[str]) -> None:
    """Raise AgendaError naming the stage, block and field when one block of a stage cannot be run."""

    def fault(field: str, problem: str) -> AgendaError:
        where = f"stage {stage.id!r}, block {block.id!r} ({block.title!r})"
        return AgendaError(problem, where=where, stage_id=stage.id, block_id=block.id, field=field)

    if block.id in seen_block_ids:
        raise fault("id", "duplicate block id")
    if not block.title.strip():
        raise fault("title", "the title is empty")
    if block.planned_start.tzinfo is None or block.planned_start.utcoffset() is None:
        raise fault("start", "the start time has no time zone")
    if block.planned_duration < timedelta(0):
        raise fault("duration_minutes", f"negative duration {block.planned_duration}")
    if block.min_duration is not None and block.min_duration < timedelta(0):
        raise fault("min_minutes", "the minimum length is negative")
    for name, field, value in (("warning_before", "warning_minutes", block.warning_before),
                               ("danger_before", "danger_minutes", block.danger_before)):
        if value is not None and value < timedelta(0):
            raise fault(field, f"{name} is negative")
    unknown_rooms = [room for room in block.rooms if room not in room_ids]
    if unknown_rooms:
        raise fault("rooms", f"unknown room {unknown_rooms[0]!r}")
    if previous is not None and block.planned_start < previous.planned_start:
        raise fault("start", f"starts at {block.planned_start:%H:%M}, before the previous block "
                             f"{previous.title!r} at {previous.planned_start:%H:%M}")
    if previous is not None and block.planned_start < previous.planned_end:
        raise fault("start", f"starts at {block.planned_start:%H:%M}, overlapping "
                             f"{previous.title!r} which ends at {previous.planned_end:%H:%M}")
