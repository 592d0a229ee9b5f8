"""The `runofshow` command line against a real store: import, status, controls, rehearsal, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from runofshow.terminal.cli import main
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.live.store import Store


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A fresh SQLite store URL."""
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def run(database: str, *args: str) -> object:
    """Invoke the CLI in-process against `database`."""
    return CliRunner().invoke(main, list(args), env={"RUNOFSHOW_DATABASE_URL": database}, catch_exceptions=False)


def test_import_prints_a_summary_and_stores(database: str) -> None:
    result = run(database, "import", str(REFERENCE_AGENDA))
    assert result.exit_code == 0, result.output
    assert "Nettverkssamling 6. mai 2024" in result.output
    assert "14 blocks" in result.output
    assert "Middag på Hotel Victoria" in result.output
    stored = Store(database).load_agenda()
    assert stored is not None and len(stored["stages"][0]["blocks"]) == 14


def test_import_json_prints_the_document_and_stores_nothing(database: str) -> None:
    result = run(database, "import", str(REFERENCE_AGENDA), "--json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["date"] == "2024-05-06" and document["timezone"] == "Europe/Oslo"
    first = document["stages"][0]["blocks"][0]
    assert first["start"] == "2024-05-06T09:00:00+02:00" and first["duration_minutes"] == 120
    assert Store(database).load_agenda() is None


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (b"\x00\x01\x02binary\xff\xfe", ""),
    (b"# Dag 1. mai 2024\n\nKL.\tLENGDE\tTITTEL\tBESKRIVELSE\n09:00\t2x 00m\tA\t\n", "2x 00m"),
    (b"# Dag 1. mai 2024\n\nKL.\tLENGDE\tTITTEL\tBESKRIVELSE\n09:00\t1h 00m\tA\t\n09:30\t30m\tB\t\n", ""),
    (b"# Tag 1. Mai 2024\n\nZEIT\tDAUER\tTITEL\tBESCHREIBUNG\n09:00\t1h\tA\t\n", ""),
])
def test_bad_input_exits_2_names_file_and_changes_nothing(database: str, tmp_path: Path, content: bytes,
                                                          expected: str) -> None:
    assert run(database, "import", str(REFERENCE_AGENDA)).exit_code == 0
    before = Store(database).load_agenda()
    bad = tmp_path / "bad-agenda.txt"
    bad.write_bytes(content)
    result = CliRunner().invoke(main, ["import", str(bad)], env={"RUNOFSHOW_DATABASE_URL": database})
    assert result.exit_code == 2
    message = result.output
    assert "bad-agenda.txt" in message and message.startswith("error:")
    assert expected in message
    assert "Traceback" not in message
    assert Store(database).load_agenda() == before


def test_huge_file_is_refused(database: str, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"# Dag 1. mai 2024\n" + b"x" * (50 * 1024 * 1024))
    result = CliRunner().invoke(main, ["import", str(huge)], env={"RUNOFSHOW_DATABASE_URL": database})
    assert result.exit_code == 2 and "huge.txt" in result.output
    assert Store(database).load_agenda() is None


def test_controls_and_stale_revisions(database: str) -> None:
    assert run(database, "import", str(REFERENCE_AGENDA)).exit_code == 0
    status = json.loads(run(database, "status", "--json").output)
    rev = status["rev"]
    moved = run(database, "goto", "malkonflikter", "--rev", str(rev))
    assert moved.exit_code == 0 and "Målkonflikter" in moved.output
    stale = CliRunner().invoke(main, ["next", "--rev", str(rev)], env={"RUNOFSHOW_DATABASE_URL": database})
    assert stale.exit_code == 2 and "revision" in stale.output
    assert run(database, "add-time", "5").exit_code == 0
    assert run(database, "pause").exit_code == 0
    after = json.loads(run(database, "status", "--json").output)
    assert after["current"]["block_id"] == "malkonflikter" and after["current"]["paused"] is True
    unknown = CliRunner().invoke(main, ["goto", "no-such-block"], env={"RUNOFSHOW_DATABASE_URL": database})
    assert unknown.exit_code == 2 and "no-such-block" in unknown.output
    journal = [entry.command for entry in Store(database).journal(stage_id="plenary")]
    assert journal[-3:] == ["goto", "add_time", "pause"]


def test_rehearse_shows_the_day_move(tmp_path: Path) -> None:
    """A real subprocess: the whole reference day at x3600 with the simulated moderator."""
    env = {**os.environ, "RUNOFSHOW_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "runofshow.terminal.entry", "rehearse", "--speed", "3600", "--until", "21:05"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Rehearsal of Nettverkssamling")
    titles = ["Fylkeskommunenes samling", "Målkonflikter", "Slutt", "Middag på Hotel Victoria"]
    positions = [next(i for i, line in enumerate(lines) if title in line) for title in titles]
    assert positions == sorted(positions)
    assert any(line.startswith("19:00") and "Middag" in line for line in lines)
    assert lines[-1] == "Rehearsal over."


def test_every_command_of_the_table_is_a_subcommand(database: str) -> None:
    assert run(database, "import", str(REFERENCE_AGENDA)).exit_code == 0
    assert run(database, "set-stream-state", "on").exit_code == 0
    assert run(database, "set-stream-state", "unknown").exit_code == 0
    assert json.loads(run(database, "status", "--json").output)["stream_on"] is None
    too_long = CliRunner().invoke(main, ["message", "x" * 501], env={"RUNOFSHOW_DATABASE_URL": database})
    assert too_long.exit_code == 2 and too_long.output.startswith("error: bad_request:") and "at most 500" in too_long.output
    unknown = CliRunner().invoke(main, ["status", "--stage", "nope"], env={"RUNOFSHOW_DATABASE_URL": database})
    assert unknown.exit_code == 2 and unknown.output.startswith("error: not_found:")
    journal = [(entry.command, entry.args) for entry in Store(database).journal(stage_id="plenary")]
    assert journal[-2:] == [("set_stream_state", {"on": True}), ("set_stream_state", {"on": None})]
