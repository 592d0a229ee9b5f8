"""The run report: planned against actual per block, overruns, stream windows as run, journal; page and CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.live.clocks import FakeClock
from runofshow.live.report import build_report, report_csv, report_rows
from runofshow.live.service import ShowService

OSLO = ZoneInfo("Europe/Oslo")


def _service(app: Any) -> ShowService:
    from runofshow.web import service_of

    return service_of(app)


def _do(service: ShowService, name: str, **args: Any) -> None:
    """Apply a command on the plenary stage against its current revision."""
    service.command("plenary", name, service.state("plenary").rev, args, actor="moderator:test")


def _run_morning(service: ShowService, clock: FakeClock) -> None:
    """The show starts by itself at 09:00; the first block runs 130 min of 120; the opening runs 20 of 15 with the stream on for it."""
    clock.set(datetime(2024, 5, 6, 9, 0, tzinfo=OSLO))
    assert service.state("plenary").status.value == "running"  # the hard 09:00 start starts by itself
    clock.advance(timedelta(minutes=130))
    _do(service, "next")
    _do(service, "set_stream_state", on=True)
    clock.advance(timedelta(minutes=20))
    _do(service, "next")
    _do(service, "message", text="=HYPERLINK(\"http://evil.example\")")
    clock.advance(timedelta(minutes=5))
    _do(service, "set_stream_state", on=False)


def test_report_compares_planned_and_actual(app: Any, clock: FakeClock) -> None:
    service = _service(app)
    _run_morning(service, clock)
    report = build_report(service.event(), "plenary", service.state("plenary"),
                          service.store.journal(stage_id="plenary"), clock.now())
    first, opening, talk = report.blocks[:3]
    assert first.actual_start == datetime(2024, 5, 6, 9, 0, tzinfo=OSLO)
    assert first.actual_end == datetime(2024, 5, 6, 11, 10, tzinfo=OSLO)
    assert first.actual_duration == timedelta(minutes=130)
    assert first.overrun == timedelta(minutes=10)
    assert opening.start_delay == timedelta(minutes=10)
    assert opening.overrun == timedelta(minutes=5)
    assert talk.status == "running" and talk.overrun is None and talk.actual_end is None
    assert report.blocks[3].status == "not_run" and report.blocks[3].actual_start is None
    assert [block.block_id for block in report.overruns] == ["fylkeskommunenes-samling", "apning-og-velkommen"]
    assert report.stream_source == "actual"
    assert [(w.start, w.end) for w in report.stream_windows] == [
        (datetime(2024, 5, 6, 11, 10, tzinfo=OSLO), datetime(2024, 5, 6, 11, 35, tzinfo=OSLO))]
    assert [entry.command for entry in report.journal] == [
        "auto", "next", "set_stream_state", "next", "message", "set_stream_state"]


def test_stream_windows_fall_back_to_the_plan(app: Any, clock: FakeClock) -> None:
    service = _service(app)
    report = build_report(service.event(), "plenary", service.state("plenary"), [], clock.now())
    assert report.stream_source == "planned"
    first = report.stream_windows[0]
    # The opening (11:00) and the report talk (11:15-12:00) are streamed back to back: one window.
    assert first.start == datetime(2024, 5, 6, 11, 0, tzinfo=OSLO)
    assert first.end == datetime(2024, 5, 6, 12, 0, tzinfo=OSLO)
    assert len(first.titles) == 2
    assert all(block.status == "not_run" for block in report.blocks)


def test_csv_is_safe_for_spreadsheets(app: Any, clock: FakeClock) -> None:
    service = _service(app)
    _run_morning(service, clock)
    report = build_report(service.event(), "plenary", service.state("plenary"),
                          service.store.journal(stage_id="plenary"), clock.now())
    data = report_csv(report)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["block_id", "title", "status"]
    first = rows[1]
    assert first[0] == "fylkeskommunenes-samling"
    assert first[6] == "2024-05-06T09:00:00+02:00" and first[7] == "2024-05-06T11:10:00+02:00"
    assert float(first[5]) == 120.0 and float(first[8]) == 130.0 and float(first[10]) == 10.0
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):
                float(cell)  # only negative numbers may start with a minus
    message_rows = [row for row in rows if len(row) > 3 and row[3] == "message"]
    assert message_rows[0][4].startswith("{")  # args as JSON, the formula inside stays text
    assert len(report_rows(report)) == len(rows)


def test_report_neutralises_formula_titles() -> None:
    from runofshow.live.report import _cell

    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert _cell("+47 123") == "'+47 123"
    assert _cell(-5.0) == -5.0


def test_report_pages_are_for_crew(app: Any, client: Any, clock: FakeClock) -> None:
    _run_morning(_service(app), clock)
    assert client.get("/report/plenary").status_code == 302
    assert client.get("/report/plenary.csv").status_code == 302
    with client.session_transaction() as session:
        session["role"] = "screen"
    page = client.get("/report/plenary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-block="apning-og-velkommen"' in html
    assert '<strong id="overrun-count">2</strong>' in html
    assert "11:10:00" in html and "130.0" in html
    download = client.get("/report/plenary.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert b"fylkeskommunenes-samling" in download.data
    assert client.get("/report/nowhere").status_code == 404
    assert client.get("/report/nowhere.csv").status_code == 404
