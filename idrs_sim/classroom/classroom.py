"""A class: one lesson, a sandbox per trainee, the instructor's operations, in one database.

The classroom database holds

* the **lobby**: the lesson's master file as loaded (its employees are who may sign on;
  their failed sign-ons and lockouts live here, classroom-wide) plus the class registry
  (`classroom.models`);
* each lesson's **untouched copy**, the clone source, and each trainee's **sandbox**, a
  whole master file of their own (`classroom.spaces`: files beside an SQLite database,
  schemas of a PostgreSQL one).

A trainee's sandbox is made at their first sign-on and kept across sign-off, reconnects
and restarts; every unit of work in it is committed before the answer goes out, so a
crash loses nothing completed.  The database is filled from the lesson only when it is
empty: a class in progress is always continued, never reloaded.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Self

from sqlalchemy import insert, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..clock import Clock
from ..masterfile.db import MasterFile, set_state
from ..masterfile.models import AuditRecord, Employee, SimState
from ..masterfile.security import hash_password
from ..simulator import Simulator, SimulatorError, resolve
from .models import ClassLesson, ClassroomBase, Sandbox
from .spaces import PostgresSpaces, Spaces, SqliteSpaces, spaces_for

log = logging.getLogger(__name__)

DEFAULT_TRAINEES = 40
TRAINEE_PASSWORD = "train123"  # the training password of every shipped employee (docs/training-accounts.md)
TRAINEE_TEMPLATE = "1485012345"  # T TRAINEE: class trainee accounts take this employee's roles and unit
RETIRED_KEY = "classroom_retired"  # SimState key written into a sandbox that was reset or replaced
CLOCK_KEY = "clock"
_SETUP_LOCK = 0x1D45_C1A5  # PostgreSQL advisory lock: one process sets up a class at a time


def trainee_number(n: int) -> str:
    """The IDRS number of class trainee `n` (1-based): 1485100001, 1485100002, ..."""
    return f"14851{n:05d}"


@cache
def _trainee_hash() -> str:
    """One scrypt hash of the training password for every class trainee account (why one:
    40 hashes cost two seconds of start-up; the same decision as the master-file image)."""
    return hash_password(TRAINEE_PASSWORD)


@dataclass
class SandboxHandle:
    """A sandbox's master file as opened in this process."""

    id: int
    idrs: str
    lesson_no: int
    location: str
    mf: MasterFile
    applied_clock: str | None = None  # the saved clock value this process last applied to mf.clock


@dataclass
class ClassRow:
    """One line of CLASS: a trainee's sandbox as the instructor sees it."""

    idrs: str
    name: str
    last_command: str | None
    last_at: dt.datetime | None
    date: dt.date | None
    cycle: str | None
    grade: str = "-"
    locked: bool = False
    inputs: int = 0
    exercise: str = ""  # the exercise the trainee started with EXER in this sandbox


@dataclass
class CycleOutcome:
    idrs: str
    cycle: str
    posted: int
    unposted: int
    already_ran: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class ClassroomError(SimulatorError):
    """A classroom set-up problem the user can fix (one readable line)."""


