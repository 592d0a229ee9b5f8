"""Snapshots as JSON-ready dicts: instants as ISO text plus `<name>_ms` epoch milliseconds, durations as `_ms`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from runofshow.engine.crew import DutyDue, ReminderDue
from runofshow.engine.projections import ProjectionRow
from runofshow.engine.recovery import Change, HardStart, Plan, Recovery
from runofshow.engine.snapshot import CurrentBlock, NextBlock, Snapshot
from runofshow.engine.stream import StreamTransition
from runofshow.engine.state import ObsStatus

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MILLISECOND = timedelta(milliseconds=1)


def epoch_ms(instant: datetime) -> int:
    """Whole milliseconds since the Unix epoch, rounded down."""
    return (instant - EPOCH) // MILLISECOND


def duration_ms(duration: timedelta) -> int:
    """A duration in whole milliseconds, rounded down."""
    return duration // MILLISECOND


def _instant(out: dict[str, Any], name: str, instant: datetime | None) -> None:
    """Put `name` (ISO text) and `name_ms` (epoch milliseconds) into `out`; both None for no instant."""
    if instant is None:
        out[name] = None
        out[f"{name}_ms"] = None
    else:
        out[name] = instant.isoformat()
        out[f"{name}_ms"] = epoch_ms(instant)


def current_to_dict(current: CurrentBlock, now_ms: int) -> dict[str, Any]:
    """The current block; remaining and overtime agree to the millisecond with time_up_ms - now_ms."""
    out: dict[str, Any] = {"block_id": current.block_id, "title": current.title}
    _instant(out, "actual_start", current.actual_start)
    _instant(out, "time_up", current.time_up)
    _instant(out, "projected_end", current.projected_end)
    _instant(out, "paused_at", current.paused_at)
    left = out["time_up_ms"] - now_ms
    out.update(
        elapsed_ms=duration_ms(current.elapsed),
        remaining_ms=max(left, 0),
        overtime_ms=max(-left, 0),
        level=current.level.value,
        warning_ms=duration_ms(current.warning_before),
        danger_ms=duration_ms(current.danger_before),
        paused=current.paused,
        planned_duration_ms=duration_ms(current.planned_duration),
        added_ms=duration_ms(current.added),
        advance=current.advance.value,
        start_rule=current.start_rule.value,
        adjusted_ms=None if current.adjusted is None else duration_ms(current.adjusted),
    )
    return out


def next_to_dict(following: NextBlock) -> dict[str, Any]:
    """The next block."""
    out: dict[str, Any] = {"block_id": following.block_id, "title": following.title}
    _instant(out, "projected_start", following.projected_start)
    _instant(out, "planned_start", following.planned_start)
    out.update(start_rule=following.start_rule.value, at_risk=following.at_risk)
    return out


def row_to_dict(row: ProjectionRow) -> dict[str, Any]:
    """One projection row; skipped blocks have null projected times and delay."""
    out: dict[str, Any] = {"block_id": row.block_id, "title": row.title}
    _instant(out, "planned_start", row.planned_start)
    _instant(out, "planned_end", row.planned_end)
    _instant(out, "projected_start", row.projected_start)
    _instant(out, "projected_end", row.projected_end)
    out.update(
        delay_ms=None if row.delay is None else duration_ms(row.delay),
        start_rule=row.start_rule.value,
        at_risk=row.at_risk,
        state=row.state.value,
        adjusted_ms=None if row.adjusted is None else duration_ms(row.adjusted),
        dropped=row.dropped,
    )
    return out


def transition_to_dict(transition: StreamTransition | None) -> dict[str, Any] | None:
    """The next change of the planned stream state, or None."""
    if transition is None:
        return None
    out: dict[str, Any] = {}
    _instant(out, "at", transition.at)
    out.update({"from": transition.from_plan.value, "to": transition.to_plan.value, "block_id": transition.block_id})
    return out


def duty_to_dict(duty: DutyDue) -> dict[str, Any]:
    """A duty due now or soon."""
    return {
        "block_id": duty.block_id, "index": duty.index, "role": duty.role, "assignee": duty.assignee,
        "open": duty.open, "taken": duty.taken, "per_group": duty.per_group, "detail": duty.detail,
        "source": duty.source,
    }


def reminder_to_dict(reminder: ReminderDue) -> dict[str, Any]:
    """A reminder due now or soon."""
    return {"block_id": reminder.block_id, "text": reminder.text, "source": reminder.source}


def obs_to_dict(obs: ObsStatus | None) -> dict[str, Any] | None:
    """What the stage's OBS reported, with `on_air_since_ms` for the time-on-air counter."""
    if obs is None:
        return None
    out = obs.to_dict()
    _instant(out, "on_air_since", obs.on_air_since)
    return out


