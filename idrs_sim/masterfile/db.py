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

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..clock import Clock
from . import incident_models  # noqa: F401  (registers IncidentReport on Base)
from .models import Base, SimState

DEFAULT_URL = "sqlite://"
_CLOCK_KEY = "clock"


def make_engine(url: str) -> Engine:
    """An engine for `url`; in-memory SQLite shares one connection across threads."""
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
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

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN")

    return engine


_APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
]
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


class MasterFile:
    """The accounts of record plus the simulation clock that goes with them."""

    def __init__(self, url: str = DEFAULT_URL, clock: Clock | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        _protect_audit_trail(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.lock = threading.RLock()
        self.clock = clock if clock is not None else Clock(dt.datetime(2024, 6, 17, 8, 0))
        saved = self._load_clock()
        if saved is not None:
            self.clock.set(saved)

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
