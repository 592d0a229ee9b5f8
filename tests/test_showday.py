"""Before the doors open and the day after: `runofshow backup` / `restore`, `/healthz`, the run report from the
terminal (`runofshow report`) and linked from the production desk for every stage."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.importers import load_agenda
from runofshow.live.clocks import FakeClock, SystemClock
from runofshow.live.service import ShowService
from runofshow.live.store import Store, StoreUnavailable
from runofshow.terminal.cli import main
from runofshow.web import service_of
from tests.support.serverproc import ServerProcess, http_json, sqlite_url
from tests.test_report import _run_morning
from tests.test_stages import NIGHT_SCHEDULE, STAGES


def run(tmp_path: Path, *args: str, database: str | None = None, answer: str | None = None) -> Result:
    """Invoke the CLI in-process with its instance folder in `tmp_path` (and the store at `database`)."""
    env = {"RUNOFSHOW_INSTANCE_PATH": str(tmp_path / "cli-instance")}
    if database:
        env["RUNOFSHOW_DATABASE_URL"] = database
    return CliRunner().invoke(main, list(args), env=env, input=answer)


def stored_show(url: str) -> tuple[Any, ...]:
    """Everything a store holds: agenda, live states, journal, settings."""
    store = Store(url)
    try:
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            meta = sorted(connection.execute("select key, value from meta").fetchall())
        return store.load_agenda(), store.load_states(), store.journal(limit=100_000), meta
    finally:
        store.close()


@pytest.fixture
def rehearsed(tmp_path: Path) -> str:
    """The URL of a store holding the reference day (started by its 09:00 hard start), with a minute added, a message
    shown and the next block on."""
    url = f"sqlite:///{tmp_path / 'show.sqlite3'}"
    service = ShowService(Store(url), SystemClock())
    service.replace_event(load_agenda(REFERENCE_AGENDA), actor="test")
    for command, args in (("add_time", {"delta": timedelta(minutes=1)}), ("message", {"text": "Doors at 09:30"}), ("next", {})):
        service.command("plenary", command, service.state("plenary").rev, args, actor="moderator:test")
    service.store.close()
    return url


# ---- backup and restore ----------------------------------------------------------------------------------------


def test_backup_then_restore_into_a_fresh_store_gives_the_same_show(tmp_path: Path, rehearsed: str) -> None:
    copy = tmp_path / "before-doors.sqlite3"
    result = run(tmp_path, "backup", str(copy), database=rehearsed)
    assert result.exit_code == 0, result.output
    fresh = f"sqlite:///{tmp_path / 'fresh' / 'runofshow.sqlite3'}"
    result = run(tmp_path, "restore", str(copy), database=fresh)
    assert result.exit_code == 0, result.output
    assert stored_show(fresh) == stored_show(rehearsed)
    assert stored_show(fresh)[1]["plenary"].state["status"] == "running"


def test_backup_is_taken_while_the_store_is_in_use(tmp_path: Path, app: Any, clock: FakeClock) -> None:
    url = app.config["RUNOFSHOW"]["DATABASE_URL"]
    _run_morning(service_of(app), clock)  # the app keeps its connections open, as a running server does
    copy = tmp_path / "copy.sqlite3"
    assert run(tmp_path, "backup", str(copy), database=url).exit_code == 0
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    assert stored_show(f"sqlite:///{copy}") == stored_show(url)


def test_restore_over_a_stored_show_asks_first(tmp_path: Path, rehearsed: str) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    ShowService(Store(other), SystemClock()).store.close()
    copy = tmp_path / "empty.sqlite3"
    assert run(tmp_path, "backup", str(copy), database=other).exit_code == 0
    before = stored_show(rehearsed)
    declined = run(tmp_path, "restore", str(copy), database=rehearsed, answer="n\n")
    assert declined.exit_code == 1 and "Replace the show stored in" in declined.output
    assert stored_show(rehearsed) == before
    assert run(tmp_path, "restore", str(copy), "--yes", database=rehearsed).exit_code == 0
    assert stored_show(rehearsed) == stored_show(other)


def _junk(path: Path) -> None:
    path.write_bytes(b"BEGIN:VCALENDAR\nthis is not a database\n")


def _other_database(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("create table notes (id integer primary key, text text)")
        connection.commit()


def _truncated_backup(path: Path, source: str) -> None:
    assert run(path.parent, "backup", str(path), database=source).exit_code == 0
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(("make", "says"), [
    (_junk, "is not a runofshow database"),
    (_other_database, "is not a runofshow database (it lacks agenda."),
    (_truncated_backup, "bad.sqlite3 is not a runofshow database"),
    (None, "no such file"),
])
def test_restore_refuses_a_file_that_is_not_a_runofshow_database(tmp_path: Path, rehearsed: str, make: Any,
                                                                 says: str) -> None:
    bad = tmp_path / "bad.sqlite3"
    if make is _truncated_backup:
        make(bad, rehearsed)
    elif make is not None:
        make(bad)
    before = stored_show(rehearsed)
    content = bad.read_bytes() if bad.exists() else None
    result = run(tmp_path, "restore", str(bad), "--yes", database=rehearsed)
    assert result.exit_code == 2, result.output
    assert says in result.output and result.output.startswith("error: ")
    assert stored_show(rehearsed) == before
    assert (bad.read_bytes() if bad.exists() else None) == content  # the refused file is left as it was


def test_backup_refuses_a_place_it_cannot_write(tmp_path: Path, rehearsed: str) -> None:
    nowhere = run(tmp_path, "backup", str(tmp_path / "no-such-folder" / "copy.sqlite3"), database=rehearsed)
    assert nowhere.exit_code == 2 and "cannot write the backup" in nowhere.output
    itself = run(tmp_path, "backup", rehearsed.removeprefix("sqlite:///"), database=rehearsed)
    assert itself.exit_code == 2 and "is the store itself" in itself.output


def test_postgresql_store_is_told_what_to_use(tmp_path: Path) -> None:
    for command in ("backup", "restore"):
        result = run(tmp_path, command, str(tmp_path / "file"), database="postgresql+psycopg://u:secret@db/show")
        assert result.exit_code == 2
        assert "pg_dump" in result.output and "pg_restore" in result.output and "secret" not in result.output


# ---- /healthz --------------------------------------------------------------------------------------------------


def test_healthz_reports_the_store_and_no_more(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    # The test app runs no scheduler (SCHEDULER off): another process would.
    assert response.json == {"ok": True, "database": "reachable", "scheduler": "elsewhere"}


def test_healthz_is_503_when_the_store_cannot_be_reached(app: Any, client: Any, monkeypatch: Any) -> None:
    def unreachable() -> None:
        raise StoreUnavailable("store sqlite:///x: could not reach the database: disk I/O error")

    monkeypatch.setattr(service_of(app).store, "ping", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"ok": False, "database": "unreachable", "scheduler": "elsewhere"}


@pytest.mark.parametrize(("running", "status", "scheduler"), [(True, 200, "running"), (False, 503, "stopped")])
def test_healthz_says_whether_this_process_s_scheduler_runs(app: Any, client: Any, running: bool, status: int,
                                                          scheduler: str) -> None:
    from runofshow.web.health import SCHEDULER_KEY

    app.extensions[SCHEDULER_KEY] = SimpleNamespace(scheduler=SimpleNamespace(running=running))
    response = client.get("/healthz")
    assert response.status_code == status
    assert response.json == {"ok": running, "database": "reachable", "scheduler": scheduler}


# ---- the run report --------------------------------------------------------------------------------------------


def test_report_from_the_terminal_as_csv_and_html(tmp_path: Path, app: Any, clock: FakeClock) -> None:
    url = app.config["RUNOFSHOW"]["DATABASE_URL"]
    _run_morning(service_of(app), clock)
    csv_file, html_file = tmp_path / "plenary.csv", tmp_path / "plenary.html"
    result = run(tmp_path, "report", "--format", "csv", "-o", str(csv_file), database=url)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    first, opening = rows[0], rows[1]
    assert first["block_id"] == "fylkeskommunenes-samling" and first["status"] == "done"
    assert first["actual_start"] == "2024-05-06T09:00:00+02:00" and first["actual_minutes"] == "130.0"
    assert first["overrun_minutes"] == "10.0" and opening["start_delay_minutes"] == "10.0"

    result = run(tmp_path, "report", "--stage", "plenary", "--format", "html", "-o", str(html_file), database=url)
    assert result.exit_code == 0, result.output
    page = html_file.read_text(encoding="utf-8")
    assert "<h1>Run report: Plenum</h1>" in page and '<strong id="overrun-count">2</strong>' in page
    assert 'data-block="apning-og-velkommen"' in page and "11:10:00" in page
    assert "<style>" in page and ".report-table" in page  # the page stands alone: its style is inside
    assert 'href="/report/plenary.csv"' not in page  # and it links to no server

    norwegian = run(tmp_path, "report", "--lang", "nb", database=url)
    assert norwegian.exit_code == 0 and "<h1>Kjørerapport: Plenum</h1>" in norwegian.output

    printed = run(tmp_path, "report", "--format", "csv", database=url)
    assert printed.exit_code == 0 and printed.output.startswith("block_id,title,status")


def test_report_refuses_what_it_cannot_write(tmp_path: Path, rehearsed: str) -> None:
    klingon = run(tmp_path, "report", "--lang", "tlh", database=rehearsed)
    assert klingon.exit_code == 2 and "no language 'tlh': the shipped ones are en, nb" in klingon.output
    unknown = run(tmp_path, "report", "--stage", "nowhere", database=rehearsed)
    assert unknown.exit_code == 2 and "no stage nowhere" in unknown.output
    missing = run(tmp_path, "report", database=f"sqlite:///{tmp_path / 'nothing-here.sqlite3'}")
    assert missing.exit_code == 2 and "no store at" in missing.output
    assert not (tmp_path / "nothing-here.sqlite3").exists()
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    Store(empty).close()
    nothing = run(tmp_path, "report", database=empty)
    assert nothing.exit_code == 2 and "no agenda" in nothing.output


def test_production_desk_links_every_stage_to_its_run_report(app: Any, moderator: Any) -> None:
    service_of(app).replace_event(load_agenda(NIGHT_SCHEDULE), actor="test", replace_running=True)
    desk = moderator.get("/overview").get_data(as_text=True)
    for stage in service_of(app).event().stages:
        assert f'<a href="/report/{stage.id}">Run report</a>' in desk
        report = moderator.get(f"/report/{stage.id}")
        assert report.status_code == 200 and f"Run report: {stage.name}" in report.get_data(as_text=True)
    assert [stage.id for stage in service_of(app).event().stages] == STAGES


# ---- a real server ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_backup_of_a_running_server_restores_its_show_and_reports_after_it_stops(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "instance") as server:
        server.start()
        assert http_json("GET", f"{server.url}/healthz") == (
            200, {"ok": True, "database": "reachable", "scheduler": "running"})
        token = server.token("moderator")
        snapshot_url = f"{server.url}/api/stages/plenary/snapshot"
        if http_json("GET", snapshot_url, token=token)[1]["status"] == "not_started":
            rev = http_json("GET", snapshot_url, token=token)[1]["rev"]
            assert http_json("POST", f"{server.url}/api/stages/plenary/start", {"expected_rev": rev}, token)[0] == 200
        for command, body in (("add_time", {"minutes": 3}), ("message", {"text": "Doors at 09:30"})):
            rev = http_json("GET", snapshot_url, token=token)[1]["rev"]
            status, answer = http_json("POST", f"{server.url}/api/stages/plenary/{command}",
                                       {"expected_rev": rev, **body}, token)
            assert status == 200, answer

        copy = tmp_path / "before-doors.sqlite3"
        assert "Backed up the store" in server.cli("backup", str(copy)).stdout
        live = stored_show(sqlite_url(server.instance))
        fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        server.cli("restore", str(copy), "--database", fresh)
        assert stored_show(fresh) == live
        assert stored_show(fresh)[1]["plenary"].state["message"]
        assert_consistent_while_commands_run(server, token, tmp_path / "busy.sqlite3")

        server.stop()
        report = tmp_path / "report.csv"
        server.cli("report", "--format", "csv", "-o", str(report))
        rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
        assert rows[0]["status"] == "running" and rows[0]["actual_start"]
        journal = report.read_text(encoding="utf-8-sig").split("\n\n")[-1]  # the last section: the journal
        commands = [row["command"] for row in csv.DictReader(io.StringIO(journal))]
        assert "message" in commands and commands.count("add_time") >= 7  # every command, the last ones too


def assert_consistent_while_commands_run(server: ServerProcess, token: str, copy: Path) -> None:
    """A backup taken while commands keep arriving is a state the store was in: each stage's revision is its last
    journal line's, and the server answered every command."""
    stop = threading.Event()
    answers: list[int] = []

    def keep_adding() -> None:
        while not stop.is_set():
            rev = http_json("GET", f"{server.url}/api/stages/plenary/snapshot", token=token)[1]["rev"]
            answers.append(http_json("POST", f"{server.url}/api/stages/plenary/add_time",
                                     {"expected_rev": rev, "minutes": 1}, token)[0])

    writer = threading.Thread(target=keep_adding)
    writer.start()
    try:
        while len(answers) < 3:
            time.sleep(0.02)
        server.cli("backup", str(copy))
        while len(answers) < 6:  # the server kept answering after the backup
            time.sleep(0.02)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert set(answers) == {200}, answers
    _, states, journal, _ = stored_show(f"sqlite:///{copy}")
    assert states["plenary"].rev == max(entry.rev for entry in journal if entry.stage_id == "plenary")
    assert states["plenary"].rev >= 3
