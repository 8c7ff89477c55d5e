"""`idrs-sim grade`: a trainee's work against an exercise's answer key (CONTRACT §6).

One line per check, met or missed, with its IRM paragraph and explanation; exit 0 when all
are met, 1 when some are missed, 2 for a usage problem.  The database is only read: the
posting cycles an exercise is judged after run on an in-memory copy.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..digits import is_digits

EXIT_MISSED = 1


class GradeUsage(Exception):
    """A usage problem of `grade` (one line, exit 2)."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "grade", help="grade a trainee's work against an exercise; exit 0 all met, 1 missed, 2 usage",
        description="Grade a trainee's work on a master file against the exercise's expected outcome "
                    "(procedures/<area>/<name>.yaml): one line per check, met or missed, with its IRM "
                    "paragraph. Posting cycles the exercise is judged after run on a copy; the "
                    "database is never changed.")
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                   help="the database holding the trainee's work: a classroom's (default "
                        "sqlite:///classroom.db, as `idrs-sim classroom`) or one trainee's, e.g. sqlite:///trainee.db")
    p.add_argument("--trainee", metavar="IDRS", help="the trainee's IDRS (employee) number")
    p.add_argument("--exercise", metavar="NAME",
                   help="exercise name, e.g. valid_return_up126_paper_check or tpp/valid_return_up126_paper_check "
                        "(default: the exercise the database was started on)")
    p.add_argument("--html", metavar="FILE", help="also write the report as one HTML page")
    p.add_argument("--list", action="store_true", help="list the exercises and exit")
    p.add_argument("--class", dest="whole_class", action="store_true",
                   help="grade every trainee of the classroom at --db (default sqlite:///classroom.db) on the "
                        "exercise they started with EXER; with --html, one page for the class")
    p.add_argument("--lesson", metavar="N", type=_lesson_number,
                   help="with a classroom database: grade the trainees' work of lesson N (1 = the class's first), "
                        "also a sandbox retired by LESSON or RESET (default: the current lesson's active sandboxes)")


def _lesson_number(text: str) -> int:
    if not is_digits(text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a lesson number, 1 or more")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from .exercises import ExerciseError, find_exercise, list_exercises

    if args.list:
        for ex in list_exercises():
            print(f"{ex.name:<58} IRM {ex.procedure.irm}")
        return 0
    from ..classroom.serve import DEFAULT_DB
    from ..subcommands.common import employee_number_problem, output_problem

    given = getattr(args, "db", None)
    url = given or DEFAULT_DB  # CONTRACT §6: --db is optional; the classroom's own default
    if args.html and (problem := output_problem(args.html, url)) is not None:
        raise GradeUsage(f"--html {problem}")  # told before grading, not as an OSError after it
    if args.whole_class:
        from .classgrade import run_class

        if args.trainee:  # it was ignored: the whole class was graded (review 2026-12-07)
            raise GradeUsage("give --class (every trainee) or --trainee IDRS (one), not both")

        return run_class(url, args.html, args.exercise, _must_exist, GradeUsage, args.lesson)
    if not args.trainee:
        raise GradeUsage("grade needs --trainee IDRS: whose work to grade")
    if (problem := employee_number_problem(args.trainee)) is not None:
        raise GradeUsage(f"--trainee {problem}")
    if given is None and not Path(DEFAULT_DB.removeprefix("sqlite:///")).is_file():
        raise GradeUsage(f"no classroom database here ({DEFAULT_DB}, the default of `idrs-sim classroom`): "
                         "give --db URL, the database holding the trainee's work")
    _must_exist(url)
    from ..classroom.exercise import NoSuchLesson, class_sandboxes, grade_sandbox
    from ..simulator import Simulator

    try:
        sandboxes = class_sandboxes(url, args.lesson)
    except NoSuchLesson as exc:
        raise GradeUsage(str(exc)) from None
    if sandboxes is None and args.lesson is not None:
        raise GradeUsage("--lesson is for a classroom database; this is one trainee's master file")
    if sandboxes is not None:  # a classroom database: the trainee's own sandbox, not the lesson
        mine = [s for s in sandboxes if s.idrs == args.trainee]
        if not mine:
            raise GradeUsage(f"trainee {args.trainee} has no sandbox in this class (not signed on yet?)")
        url = mine[0].url
    with Simulator(url, None) as sim:
        if sandboxes is None and not _is_employee(sim, args.trainee):
            raise GradeUsage(f"no employee {args.trainee} on this master file: nothing of theirs to grade")
        name = args.exercise or _started_exercise(sim, args.trainee)
        try:
            exercise = find_exercise(name)
        except ExerciseError as exc:
            raise GradeUsage(str(exc)) from None
        from .grade import grade_master_file

        grade = (grade_sandbox(sim.mf, args.trainee, exercise) if sandboxes is not None
                 else grade_master_file(sim.mf, exercise, args.trainee))
    for line in grade.lines():
        print(line)
    if args.html:
        from .report import html_report

        Path(args.html).write_text(html_report([grade], f"Grade report: {exercise.name}"), encoding="utf-8")
    return 0 if grade.passed else EXIT_MISSED


def _must_exist(url: str) -> None:
    """A SQLite file that is not there is a typo, not an empty class: never create it here."""
    from ..masterfile.db import sqlite_file

    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise GradeUsage(f"no database at {path}")
    if path is not None and path.stat().st_size == 0:  # opening it would write a schema into it
        raise GradeUsage(f"no master file in {path} (the file is empty)")


def _is_employee(sim: Any, idrs: str) -> bool:
    from ..masterfile.models import Employee

    with sim.mf.reading() as db:
        return db.get(Employee, idrs) is not None


def _started_exercise(sim: Any, trainee: str) -> str:
    """The exercise the trainee started with EXER NAME (or the sandbox was made for)."""
    from ..masterfile.db import get_state
    from .grade import EXERCISE_KEY, exercise_key

    with sim.mf.reading() as db:
        name = get_state(db, exercise_key(trainee)) or get_state(db, EXERCISE_KEY)
    if not name:
        raise GradeUsage("this database was not started on an exercise: name one with --exercise "
                         "('idrs-sim grade --list' lists them)")
    return str(name)
