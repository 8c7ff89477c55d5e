"""The instructor's operations on a class: CLASS (the rows), CYCLE (one trainee or all),
RESET (a fresh sandbox) and UNLOCK; the command codes are `cc/instructor.py`.

`InstructorOperations` is the part of `Classroom` that does them, over its sandboxes
(`SandboxKeeper`).  The instructor's own sandbox is changed inside the unit of work of
the instructor's key (`own`), never beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..masterfile.db import MasterFile, set_state
from ..masterfile.models import AuditRecord, Employee
from .sandboxes import CLOCK_KEY, SandboxHandle, SandboxKeeper

if TYPE_CHECKING:
    from .classroom import Classroom


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


class InstructorOperations(SandboxKeeper):
    """What the instructor's codes do to the class (a base of `Classroom`)."""

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
        """A fresh sandbox for the trainee, made now (CLASS lists it and CYCLE ALL reaches
        it at once: the trainee vanished from both until their next key, review 2026-12-07);
        the old one is kept, retired.  False when the trainee has none."""
        with self._lock:
            handle = self.sandbox_of(idrs)
            if handle is None:
                return False
            self._retire(handle, "SANDBOX RESET BY INSTRUCTOR", own)
            self.sandbox_for(idrs)
            return True

    def unlock(self, idrs: str) -> bool:
        """Unlock an employee number (failed sign-ons back to 0); False when there is no such
        employee.  In the trainee's own sandbox every lockout goes too: an exercise sandbox
        has its own sign-on (its employees and the trainee), which the lobby's UNLOCK never
        reached -- UNLOCKED was said and the trainee stayed locked (review 2026-12-07)."""
        with self.lobby.mf.unit_of_work() as db:
            emp = db.get(Employee, idrs)
            if emp is None:
                return False
            emp.locked = False
            emp.failed_signons = 0
        handle = self.sandbox_of(idrs)
        if handle is not None:
            with handle.mf.unit_of_work() as db:
                for locked in db.scalars(select(Employee).where(Employee.locked.is_(True))):
                    locked.locked, locked.failed_signons = False, 0
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
            exercise, grade = sandbox_grade(cast("Classroom", self), handle, sb.idrs, own[1] if own is not None and own[0] is handle.mf
                                            else None)
            rows.append(ClassRow(sb.idrs, name, last[0], last[1], date, cycle, grade=grade, locked=locked,
                                 exercise=exercise))
            seen.add(sb.idrs)
        for idrs, (name, locked) in sorted(names.items()):
            if locked and idrs not in seen:
                rows.append(ClassRow(idrs, name, None, None, None, None, locked=True))
        return rows


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
