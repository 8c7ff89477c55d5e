"""The master file database: an engine, sessions and the persisted simulation clock.

SQLite in memory by default (one shared connection, so every terminal of this process
sees the same master file), a SQLite file or PostgreSQL when a URL is given.  Work is
done in units of work (`unit_of_work()`), one per AID key, serialised by a lock so that
several terminals (TN3270 sessions in threads) never interleave inside one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Executable, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..clock import Clock
from . import incident_models  # noqa: F401  (registers IncidentReport on Base)
from . import acds_models  # noqa: F401  (registers AcdsCase on Base: Appeals TDC, issue 26)
from . import appeals_models  # noqa: F401  (Appeals/ACMS tables on Base: issue 25)
from .models import Base, SimState

DEFAULT_URL = "sqlite://"
_CLOCK_KEY = "clock"


def is_memory_url(url: str) -> bool:
    """True for the in-memory SQLite URLs: a database that is new (empty) on every open."""
    return url in ("sqlite://", "sqlite:///:memory:")


def make_engine(url: str) -> Engine:
    """An engine for `url`; in-memory SQLite shares one connection across threads."""
    if is_memory_url(url):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif url.startswith("sqlite"):
        # A file may be shared by processes (`idrs-sim web` runs one per browser tab; `cycle`
        # beside `serve`): wait up to 30 s for another's transaction rather than fail at once.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30.0})
    else:
        engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        # pysqlite's own transaction handling defeats SAVEPOINT; let SQLAlchemy emit BEGIN
        # itself (the recipe from the SQLAlchemy SQLite dialect documentation).
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        # A file database takes its write lock when the transaction begins (IMMEDIATE): with a
        # plain BEGIN two processes that read and then write could each wait for the other,
        # and SQLite fails one of them at once with "database is locked" (no busy wait).
        begin = "BEGIN" if is_memory_url(url) else "BEGIN IMMEDIATE"

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql(begin)

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


class MasterFile:
    """The accounts of record plus the simulation clock that goes with them.

    `schema=False` (in-memory databases only) leaves the new database empty: the caller
    fills it from a ready-made image that carries the schema and its triggers, or calls
    `ensure_schema()`.  Why: compiling and running the DDL of every table, index and
    trigger costs a tenth of a second, wasted when an image replaces the database at once.
    """

    def __init__(self, url: str = DEFAULT_URL, clock: Clock | None = None, *, schema: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.lock = threading.RLock()
        self.clock = clock if clock is not None else Clock(dt.datetime(2024, 6, 17, 8, 0))
        self.schema_ready = False
        if schema or not is_memory_url(url):
            self.ensure_schema()

    def ensure_schema(self) -> None:
        """Create the tables, indexes and the audit trail's append-only triggers where missing,
        then take the simulated time saved in the database (once; later calls do nothing)."""
        if self.schema_ready:
            return
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
            return bytes(raw.driver_connection.serialize())
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
                src.backup(raw.driver_connection)
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
            row = s.get(SimState, _CLOCK_KEY)
            return dt.datetime.fromisoformat(row.value) if row else None

    def save_clock(self) -> None:
        """Persist the simulated time, so `idrs-sim cycle --db` continues where it stopped."""
        with self.unit_of_work() as s:
            s.merge(SimState(key=_CLOCK_KEY, value=self.clock.now().isoformat()))

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
