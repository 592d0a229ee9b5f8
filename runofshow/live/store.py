"""The store: agenda, per-stage live state with compare-and-set on its revision, and the journal."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import StaticPool

DATABASE_URL_ENV = "RUNOFSHOW_DATABASE_URL"
INSTANCE_PATH_ENV = "RUNOFSHOW_INSTANCE_PATH"
DEFAULT_INSTANCE_PATH = Path("instance")
SQLITE_FILENAME = "runofshow.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 15_000
POSTGRES_CONNECT_TIMEOUT_S = 5
AGENDA_ROW_ID = 1
# Advisory lock keys: any constants work; each only has to be the same in every process.
POSTGRES_SCHEMA_LOCK_KEY = 0x52554E4F46  # "RUNOF"
POSTGRES_AGENDA_LOCK_KEY = POSTGRES_SCHEMA_LOCK_KEY + 1
_BEGIN_MODE_OPTION = "runofshow_sqlite_begin"

metadata = sa.MetaData()

# Instants are stored as ISO 8601 text in UTC with a fixed width, so that they sort as text,
# read back as aware datetimes and mean the same on SQLite and PostgreSQL.
_Instant = sa.String(40)
# SQLite aliases only a column declared exactly "INTEGER PRIMARY KEY" to its rowid.
_JournalId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

agenda_table = sa.Table(
    "agenda",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("stored_at", _Instant, nullable=False),
    sa.CheckConstraint(f"id = {AGENDA_ROW_ID}", name="agenda_single_row"),
)

stage_state_table = sa.Table(
    "stage_state",
    metadata,
    sa.Column("stage_id", sa.String(200), primary_key=True),
    sa.Column("rev", sa.BigInteger, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    # A stage dropped by a re-import keeps its row (and so its revision) but is no longer live.
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("updated_at", _Instant, nullable=False),
)

journal_table = sa.Table(
    "journal",
    metadata,
    sa.Column("id", _JournalId, primary_key=True, autoincrement=True),
    sa.Column("at", _Instant, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("stage_id", sa.String(200), nullable=True),
    sa.Column("command", sa.String(100), nullable=False),
    sa.Column("args", sa.Text, nullable=False),
    sa.Column("rev", sa.BigInteger, nullable=True),
    sa.Index("journal_stage_id_id", "stage_id", "id"),
    sqlite_autoincrement=True,
)

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


class StoreUnavailable(RuntimeError):
    """The database can't be reached or the write failed; nothing was applied."""


class RevisionConflict(RuntimeError):
    """A stage moved on while a new agenda was being stored with its old state; nothing was applied."""


class MetaConflict(RuntimeError):
    """A setting an agenda was stored against had changed meanwhile; nothing was applied."""

    def __init__(self, key: str, expected: str | None, current: str | None) -> None:
        super().__init__(f"setting {key!r} is {current!r}, not {expected!r}")
        self.key = key
        self.current = current


@dataclass(frozen=True)
class JournalEntry:
    """One appended line of the journal: who did what to which stage, and the revision it produced."""

    id: int
    at: datetime
    actor: str
    stage_id: str | None
    command: str
    args: dict[str, Any]
    rev: int | None


@dataclass(frozen=True)
class StoredState:
    """The live state of one stage as stored, with its revision."""

    stage_id: str
    rev: int
    state: dict[str, Any]


def database_url(instance_path: Path | None = None, env: Mapping[str, str] = os.environ) -> str:
    """RUNOFSHOW_DATABASE_URL if set, else an SQLite file in the instance folder (created)."""
    configured = env.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    if instance_path is None:
        instance_path = Path(env.get(INSTANCE_PATH_ENV, "").strip() or DEFAULT_INSTANCE_PATH)
    folder = instance_path.expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite", database=str(folder / SQLITE_FILENAME)).render_as_string(hide_password=False)


