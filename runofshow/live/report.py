"""The run report after the day: planned against actual times per block, stream windows as run, the journal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Event, Stage, StreamPlan
from runofshow.engine.state import BlockRun, StageState
from runofshow.importers.spreadsheet import neutralised
from runofshow.live.store import JournalEntry

STREAM_COMMAND = "set_stream_state"


@dataclass(frozen=True)
class BlockReport:
    """One block: planned and actual start, end and duration, and how far it ran over."""

    block_id: str
    title: str
    planned_start: datetime | None
    planned_end: datetime | None
    planned_duration: timedelta | None
    actual_start: datetime | None
    actual_end: datetime | None
    actual_duration: timedelta | None
    runs: int
    status: str  # "done", "running", "not_run", "removed" (ran, then was taken out of the agenda)
    adjusted_duration: timedelta | None = None  # the length an applied recovery plan gave it, if any
    dropped: bool = False  # an applied recovery plan dropped it

    @property
    def start_delay(self) -> timedelta | None:
        """How much later than planned the block started (negative: earlier)."""
        if self.actual_start is None or self.planned_start is None:
            return None
        return self.actual_start - self.planned_start

    @property
    def overrun(self) -> timedelta | None:
        """How much longer than planned the block ran (negative: shorter); None until it has ended."""
        if self.actual_duration is None or self.planned_duration is None or self.status == "running":
            return None
        return self.actual_duration - self.planned_duration


@dataclass(frozen=True)
class StreamWindow:
    """A stretch of time on air: as run (from the journal) or as planned (when nothing was reported)."""

    start: datetime
    end: datetime | None
    source: str  # "actual" or "planned"
    titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunReport:
    """A stage's day as it ran."""

    event_title: str
    stage_id: str
    stage_name: str
    timezone: str
    made_at: datetime
    blocks: tuple[BlockReport, ...]
    stream_windows: tuple[StreamWindow, ...]
    journal: tuple[JournalEntry, ...]

    @property
    def overruns(self) -> tuple[BlockReport, ...]:
        """The blocks that ran longer than planned."""
        return tuple(block for block in self.blocks if block.overrun is not None and block.overrun > timedelta(0))

    @property
    def stream_source(self) -> str:
        """"actual" when the stream state was reported during the day, else "planned"."""
        return self.stream_windows[0].source if self.stream_windows else "planned"


def build_report(event: Event, stage_id: str, state: StageState, journal: Sequence[JournalEntry],
                 now: datetime) -> RunReport:
    """The run report of one stage from its agenda, its live state's history and its journal, at `now`."""
    stage = event.stage(stage_id)
    blocks = block_reports(stage, state.history, state.current if state.status.value in ("running", "paused") else None,
                           now, state)
    entries = tuple(entry for entry in journal if entry.stage_id in (None, stage_id))
    windows = actual_windows(entries, stage) or planned_windows(stage)
    return RunReport(event.title, stage.id, stage.name, event.timezone, now, blocks, windows, entries)


def block_reports(stage: Stage, history: Iterable[BlockRun], running: str | None, now: datetime,
                  state: StageState | None = None) -> tuple[BlockReport, ...]:
    """One report per block of the stage (with the length a recovery plan gave it), then any block that ran but is
    no longer in the agenda."""
    runs: dict[str, list[BlockRun]] = {}
    for run in history:
        runs.setdefault(run.block_id, []).append(run)
    reports = []
    for block in stage.blocks:
        report = _block_report(block.id, block.title, block.planned_start, block.planned_end,
                               block.planned_duration, runs.pop(block.id, []), running, now)
        if state is not None and block.id in state.adjustments:
            report = replace(report, adjusted_duration=state.adjustments[block.id], dropped=state.dropped(block.id))
        reports.append(report)
    for block_id, removed in runs.items():
        reports.append(_block_report(block_id, block_id, None, None, None, removed, running, now, removed=True))
    return tuple(reports)


