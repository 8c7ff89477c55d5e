"""Grading: a trainee's master file against an exercise's answer key.

The trainee's work is graded as the IRM judges it: by what the account shows once the
input has posted.  When the sandbox has not yet reached the cycle the exercise is judged
in (`grade_after_cycle`), the master file is copied (its `dump`, loaded into a new
in-memory database) and the copy is posted; the trainee's own sandbox is never changed.
Commands used or not used are read from the audit trail, for the trainee's IDRS number
only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..masterfile.db import MasterFile
from .checks import CheckResult, evaluate
from .exercises import Exercise

__all__ = ["Grade", "grade_dump", "grade_master_file"]

EXERCISE_KEY = "exercise"  # SimState key: the exercise a sandbox was started on


def exercise_key(idrs: str) -> str:
    """SimState key of the exercise one employee started (EXER NAME) on this master file."""
    return f"{EXERCISE_KEY}:{idrs}"


@dataclass(frozen=True)
class Grade:
    exercise: Exercise
    trainee: str
    results: tuple[CheckResult, ...]
    cycles_posted: int  # posting cycles run on the copy before checking

    @property
    def met(self) -> int:
        return sum(r.met for r in self.results)

    @property
    def passed(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def summary(self) -> str:
        return f"{self.met}/{len(self.results)}"

    def lines(self) -> list[str]:
        head = (f"EXERCISE {self.exercise.name} - {self.exercise.title}",
                f"TRAINEE {self.trainee}   {self.summary} CHECKS MET"
                + (f"   (graded after posting {self.cycles_posted} cycle(s) on a copy)" if self.cycles_posted else ""))
        return [*head, *(r.line for r in self.results)]


def grade_dump(exercise: Exercise, data: Mapping[str, Any], trainee: str, *, every_key: bool = False) -> Grade:
    """Grade a master file in dump form (with its ``audit`` list); posts a copy if needed.

    The commands counted are `trainee`'s, or with `every_key` every key of the audit trail:
    a trainee's own sandbox holds only their work, under whatever number they signed on
    with there (docs/grading.md)."""
    audit = [a for a in data.get("audit") or [] if every_key or a.get("idrs") == trainee]
    cycles = 0
    target = exercise.grade_after_cycle
    if target and str(data.get("cycle") or "") < target:
        data, cycles = _posted_copy(data, target)
    results = tuple(evaluate(c, data, audit) for c in exercise.checks)
    return Grade(exercise, trainee, results, cycles)


def grade_master_file(mf: MasterFile, exercise: Exercise, trainee: str, session: Session | None = None,
                      *, every_key: bool = False) -> Grade:
    """Grade `mf` (read in `session` when a unit of work is already open, e.g. a handler's)."""
    from ..masterfile.dump import dump

    return grade_dump(exercise, dump(mf, audit=True, session=session), trainee, every_key=every_key)


def _posted_copy(data: Mapping[str, Any], target: str) -> tuple[dict[str, Any], int]:
    """A copy of the master file posted through cycle `target`: its dump, and cycles run."""
    from ..masterfile.dump import dump
    from ..masterfile.fixtures import load_data
    from ..posting import advance_and_post

    copy = MasterFile("sqlite://")
    try:
        load_data(copy, {k: v for k, v in data.items() if k != "audit"}, replace=True)
        n = 0
        while copy.clock.cycle < target and n < 60:
            advance_and_post(copy, 1)
            n += 1
        return dump(copy), n
    finally:
        copy.dispose()

