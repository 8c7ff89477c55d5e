"""The master file database: an engine, sessions and the persisted simulation clock.

SQLite in memory by default (one shared connection, so every terminal of this process
sees the same master file), a SQLite file or PostgreSQL when a URL is given.  Work is
done in units of work (`unit_of_work()`), one per AID key, serialised by a lock so that
several terminals (TN3270 sessions in threads) never interleave inside one.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Executable, create_engine, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, StaticPool

from ..clock import Clock
from . import (
    acds_models,  # noqa: F401  (registers AcdsCase on Base: Appeals TDC, issue 26)
    appeals_models,  # noqa: F401  (Appeals/ACMS tables on Base: issue 25)
    incident_models,  # noqa: F401  (registers IncidentReport on Base)
)
from .json_column import read_json
from .models import Base, SimState
from .urls import _sqlite_uri_form, sqlite_file  # noqa: F401 - sqlite_file re-exported

DEFAULT_URL = "sqlite://"
_CLOCK_KEY = "clock"
_BEGIN_OPTION = "idrs_sim_begin"  # execution option: the statement that begins a transaction

#: Driver messages and SQLSTATEs of a database held by someone else: SQLite's lock and
#: busy errors; PostgreSQL's serialization failure, deadlock and lock-not-available.
_BUSY_TEXTS = ("database is locked", "database is busy", "database table is locked")
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_busy(exc: BaseException) -> bool:
    """True when `exc` says the database is held by another process: nothing was stored,
    and the same request may be tried again."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in _BUSY_SQLSTATES:
        return True
    text = str(orig).lower()
    return any(t in text for t in _BUSY_TEXTS)


def is_memory_url(url: str) -> bool:
    """True for the in-memory SQLite URLs: a database that is new (empty) on every open."""
    return url in ("sqlite://", "sqlite:///:memory:")


def busy_timeout() -> float:
    """Seconds a SQLite file waits for another process's write lock before the request is
    answered 'database busy' (IDRS_SIM_BUSY_TIMEOUT, default 15: `idrs-sim web` runs a
    process per browser tab, and a loaded classroom machine needs more than pysqlite's 5)."""
    try:
        return max(0.0, float(os.environ.get("IDRS_SIM_BUSY_TIMEOUT", "15")))
    except ValueError:
        return 15.0


def make_engine(url: str) -> Engine:
    """An engine for `url`; in-memory SQLite shares one connection across threads."""
    if is_memory_url(url):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False},
                               json_deserializer=read_json)
    elif url.startswith("sqlite"):
        engine = create_engine(_sqlite_uri_form(url), json_deserializer=read_json,
                               connect_args={"check_same_thread": False, "timeout": busy_timeout()})
    else:
        engine = create_engine(url, json_deserializer=read_json)
    if engine.dialect.name == "sqlite":

        # pysqlite's own transaction handling defeats SAVEPOINT; let SQLAlchemy emit BEGIN
        # itself (the recipe from the SQLAlchemy SQLite dialect documentation).
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            # A unit of work on a file takes the write lock at once (BEGIN IMMEDIATE): two
            # processes then queue for it (busy timeout) instead of one failing at once
            # when both try to upgrade a read transaction (issue #16: two processes).
            conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))

    return engine


_APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
]
_APPEND_ONLY_TRIGGERS_SQLITE = ("audit_no_update", "audit_no_delete")  # the names above
_APPEND_ONLY_POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS audit_append_only ON audit",
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
]


def _protect_audit_trail(engine: Engine) -> None:
    """Make the audit table append-only in the database itself, not just by convention."""
    statements = {"sqlite": _APPEND_ONLY_SQLITE, "postgresql": _APPEND_ONLY_POSTGRES}.get(engine.dialect.name, [])
    with engine.begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