def _block_report(block_id: str, title: str, planned_start: datetime | None, planned_end: datetime | None,
                  planned_duration: timedelta | None, runs: list[BlockRun], running: str | None, now: datetime,
                  removed: bool = False) -> BlockReport:
    """A block's report from its runs (first start, last end, the runs' lengths added up)."""
    if not runs:
        return BlockReport(block_id, title, planned_start, planned_end, planned_duration, None, None, None, 0, "not_run")
    is_running = block_id == running and runs[-1].actual_end is None
    total = sum(((run.actual_end or now) - run.actual_start for run in runs), timedelta(0))
    status = "running" if is_running else "removed" if removed else "done"
    return BlockReport(block_id, title, planned_start, planned_end, planned_duration, runs[0].actual_start,
                       None if is_running else runs[-1].actual_end, total, len(runs), status)


def actual_windows(journal: Iterable[JournalEntry], stage: Stage) -> tuple[StreamWindow, ...]:
    """On-air windows from the journal's set_stream_state commands; an open window has no end."""
    windows: list[StreamWindow] = []
    opened: datetime | None = None
    for entry in journal:
        if entry.command != STREAM_COMMAND or entry.stage_id != stage.id:
            continue
        on = entry.args.get("on")
        if on is True and opened is None:
            opened = entry.at
        elif on is False and opened is not None:
            windows.append(StreamWindow(opened, entry.at, "actual"))
            opened = None
    if opened is not None:
        windows.append(StreamWindow(opened, None, "actual"))
    return tuple(windows)


def planned_windows(stage: Stage) -> tuple[StreamWindow, ...]:
    """On-air windows as planned: streamed blocks, back-to-back ones joined."""
    windows: list[StreamWindow] = []
    for block in stage.blocks:
        if block.stream is not StreamPlan.LIVE:
            continue
        if windows and windows[-1].end == block.planned_start:
            last = windows[-1]
            windows[-1] = StreamWindow(last.start, block.planned_end, "planned", last.titles + (block.title,))
        else:
            windows.append(StreamWindow(block.planned_start, block.planned_end, "planned", (block.title,)))
    return tuple(windows)


def minutes(value: timedelta | None) -> float | None:
    """A duration as minutes, to a tenth."""
    return None if value is None else round(value.total_seconds() / 60, 1)


def _local(instant: datetime | None, zone: ZoneInfo) -> str:
    """An instant as local ISO 8601 text to the second, empty for none."""
    return "" if instant is None else instant.astimezone(zone).isoformat(timespec="seconds")


def _cell(value: object) -> object:
    """A CSV cell: numbers as they are, text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return neutralised(str(value))


BLOCK_COLUMNS = ("block_id", "title", "status", "planned_start", "planned_end", "planned_minutes", "actual_start",
                 "actual_end", "actual_minutes", "start_delay_minutes", "overrun_minutes", "runs", "adjusted_minutes")
STREAM_COLUMNS = ("stream_window", "start", "end", "minutes", "source", "blocks")
JOURNAL_COLUMNS = ("journal_id", "at", "actor", "command", "args", "rev")


def report_rows(report: RunReport) -> list[list[object]]:
    """The report as CSV rows: blocks, then stream windows, then the journal, each under its own header."""
    zone = ZoneInfo(report.timezone)
    rows: list[list[object]] = [list(BLOCK_COLUMNS)]
    for block in report.blocks:
        rows.append([block.block_id, block.title, block.status, _local(block.planned_start, zone),
                     _local(block.planned_end, zone), minutes(block.planned_duration), _local(block.actual_start, zone),
                     _local(block.actual_end, zone), minutes(block.actual_duration), minutes(block.start_delay),
                     minutes(block.overrun), block.runs, "dropped" if block.dropped else minutes(block.adjusted_duration)])
    rows += [[], list(STREAM_COLUMNS)]
    for number, window in enumerate(report.stream_windows, start=1):
        length = None if window.end is None else window.end - window.start
        rows.append([number, _local(window.start, zone), _local(window.end, zone), minutes(length), window.source,
                     "; ".join(window.titles)])
    rows += [[], list(JOURNAL_COLUMNS)]
    for entry in report.journal:
        rows.append([entry.id, _local(entry.at, zone), entry.actor, entry.command,
                     json.dumps(entry.args, ensure_ascii=False, sort_keys=True), entry.rev])
    return rows


def report_csv(report: RunReport) -> bytes:
    """The report as CSV, UTF-8 with a byte-order mark, every text cell safe to open in a spreadsheet."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in report_rows(report):
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


__all__ = ["BlockReport", "RunReport", "StreamWindow", "build_report", "report_csv", "report_rows"]