class Classroom:
    """The class in one database; see the module docstring.

    `follow_clock`: sandbox clocks run at real speed from the lesson's date (a server);
    tests keep them standing still.
    """

    def __init__(self, url: str, lesson: str | Path | None = None, *, trainees: int = DEFAULT_TRAINEES,
                 follow_clock: bool = True) -> None:
        if not url or url in ("sqlite://", "sqlite:///:memory:"):
            raise ClassroomError("a classroom keeps its work in a database: give --db sqlite:///FILE or a "
                                 "PostgreSQL URL")
        self.url = url
        self.follow_clock = follow_clock
        self.trainees = trainees
        self.note: str | None = None  # a line for the instructor at start-up (lesson kept...)
        self.lobby = Simulator(url, None, follow_clock=follow_clock)
        self.engine = self.lobby.mf.engine
        self._db = sessionmaker(self.engine, expire_on_commit=False)  # registry rows stay readable
        self._lock = threading.RLock()
        self._open: dict[str, SandboxHandle] = {}  # by location
        self._by_mf: dict[int, SandboxHandle] = {}  # id(mf) -> handle (instructor codes find the class)
        self.moved: dict[str, SandboxHandle] = {}  # idrs -> the sandbox EXER just made (the host moves there)
        try:
            with self._setup_lock():
                if not inspect(self.engine).has_table(ClassLesson.__tablename__) and not self.lobby.is_empty():
                    raise ClassroomError(f"the database {url} holds a master file but no class; a classroom "
                                         f"starts on an empty database and never rewrites one (give a new --db)")
                try:
                    self.spaces: Spaces = spaces_for(url, self.engine.dialect.name)
                except ValueError as exc:
                    raise ClassroomError(str(exc)) from None
                ClassroomBase.metadata.create_all(self.engine)
                self._start(lesson)
        except BaseException:
            self.lobby.close()
            raise
        _register(self.lobby.mf, self)

    # ---- set-up ---------------------------------------------------------------------
    @contextmanager
    def _setup_lock(self) -> Iterator[None]:
        """Several classroom processes on one PostgreSQL database: one sets the class up at a time."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({_SETUP_LOCK})")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_SETUP_LOCK})")
                conn.commit()

    def _start(self, lesson: str | Path | None) -> None:
        current = self.current_lesson()
        if current is not None:
            if lesson is not None and str(resolve(lesson).resolve()) != current.source:
                self.note = (f"continuing the class on its lesson {current.name!r}; --lesson {lesson} was not "
                             f"loaded (the instructor's LESSON code changes the lesson)")
            return
        if lesson is None:
            raise ClassroomError("the database holds no class yet: give --lesson NAME|PATH")
        if not self.lobby.is_empty():
            raise ClassroomError(f"the database {self.url} holds a master file but no class; a classroom starts "
                                 f"on an empty database and never rewrites one (give a new --db)")
        self.start_lesson(lesson)

    def current_lesson(self) -> ClassLesson | None:
        with self._db() as db:
            return db.scalar(select(ClassLesson).order_by(ClassLesson.no.desc()).limit(1))

    def start_lesson(self, lesson: str | Path, own: tuple[MasterFile, Session] | None = None) -> ClassLesson:
        """Make `lesson` the class's lesson: its untouched copy, the lobby reloaded from it
        (lockouts cleared, the audit trail kept), every active sandbox retired (kept, and
        replaced by a fresh one at its trainee's next key).  `own`: the instructor's sandbox
        and the unit of work it is in (written through it, not beside it)."""
        path = resolve(lesson)
        with self._lock:
            previous = self.current_lesson()
            no = (previous.no + 1) if previous is not None else 1
            location = self.spaces.lesson_location(no)
            started = self._make_lesson_copy(path, location)
            self.lobby.load(path)  # the audit trail is append-only and stays
            with self.lobby.mf.unit_of_work() as db:
                _add_trainees(db, self.trainees)
            row = ClassLesson(no=no, name=str(lesson), source=str(path.resolve()), location=location, started=started)
            with self._db() as db, db.begin():
                db.add(row)
            if previous is not None:
                self._retire_all(f"NEW LESSON {str(lesson).upper()}"[:60], own)
            return row

    def _make_lesson_copy(self, path: Path, location: str,
                          prepare: Callable[[Simulator], None] | None = None) -> dt.datetime:
        """Load the lesson's fixture into its own space (the clone source); its clock.
        `prepare` finishes the copy before it is in place (an exercise's date, its trainee)."""
        spaces = self.spaces
        if isinstance(spaces, SqliteSpaces):
            final = spaces.path(location)
            tmp = final.with_name(final.name + ".loading")
            tmp.unlink(missing_ok=True)
            sim = Simulator(f"sqlite:///{tmp}", path, follow_clock=False)
        else:
            assert isinstance(spaces, PostgresSpaces)
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{location}" CASCADE')  # a copy a crash left half-made
                spaces.create_schema(conn, location)
            sim = Simulator(spaces.url(location), path, follow_clock=False)
        try:
            with sim.mf.unit_of_work() as db:
                _add_trainees(db, self.trainees)
            if prepare is not None:
                prepare(sim)
            started = sim.clock.now()
        finally:
            sim.close()
        if isinstance(spaces, SqliteSpaces):
            tmp.replace(final)
        return started

    # ---- sandboxes ------------------------------------------------------------------
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

    # ---- the instructor's operations -------------------------------------------------
    def cycle(self, idrs: str, own: tuple[MasterFile, Session] | None = None) -> CycleOutcome | None:
        """Advance the trainee's sandbox to the next posting cycle and post; None without a sandbox."""
        handle = self.sandbox_of(idrs)
        if handle is None:
            return None
        return self._cycle(handle, own)

    def cycle_all(self, own: tuple[MasterFile, Session] | None = None) -> list[CycleOutcome]:
        """Every trainee's sandbox, one cycle each (the instructors' own sandboxes are theirs to cycle)."""
        outcomes = []
        instructors = self._instructors()
        for row in self.active_sandboxes():
            if row.idrs in instructors or not self._present(row.location):
                continue
            outcomes.append(self._cycle(self._opened(row), own))
        return outcomes

    def _cycle(self, handle: SandboxHandle, own: tuple[MasterFile, Session] | None) -> CycleOutcome:
        from ..posting.run import advance_and_post

        mf = handle.mf
        if own is not None and own[0] is mf:  # the instructor's own sandbox: in the key's unit of work
            report = _advance_in(mf, own[1])
            handle.applied_clock = mf.clock.now().isoformat()
        else:
            self.follow(handle)
            report = advance_and_post(mf, 1)[0]
            handle.applied_clock = mf.clock.now().isoformat()
        return CycleOutcome(handle.idrs, report.cycle, len(report.posted), len(report.unposted), report.already_ran)

    def reset(self, idrs: str, own: tuple[MasterFile, Session] | None = None) -> bool:
        """A fresh sandbox for the trainee at their next key; the old one is kept, retired.
        False when the trainee has none."""
        with self._lock:
            handle = self.sandbox_of(idrs)
            if handle is None:
                return False
            self._retire(handle, "SANDBOX RESET BY INSTRUCTOR", own)
            return True

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

    def unlock(self, idrs: str) -> bool:
        """Unlock an employee number (failed sign-ons back to 0); False when there is no such employee."""
        with self.lobby.mf.unit_of_work() as db:
            emp = db.get(Employee, idrs)
            if emp is None:
                return False
            emp.locked = False
            emp.failed_signons = 0
            return True

    def _instructors(self) -> set[str]:
        with self.lobby.mf.reading() as db:
            return {e.idrs for e in db.scalars(select(Employee)) if "instructor" in (e.roles or [])}

    def rows(self, own: tuple[MasterFile, Session] | None = None) -> list[ClassRow]:
        """CLASS: every sandbox of the current lesson, with its trainee's last command, its date
        and cycle, and whether the employee number is locked; the locked employees without a sandbox too."""
        with self.lobby.mf.reading() as db:
            employees = {e.idrs: e for e in db.scalars(select(Employee))}
            names = {k: (e.name, bool(e.locked)) for k, e in employees.items()}
        from .exercise import sandbox_grade

        rows: list[ClassRow] = []
        seen: set[str] = set()
        for sb in self.active_sandboxes():
            if not self._present(sb.location):
                continue
            handle = self._opened(sb)
            if own is not None and own[0] is handle.mf:
                last = _last_command(own[1])
                date, cycle = handle.mf.clock.today(), handle.mf.clock.cycle
            else:
                self.follow(handle)
                with handle.mf.reading() as db:
                    last = _last_command(db)
                date, cycle = handle.mf.clock.today(), handle.mf.clock.cycle
            name, locked = names.get(sb.idrs, ("", False))
            exercise, grade = sandbox_grade(self, handle, sb.idrs, own[1] if own is not None and own[0] is handle.mf
                                            else None)
            rows.append(ClassRow(sb.idrs, name, last[0], last[1], date, cycle, grade=grade, locked=locked,
                                 exercise=exercise))
            seen.add(sb.idrs)
        for idrs, (name, locked) in sorted(names.items()):
            if locked and idrs not in seen:
                rows.append(ClassRow(idrs, name, None, None, None, None, locked=True))
        return rows

    def audit_signon(self, handle: SandboxHandle, idrs: str, terminal: str) -> None:
        """The sign-on, in the sandbox's own audit trail too (the lobby's has the attempt)."""
        handle.mf.write_one(insert(AuditRecord), {
            "at": handle.mf.clock.now(), "idrs": idrs, "terminal": terminal, "aid": "ENTER", "command": "SINON", "tin": None,
            "mft": None, "period": None, "outcome": "SIGN-ON COMPLETED (CLASSROOM SANDBOX)", "violation": False})

    # ---- end -----------------------------------------------------------------------
    def close(self) -> None:
        for handle in list(self._open.values()):
            if not isinstance(self.spaces, PostgresSpaces):  # there the pool is the lobby's, disposed below
                handle.mf.dispose()
            _unregister(handle.mf)
        self._open.clear()
        self._by_mf.clear()
        _unregister(self.lobby.mf)
        self.lobby.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- helpers ---------------------------------------------------------------------------
def _add_trainees(db: Session, count: int) -> None:
    """The class trainee accounts 1485100001.. (password train123), with the roles and unit
    of the lesson's T TRAINEE (1485012345) when it has one."""
    template = db.get(Employee, TRAINEE_TEMPLATE)
    roles = list(template.roles) if template is not None else ["tpp-assistor"]
    unit = template.unit if template is not None else "CLASSROOM"
    for n in range(1, count + 1):
        idrs = trainee_number(n)
        if db.get(Employee, idrs) is None:
            db.add(Employee(idrs=idrs, name=f"TRAINEE {n:02d}", roles=roles, unit=unit,
                            password_hash=_trainee_hash(), failed_signons=0, locked=False, related_tins=[]))


def saved_state(mf: MasterFile) -> dict[str, str]:
    """The sandbox's saved clock and retirement, in one small query."""
    with mf.reading() as db:
        return {k: v for k, v in db.execute(select(SimState.key, SimState.value)
                                             .where(SimState.key.in_((CLOCK_KEY, RETIRED_KEY))))}


def _last_command(db: Session) -> tuple[str | None, dt.datetime | None]:
    row = db.execute(select(AuditRecord.command, AuditRecord.at).where(AuditRecord.command.is_not(None))
                     .order_by(AuditRecord.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row is not None else (None, None)


def _advance_in(mf: MasterFile, db: Session) -> Any:
    """`advance_and_post` for one cycle, inside an open unit of work (the instructor's own sandbox)."""
    from ..posting import calendar as cal
    from ..posting.run import run_cycle_in

    before = mf.clock.now()
    target = cal.add_cycles(mf.clock.cycle, 1)
    mf.clock.set(cal.cycle_start(target))
    try:
        report = run_cycle_in(db, target, now=mf.clock.now())
        set_state(db, CLOCK_KEY, mf.clock.now().isoformat())
    except BaseException:
        mf.clock.set(before)
        raise
    return report


_CLASSROOMS: dict[int, Classroom] = {}  # id(MasterFile) -> its classroom (lobby and sandboxes)


def _register(mf: MasterFile, room: Classroom) -> None:
    _CLASSROOMS[id(mf)] = room


def _unregister(mf: MasterFile) -> None:
    _CLASSROOMS.pop(id(mf), None)


def classroom_of(mf: MasterFile) -> Classroom | None:
    """The classroom a master file belongs to (the instructor codes need it); None outside one."""
    return _CLASSROOMS.get(id(mf))
