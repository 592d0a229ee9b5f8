"""What happened on a stage between two looks at it: the moments webhooks fire on."""

from __future__ import annotations

from dataclasses import dataclass

from runofshow.agenda.model import StreamPlan
from runofshow.engine import Snapshot

TRIGGERS = ("show_started", "show_ended", "block_started", "block_ended", "warning", "danger", "overtime",
            "stream_plan_on", "stream_plan_off", "hard_start_at_risk")
"""Every trigger a webhook target can ask for. When several happen at once they go out in the order a crew would
say them: the show starts, a block ends, the show ends, a block starts, its level, the stream plan, a risk."""

LEVEL_TRIGGERS = ("warning", "danger", "overtime")
NOT_RUN = ("not_started",)


@dataclass(frozen=True)
class Look:
    """The facts of a stage that moments are told from."""

    status: str
    block_id: str | None
    level: str | None
    live: bool
    at_risk: frozenset[str]


@dataclass(frozen=True)
class Moment:
    """One trigger on a stage, about one block (None for the show as a whole)."""

    trigger: str
    block_id: str | None


def look_at_snapshot(shot: Snapshot) -> Look:
    """The facts of a stage's snapshot."""
    running = shot.current is not None and shot.status.value in ("running", "paused")
    return Look(
        status=shot.status.value,
        block_id=shot.current.block_id if running and shot.current is not None else None,
        level=shot.level.value if running else None,
        live=shot.stream_plan is StreamPlan.LIVE,
        at_risk=frozenset(row.block_id for row in shot.projections if row.at_risk),
    )


def moments(before: Look | None, after: Look) -> list[Moment]:
    """The moments between two looks; None before means the first look (nothing happened yet)."""
    if before is None:
        return []
    found: list[Moment] = []
    if before.status in NOT_RUN and after.status not in NOT_RUN + ("finished",):
        found.append(Moment("show_started", None))
    if before.block_id is not None and after.block_id != before.block_id:
        found.append(Moment("block_ended", before.block_id))
    if after.status == "finished" and before.status != "finished":
        found.append(Moment("show_ended", None))
    if after.block_id is not None and after.block_id != before.block_id:
        found.append(Moment("block_started", after.block_id))
    if after.level in LEVEL_TRIGGERS and (after.level != before.level or after.block_id != before.block_id):
        found.append(Moment(after.level, after.block_id))
    if after.live != before.live:
        found.append(Moment("stream_plan_on" if after.live else "stream_plan_off", after.block_id))
    found.extend(Moment("hard_start_at_risk", block_id) for block_id in sorted(after.at_risk - before.at_risk))
    return found
