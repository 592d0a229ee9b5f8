"""Hostile agenda files: deep nesting refused before parsing, ids in linear time, block limits, no library warnings."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.imports import conference_schedule
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.agenda.text import TakenIds, unique_id
from runofshow.importers import ImportProblem, parse_agenda
from runofshow.importers.limits import MAX_DEPTH
from runofshow.live.store import Store
from runofshow.terminal.cli import main

DEEP = 100_000
HOSTILE = {
    "deep.json": b'{"stages": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}",
    "deep-array.json": b"[" * DEEP + b"]" * DEEP,
    "deep-flow.yaml": b"title: Deep\nstages: " + b"[" * DEEP + b"]" * DEEP + b"\n",
    "deep-dashes.yaml": b"title: Deep\nstages:\n" + b"- " * DEEP + b"x\n",
    "deep-indent.yaml": b"title: Deep\nstages:\n" + b"".join(b" " * level + b"k:\n" for level in range(1, 2000)),
    "deep.xml": b'<?xml version="1.0"?><schedule>' + b"<day>" * DEEP + b"</day>" * DEEP + b"</schedule>",
}


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A store holding the reference agenda."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert invoke(url, "import", str(REFERENCE_AGENDA)).exit_code == 0
    return url


def invoke(database: str, *args: str, **env: str):  # type: ignore[no-untyped-def]
    """Run the CLI in-process against `database`, with extra environment."""
    return CliRunner().invoke(main, list(args), env={"RUNOFSHOW_DATABASE_URL": database, **env})


def refused_by_cli(database: str, path: Path, words: str, **env: str) -> None:
    """`runofshow import path` exits 2 with a one-line message naming the file and `words`; the store keeps its agenda."""
    before = Store(database).load_agenda()
    result = invoke(database, "import", str(path), **env)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {path}") and words in result.output, result.output
    assert "Traceback" not in result.output
    assert Store(database).load_agenda() == before


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_deeply_nested_files_are_refused_before_parsing(database: str, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    refused_by_cli(database, path, f"nested more than {MAX_DEPTH} levels deep")


def test_real_schedules_are_well_within_the_depth_limit() -> None:
    assert len(parse_agenda(conference_schedule(), path="conference.json").all_blocks()) == 1000


def test_deep_json_in_a_spreadsheet_cell_is_refused() -> None:
    csv = b'title,start,duration_minutes,duties\nTalk,2024-05-06 09:00,30,"' + b"[" * 5000 + b'"\n'
    with pytest.raises(ImportProblem, match=f"duties.*nested more than {MAX_DEPTH} levels deep"):
        parse_agenda(csv, path="cells.csv")


class CountingIds(TakenIds):
    """TakenIds that counts the membership tests unique_id makes."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def __contains__(self, item: object) -> bool:
        self.lookups += 1
        return super().__contains__(item)


def test_unique_ids_take_linear_time() -> None:
    taken = CountingIds()
    ids = [unique_id("same", taken) for _ in range(20_000)]
    assert ids[:3] == ["same", "same-2", "same-3"] and ids[-1] == "same-20000" and len(set(ids)) == 20_000
    assert taken.lookups <= 2 * 20_000
    taken = CountingIds()
    assert [unique_id(candidate, taken) for candidate in ("a-2", "a", "a", "a", "a-3")] == ["a-2", "a", "a-3", "a-4", "a-3-2"]


def test_twenty_thousand_rows_with_one_title_get_numbered_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNOFSHOW_MAX_BLOCKS_PER_STAGE", "20000")
    monkeypatch.setenv("RUNOFSHOW_MAX_BLOCKS_PER_EVENT", "20000")
    rows = "".join(f"Same,2024-05-06 {minute // 60:02d}:{minute % 60:02d},1\n" for minute in range(1440))
    event = parse_agenda(b"title,start,duration_minutes\n" + rows.encode() * 1, path="same.csv")
    ids = [block.id for block in event.all_blocks()]
    assert ids[:2] == ["same", "same-2"] and ids[-1] == "same-1440"


def blocks_csv(stages: dict[str, int]) -> bytes:
    """A CSV with the given number of one-minute blocks on each stage."""
    lines = ["stage,title,start,duration_minutes"]
    for stage, count in stages.items():
        lines += [f"{stage},Block {index},2024-05-06 {index // 60:02d}:{index % 60:02d},1" for index in range(count)]
    return "\n".join(lines).encode()


def test_too_many_blocks_on_a_stage_are_refused_and_nothing_is_stored(database: str, tmp_path: Path) -> None:
    path = tmp_path / "stage.csv"
    path.write_bytes(blocks_csv({"main": 4, "side": 2}))
    refused_by_cli(database, path, "stage 'main' has 4 blocks, more than the 3 a stage may have "
                   "(RUNOFSHOW_MAX_BLOCKS_PER_STAGE)", RUNOFSHOW_MAX_BLOCKS_PER_STAGE="3")
    assert invoke(database, "import", str(path), RUNOFSHOW_MAX_BLOCKS_PER_STAGE="4").exit_code == 0


def test_too_many_blocks_in_an_event_are_refused_and_nothing_is_stored(database: str, tmp_path: Path) -> None:
    path = tmp_path / "conference.json"
    path.write_bytes(conference_schedule())
    refused_by_cli(database, path, "1000 blocks, more than the 999 an event may have (RUNOFSHOW_MAX_BLOCKS_PER_EVENT)",
                   RUNOFSHOW_MAX_BLOCKS_PER_EVENT="999")


def test_a_hundred_thousand_rows_are_refused_before_blocks_are_built(database: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes(b"title,start,duration_minutes\n" + b"Row,2024-05-06 09:00,1\n" * 100_000)
    refused_by_cli(database, path, "5001 rows, more than the 5000 blocks an event may have")


def workbook_with_an_extension() -> bytes:
    """An agenda workbook whose sheet carries an extension openpyxl warns it does not support."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["title", "start", "duration_minutes"])
    book.active.append(["Talk", "2024-05-06 09:00", 30])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            body = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</worksheet>",
                                    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"/></extLst></worksheet>')
            target.writestr(entry, body)
    return out.getvalue()


def test_workbook_import_prints_no_library_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        event = parse_agenda(workbook_with_an_extension(), path="agenda.xlsx")
    assert [block.title for block in event.all_blocks()] == ["Talk"]
    assert [str(warning.message) for warning in caught] == []