def sqlite_schema_missing(dbapi_conn: Any) -> list[str]:
    """The tables, named indexes and append-only triggers of the models that an SQLite
    database (a DB-API connection) lacks.  Why: a database filled from a ready-made image
    gets its schema from the image, not from `create_all`; this checks it is complete."""
    have = {name for (name,) in dbapi_conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')")}
    tables = Base.metadata.tables.values()
    want = [*(t.name for t in tables), *(str(i.name) for t in tables for i in t.indexes if i.name),
            *_APPEND_ONLY_TRIGGERS_SQLITE]
    return [name for name in want if name not in have]


def _driver_connection(raw: PoolProxiedConnection) -> Any:
    """The DB-API connection (sqlite3's) under a pooled one; None only once it is detached."""
    conn = raw.driver_connection
    if conn is None:
        raise RuntimeError("the pooled database connection has no DB-API connection")
    return conn


#: Tables every idrs-sim master file has had from its first version: a database with tables
#: but none of these is somebody else's.
OUR_MARKERS = ("entity", "txn")


class ForeignDatabase(ValueError):
    """The database holds tables, none of them an idrs-sim master file's: it is not ours to
    write (users' databases are never rewritten unasked)."""


def refuse_foreign_database(engine: Engine) -> None:
    """ForeignDatabase if the database has tables but no idrs-sim master file; nothing is
    written either way (one read of the catalogue)."""
    names = [n for n in inspect(engine).get_table_names() if not n.startswith("sqlite_")]
    if names and not any(marker in names for marker in OUR_MARKERS):
        shown = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        raise ForeignDatabase(f"not an idrs-sim master file (it holds other tables: {shown}); nothing was changed")


class MasterFile:
    """The accounts of record plus the simulation clock that goes with them.

    `schema=False` (in-memory databases only) leaves the new database empty: the caller
    fills it from a ready-made image that carries the schema and its triggers, or calls
    `ensure_schema()`.  Why: compiling and running the DDL of every table, index and
    trigger costs a tenth of a second, wasted when an image replaces the database at once.
    """

    def __init__(self, url: str = DEFAULT_URL, clock: Clock | None = None, *, schema: bool = True) -> None:
        """Open (and, unless `schema` is False for an in-memory image, complete the schema of)
        the master file at `url`.  ForeignDatabase if it holds another application's tables."""
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.lock = threading.RLock()
        self.clock = clock if clock is not None else Clock(dt.datetime(2024, 6, 17, 8, 0))
        self.schema_ready = False
        self._clock_seen: str | None = None  # the saved clock as this process last read or wrote it
        # Units of work on a SQLite file begin with BEGIN IMMEDIATE (see make_engine).
        self._uow_options = ({_BEGIN_OPTION: "BEGIN IMMEDIATE"}
                             if self.engine.dialect.name == "sqlite" and not is_memory_url(url) else None)
        if schema or not is_memory_url(url):
            self.ensure_schema()

    def ensure_schema(self) -> None:
        """Create the tables, indexes and the audit trail's append-only triggers where missing,
        then take the simulated time saved in the database (once; later calls do nothing)."""
        if self.schema_ready:
            return
        if not is_memory_url(self.url):
            refuse_foreign_database(self.engine)
        Base.metadata.create_all(self.engine)
        _protect_audit_trail(self.engine)
        self.schema_ready = True
        # A new in-memory database has no saved clock: no need to ask it (the first ORM
        # query of a process also configures every mapper, which costs as much as the DDL).
        if not is_memory_url(self.url):
            saved = self._load_clock()
            if saved is not None:
                self.clock.set(saved)

    def mark_schema_ready(self) -> None:
        """The database was filled with a complete image (tables, indexes, triggers)."""
        self.schema_ready = True

    # ---- units of work ---------------------------------------------------
    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One database transaction: committed on success, rolled back on any error."""
        with self.lock:
            session = self.sessions()
            try:
                if self._uow_options is not None:
                    session.connection(execution_options=self._uow_options)
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    # ---- whole-database images (SQLite) ---------------------------------------------
    def image(self) -> bytes:
        """The whole SQLite database as bytes (`sqlite3.Connection.serialize`)."""
        raw = self.engine.raw_connection()
        try:
            return bytes(_driver_connection(raw).serialize())
        finally:
            raw.close()

    def restore(self, image: bytes) -> None:
        """Replace this database's contents by `image`, with SQLite's backup API.

        The backup writes into the database SQLAlchemy already holds, so the engine (and
        its statement cache) stays, an in-memory database stays an ordinary one (no size
        limit of a deserialized one), and the connection's settings (foreign keys on)
        are kept.
        """
        import sqlite3

        src = sqlite3.connect(":memory:")
        try:
            src.deserialize(image)
            raw = self.engine.raw_connection()
            try:
                src.backup(_driver_connection(raw))
            finally:
                raw.close()
        finally:
            src.close()

    def write_one(self, statement: Executable, params: dict[str, Any]) -> None:
        """One Core statement in a transaction of its own, without an ORM session.

        For a key that only leaves an audit record (Clear, paging, an inactive key): the
        ORM session's set-up and commit cost more than the INSERT itself.
        """
        with self.lock, self.engine.begin() as conn:
            conn.execute(statement, params)

    def read_only_reason(self) -> str | None:
        """Why this database takes no writes (a read-only file or connection), else None.

        Probed by writing one row of `sim_state` and rolling it back: nothing is stored.
        Every key a terminal presses writes an audit record, so a front end asks this once
        at start instead of failing at the first key."""
        from sqlalchemy import insert
        from sqlalchemy.exc import DBAPIError

        with self.lock, self.engine.connect() as conn:
            try:
                with conn.begin() as txn:
                    conn.execute(insert(SimState).values(key="~write-probe", value=""))
                    txn.rollback()
            except DBAPIError as exc:
                reason = str(exc.orig or exc).splitlines()[0]
                lowered = reason.lower()
                if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
                    return reason
                # Busy, or anything else: not this question's answer; the first real write tells.
        return None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for research only; nothing it does is committed.  Closing (without an
        explicit rollback, which would expire them) leaves loaded objects readable."""
        with self.lock:
            session = self.sessions()
            try:
                yield session
            finally:
                session.close()

    # ---- the clock ---------------------------------------------------------
    def _load_clock(self) -> dt.datetime | None:
        with self.reading() as s:
            return self._saved_clock(s)

    def _saved_clock(self, s: Session) -> dt.datetime | None:
        value = s.scalar(select(SimState.value).where(SimState.key == _CLOCK_KEY))
        if value is None:
            return None
        self._clock_seen = value
        return dt.datetime.fromisoformat(value)

    def refresh_clock(self, session: Session | None = None) -> bool:
        """Take the clock saved in the database when another process moved it since this
        one last read or wrote it (an `idrs-sim cycle` beside a running `serve`: issue #16
        item 5).  One indexed read per key; nothing to do for an in-memory database, which
        no other process can reach."""
        if is_memory_url(self.url) or not self.schema_ready:
            return False
        if session is None:
            with self.reading() as s:
                value = s.scalar(select(SimState.value).where(SimState.key == _CLOCK_KEY))
        else:
            value = session.scalar(select(SimState.value).where(SimState.key == _CLOCK_KEY))
        if value is None or value == self._clock_seen:
            return False
        self._clock_seen = value
        self.clock.set(dt.datetime.fromisoformat(value))
        return True

    def forget_clock(self) -> None:
        """The next `refresh_clock` takes the saved clock whatever it is (after a failed
        transaction that may have left this process's idea of it wrong)."""
        self._clock_seen = None

    def save_clock(self, session: Session | None = None) -> None:
        """Persist the simulated time, so `idrs-sim cycle --db` continues where it stopped.
        With `session`, inside that transaction (a posting run saves its clock with it)."""
        value = self.clock.now().isoformat()
        if session is None:
            with self.unit_of_work() as s:
                s.merge(SimState(key=_CLOCK_KEY, value=value))
        else:
            session.merge(SimState(key=_CLOCK_KEY, value=value))
        self._clock_seen = value

    def set_date(self, when: dt.date | dt.datetime) -> None:
        self.clock.set(when)
        self.save_clock()

    def dispose(self) -> None:
        self.engine.dispose()


def get_state(session: Session, key: str) -> str | None:
    row = session.get(SimState, key)
    return row.value if row else None


def set_state(session: Session, key: str, value: str) -> None:
    session.merge(SimState(key=key, value=value))


def all_of(session: Session, model: type) -> list:
    return list(session.scalars(select(model)))
