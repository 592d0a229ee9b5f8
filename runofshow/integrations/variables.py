"""A stage's live state as flat, public-safe variables: what Companion polls, OSC sends and webhooks carry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Event
from runofshow.engine import Snapshot, StageState, snapshot
from runofshow.live.service import running_block
from runofshow.terminal.summary import format_clock
from runofshow.web.payloads import public_copy

STREAM_ACTUAL = {True: "on", False: "off", None: "unknown"}


def whole_seconds(value: timedelta) -> int:
    """A duration in whole seconds, rounded towards zero (a countdown shows 0:59 until a full minute is gone)."""
    return int(value.total_seconds())


def stage_variables(event: Event, stage_id: str, state: StageState, now: datetime) -> dict[str, Any]:
    """The stage's state now as one flat object of strings and numbers, without notes, contacts or duties.

    `remaining_seconds` is negative in overtime; times are HH:MM in the event's zone; `block_id` is the block a
    button press names as the one it expects to leave (empty when none runs).
    """
    return variables_of_snapshot(event, stage_id, state, snapshot(event.stage(stage_id), state, now))


def variables_of_snapshot(event: Event, stage_id: str, state: StageState, shot: Snapshot) -> dict[str, Any]:
    """`stage_variables` from the stage's snapshot already made of `state` (integrations share one per change)."""
    zone = ZoneInfo(event.timezone)
    current, upcoming = shot.current, shot.next
    remaining = (current.remaining - current.overtime) if current is not None else timedelta(0)
    return public_copy({
        "stage": stage_id,
        "rev": shot.rev,
        "status": shot.status.value,
        "block_id": running_block(state) or "",
        "title": current.title if current is not None else "",
        "remaining_text": format_clock(remaining) if current is not None else "",
        "remaining_seconds": whole_seconds(remaining),
        "level": shot.level.value,
        "paused": shot.paused,
        "next_block_id": upcoming.block_id if upcoming is not None else "",
        "next_title": upcoming.title if upcoming is not None else "",
        "next_start": upcoming.projected_start.astimezone(zone).strftime("%H:%M") if upcoming is not None else "",
        "delay_seconds": whole_seconds(shot.delay),
        "delay_minutes": round(shot.delay.total_seconds() / 60),
        "stream_plan": shot.stream_plan.value,
        "stream_actual": STREAM_ACTUAL[shot.stream_on],
        "stream_mismatch": shot.stream_mismatch,
    })
