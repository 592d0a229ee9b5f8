"""`runofshow import` detects every format; `runofshow export` converts files and the stored event; hostile files change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from runofshow.agenda.document import event_to_dict
from runofshow.terminal.cli import main
from runofshow.exporters import EXPORT_FORMATS
from runofshow.importers import load_agenda
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.live.store import Store
from tests.test_formats_c3voc import C3VOC, DATA


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A fresh SQLite store URL."""
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def invoke(database: str, *args: str):  # type: ignore[no-untyped-def]
    """Run the CLI in-process against `database`."""
    return CliRunner().invoke(main, list(args), env={"RUNOFSHOW_DATABASE_URL": database})


@pytest.mark.parametrize("path, title, blocks", [
    (C3VOC / "pretalx-democon.json", "DemoCon", 36),
    (C3VOC / "frab-camp2019.json", "Chaos Communication Camp 2019", 79),
    (DATA / "night-schedule.xml", "Nachtschicht 2024", 6),
    (DATA / "liberal-schedule.json", "Lean Conf", 5),
    (DATA / "handwritten.yaml", "Styremøte", 3),
    (DATA / "semicolon.csv", "semicolon", 3),
])
def test_import_detects_the_format_and_stores(database: str, path: Path, title: str, blocks: int) -> None:
    result = invoke(database, "import", str(path))
    assert result.exit_code == 0, result.output
    assert title in result.output and "Stored in" in result.output
    stored = Store(database).load_agenda()
    assert stored is not None and stored["title"] == title
    assert sum(len(stage["blocks"]) for stage in stored["stages"]) == blocks


@pytest.mark.parametrize("out_format", ["yaml", "json", "csv", "xlsx"])
def test_export_then_import_gives_the_reference_back(tmp_path: Path, database: str, out_format: str) -> None:
    out = tmp_path / f"reference.{out_format}"
    result = invoke(database, "export", str(REFERENCE_AGENDA), "--format", out_format, "-o", str(out))
    assert result.exit_code == 0, result.output
    again = invoke(database, "import", str(out), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == event_to_dict(load_agenda(REFERENCE_AGENDA))


@pytest.mark.parametrize("out_format", EXPORT_FORMATS)
def test_export_of_the_stored_event(tmp_path: Path, database: str, out_format: str) -> None:
    assert invoke(database, "import", str(C3VOC / "frab-camp2019.json")).exit_code == 0
    out = tmp_path / f"stored.{out_format}"
    result = invoke(database, "export", "--format", out_format, "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if out_format == "ics":
        assert data.count(b"BEGIN:VEVENT") == 79 and b"TZID=Europe/Berlin" in data
    else:
        assert len(load_agenda(out).all_blocks()) == 79


def test_export_to_standard_output(database: str) -> None:
    result = invoke(database, "export", str(C3VOC / "pretalx-democon.json"), "--format", "c3voc-xml")
    assert result.exit_code == 0 and result.output.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert result.output.count("<event ") == 36


def test_xlsx_needs_an_output_file(database: str) -> None:
    result = invoke(database, "export", str(REFERENCE_AGENDA), "--format", "xlsx")
    assert result.exit_code == 2 and "give an output file with -o" in result.output


def test_export_without_a_stored_event_says_so(database: str) -> None:
    result = invoke(database, "export", "--format", "yaml")
    assert result.exit_code == 2 and result.output.startswith("error:")


def test_forced_format_is_used(database: str) -> None:
    result = invoke(database, "import", str(DATA / "handwritten.yaml"), "--format", "c3voc-json", "--dry-run")
    assert result.exit_code == 2 and "not valid JSON" in result.output


def hostile_files(tmp_path: Path) -> dict[str, Path]:
    """Files a careless or hostile sender might hand over."""
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as file:
        file.write(b'{"schedule": {"conference": {"days": [')
        file.truncate(50 * 1024 * 1024)
    wrong_types = tmp_path / "wrong-types.json"
    document = json.loads((DATA / "liberal-schedule.json").read_text(encoding="utf-8"))
    document["schedule"]["conference"]["days"][0]["rooms"]["Stream"][0]["persons"] = [{"name": ["not", "text"]}]
    wrong_types.write_text(json.dumps(document), encoding="utf-8")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("title: Møte\nstages: []\n".encode("latin-1"))
    return {"bomb": DATA / "entity-bomb.xml", "huge": huge, "types": wrong_types, "encoding": latin1,
            "invalid": C3VOC / "invalid-example.json"}


@pytest.mark.parametrize("name, words", [
    ("bomb", "refused: the XML declares entities"),
    ("huge", "more than the 5 MB limit"),
    ("types", "schedule.conference.days[0].rooms.Stream[0].persons[0].name: expected a string or null, got a list"),
    ("encoding", "not UTF-8 text"),
    ("invalid", "rooms.Winterchaos[0].id: expected an integer"),
])
def test_hostile_files_are_refused_and_nothing_stored_changes(database: str, tmp_path: Path, name: str,
                                                              words: str) -> None:
    assert invoke(database, "import", str(REFERENCE_AGENDA)).exit_code == 0
    before = Store(database).load_agenda()
    path = hostile_files(tmp_path)[name]
    result = invoke(database, "import", str(path))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {path}") and words in result.output
    assert "Traceback" not in result.output
    assert Store(database).load_agenda() == before
