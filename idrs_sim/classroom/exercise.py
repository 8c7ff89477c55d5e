"""Exercises in a classroom: EXER NAME starts one on a fresh sandbox; CLASS and `grade` read it.

A trainee who keys EXER NAME at a classroom terminal gets a new sandbox of their own loaded
from the exercise's fixture (at the procedure's date), and their previous sandbox is
retired (kept, as RESET keeps it).  In that sandbox the trainee is the exercise's employee,
as the procedure script is: the terminal is signed on as its first employee, and SINOF
leads to the sandbox's own sign-on, where the other employees the exercise names (and the
trainee's own number) sign on with the training password.  The sandbox is the trainee's
(the class registry says whose), so every key in it is the trainee's work: the grade reads
the audit trail of the exercise's employee there.

The exercise a sandbox was started on is kept in it (SimState ``exercise:IDRS``, the same
key EXER writes on a plain database), so CLASS, `idrs-sim grade --trainee` and
`idrs-sim grade --class` find it without the classroom process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, func, select, update
from sqlalchemy.orm import Session

from ..grading.exercises import Exercise, ExerciseError, find_exercise
from ..grading.grade import Grade, exercise_key, grade_master_file
from ..masterfile.db import MasterFile, get_state, set_state
from ..masterfile.models import AuditRecord, Employee, SimState
from .models import ClassLesson, Sandbox, is_classroom_database
from .spaces import spaces_for

if TYPE_CHECKING:
    from ..simulator import Simulator
    from .classroom import Classroom, SandboxHandle

__all__ = ["TraineeSandbox", "class_sandboxes", "exercise_employees", "exercise_of", "grade_sandbox", "played_employee",
           "sandbox_grade", "start_exercise"]

_EMPLOYEE_COPY = ("name", "roles", "unit", "password_hash", "own_tin", "related_tins", "series", "bears", "egain")


def start_exercise(room: Classroom, idrs: str, exercise: Exercise,
                   own: tuple[MasterFile, Session] | None = None) -> SandboxHandle:
    """A fresh sandbox of the exercise's fixture for trainee `idrs`; their active sandbox is
    retired (kept).  The terminal's host moves there after this key (`room.moved`)."""
    from ..simulator import resolve

    path = resolve(exercise.fixture)
    with room._lock:
        lesson = room.current_lesson()
        assert lesson is not None
        with room.lobby.mf.reading() as db:
            emp = db.get(Employee, idrs)
            account = {k: getattr(emp, k) for k in _EMPLOYEE_COPY} if emp is not None else None
        with room._db() as db, db.begin():
            row = Sandbox(idrs=idrs, lesson_no=lesson.no, location="", active=False, ready=False,
                          created=room.lobby.clock.now())
            db.add(row)
            db.flush()
            row.location = room.spaces.sandbox_location(row.id)
        room._make_lesson_copy(path, row.location, prepare=_prepared(exercise, idrs, account))
        old = room.sandbox_of(idrs)
        if old is not None:
            room._retire(old, f"EXERCISE {exercise.short_name.upper()} STARTED"[:60], own)
        with room._db() as db, db.begin():
            db.execute(update(Sandbox).where(Sandbox.id == row.id).values(active=True, ready=True))
        row.active = row.ready = True
        handle = room._opened(row)
        room.moved[idrs] = handle
        return handle


def _prepared(exercise: Exercise, idrs: str, account: dict[str, Any] | None) -> Callable[[Simulator], None]:
    def prepare(sim: Simulator) -> None:
        if exercise.procedure.date:
            sim.set_date(exercise.procedure.date)
        with sim.mf.unit_of_work() as db:
            if account is not None and db.get(Employee, idrs) is None:  # the trainee's own number signs on here too
                db.add(Employee(idrs=idrs, failed_signons=0, locked=False, **account))
            set_state(db, exercise_key(idrs), exercise.name)
    return prepare


def exercise_of(db: Session, idrs: str) -> Exercise | None:
    """The exercise trainee `idrs` started in this master file (None: none, or no longer shipped)."""
    name = get_state(db, exercise_key(idrs))
    if not name:
        return None
    try:
        return find_exercise(name)
    except ExerciseError:
        return None


def played_employee(mf: MasterFile, idrs: str) -> str | None:
    """Whom the trainee plays in this sandbox: the exercise's employee, when it is there."""
    with mf.reading() as db:
        exercise = exercise_of(db, idrs)
        if exercise is None or not exercise.employee or db.get(Employee, exercise.employee) is None:
            return None
        return exercise.employee


def exercise_employees(mf: MasterFile, idrs: str) -> frozenset[str]:
    """Who may sign on in trainee `idrs`'s exercise sandbox: the trainee and every employee
    the exercise's procedure signs on as (decision GRADE-9)."""
    with mf.reading() as db:
        exercise = exercise_of(db, idrs)
    return frozenset({idrs}) | (exercise.employees if exercise is not None else frozenset())


def grade_sandbox(mf: MasterFile, idrs: str, exercise: Exercise, session: Session | None = None) -> Grade:
    """The trainee's grade in their sandbox.  Every key in it counts: the sandbox is theirs,
    whether they keyed as the employee the exercise plays or signed on again as themselves
    (a review found a forbidden REQ77 keyed under the second sign-on graded as not run)."""
    played = exercise.employee or idrs
    if session is not None:
        has_played = session.get(Employee, played) is not None
    else:
        with mf.reading() as db:
            has_played = db.get(Employee, played) is not None
    grade = grade_master_file(mf, exercise, played if has_played else idrs, session=session, every_key=True)
    return dataclasses.replace(grade, trainee=idrs)


