"""Readable plain-text summaries of an agenda and of a stage's live state, for the terminal."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from runofshow.agenda.days import block_days
from runofshow.agenda.model import Block, Event, RecordPlan, StartRule, StreamPlan
from runofshow.engine import Snapshot

STREAM_MARK = {StreamPlan.LIVE: "LIVE", StreamPlan.OFF: "off", StreamPlan.ON_REQUEST: "on request",
               StreamPlan.UNSPECIFIED: ""}


def format_duration(value: timedelta) -> str:
    """A duration as 1h 05m, 45m or 0m; negative with a minus sign."""
    sign = "-" if value < timedelta(0) else ""
    minutes = int(abs(value).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours}h {minutes:02d}m" if hours else f"{sign}{minutes}m"


def format_clock(value: timedelta) -> str:
    """A countdown as H:MM:SS or MM:SS, with a sign when negative."""
    sign = "-" if value < timedelta(0) else ""
    seconds = int(abs(value).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{sign}{minutes:02d}:{seconds:02d}"


def _local(instant: datetime, zone: ZoneInfo) -> str:
    """HH:MM in the event's zone."""
    return instant.astimezone(zone).strftime("%H:%M")


def block_flags(block: Block) -> str:
    """Short markers for what the crew must know about a block."""
    flags = []
    if STREAM_MARK[block.stream]:
        flags.append(f"stream: {STREAM_MARK[block.stream]}")
    if block.record is not RecordPlan.UNSPECIFIED:
        flags.append("DO NOT RECORD" if block.record is RecordPlan.DO_NOT_RECORD else "record")
    if block.start_rule is StartRule.HARD:
        flags.append("fixed start")
    flags.append(f"advance: {block.advance.value}")
    if block.breakout is not None:
        parts = []
        if block.breakout.teams_rooms:
            parts.append("Teams breakout rooms")
        if block.breakout.physical_groups:
            size = ""
            if block.breakout.group_size_min is not None:
                size = f" of {block.breakout.group_size_min}"
                if block.breakout.group_size_max not in (None, block.breakout.group_size_min):
                    size += f"-{block.breakout.group_size_max}"
            parts.append(f"groups{size}")
        flags.append(", ".join(parts))
    for duty in block.duties:
        who = "OPEN" if duty.is_open else ("each group" if duty.per_group else duty.assignee)
        flags.append(f"{duty.role}: {who}")
    flags.extend(f"length: {fact.source}" for fact in block.facts if fact.kind == "length")
    if block.reminders:
        flags.append(f"{len(block.reminders)} reminder(s)")
    if block.contacts:
        flags.append(f"{len(block.contacts)} private contact(s)")
    return "; ".join(flags)


def zone_line(event: Event) -> str:
    """The event's days and zone, saying when the zone was assumed and how to choose another."""
    days = ", ".join(day.isoformat() for day in event.days)
    line = f"{days} ({event.timezone})" + (f", {event.venue}" if event.venue else "")
    if event.timezone_assumed:
        line += (f"\nTime zone {event.timezone} assumed: the file does not name a zone that fits its times. "
                 "Choose another with --timezone, e.g. --timezone Europe/Berlin.")
    return line


def day_heading(day: date) -> str:
    """A day's heading in a multi-day summary: weekday and ISO date."""
    return f"  {day.strftime('%A')} {day.isoformat()}"


def event_summary(event: Event) -> str:
    """The agenda as a table a person can check at a glance; a multi-day agenda under each day's date."""
    zone = ZoneInfo(event.timezone)
    lines = [f"{event.title}", zone_line(event)]
    multi_day = len(event.days) > 1
    for stage in event.stages:
        lines.append("")
        count = len(stage.blocks)
        lines.append(f"Stage {stage.id}: {stage.name}, {count} block{'' if count == 1 else 's'}")
        days = block_days(event, stage)
        previous: Block | None = None
        for block in stage.blocks:
            new_day = multi_day and (previous is None or days[block.id] != days[previous.id])
            if new_day:
                lines.append(day_heading(days[block.id]))
            elif previous is not None and block.planned_start > previous.planned_end:
                lines.append(f"        ↓ gap {format_duration(block.planned_start - previous.planned_end)}")
            lines.append(
                f"  {_local(block.planned_start, zone)}  {format_duration(block.planned_duration):>7}  "
                f"{block.title}  [{block.category.value}]"
            )
            flags = block_flags(block)
            if flags:
                lines.append(f"                  {flags}")
            previous = block
    if event.rooms:
        lines.append("")
        lines.append("Rooms: " + ", ".join(f"{room.name} ({room.id})" for room in event.rooms))
    return "\n".join(lines)


def snapshot_summary(event: Event, snap: Snapshot) -> str:
    """Where a stage is now, in a few lines."""
    zone = ZoneInfo(event.timezone)
    stage = event.stage(snap.stage_id)
    lines = [f"{stage.name} [{snap.status.value}] rev {snap.rev} at {_local(snap.now, zone)}"]
    if snap.current is not None:
        current = snap.current
        if current.overtime > timedelta(0):
            timing = f"OVERTIME +{format_clock(current.overtime)}"
        else:
            timing = f"{format_clock(current.remaining)} left"
        lines.append(f"  now:  {current.title}  {timing}  ({current.level.value})")
    if snap.next is not None:
        lines.append(f"  next: {snap.next.title} at {_local(snap.next.projected_start, zone)}")
    if snap.delay:
        lines.append(f"  delay against plan: {format_duration(snap.delay)}")
    return "\n".join(lines)