class Store:
    """Agenda, live stage states and journal in one SQL database (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as error:
            raise StoreUnavailable(f"invalid database URL: {error}") from None
        self._display_url = parsed.render_as_string(hide_password=True)
        try:
            self._engine = _create_engine(parsed)
        except (NoSuchModuleError, ImportError) as error:
            raise StoreUnavailable(f"cannot open store {self._display_url}: {error}") from error
        # Writes on SQLite take the write lock at BEGIN: a transaction that read first and wrote
        # later could fail with "database is locked" instead of waiting its turn.
        self._writer = self._engine.execution_options(**{_BEGIN_MODE_OPTION: "IMMEDIATE"})
        try:
            with self._guard("create tables"), self._writer.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # Several servers starting at once must not race each other's CREATE TABLE.
                    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(POSTGRES_SCHEMA_LOCK_KEY)))
                metadata.create_all(connection)
        except StoreUnavailable:
            self._engine.dispose()
            raise

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self._display_url!r})"

    # ---- agenda ---------------------------------------------------------------------------------

    def load_agenda(self) -> dict[str, Any] | None:
        """The stored agenda document, or None before the first import."""
        query = sa.select(agenda_table.c.document).where(agenda_table.c.id == AGENDA_ROW_ID)
        with self._guard("load the agenda"), self._engine.begin() as connection:
            document = connection.execute(query).scalar_one_or_none()
        return None if document is None else _from_json(document)

    def replace_agenda(
        self,
        agenda: Mapping[str, Any],
        states: Mapping[str, Mapping[str, Any]],
        *,
        actor: str,
        at: datetime,
        note: str = "import",
        meta: Mapping[str, str] | None = None,
        expected_revs: Mapping[str, int] | None = None,
        expected_meta: Mapping[str, str | None] | None = None,
    ) -> None:
        """Store a new agenda, the given stage states and `meta` settings in one transaction; journal it once.

        Compare-and-set: RevisionConflict unless each stage in `expected_revs` is at its revision, MetaConflict
        unless each setting in `expected_meta` has its value (None: not set); either way nothing is written.
        A stage that existed before gets revision old + 1 (so no client's expected revision can
        match the fresh state by accident); a new stage starts at 0; stages not given stop being live.
        Each stored state's "rev" key is set to its stage's new revision.
        """
        document = _to_json(agenda)
        for state in states.values():
            _to_json(state)  # refuse an unserialisable state before anything is written
        stored_at = _instant_text(at)
        live = stage_state_table.c
        with self._guard("replace the agenda"), self._writer.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Two imports at once would both insert the agenda row and any new stage: take turns.
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(POSTGRES_AGENDA_LOCK_KEY)))
            # FOR UPDATE keeps a concurrent compare-and-set from moving a revision read here.
            old_revs = {
                row.stage_id: row.rev
                for row in connection.execute(sa.select(live.stage_id, live.rev).with_for_update())
            }
            # Read inside the write transaction (SQLite's write lock, PostgreSQL's agenda lock): no other
            # agenda can be stored between this check and the write.
            for key, expected in (expected_meta or {}).items():
                current = connection.execute(
                    sa.select(meta_table.c.value).where(meta_table.c.key == key)
                ).scalar_one_or_none()
                if current != expected:
                    raise MetaConflict(key, expected, current)
            for stage_id, rev in (expected_revs or {}).items():
                if old_revs.get(stage_id) != rev:
                    raise RevisionConflict(f"stage {stage_id!r} is at revision {old_revs.get(stage_id)}, not {rev}")
            connection.execute(sa.delete(agenda_table))
            connection.execute(
                sa.insert(agenda_table).values(id=AGENDA_ROW_ID, document=document, stored_at=stored_at)
            )
            if old_revs:
                connection.execute(
                    sa.update(stage_state_table).where(live.stage_id.not_in(list(states))).values(active=False)
                )
            new_revs: dict[str, int] = {}
            for stage_id, state in states.items():
                rev = old_revs[stage_id] + 1 if stage_id in old_revs else 0
                values = {"rev": rev, "state": _to_json({**state, "rev": rev}), "active": True, "updated_at": stored_at}
                if stage_id in old_revs:
                    connection.execute(sa.update(stage_state_table).where(live.stage_id == stage_id).values(**values))
                else:
                    connection.execute(sa.insert(stage_state_table).values(stage_id=stage_id, **values))
                new_revs[stage_id] = rev
            connection.execute(
                sa.insert(journal_table).values(
                    at=stored_at, actor=actor, stage_id=None, command=note,
                    args=_to_json({"stages": dict(sorted(new_revs.items()))}), rev=None,
                )
            )
            for key, value in (meta or {}).items():
                _write_meta(connection, key, value)

    # ---- live state -----------------------------------------------------------------------------

    def load_state(self, stage_id: str) -> StoredState | None:
        """The live state of one stage, or None when the current agenda has no such stage."""
        live = stage_state_table.c
        query = sa.select(live.stage_id, live.rev, live.state).where(live.stage_id == stage_id, live.active)
        with self._guard("load a stage state"), self._engine.begin() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else StoredState(row.stage_id, row.rev, _from_json(row.state))

    def load_states(self) -> dict[str, StoredState]:
        """The live states of all stages of the current agenda, by stage id."""
        live = stage_state_table.c
        query = sa.select(live.stage_id, live.rev, live.state).where(live.active).order_by(live.stage_id)
        with self._guard("load the stage states"), self._engine.begin() as connection:
            rows = connection.execute(query).all()
        return {row.stage_id: StoredState(row.stage_id, row.rev, _from_json(row.state)) for row in rows}

    def compare_and_set(
        self,
        stage_id: str,
        expected_rev: int,
        new_rev: int,
        state: Mapping[str, Any],
        *,
        actor: str,
        at: datetime,
        command: str,
        args: Mapping[str, Any],
    ) -> bool:
        """Store the state (its "rev" key set to new_rev) if the stage is still at expected_rev, and journal it.

        Returns False, with nothing written, when the stage has moved on or is not live.
        """
        if new_rev <= expected_rev:
            raise ValueError(f"new_rev {new_rev} must be greater than expected_rev {expected_rev}")
        state_text = _to_json({**state, "rev": new_rev})
        args_text = _to_json(args)
        stored_at = _instant_text(at)
        live = stage_state_table.c
        # The condition on rev is checked by the database under its row/write lock, so of several
        # processes racing on one expected_rev exactly one sees a changed row.
        update = (
            sa.update(stage_state_table)
            .where(live.stage_id == stage_id, live.rev == expected_rev, live.active)
            .values(rev=new_rev, state=state_text, updated_at=stored_at)
        )
        with self._guard("store a stage state"), self._writer.begin() as connection:
            if connection.execute(update).rowcount != 1:
                return False
            connection.execute(
                sa.insert(journal_table).values(
                    at=stored_at, actor=actor, stage_id=stage_id, command=command, args=args_text, rev=new_rev
                )
            )
        return True

    # ---- journal --------------------------------------------------------------------------------

    def journal(self, *, stage_id: str | None = None, after_id: int = 0, limit: int = 1000) -> list[JournalEntry]:
        """Journal entries with id > after_id, oldest first; only one stage's when stage_id is given."""
        if limit < 1:
            raise ValueError(f"limit must be positive, not {limit}")
        entry = journal_table.c
        query = sa.select(journal_table).where(entry.id > after_id).order_by(entry.id).limit(limit)
        if stage_id is not None:
            query = query.where(entry.stage_id == stage_id)
        with self._guard("read the journal"), self._engine.begin() as connection:
            rows = connection.execute(query).all()
        return [
            JournalEntry(
                id=row.id,
                at=_instant_from_text(row.at),
                actor=row.actor,
                stage_id=row.stage_id,
                command=row.command,
                args=_from_json(row.args),
                rev=row.rev,
            )
            for row in rows
        ]

    # ---- small settings -------------------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Store a small setting, replacing any earlier value."""
        with self._guard("store a setting"), self._writer.begin() as connection:
            _write_meta(connection, key, value)

    def get_meta(self, key: str) -> str | None:
        """A stored setting, or None."""
        query = sa.select(meta_table.c.value).where(meta_table.c.key == key)
        with self._guard("load a setting"), self._engine.begin() as connection:
            return connection.execute(query).scalar_one_or_none()

    def meta_items(self, prefix: str) -> dict[str, str]:
        """Every stored setting whose key starts with `prefix` (tokens, share links), by key."""
        query = sa.select(meta_table.c.key, meta_table.c.value).where(meta_table.c.key.startswith(prefix, autoescape=True))
        with self._guard("load settings"), self._engine.begin() as connection:
            return {row.key: row.value for row in connection.execute(query)}

    def delete_meta(self, key: str) -> bool:
        """Forget a stored setting; False when there was none."""
        with self._guard("delete a setting"), self._writer.begin() as connection:
            return bool(connection.execute(sa.delete(meta_table).where(meta_table.c.key == key)).rowcount)

    # ---- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn database and driver failures into StoreUnavailable naming the action and the store."""
        try:
            yield
        except DBAPIError as error:
            reason = str(error.orig).strip() or type(error.orig).__name__
            raise StoreUnavailable(f"store {self._display_url}: could not {action}: {reason}") from error
        except PoolTimeoutError as error:
            raise StoreUnavailable(f"store {self._display_url}: could not {action}: {error}") from error