# ---- CLASS: each sandbox's exercise and grade, recomputed only when the sandbox changed ----------

_GRADES: dict[tuple[int, str], tuple[tuple[Any, ...], str, str]] = {}  # (room, location) -> (stamp, name, grade)


def sandbox_grade(room: Classroom, handle: SandboxHandle, idrs: str, own: Session | None) -> tuple[str, str]:
    """(exercise name, `met/total`) of a sandbox for CLASS; ("", "-") when no exercise was started.
    Graded again only when its audit trail or clock moved (a grade may post cycles on a copy)."""
    def read(db: Session) -> tuple[str, str]:
        stamp = (db.scalar(select(func.max(AuditRecord.id))), get_state(db, "clock"))
        key = (id(room), handle.location)
        cached = _GRADES.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        exercise = exercise_of(db, idrs)
        if exercise is None:
            name, summary = "", "-"
        else:
            name, summary = exercise.name, grade_sandbox(handle.mf, idrs, exercise, session=db).summary
        _GRADES[key] = (stamp, name, summary)
        return name, summary

    if own is not None:
        return read(own)
    with handle.mf.reading() as db:
        return read(db)


# ---- outside the classroom process: `idrs-sim grade` on a classroom database ---------------------

@dataclass(frozen=True)
class TraineeSandbox:
    """A trainee's active sandbox of the class's current lesson, as `grade` reads it."""

    idrs: str
    name: str
    url: str  # the sandbox's own master-file URL
    instructor: bool = False  # the instructor's own sandbox: listed, never graded as a trainee's


class NoSuchLesson(LookupError):
    """`grade --lesson N` names no lesson of the class."""


def class_sandboxes(url: str, lesson: int | None = None) -> list[TraineeSandbox] | None:
    """The sandboxes to grade in the classroom database at `url`, by trainee (the
    instructor's marked: `grade --class --exercise` graded it as a trainee's); None when
    `url` is not a classroom database (a plain master file).

    Without `lesson`: each trainee's active sandbox of the current lesson.  With `lesson`
    (1 = the class's first): each trainee's newest sandbox of that lesson with an exercise
    started in it, retired or not (else the newest) -- after LESSON or RESET the work done
    before is still there to grade (review of 2026-12-07: it dropped out of `grade
    --class`).  NoSuchLesson when it is not one."""
    engine = create_engine(url)
    try:
        if not is_classroom_database(engine):
            return None
        return _sandboxes(engine, url, lesson)
    finally:
        engine.dispose()


def _sandboxes(engine: Engine, url: str, lesson_no: int | None) -> list[TraineeSandbox]:
    spaces = spaces_for(url, engine.dialect.name)
    with Session(engine) as db:
        numbers = list(db.scalars(select(ClassLesson.no).order_by(ClassLesson.no)))
        if lesson_no is not None and lesson_no not in numbers:
            had = ("no lesson yet" if not numbers else f"lesson {numbers[0]}" if len(numbers) == 1
                   else f"lessons {numbers[0]}-{numbers[-1]}")
            raise NoSuchLesson(f"no lesson {lesson_no} in this class ({had})")
        if not numbers:
            return []
        names, instructors = {}, set()
        for idrs, name, roles in db.execute(select(Employee.idrs, Employee.name, Employee.roles)):
            names[idrs] = name
            if "instructor" in (roles or []):
                instructors.add(idrs)
        which: list[Any] = [Sandbox.ready.is_(True),
                            Sandbox.lesson_no == (numbers[-1] if lesson_no is None else lesson_no)]
        if lesson_no is None:
            which.append(Sandbox.active.is_(True))
        rows = db.scalars(select(Sandbox).where(*which).order_by(Sandbox.idrs, Sandbox.id)).all()
    found = [TraineeSandbox(r.idrs, names.get(r.idrs, ""), spaces.url(r.location), r.idrs in instructors)
             for r in rows if not hasattr(spaces, "exists") or spaces.exists(r.location)]
    if lesson_no is not None:
        return _newest_with_exercise(found)
    return list({sb.idrs: sb for sb in found}.values())  # the newest active one of each trainee


def _newest_with_exercise(found: list[TraineeSandbox]) -> list[TraineeSandbox]:
    """Per trainee (sandboxes oldest first), the newest sandbox with an exercise started in
    it, else the newest: RESET leaves a fresh one with no exercise beside the worked one."""
    chosen: dict[str, TraineeSandbox] = {}
    for sb in reversed(found):
        if sb.idrs in chosen and _has_exercise(chosen[sb.idrs]):
            continue
        if sb.idrs not in chosen or _has_exercise(sb):
            chosen[sb.idrs] = sb
    return sorted(chosen.values(), key=lambda sb: sb.idrs)


def _has_exercise(sb: TraineeSandbox) -> bool:
    mf = MasterFile(sb.url, schema=False)
    try:
        return started_exercise_name(mf, sb.idrs) is not None
    finally:
        mf.dispose()


def started_exercise_name(mf: MasterFile, idrs: str) -> str | None:
    """The exercise name kept in a master file for `idrs` (or for the database as a whole)."""
    with mf.reading() as db:
        keys = (exercise_key(idrs), "exercise")
        rows = {k: v for k, v in db.execute(select(SimState.key, SimState.value).where(SimState.key.in_(keys)))}
    return rows.get(keys[0]) or rows.get(keys[1])
