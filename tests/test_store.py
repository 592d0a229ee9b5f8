"""Tests for the store: round trips, compare-and-set, races across threads and processes, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from runofshow.live.store import (
    JournalEntry,
    MetaConflict,
    Store,
    StoredState,
    StoreUnavailable,
    database_url,
    metadata,
)

POSTGRES_URL_ENV = "RUNOFSHOW_TEST_POSTGRES_URL"
WRITER = Path(__file__).with_name("store_writer.py")
REPO_ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
AGENDA = {"title": "Nettverkssamling", "stages": [{"id": "main"}, {"id": "breakout"}]}


# ---- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store database: an SQLite file, or the test PostgreSQL when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set: no PostgreSQL to test against")
    engine = sa.create_engine(url)
    metadata.drop_all(engine)
    try:
        yield url
    finally:
        metadata.drop_all(engine)
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of an empty SQLite store file."""
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open store on an empty database."""
    opened = Store(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def counter_store(store: Store) -> Store:
    """A store with an agenda whose stage "main" holds counter 0 at rev 0."""
    store.replace_agenda(AGENDA, {"main": {"counter": 0}}, actor="organiser", at=T0)
    return store


def increment(store: Store, stage_id: str, expected_rev: int, *, actor: str = "moderator", at: datetime = T0) -> bool:
    """Compare-and-set the stage from expected_rev to the next revision, counter following the revision."""
    new_rev = expected_rev + 1
    return store.compare_and_set(
        stage_id, expected_rev, new_rev, {"counter": new_rev}, actor=actor, at=at, command="next", args={"counter": new_rev}
    )


def run_racers(race: Callable[[str], None], names: list[str]) -> None:
    """Run `race` in a thread per name, all at once, and wait for every one."""
    threads = [threading.Thread(target=race, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def whole_journal(store: Store, stage_id: str | None = None) -> list[JournalEntry]:
    """Every journal entry (of one stage, when given), read page by page."""
    entries: list[JournalEntry] = []
    while True:
        page = store.journal(stage_id=stage_id, after_id=entries[-1].id if entries else 0, limit=500)
        if not page:
            return entries
        entries.extend(page)


def writer_command(url: str, *options: str) -> list[str]:
    """The command line that runs tests/store_writer.py against url."""
    return [sys.executable, str(WRITER), url, *options]


def writer_env() -> dict[str, str]:
    """The environment for a writer process: runofshow importable from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def start_writer(url: str, *options: str) -> subprocess.Popen[str]:
    """Start a writer process and wait until it has opened the store."""
    process = subprocess.Popen(
        writer_command(url, *options), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=writer_env()
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    if first_line != "ready\n":
        process.kill()
        raise AssertionError(f"writer did not start: {first_line!r} {process.stderr.read() if process.stderr else ''}")
    return process


def finish_writer(process: subprocess.Popen[str], timeout: float = 60) -> dict[str, Any]:
    """Wait for a writer to exit normally and return its summary line."""
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def assert_consistent_counter(store: Store, stage_id: str) -> int:
    """State rev == last journal rev == state counter, journal revs 1..N without gaps; returns N."""
    stored = store.load_state(stage_id)
    assert stored is not None
    entries = whole_journal(store, stage_id)
    revs = [entry.rev for entry in entries]
    assert revs == list(range(1, len(entries) + 1))
    assert stored.rev == len(entries)
    assert stored.state["counter"] == stored.rev
    assert entries[-1].args == {"counter": stored.rev}
    return stored.rev


# ---- database_url -----------------------------------------------------------------------------


def test_database_url_prefers_the_configured_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RUNOFSHOW_DATABASE_URL", "postgresql+psycopg://crew@db/runofshow")
    monkeypatch.setenv("RUNOFSHOW_INSTANCE_PATH", str(tmp_path / "ignored"))
    assert database_url() == "postgresql+psycopg://crew@db/runofshow"
    assert database_url(tmp_path / "also-ignored") == "postgresql+psycopg://crew@db/runofshow"
    assert not (tmp_path / "ignored").exists()


def test_database_url_uses_the_instance_path_env_and_creates_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RUNOFSHOW_DATABASE_URL", raising=False)
    monkeypatch.setenv("RUNOFSHOW_INSTANCE_PATH", str(tmp_path / "venue" / "instance"))
    assert database_url() == f"sqlite:///{tmp_path / 'venue' / 'instance' / 'runofshow.sqlite3'}"
    assert (tmp_path / "venue" / "instance").is_dir()


def test_database_url_defaults_to_the_instance_folder_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RUNOFSHOW_DATABASE_URL", raising=False)
    monkeypatch.setenv("RUNOFSHOW_INSTANCE_PATH", "")
    monkeypatch.chdir(tmp_path)
    url = database_url()
    assert url == f"sqlite:///{tmp_path.resolve() / 'instance' / 'runofshow.sqlite3'}"
    assert (tmp_path / "instance").is_dir()
    opened = Store(url)
    opened.set_meta("k", "v")
    opened.close()
    assert (tmp_path / "instance" / "runofshow.sqlite3").is_file()


def test_database_url_takes_an_explicit_instance_path_over_the_env(tmp_path: Path) -> None:
    env = {"RUNOFSHOW_INSTANCE_PATH": str(tmp_path / "from-env"), "RUNOFSHOW_DATABASE_URL": "  "}
    assert database_url(tmp_path / "app", env) == f"sqlite:///{tmp_path / 'app' / 'runofshow.sqlite3'}"
    assert database_url(env=env) == f"sqlite:///{tmp_path / 'from-env' / 'runofshow.sqlite3'}"


# ---- unavailable stores -----------------------------------------------------------------------


def test_store_in_a_missing_directory_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="could not create tables"):
        Store(f"sqlite:///{tmp_path / 'missing' / 'store.sqlite3'}")