def _create_engine(url: URL) -> Engine:
    """An engine configured for the store's backend (SQLite pragmas and locking, PostgreSQL timeouts)."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        options: dict[str, Any] = {}
        if url.database in (None, "", ":memory:"):
            # One shared connection, or every pooled connection would see its own empty database.
            options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        engine = sa.create_engine(url, **options)
        sa.event.listen(engine, "connect", _configure_sqlite_connection)
        sa.event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    options = {"pool_pre_ping": True}
    if backend == "postgresql" and url.get_driver_name() in ("psycopg", "psycopg2") and "connect_timeout" not in url.query:
        options["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    return sa.create_engine(url, **options)


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    """Durable, waiting, foreign-key-checking SQLite; SQLAlchemy (not the driver) emits BEGIN."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a killed process (kill -9); only an OS crash or power loss can
        # drop the last commits. FULL would fsync on every command and stall a gevent server's hub.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    """BEGIN IMMEDIATE for the writer, a plain (deferred) BEGIN for readers."""
    mode = connection.get_execution_options().get(_BEGIN_MODE_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _to_json(value: Mapping[str, Any]) -> str:
    """JSON text of a JSON-ready mapping; TypeError/ValueError before anything is written."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _from_json(text: str) -> dict[str, Any]:
    """The mapping stored as JSON text."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"stored JSON is a {type(value).__name__}, not an object")
    return value


def _instant_text(at: datetime) -> str:
    """Fixed-width ISO 8601 text in UTC for an aware datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: pass an aware instant")
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _instant_from_text(text: str) -> datetime:
    """The aware UTC datetime stored as ISO 8601 text."""
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _write_meta(connection: sa.Connection, key: str, value: str) -> None:
    """Insert or replace one setting inside the caller's transaction."""
    changed = connection.execute(sa.update(meta_table).where(meta_table.c.key == key).values(value=value)).rowcount
    if changed == 0:
        connection.execute(sa.insert(meta_table).values(key=key, value=value))
