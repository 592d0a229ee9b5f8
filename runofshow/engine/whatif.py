"""What-if before committing: which fixed starts a command would put at risk, judged in the engine's projection."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from runofshow.agenda.model import Stage
from runofshow.engine.commands import Command, apply
from runofshow.engine.projections import project
from runofshow.engine.recovery import MINUTE, HardStart, hard_starts
from runofshow.engine.state import StageState


def put_at_risk(stage: Stage, state: StageState, name: str, args: Mapping[str, Any], now: datetime) -> tuple[HardStart, ...]:
    """The fixed starts that would start at least a minute later than now projected, and late, if `name` were applied
    now; CommandError when the command would be refused."""
    before = {start.block_id: start for start in hard_starts(stage, project(stage, state, now))}
    after = apply(stage, state, Command(name, state.rev, args), now)
    risky = []
    for start in hard_starts(stage, project(stage, after, now)):
        was = before.get(start.block_id)
        if start.late_by >= MINUTE and (was is None or start.projected_start - was.projected_start >= MINUTE):
            risky.append(start)
    return tuple(risky)
