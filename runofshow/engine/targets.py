"""Which stage a command, a screen or the CLI means when it names none: the event's first."""

from __future__ import annotations

from runofshow.agenda.model import Event


def stage_or_first(event: Event, stage_id: str | None) -> str:
    """The stage id asked for, or the event's first stage when none (or an empty one) is given."""
    return stage_id or event.stages[0].id