def test_store_under_a_regular_file_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="unable to open database file"):
        Store(f"sqlite:///{tmp_path / 'a-file' / 'store.sqlite3'}")


def test_unreachable_postgres_is_unavailable_without_leaking_the_password() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreUnavailable) as raised:
        Store("postgresql+psycopg://crew:hunter2@127.0.0.1:1/runofshow?connect_timeout=2")
    assert "hunter2" not in str(raised.value)
    assert "127.0.0.1" in str(raised.value)


def test_a_malformed_url_is_unavailable() -> None:
    with pytest.raises(StoreUnavailable, match="invalid database URL"):
        Store("not a url")


def test_a_failed_write_applies_nothing(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    store.replace_agenda(AGENDA, {"main": {"counter": 0}}, actor="organiser", at=T0)
    journal_before = store.journal()
    with store._engine.begin() as connection:  # a journal that refuses appends, to fail mid-transaction
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse_journal BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    with pytest.raises(StoreUnavailable, match="disk on fire"):
        increment(store, "main", 0)
    with pytest.raises(StoreUnavailable, match="could not replace the agenda"):
        store.replace_agenda({"title": "other"}, {"other": {}}, actor="organiser", at=T0)
    assert store.load_state("main") == StoredState("main", 0, {"counter": 0, "rev": 0})
    assert store.load_agenda() == AGENDA
    assert set(store.load_states()) == {"main"}
    assert store.journal() == journal_before
    with store._engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER refuse_journal")
    assert increment(store, "main", 0)
    store.close()


# ---- round trips ------------------------------------------------------------------------------


def test_empty_store_has_nothing(store: Store) -> None:
    assert store.load_agenda() is None
    assert store.load_state("main") is None
    assert store.load_states() == {}
    assert store.journal() == []
    assert store.get_meta("secret") is None


def test_agenda_and_states_round_trip(store: Store) -> None:
    agenda = {"title": "Samling <b>2024</b>", "blocks": [{"title": "Velkommen", "minutes": 15, "streamed": True}]}
    states = {"main": {"status": "not_started", "rev": 0, "ø": "æå"}, "breakout": {"status": "not_started"}}
    store.replace_agenda(agenda, states, actor="organiser", at=T0)
    assert store.load_agenda() == agenda
    assert store.load_state("main") == StoredState("main", 0, states["main"])
    assert store.load_states() == {
        "breakout": StoredState("breakout", 0, {"status": "not_started", "rev": 0}),
        "main": StoredState("main", 0, states["main"]),
    }
    assert states["breakout"] == {"status": "not_started"}, "the caller's dict must not be changed"


def test_data_survives_reopening(store_url: str) -> None:
    first = Store(store_url)
    first.replace_agenda(AGENDA, {"main": {"counter": 0}}, actor="organiser", at=T0)
    assert increment(first, "main", 0)
    first.set_meta("secret", "s3")
    first.close()
    second = Store(store_url)
    assert second.load_agenda() == AGENDA
    assert second.load_state("main") == StoredState("main", 1, {"counter": 1, "rev": 1})
    assert [entry.rev for entry in second.journal()] == [None, 1]
    assert second.get_meta("secret") == "s3"
    second.close()


def test_meta_set_get_and_overwrite(store: Store) -> None:
    store.set_meta("secret", "one")
    store.set_meta("rehearsal", json.dumps({"speed": 2}))
    store.set_meta("secret", "two")
    assert store.get_meta("secret") == "two"
    assert json.loads(store.get_meta("rehearsal") or "null") == {"speed": 2}
    assert store.get_meta("Secret") is None


def test_journal_times_come_back_aware_utc(counter_store: Store) -> None:
    oslo_summer = timezone(timedelta(hours=2))
    at = datetime(2024, 5, 6, 11, 30, 15, 123456, tzinfo=oslo_summer)
    assert increment(counter_store, "main", 0, at=at)
    entry = counter_store.journal(stage_id="main")[0]
    assert entry.at == at
    assert entry.at.utcoffset() == timedelta(0)
    assert entry.at.hour == 9


def test_naive_times_are_refused(counter_store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        increment(counter_store, "main", 0, at=datetime(2024, 5, 6, 9, 0))
    with pytest.raises(ValueError, match="naive"):
        counter_store.replace_agenda(AGENDA, {}, actor="organiser", at=datetime(2024, 5, 6, 9, 0))
    assert counter_store.load_state("main") == StoredState("main", 0, {"counter": 0, "rev": 0})


# ---- compare-and-set --------------------------------------------------------------------------


def test_compare_and_set_wins_once_and_journals(counter_store: Store) -> None:
    later = T0 + timedelta(minutes=1)
    assert counter_store.compare_and_set(
        "main", 0, 1, {"counter": 1}, actor="host", at=later, command="add_time", args={"minutes": 5}
    )
    assert counter_store.load_state("main") == StoredState("main", 1, {"counter": 1, "rev": 1})
    entry = counter_store.journal(stage_id="main")[-1]
    assert (entry.at, entry.actor, entry.stage_id, entry.command, entry.args, entry.rev) == (
        later, "host", "main", "add_time", {"minutes": 5}, 1,
    )
    assert not counter_store.compare_and_set(
        "main", 0, 1, {"counter": 99}, actor="other host", at=later, command="add_time", args={"minutes": 1}
    )
    assert counter_store.load_state("main") == StoredState("main", 1, {"counter": 1, "rev": 1})


def test_stale_compare_and_set_writes_nothing(counter_store: Store) -> None:
    assert increment(counter_store, "main", 0)
    assert increment(counter_store, "main", 1)
    state_before = counter_store.load_state("main")
    journal_before = counter_store.journal()
    assert not increment(counter_store, "main", 1)
    assert not increment(counter_store, "main", 0)
    assert not counter_store.compare_and_set(
        "main", 7, 8, {"counter": 8}, actor="x", at=T0, command="next", args={}
    )
    assert not increment(counter_store, "nowhere", 0)
    assert counter_store.load_state("main") == state_before
    assert counter_store.journal() == journal_before
    assert counter_store.load_state("nowhere") is None


def test_compare_and_set_refuses_a_revision_that_does_not_increase(counter_store: Store) -> None:
    with pytest.raises(ValueError, match="greater"):
        counter_store.compare_and_set("main", 0, 0, {"counter": 0}, actor="x", at=T0, command="next", args={})
    assert counter_store.load_state("main") == StoredState("main", 0, {"counter": 0, "rev": 0})


def test_unserialisable_state_is_refused_before_writing(counter_store: Store) -> None:
    with pytest.raises(TypeError):
        counter_store.compare_and_set("main", 0, 1, {"at": T0}, actor="x", at=T0, command="next", args={})
    assert counter_store.load_state("main") == StoredState("main", 0, {"counter": 0, "rev": 0})
    assert len(counter_store.journal()) == 1


# ---- replacing the agenda ---------------------------------------------------------------------


def test_replace_agenda_keeps_revisions_increasing(store: Store) -> None:
    store.replace_agenda(AGENDA, {"main": {"v": 1}, "breakout": {"v": 1}}, actor="organiser", at=T0)
    assert increment(store, "main", 0)
    assert increment(store, "main", 1)

    second_agenda = {"title": "revised", "stages": [{"id": "main"}, {"id": "stream"}]}
    store.replace_agenda(second_agenda, {"main": {"v": 2}, "stream": {"v": 2}}, actor="editor", at=T0, note="edit")
    assert store.load_agenda() == second_agenda
    assert store.load_states() == {
        "main": StoredState("main", 3, {"v": 2, "rev": 3}),
        "stream": StoredState("stream", 0, {"v": 2, "rev": 0}),
    }
    assert store.load_state("breakout") is None
    # An old client that still holds rev 2 (or 0) of "main" must not overwrite the fresh state.
    assert not increment(store, "main", 2)
    assert not increment(store, "main", 0)
    assert not increment(store, "breakout", 0)
    assert increment(store, "main", 3)

    store.replace_agenda(AGENDA, {"main": {"v": 3}, "breakout": {"v": 3}}, actor="organiser", at=T0)
    assert store.load_states() == {
        "main": StoredState("main", 5, {"v": 3, "rev": 5}),
        "breakout": StoredState("breakout", 1, {"v": 3, "rev": 1}),
    }

    imports = [entry for entry in store.journal() if entry.stage_id is None]
    assert [(entry.actor, entry.command, entry.rev, entry.args) for entry in imports] == [
        ("organiser", "import", None, {"stages": {"breakout": 0, "main": 0}}),
        ("editor", "edit", None, {"stages": {"main": 3, "stream": 0}}),
        ("organiser", "import", None, {"stages": {"breakout": 1, "main": 5}}),
    ]


def test_replace_agenda_with_no_stages_retires_them_all(counter_store: Store) -> None:
    counter_store.replace_agenda({"title": "empty"}, {}, actor="organiser", at=T0)
    assert counter_store.load_states() == {}
    assert counter_store.load_agenda() == {"title": "empty"}



def test_the_rev_key_of_a_stored_state_always_matches_its_row(store: Store) -> None:
    stale = {"status": "running", "rev": 41}
    store.replace_agenda(AGENDA, {"main": stale}, actor="organiser", at=T0)
    assert store.load_state("main") == StoredState("main", 0, {"status": "running", "rev": 0})
    assert stale["rev"] == 41, "the caller's dict must not be changed"
    assert store.compare_and_set("main", 0, 1, stale, actor="host", at=T0, command="next", args={})
    assert store.load_state("main") == StoredState("main", 1, {"status": "running", "rev": 1})
    store.replace_agenda(AGENDA, {"main": stale}, actor="organiser", at=T0)
    assert store.load_state("main") == StoredState("main", 2, {"status": "running", "rev": 2})


def test_concurrent_imports_take_turns(store_url: str, store: Store) -> None:
    store.replace_agenda(AGENDA, {"main": {"counter": 0}}, actor="organiser", at=T0)
    importers = 4
    barrier = threading.Barrier(importers)
    errors: list[BaseException] = []

    def import_agenda(name: str) -> None:
        opened = Store(store_url)  # one store per importer, as if each were its own server
        try:
            barrier.wait(timeout=30)
            opened.replace_agenda(AGENDA, {"main": {"by": name}, "new": {"by": name}}, actor=name, at=T0)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            opened.close()

    threads = [threading.Thread(target=import_agenda, args=(f"importer{n}",)) for n in range(importers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    states = store.load_states()
    assert (states["main"].rev, states["new"].rev) == (importers, importers - 1)
    imports = [entry for entry in store.journal() if entry.stage_id is None][1:]
    assert sorted(entry.args["stages"]["main"] for entry in imports) == list(range(1, importers + 1))
    assert sorted(entry.args["stages"]["new"] for entry in imports) == list(range(importers))
    assert states["main"].state["by"] == imports[-1].actor

# ---- journal ----------------------------------------------------------------------------------


def test_journal_order_and_filtering(store: Store) -> None:
    store.replace_agenda(AGENDA, {"main": {"counter": 0}, "breakout": {"counter": 0}}, actor="organiser", at=T0)
    for minute, stage_id in enumerate(["main", "breakout", "main", "main", "breakout"], start=1):
        stored = store.load_state(stage_id)
        assert stored is not None
        assert increment(store, stage_id, stored.rev, actor=f"crew{minute}", at=T0 + timedelta(minutes=minute))

    everything = store.journal()
    assert [(entry.stage_id, entry.rev) for entry in everything] == [
        (None, None), ("main", 1), ("breakout", 1), ("main", 2), ("main", 3), ("breakout", 2),
    ]
    assert [entry.id for entry in everything] == sorted({entry.id for entry in everything})
    assert [entry.actor for entry in everything] == ["organiser", "crew1", "crew2", "crew3", "crew4", "crew5"]
    assert [entry.at for entry in everything] == [T0 + timedelta(minutes=m) for m in range(6)]

    assert [entry.rev for entry in store.journal(stage_id="main")] == [1, 2, 3]
    assert [entry.rev for entry in store.journal(stage_id="breakout")] == [1, 2]
    assert store.journal(stage_id="stream") == []
    assert store.journal(after_id=everything[2].id) == everything[3:]
    assert store.journal(after_id=everything[1].id, limit=2) == everything[2:4]
    assert store.journal(stage_id="main", after_id=everything[3].id) == [everything[4]]
    assert store.journal(after_id=everything[-1].id) == []
    with pytest.raises(ValueError):
        store.journal(limit=0)


def test_replace_agenda_against_a_setting_is_compare_and_set(counter_store: Store) -> None:
    counter_store.set_meta("version", "v1")
    journal_before = counter_store.journal()
    with pytest.raises(MetaConflict) as raised:
        counter_store.replace_agenda({"title": "edited"}, {"main": {"counter": 0}}, actor="editor", at=T0,
                                     meta={"version": "v2"}, expected_meta={"version": "v0"})
    assert (raised.value.key, raised.value.current) == ("version", "v1")
    assert counter_store.load_agenda() == AGENDA and counter_store.get_meta("version") == "v1"
    assert counter_store.load_state("main").rev == 0 and counter_store.journal() == journal_before
    with pytest.raises(MetaConflict):
        counter_store.replace_agenda({"title": "edited"}, {"main": {"counter": 0}}, actor="editor", at=T0,
                                     expected_meta={"unset": "v1"})
    counter_store.replace_agenda({"title": "edited"}, {"main": {"counter": 0}}, actor="editor", at=T0,
                                 meta={"version": "v2"}, expected_meta={"version": "v1", "unset": None})
    assert counter_store.load_agenda() == {"title": "edited"} and counter_store.get_meta("version") == "v2"


# ---- races ------------------------------------------------------------------------------------


def test_threads_storing_agendas_against_one_version_win_exactly_once(counter_store: Store) -> None:
    counter_store.set_meta("version", "v1")
    racers = 4
    barrier = threading.Barrier(racers)
    winners: list[str] = []
    errors: list[BaseException] = []

    def race(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            counter_store.replace_agenda({"title": name}, {"main": {"counter": 0}}, actor=name, at=T0,
                                         meta={"version": name}, expected_meta={"version": "v1"})
            winners.append(name)
        except MetaConflict:
            pass
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    run_racers(race, [f"editor{n}" for n in range(racers)])
    assert errors == [] and len(winners) == 1
    assert counter_store.get_meta("version") == winners[0]
    assert counter_store.load_agenda() == {"title": winners[0]}
    assert [entry.actor for entry in counter_store.journal() if entry.stage_id is None] == ["organiser", winners[0]]


def test_threads_racing_on_one_revision_win_exactly_once_each(counter_store: Store) -> None:
    racers = 4
    rounds = 25
    barrier = threading.Barrier(racers)
    wins: dict[int, list[str]] = {rev: [] for rev in range(rounds)}
    errors: list[BaseException] = []

    def race(name: str) -> None:
        try:
            for rev in range(rounds):
                barrier.wait(timeout=30)
                if increment(counter_store, "main", rev, actor=name):
                    wins[rev].append(name)
                barrier.wait(timeout=30)  # nobody starts the next round before everyone tried this one
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
            barrier.abort()

    run_racers(race, [f"racer{n}" for n in range(racers)])
    assert errors == []
    assert all(len(winners) == 1 for winners in wins.values()), wins
    entries = counter_store.journal(stage_id="main")
    assert [entry.rev for entry in entries] == list(range(1, rounds + 1))
    assert [entry.actor for entry in entries] == [wins[rev][0] for rev in range(rounds)]
    assert assert_consistent_counter(counter_store, "main") == rounds


@pytest.mark.slow
def test_processes_racing_on_one_stage_never_lose_or_double_a_revision(counter_store: Store, store_url: str) -> None:
    target = 300
    start_at = time.time() + 2.0
    writers = {
        name: start_writer(store_url, "--actor", name, "--until", str(target), "--start-at", str(start_at))
        for name in ("left", "right")
    }
    summaries = {name: finish_writer(process) for name, process in writers.items()}

    assert sum(summary["wins"] for summary in summaries.values()) == target
    assert assert_consistent_counter(counter_store, "main") == target
    entries = whole_journal(counter_store, "main")
    for name, summary in summaries.items():
        assert sum(entry.actor == name for entry in entries) == summary["wins"]


# ---- kill -9 ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_kill_9_mid_write_resumes_exactly_where_it_was(counter_store: Store, store_url: str) -> None:
    writer = start_writer(store_url, "--actor", "doomed")
    time.sleep(1.0)
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    reopened = Store(store_url)
    written = assert_consistent_counter(reopened, "main")
    assert written >= 20, "the writer barely wrote anything before it was killed"

    continued = 25
    survivor = start_writer(store_url, "--actor", "survivor", "--count", str(continued))
    assert finish_writer(survivor) == {"wins": continued, "losses": 0}
    assert assert_consistent_counter(reopened, "main") == written + continued
    actors = [entry.actor for entry in whole_journal(reopened, "main")]
    assert actors == ["doomed"] * written + ["survivor"] * continued
    reopened.close()


def test_replace_agenda_with_expected_revs_refuses_a_moved_stage(tmp_path: Path) -> None:
    from runofshow.live.store import RevisionConflict

    store = Store(f"sqlite:///{tmp_path / 'expected.sqlite3'}")
    at = datetime(2024, 5, 6, 9, tzinfo=timezone.utc)
    store.replace_agenda({"title": "a"}, {"main": {"n": 0}}, actor="t", at=at)
    assert store.compare_and_set("main", 0, 1, {"n": 1}, actor="t", at=at, command="next", args={})
    with pytest.raises(RevisionConflict):
        store.replace_agenda({"title": "b"}, {"main": {"n": 1}}, actor="t", at=at, expected_revs={"main": 0})
    assert store.load_agenda() == {"title": "a"} and store.load_state("main").rev == 1
    store.replace_agenda({"title": "b"}, {"main": {"n": 1}}, actor="t", at=at, expected_revs={"main": 1})
    assert store.load_agenda() == {"title": "b"}
