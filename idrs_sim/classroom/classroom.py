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

The work is shared out by job: the sandboxes (`classroom.sandboxes`), the instructor's
operations (`classroom.instructing`), the storage of each master file
(`classroom.spaces`); this module sets the class up and changes its lesson.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Self

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..masterfile.db import MasterFile, sqlite_file
from ..masterfile.models import Employee
from ..masterfile.security import hash_password
from ..simulator import Simulator, SimulatorError, resolve
from .instructing import ClassRow, CycleOutcome, InstructorOperations
from .models import ClassLesson, ClassroomBase, is_classroom_database
from .one_program import ProgramLock
from .sandboxes import (
    _SETUP_LOCK,
    CLOCK_KEY,
    RETIRED_KEY,
    SandboxHandle,
    _register,
    _unregister,
    classroom_of,
    saved_state,
)
from .spaces import PostgresSpaces, Spaces, SqliteSpaces, spaces_for

log = logging.getLogger(__name__)

DEFAULT_TRAINEES = 40
TRAINEE_PASSWORD = "train123"  # the training password of every shipped employee (docs/training-accounts.md)
TRAINEE_TEMPLATE = "1485012345"  # T TRAINEE: class trainee accounts take this employee's roles and unit


def trainee_number(n: int) -> str:
    """The IDRS number of class trainee `n` (1-based): 1485100001, 1485100002, ..."""
    return f"14851{n:05d}"


@cache
def _trainee_hash() -> str:
    """One scrypt hash of the training password for every class trainee account (why one:
    40 hashes cost two seconds of start-up; the same decision as the master-file image)."""
    return hash_password(TRAINEE_PASSWORD)


class ClassroomError(SimulatorError):
    """A classroom set-up problem the user can fix (one readable line)."""


class Classroom(InstructorOperations):
    """The class in one database; see the module docstring.

    `follow_clock`: sandbox clocks run at real speed from the lesson's date (a server);
    tests keep them standing still.
    """

    def __init__(self, url: str, lesson: str | Path | None = None, *, trainees: int = DEFAULT_TRAINEES,
                 follow_clock: bool = True, instructor_password: str | None = None) -> None:
        if not url or url in ("sqlite://", "sqlite:///:memory:"):
            raise ClassroomError("a classroom keeps its work in a database: give --db sqlite:///FILE or a "
                                 "PostgreSQL URL")
        self.url = url
        self._program: ProgramLock | None = None
        path = sqlite_file(url)
        if path is not None and path.parent.is_dir():
            try:
                self._program = ProgramLock(path)
            except BlockingIOError:
                raise ClassroomError(f"another classroom program is serving {path}: one program per SQLite "
                                     f"class database (several share a PostgreSQL one)") from None
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
                if not is_classroom_database(self.engine) and not self.lobby.is_empty():
                    raise ClassroomError(f"the database {url} holds a master file but no class; a classroom "
                                         f"starts on an empty database and never rewrites one (give a new --db)")
                try:
                    self.spaces: Spaces = spaces_for(url, self.engine.dialect.name)
                except ValueError as exc:
                    raise ClassroomError(str(exc)) from None
                ClassroomBase.metadata.create_all(self.engine)
                self._start(lesson)
                if instructor_password is not None:
                    self._instructors_sign_on_with(instructor_password)
        except BaseException:
            self.lobby.close()
            if self._program is not None:  # a start that failed leaves no lock file behind
                self._program.path.unlink(missing_ok=True)
            self._release_program()
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
            notes = []
            if lesson is not None and str(resolve(lesson).resolve()) != current.source:
                notes.append(f"continuing the class on its lesson {current.name!r}; --lesson {lesson} was not "
                             f"loaded (the instructor's LESSON code changes the lesson)")
            kept = _trainee_count(self.lobby)
            if kept != self.trainees:  # the accounts are made when the class starts (review 2026-12-07)
                notes.append(f"the class has {kept} trainee accounts, made when it started; --trainees "
                             f"{self.trainees} was not applied")
                self.trainees = kept
            self.note = "; ".join(notes) or None
            return
        if lesson is None:
            raise ClassroomError("the database holds no class yet: give --lesson NAME|PATH")
        if not self.lobby.is_empty():
            raise ClassroomError(f"the database {self.url} holds a master file but no class; a classroom starts "
                                 f"on an empty database and never rewrites one (give a new --db)")
        self.start_lesson(lesson)

    def _instructors_sign_on_with(self, password: str) -> None:
        """The class's instructor accounts take `password` (and are unlocked): the handout
        password train123 let any trainee sign on as the instructor and RESET a classmate's
        sandbox or start a new LESSON for everyone (review 2026-12-07).  Every sign-on goes
        through the lobby, so its accounts are the ones that count."""
        digest = hash_password(password)
        with self.lobby.mf.unit_of_work() as db:
            for emp in db.scalars(select(Employee)):
                if "instructor" in (emp.roles or []):
                    emp.password_hash, emp.locked, emp.failed_signons = digest, False, 0

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

    # ---- end -----------------------------------------------------------------------
    def close(self) -> None:
        for handle in list(self._open.values()):
            self._keep_clock(handle)
            if not isinstance(self.spaces, PostgresSpaces):  # there the pool is the lobby's, disposed below
                handle.mf.dispose()
            _unregister(handle.mf)
        self._open.clear()
        self._by_mf.clear()
        _unregister(self.lobby.mf)
        self.lobby.close()
        self._release_program()

    @staticmethod
    def _keep_clock(handle: SandboxHandle) -> None:
        """A sandbox whose clock follows real time keeps the time it has reached: a restart
        set it back to its last cycle or date change, before input it already held
        (review 2026-12-07).  Taken from the database first, so a cycle another program ran
        is not undone.  After a crash (no save) the sandbox starts from its last key's time
        instead (`sandboxes._not_before_last_key`)."""
        try:
            if handle.mf.clock.is_following:
                handle.mf.refresh_clock()
                handle.mf.save_clock()
        except Exception:  # closing must go on; the clock is only a convenience here
            log.exception("could not keep the clock of sandbox %s", handle.location)

    def _release_program(self) -> None:
        if self._program is not None:
            self._program.release()
            self._program = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- helpers ---------------------------------------------------------------------------
def _trainee_count(lobby: Simulator) -> int:
    """How many class trainee accounts (1485100001, 1485100002, ... in a row) the lobby has."""
    with lobby.mf.reading() as db:
        have = set(db.scalars(select(Employee.idrs).where(Employee.idrs.like("14851%"))))
    n = 0
    while trainee_number(n + 1) in have:
        n += 1
    return n


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


__all__ = ["CLOCK_KEY", "DEFAULT_TRAINEES", "RETIRED_KEY", "ClassRow", "Classroom", "ClassroomError", "CycleOutcome",
           "SandboxHandle", "classroom_of", "saved_state", "trainee_number"]
