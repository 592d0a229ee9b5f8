"""Backup and restore of an SQLite store with SQLite's online backup API: a consistent copy while the server runs."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from runofshow.live.store import SQLITE_BUSY_TIMEOUT_MS, metadata

# Every table of the store with the columns it must have: a file without them is not a runofshow database.
STORE_TABLES: dict[str, frozenset[str]] = {
    table.name: frozenset(column.name for column in table.columns) for table in metadata.sorted_tables
}
POSTGRES_ADVICE = (
    "the store is PostgreSQL: back it up with `pg_dump --format=custom --file FILE DATABASE` and restore it with "
    "`pg_restore --clean --if-exists --dbname DATABASE FILE` (see docs/deploy.md)"
)


class BackupRefused(ValueError):
    """A backup or restore that cannot be done; the message says why, and what to use instead if anything."""


def sqlite_file(url: str) -> Path:
    """The file of an SQLite store URL; BackupRefused for any other store."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise BackupRefused(POSTGRES_ADVICE)
    if backend != "sqlite":
        raise BackupRefused(f"backup and restore work on an SQLite store, not {backend}: use that database's own tools")
    if parsed.database in (None, "", ":memory:"):
        raise BackupRefused("an in-memory store has no file to back up or restore")
    return Path(parsed.database)


def check_store_file(path: Path) -> None:
    """BackupRefused unless `path` is an intact SQLite file with every table (and column) of a runofshow store.

    The file is opened read-only: checking it never changes it.
    """
    if not path.is_file():
        raise BackupRefused(f"{path}: no such file")
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)) as connection:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            found = {name: frozenset(row[1] for row in connection.execute(f'PRAGMA table_info("{name}")'))
                     for name in STORE_TABLES}
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path} is not a runofshow database ({error})") from None
    if verdict != "ok":
        raise BackupRefused(f"{path} is damaged ({verdict})")
    missing = sorted(f"{table}.{column}" for table, columns in STORE_TABLES.items()
                     for column in columns - found[table])
    if missing:
        raise BackupRefused(f"{path} is not a runofshow database (it lacks {', '.join(missing[:5])})")


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Copy every page of `source` into `target` in one step (readers and writers of a WAL store carry on)."""
    source.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    target.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    source.backup(target)


def backup(url: str, destination: Path) -> None:
    """Write a consistent copy of the SQLite store at `url` to `destination`, whole or not at all."""
    store_file = sqlite_file(url)
    check_store_file(store_file)
    if destination.resolve() == store_file.resolve():
        raise BackupRefused(f"{destination} is the store itself: name another file")
    temporary = destination.with_name(f".{destination.name}.tmp")
    try:
        temporary.unlink(missing_ok=True)
        with closing(sqlite3.connect(store_file)) as source, closing(sqlite3.connect(temporary)) as copy:
            _copy(source, copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        check_store_file(temporary)
        temporary.replace(destination)
    except (OSError, sqlite3.Error) as error:
        raise BackupRefused(f"{destination}: cannot write the backup ({error})") from None
    finally:
        temporary.unlink(missing_ok=True)


def restore(source_file: Path, url: str) -> None:
    """Replace the SQLite store at `url` with the backup `source_file`; a file that is not one changes nothing."""
    store_file = sqlite_file(url)
    check_store_file(source_file)
    if source_file.resolve() == store_file.resolve():
        raise BackupRefused(f"{source_file} is the store itself: name a backup")
    try:
        store_file.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(source_file)) as source, closing(sqlite3.connect(store_file)) as store:
            _copy(source, store)
    except (OSError, sqlite3.Error) as error:
        raise BackupRefused(f"{store_file}: cannot restore into it ({error})") from None


__all__ = ["BackupRefused", "POSTGRES_ADVICE", "backup", "check_store_file", "restore", "sqlite_file"]
