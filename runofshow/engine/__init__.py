"""The pure show engine: stage state, commands, automatic transitions, projections and snapshots."""

from runofshow.engine.arguments import Argument, CommandError, Kind
from runofshow.engine.auto import advance_due, next_due
from runofshow.engine.commands import COMMANDS, Command, CommandSpec, StaleRevision, apply
from runofshow.engine.crew import DutyDue, ReminderDue, remap_duty_takers
from runofshow.engine.projections import ProjectionRow, RowState
from runofshow.engine.roles import Role
from runofshow.engine.serialize import snapshot_to_dict
from runofshow.engine.snapshot import CurrentBlock, NextBlock, Snapshot, snapshot
from runofshow.engine.state import BlockRun, DisplayMode, StageState, Status, initial_state
from runofshow.engine.stream import StreamTransition
from runofshow.engine.targets import stage_or_first
from runofshow.engine.timing import DEFAULT_DANGER_BEFORE, DEFAULT_WARNING_BEFORE, Level

__all__ = [
    "remap_duty_takers",
    "COMMANDS",
    "DEFAULT_DANGER_BEFORE",
    "DEFAULT_WARNING_BEFORE",
    "Argument",
    "BlockRun",
    "Command",
    "CommandError",
    "CommandSpec",
    "CurrentBlock",
    "DisplayMode",
    "DutyDue",
    "Kind",
    "Level",
    "NextBlock",
    "ProjectionRow",
    "ReminderDue",
    "Role",
    "RowState",
    "Snapshot",
    "StageState",
    "StaleRevision",
    "Status",
    "StreamTransition",
    "advance_due",
    "apply",
    "initial_state",
    "next_due",
    "snapshot",
    "snapshot_to_dict",
    "stage_or_first",
]
