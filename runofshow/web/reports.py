"""The run report (printable page and CSV, crew only) and the public calendar subscriptions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, redirect, render_template, request

from runofshow.agenda.model import Event
from runofshow.exporters.ical import to_ics
from runofshow.live.report import RunReport, build_report, minutes, report_csv
from runofshow.live.service import NoAgenda, ShowService, UnknownStage
from runofshow.web.adapter import current_service
from runofshow.web.auth import Role, current_identity
from runofshow.web.payloads import public_event

bp = Blueprint("reports", __name__)
JOURNAL_LIMIT = 100_000
CALENDAR_MAX_AGE = 60


def _event_or_503() -> Event:
    """The stored event, or a 503 page when none is imported."""
    try:
        return current_service().event()
    except NoAgenda:
        abort(503)


def stage_report(service: ShowService, stage_id: str) -> RunReport:
    """The run report of a stage as of now (NoAgenda, UnknownStage for a stage the event lacks)."""
    event = service.event()
    if not any(stage.id == stage_id for stage in event.stages):
        raise UnknownStage(stage_id)
    journal = service.journal(stage_id, limit=JOURNAL_LIMIT)
    return build_report(event, stage_id, service.state(stage_id), journal, service.clock.now())


def _crew_report(stage_id: str) -> Any:
    """The run report of a stage for crew; for anyone else, a redirect to sign-in; 503 without an agenda, 404 for an
    unknown stage."""
    if current_identity(current_service().store).role is Role.PUBLIC:
        return redirect(f"/signin?next={request.path}")
    _event_or_503()
    try:
        return stage_report(current_service(), stage_id)
    except UnknownStage:
        abort(404)


def render_report(report: RunReport, inline_css: str = "") -> str:
    """The report page's HTML; with `inline_css`, a file that stands alone (its style inside, no links back)."""
    zone = ZoneInfo(report.timezone)

    def hm(instant: datetime | None) -> str:
        return "" if instant is None else instant.astimezone(zone).strftime("%H:%M:%S")

    return render_template("report_file.html" if inline_css else "report.html", report=report, hm=hm,
                           minutes=minutes, stage_id=report.stage_id, inline_css=inline_css)


@bp.get("/report/<stage_id>")
def report_page(stage_id: str) -> Any:
    """The printable run report of a stage."""
    report = _crew_report(stage_id)
    if not isinstance(report, RunReport):
        return report
    return render_report(report)


@bp.get("/report/<stage_id>.csv")
def report_download(stage_id: str) -> Any:
    """The run report of a stage as CSV."""
    report = _crew_report(stage_id)
    if not isinstance(report, RunReport):
        return report
    response = Response(report_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="run-report-{stage_id}.csv"'
    return response


def projected_times(service: ShowService, event: Event, stage_ids: list[str]) -> dict[str, tuple[datetime, datetime]]:
    """Block id -> projected (start, end) for the given stages; blocks done keep their actual times."""
    times: dict[str, tuple[datetime, datetime]] = {}
    for stage_id in stage_ids:
        for row in service.snapshot(stage_id).projections:
            if row.projected_start is not None and row.projected_end is not None:
                times[row.block_id] = (row.projected_start, row.projected_end)
    return times


def _calendar(event: Event, projected: Mapping[str, tuple[datetime, datetime]], **pick: str) -> Response:
    """An iCalendar response that calendar apps re-read often."""
    body = to_ics(public_event(event), stamp=current_service().clock.now(), projected=projected, **pick)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = f"public, max-age={CALENDAR_MAX_AGE}"
    return response


@bp.get("/calendar/<stage_id>.ics")
def stage_calendar(stage_id: str) -> Response:
    """A stage's blocks at their projected times, for a calendar subscription (public)."""
    event = _event_or_503()
    if not any(stage.id == stage_id for stage in event.stages):
        abort(404)
    return _calendar(event, projected_times(current_service(), event, [stage_id]), stage_id=stage_id)


@bp.get("/calendar/room/<room_id>.ics")
def room_calendar(room_id: str) -> Response:
    """A room's blocks on every stage at their projected times, for a calendar subscription (public)."""
    event = _event_or_503()
    if not any(room.id == room_id for room in event.rooms):
        abort(404)
    return _calendar(event, projected_times(current_service(), event, [stage.id for stage in event.stages]), room_id=room_id)
