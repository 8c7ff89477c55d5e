"""The trainees' sandboxes of a class: made at a trainee's first key, opened in this process,
kept up to date with what other processes did, retired (kept) when replaced.

`SandboxKeeper` is the part of `Classroom` that does this; `Classroom` sets up its state
(the classroom database, its spaces, the lobby).  Also here: which classroom a master file
belongs to (`classroom_of`), for the instructor's command codes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..clock import Clock
from ..masterfile.db import MasterFile, set_state
from ..masterfile.models import AuditRecord, Employee, SimState
from ..simulator import Simulator
from .models import ClassLesson, Sandbox
from .spaces import PostgresSpaces, Spaces, SqliteSpaces

if TYPE_CHECKING:
    from .classroom import Classroom

RETIRED_KEY = "classroom_retired"  # SimState key written into a sandbox that was reset or replaced
CLOCK_KEY = "clock"
_SETUP_LOCK = 0x1D45_C1A5  # PostgreSQL advisory lock: one process sets up a class at a time


@dataclass
class SandboxHandle:
    """A sandbox's master file as opened in this process."""

    id: int
    idrs: str
    lesson_no: int
    location: str
    mf: MasterFile
    applied_clock: str | None = None  # the saved clock value this process last applied to mf.clock


class SandboxKeeper:
    """The sandboxes of the class in one database (a base of `Classroom`, which sets these up)."""

    lobby: Simulator
    engine: Engine
    spaces: Spaces
    follow_clock: bool
    _db: sessionmaker[Session]
    _lock: threading.RLock
    _open: dict[str, SandboxHandle]  # by location
    _by_mf: dict[int, SandboxHandle]  # id(mf) -> handle (instructor codes find the class)

    def current_lesson(self) -> ClassLesson | None:
        with self._db() as db:
            return db.scalar(select(ClassLesson).order_by(ClassLesson.no.desc()).limit(1))

    def sandbox_for(self, idrs: str) -> SandboxHandle | None:
        """The trainee's active sandbox of the current lesson, made now if they have none;
        None when the lesson has no such employee."""
        with self._lock:
            lesson = self.current_lesson()
            assert lesson is not None
            with self._db() as db:
                if db.get(Employee, idrs) is None:
                    return None
                row = db.scalar(select(Sandbox).where(Sandbox.idrs == idrs, Sandbox.lesson_no == lesson.no,
                                                      Sandbox.active.is_(True)).order_by(Sandbox.id.desc()).limit(1))
            if row is not None and row.ready and self._present(row.location):
                return self._opened(row)
            return self._opened(self._create(idrs, lesson))

    def _present(self, location: str) -> bool:
        return not isinstance(self.spaces, SqliteSpaces) or self.spaces.exists(location)

    def _create(self, idrs: str, lesson: ClassLesson) -> Sandbox:
        now = self.lobby.clock.now()
        spaces = self.spaces
        if isinstance(spaces, SqliteSpaces):
            with self._db() as db, db.begin():
                db.execute(update(Sandbox).where(Sandbox.idrs == idrs, Sandbox.lesson_no == lesson.no,
                                                 Sandbox.active.is_(True), Sandbox.ready.is_(False))
                           .values(active=False))  # a copy a crash left half-made
                row = Sandbox(idrs=idrs, lesson_no=lesson.no, location="", active=True, ready=False, created=now)
                db.add(row)
                db.flush()
                row.location = spaces.sandbox_location(row.id)
            spaces.clone(lesson.location, row.location)
            with self._db() as db, db.begin():
                db.execute(update(Sandbox).where(Sandbox.id == row.id).values(ready=True))
            row.ready = True
            return row
        assert isinstance(spaces, PostgresSpaces)
        with self.engine.begin() as conn:
            # Two processes signing the same trainee on at once: the second waits, then finds the first's.
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SETUP_LOCK}, hashtext('{idrs}'))")
            found = conn.execute(select(Sandbox).where(Sandbox.idrs == idrs, Sandbox.lesson_no == lesson.no,
                                                       Sandbox.active.is_(True), Sandbox.ready.is_(True))
                                 .order_by(Sandbox.id.desc()).limit(1)).first()
            if found is not None:
                return Sandbox(**found._mapping)
            new_id = conn.execute(insert(Sandbox).values(idrs=idrs, lesson_no=lesson.no, location="", active=True,
                                                         ready=False, created=now).returning(Sandbox.id)).scalar_one()
            location = spaces.sandbox_location(new_id)
            spaces.clone(conn, lesson.location, location)
            conn.execute(update(Sandbox).where(Sandbox.id == new_id).values(location=location, ready=True))
        return Sandbox(id=new_id, idrs=idrs, lesson_no=lesson.no, location=location, active=True, ready=True,
                       created=now)

    def _opened(self, row: Sandbox) -> SandboxHandle:
        handle = self._open.get(row.location)
        if handle is None:
            clock = Clock.following(dt.datetime(2024, 6, 17, 8, 0)) if self.follow_clock else None
            if isinstance(self.spaces, PostgresSpaces):
                mf = self._postgres_sandbox(row.location, clock)
            else:
                mf = MasterFile(self.spaces.url(row.location), clock)  # takes the sandbox's saved clock
            if mf.clock.is_following:
                _not_before_last_key(mf)
            handle = SandboxHandle(row.id, row.idrs, row.lesson_no, row.location, mf)
            handle.applied_clock = saved_state(mf).get(CLOCK_KEY)
            self._open[row.location] = handle
            self._by_mf[id(mf)] = handle
            _register(mf, self)
        return handle

    def _postgres_sandbox(self, location: str, clock: Clock | None) -> MasterFile:
        """A sandbox schema's master file whose keys borrow connections from the classroom's one
        pool (a pool per sandbox kept ~40 idle server connections per process; PostgreSQL allows
        100 by default).  The clone made its schema complete, so it is not checked again (on
        PostgreSQL that cost a fifth of a second and an exclusive lock on the audit table)."""
        mf = MasterFile("sqlite://", clock, schema=False)  # the shell; its own engine is not used
        mf.engine.dispose()
        mf.url = self.spaces.url(location)
        mf.engine = PostgresSpaces.schema_engine(self.engine, location)
        mf.sessions = sessionmaker(mf.engine, expire_on_commit=False)
        mf.mark_schema_ready()
        saved = saved_state(mf).get(CLOCK_KEY)
        if saved is not None:
            mf.clock.set(dt.datetime.fromisoformat(saved))
        return mf

    def handle_of(self, mf: MasterFile) -> SandboxHandle | None:
        return self._by_mf.get(id(mf))

    def active_sandboxes(self) -> list[Sandbox]:
        lesson = self.current_lesson()
        if lesson is None:
            return []
        with self._db() as db:
            return list(db.scalars(select(Sandbox).where(Sandbox.lesson_no == lesson.no, Sandbox.active.is_(True),
                                                         Sandbox.ready.is_(True)).order_by(Sandbox.idrs)))

    def sandbox_of(self, idrs: str) -> SandboxHandle | None:
        """The trainee's active sandbox if they have one (none is made)."""
        for row in self.active_sandboxes():
            if row.idrs == idrs and self._present(row.location):
                return self._opened(row)
        return None

    def follow(self, handle: SandboxHandle) -> dict[str, str]:
        """Bring this process's view of a sandbox up to date with its database: the clock
        another process (or the instructor) moved.  The sandbox's saved state, for the caller
        (a retired sandbox says so)."""
        state = saved_state(handle.mf)
        saved = state.get(CLOCK_KEY)
        if saved is not None and saved != handle.applied_clock:
            handle.mf.clock.set(dt.datetime.fromisoformat(saved))
            handle.applied_clock = saved
        return state

    def _retire_all(self, reason: str, own: tuple[MasterFile, Session] | None) -> None:
        for row in self._all_active():
            if self._present(row.location):
                self._retire(self._opened(row), reason, own)
            else:
                with self._db() as db, db.begin():
                    db.execute(update(Sandbox).where(Sandbox.id == row.id).values(active=False))

    def _all_active(self) -> list[Sandbox]:
        with self._db() as db:
            return list(db.scalars(select(Sandbox).where(Sandbox.active.is_(True), Sandbox.ready.is_(True))))

    def _retire(self, handle: SandboxHandle, reason: str, own: tuple[MasterFile, Session] | None) -> None:
        if own is not None and own[0] is handle.mf:
            set_state(own[1], RETIRED_KEY, reason)
        else:
            with handle.mf.unit_of_work() as db:
                set_state(db, RETIRED_KEY, reason)
        with self._db() as db, db.begin():
            db.execute(update(Sandbox).where(Sandbox.id == handle.id).values(active=False))

    def audit_signon(self, handle: SandboxHandle, idrs: str, terminal: str) -> None:
        """The sign-on, in the sandbox's own audit trail too (the lobby's has the attempt)."""
        handle.mf.write_one(insert(AuditRecord), {
            "at": handle.mf.clock.now(), "idrs": idrs, "terminal": terminal, "aid": "ENTER", "command": "SINON", "tin": None,
            "mft": None, "period": None, "outcome": "SIGN-ON COMPLETED (CLASSROOM SANDBOX)", "violation": False})


