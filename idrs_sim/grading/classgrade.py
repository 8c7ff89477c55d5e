"""`idrs-sim grade --class`: every trainee of a classroom on the exercise they started.

Each trainee's active sandbox of the class's current lesson is graded on the exercise kept
in it (EXER NAME in the classroom, or `--exercise` for all); one line per trainee, and with
`--html` one page for the class, trainees by exercise.  Read only: a grade that needs
posting cycles runs them on an in-memory copy, as for one trainee.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .exercises import Exercise, ExerciseError, find_exercise
from .grade import Grade

EXIT_MISSED = 1


def run_class(url: str, html: str | None, exercise_name: str | None, must_exist: Callable[[str], None],
              usage: type[Exception], lesson: int | None = None) -> int:
    """Grade the class at `url`; exit 0 when every trainee with an exercise met all its checks."""
    from ..classroom.exercise import (
        NoSuchLesson,
        class_sandboxes,
        grade_sandbox,
        started_exercise_name,
    )
    from ..simulator import Simulator

    must_exist(url)
    try:
        sandboxes = class_sandboxes(url, lesson)
    except NoSuchLesson as exc:
        raise usage(str(exc)) from None
    if sandboxes is None:
        raise usage(f"{url} is not a classroom database (idrs-sim classroom --db makes one)")
    fixed: Exercise | None = None
    if exercise_name:
        try:
            fixed = find_exercise(exercise_name)
        except ExerciseError as exc:
            raise usage(str(exc)) from None
    grades: list[Grade] = []
    idle: list[tuple[str, str]] = []
    started = time.perf_counter()
    for sb in sandboxes:
        if sb.instructor:  # listed, never graded as a trainee (review 2026-12-07)
            idle.append((sb.idrs, sb.name))
            print(f"{sb.idrs} {sb.name[:12]:<12} instructor, not graded")
            continue
        with Simulator(sb.url, None) as sim:
            exercise = fixed
            if exercise is None:
                name = started_exercise_name(sim.mf, sb.idrs)
                try:
                    exercise = find_exercise(name) if name else None
                except ExerciseError:
                    exercise = None
            if exercise is None:
                idle.append((sb.idrs, sb.name))
                print(f"{sb.idrs} {sb.name[:12]:<12} no exercise started")
                continue
            grade = grade_sandbox(sim.mf, sb.idrs, exercise)
        grades.append(grade)
        print(f"{sb.idrs} {sb.name[:12]:<12} {exercise.name:<58} {grade.summary:>5} "
              f"{'ALL MET' if grade.passed else 'MISSED'}")
    seconds = time.perf_counter() - started
    print(f"{len(grades)} trainee(s) graded, {len(idle)} without an exercise, in {seconds:.1f} s")
    if html:
        from .report import html_report

        names = {sb.idrs: sb.name for sb in sandboxes}
        Path(html).write_text(html_report(grades, "Class grade report", when=f"Classroom database {url}",
                                          names=names, idle=idle), encoding="utf-8")
    return 0 if all(g.passed for g in grades) else EXIT_MISSED