def snapshot_to_dict(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as a JSON-ready dict."""
    out: dict[str, Any] = {"stage_id": snap.stage_id, "rev": snap.rev, "status": snap.status.value}
    _instant(out, "now", snap.now)
    now_ms = out["now_ms"]
    _instant(out, "flash_at", snap.flash_at)
    out.update(
        current=None if snap.current is None else current_to_dict(snap.current, now_ms),
        next=None if snap.next is None else next_to_dict(snap.next),
        delay_ms=duration_ms(snap.delay),
        projections=[row_to_dict(row) for row in snap.projections],
        next_stream_transition=transition_to_dict(snap.next_stream_transition),
        duties_due=[duty_to_dict(duty) for duty in snap.duties_due],
        reminders_due=[reminder_to_dict(reminder) for reminder in snap.reminders_due],
        message=snap.message,
        message_pinned=snap.message_pinned,
        display_mode=snap.display_mode.value,
        blackout=snap.blackout,
        stream_on=snap.stream_on,
        stream_source=snap.stream_source,
        obs=obs_to_dict(snap.obs),
        stream_mismatch=snap.stream_mismatch,
        stream_plan=snap.stream_plan.value,
        paused=snap.paused,
        level=snap.level.value,
    )
    return out


def hard_start_to_dict(start: HardStart) -> dict[str, Any]:
    """A fixed start with its planned and projected time and how late it is."""
    out: dict[str, Any] = {"block_id": start.block_id, "title": start.title}
    _instant(out, "planned_start", start.planned_start)
    _instant(out, "projected_start", start.projected_start)
    out["late_ms"] = duration_ms(start.late_by)
    return out


def change_to_dict(change: Change) -> dict[str, Any]:
    """One block's new length in a plan (after_ms null: dropped)."""
    return {
        "block_id": change.block_id, "title": change.title, "category": change.category.value,
        "before_ms": duration_ms(change.before),
        "after_ms": None if change.after is None else duration_ms(change.after),
        "dropped": change.after is None,
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """One recovery plan: what it changes, what it saves, what it costs, and the projected times it makes."""
    out: dict[str, Any] = {
        "kind": plan.kind,
        "changes": plan.key,
        "blocks": [change_to_dict(change) for change in plan.changes],
        "saves": list(plan.saves),
        "still_late": [hard_start_to_dict(start) for start in plan.still_late],
        "gained_ms": duration_ms(plan.gained),
        "cost_ms": {category: duration_ms(taken) for category, taken in plan.cost.items()},
        "talks_touched": plan.talks_touched,
        "starts_early": plan.starts_early,
        "projections": [row_to_dict(row) for row in plan.rows],
    }
    _instant(out, "target_start", plan.target_start)
    _instant(out, "end", plan.end)
    return out


def recovery_to_dict(recovery: Recovery) -> dict[str, Any]:
    """Where the stage stands against its fixed times, and its plans."""
    return {
        "stage_id": recovery.stage_id,
        "rev": recovery.rev,
        "direction": recovery.direction,
        "amount_ms": duration_ms(recovery.amount),
        "target": None if recovery.target is None else hard_start_to_dict(recovery.target),
        "at_risk": [hard_start_to_dict(start) for start in recovery.at_risk],
        "plans": [plan_to_dict(plan) for plan in recovery.plans],
    }