def saved_state(mf: MasterFile) -> dict[str, str]:
    """The sandbox's saved clock and retirement, in one small query."""
    with mf.reading() as db:
        return {k: v for k, v in db.execute(select(SimState.key, SimState.value)
                                             .where(SimState.key.in_((CLOCK_KEY, RETIRED_KEY))))}


_CLASSROOMS: dict[int, Any] = {}  # id(MasterFile) -> its classroom (lobby and sandboxes)


def _register(mf: MasterFile, room: SandboxKeeper) -> None:
    _CLASSROOMS[id(mf)] = room


def _unregister(mf: MasterFile) -> None:
    _CLASSROOMS.pop(id(mf), None)


def classroom_of(mf: MasterFile) -> Classroom | None:
    """The classroom a master file belongs to (the instructor codes need it); None outside one."""
    return _CLASSROOMS.get(id(mf))


def _not_before_last_key(mf: MasterFile) -> None:
    """A following clock reopened after a crash starts where the sandbox's last key was, not
    at the time saved before it (the clock is saved at a cycle, a date change and a clean
    close, review 2026-12-07): its audit trail holds the time every key was made at."""
    with mf.reading() as db:
        last = db.scalar(select(func.max(AuditRecord.at)))
    if last is not None and last > mf.clock.now():
        mf.clock.set(last)
