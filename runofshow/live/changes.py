"""What listeners of the show service hear: each stored change of a stage, and why it happened."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from runofshow.agenda.model import Event
from runofshow.engine import StageState


class ChangeCause(StrEnum):
    """Why a stage's state is announced; AUTO is also the journal's command name for automatic transitions."""

    COMMAND = "command"  # someone's command, named in Change.command
    AUTO = "auto"  # automatic transitions this process stored
    AGENDA = "agenda"  # an imported, edited or undone agenda
    REFRESH = "refresh"  # a change another process stored
    RESYNC = "resync"  # pushed again to screens that missed a push


@dataclass(frozen=True)
class Change:
    """What listeners hear after every stored change of a stage."""

    stage_id: str
    state: StageState
    event: Event
    cause: ChangeCause
    command: str | None = None
