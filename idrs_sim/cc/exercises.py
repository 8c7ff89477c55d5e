"""EXER and GRADE: a trainee's exercises at the terminal (simulator codes, docs/grading.md).

Thin handlers: the exercises and their grading are `idrs_sim.grading`.  Which exercise an
employee is working is kept per employee on the master file (SimState ``exercise:IDRS``),
so a trainee can sign off and come back, and `idrs-sim grade --trainee` finds it too.
"""

from __future__ import annotations

import textwrap

from ..commands import handles
from ..grading.exercises import Exercise, ExerciseError, find_exercise, list_exercises
from ..grading.grade import exercise_key, grade_master_file
from ..masterfile.db import get_state, set_state
from .base import Context, Display, Refusal

_WIDTH = 78


def _named(ctx: Context) -> str:
    args = getattr(ctx.cmd, "args", None) or []
    return str(args[0]) if args else ""


def _find(ctx: Context, name: str) -> Exercise | Refusal:
    try:
        return find_exercise(name)
    except ExerciseError as exc:
        ambiguous = "ambiguous" in str(exc)
        return Refusal("EXERCISE NAME IS AMBIGUOUS - KEY AREA/NAME, E.G. TPP/NAME" if ambiguous
                       else "NO SUCH EXERCISE - KEY EXER TO LIST THEM")


@handles("EXER")
def exer(ctx: Context) -> Display | Refusal:
    """EXER lists the exercises; EXER NAME shows one and makes it the employee's exercise."""
    name = _named(ctx)
    if not name:
        lines = [f"{e.name.upper():<56} {e.procedure.irm_section}" for e in list_exercises()]
        ctx.outcome = f"EXER LISTED {len(lines)} EXERCISES"
        return Display("exer", {"name": "", "title": "EXERCISES - EXER NAME SHOWS ONE AND STARTS IT"}, lines,
                       message=f"{len(lines)} EXERCISES")
    found = _find(ctx, name)
    if isinstance(found, Refusal):
        return found
    room = _classroom(ctx)
    if room is not None:  # a classroom: a fresh sandbox of the exercise's fixture
        return _start_in_classroom(ctx, room, found)
    set_state(ctx.db, exercise_key(ctx.idrs), found.name)
    lines = [f"IRM {found.procedure.irm}"[:_WIDTH],
             f"WORK IT AS EMPLOYEE {found.employee or ctx.idrs}   MASTER FILE: {found.fixture}"
             + (f"   DATE {found.procedure.date}" if found.procedure.date else ""), "",
             "SITUATION:", *textwrap.wrap(found.situation.upper(), _WIDTH), "",
             "WORK THE CASE AS THE IRM REQUIRES, THEN KEY GRADE."]
    ctx.outcome = f"EXER STARTED {found.name.upper()}"
    return Display("exer", {"name": found.name.upper(), "title": found.title.upper()[:_WIDTH]}, lines,
                   message=f"EXERCISE {found.short_name.upper()} STARTED"[:79])


def _classroom(ctx: Context):  # type: ignore[no-untyped-def]
    from ..classroom.classroom import classroom_of

    return classroom_of(ctx.mf)


def _start_in_classroom(ctx: Context, room, found: Exercise) -> Display | Refusal:  # type: ignore[no-untyped-def]
    """EXER NAME at a classroom terminal: a fresh sandbox on the exercise's fixture, the
    situation shown; the trainee's next key works in it as the exercise's employee."""
    from ..classroom.exercise import start_exercise
    from ..simulator import SimulatorError

    owner = room.handle_of(ctx.mf)
    trainee = owner.idrs if owner is not None else ctx.idrs
    try:
        start_exercise(room, trainee, found, own=(ctx.mf, ctx.db))
    except (SimulatorError, OSError):
        return Refusal("EXERCISE COULD NOT BE STARTED - SEE YOUR INSTRUCTOR")
    others = sorted(set(_signons(found)) - {found.employee})
    lines = [f"IRM {found.procedure.irm}"[:_WIDTH],
             f"A FRESH SANDBOX ON {found.fixture.upper()}"
             + (f" DATED {found.procedure.date}" if found.procedure.date else "") + " IS YOURS.",
             f"YOUR NEXT KEY WORKS IN IT SIGNED ON AS EMPLOYEE {found.employee or trainee}."[:_WIDTH]]
    if others:
        lines += textwrap.wrap(f"THE CASE ALSO NEEDS {', '.join(others)}: KEY SINOF AND SIGN ON AS THEM "
                               "(PASSWORD TRAIN123).", _WIDTH)
    lines += ["", "SITUATION:", *textwrap.wrap(found.situation.upper(), _WIDTH), "",
              "WORK THE CASE AS THE IRM REQUIRES, THEN KEY GRADE."]
    ctx.outcome = f"EXER STARTED {found.name.upper()} IN A NEW SANDBOX"[:80]
    return Display("exer", {"name": found.name.upper(), "title": found.title.upper()[:_WIDTH]}, lines,
                   message=f"EXERCISE {found.short_name.upper()} STARTED - NEW SANDBOX"[:79])


def _signons(found: Exercise) -> list[str]:
    """The employee numbers the procedure signs on as (the roles the trainee plays)."""
    import re

    return re.findall(r"^\s*SignOn\((\d{10})", found.procedure.text, re.MULTILINE)


@handles("GRADE")
def grade(ctx: Context) -> Display | Refusal:
    """GRADE grades the signed-on employee's work on their exercise (on a copy)."""
    room = _classroom(ctx)
    owner = room.handle_of(ctx.mf) if room is not None else None  # a classroom sandbox: the trainee's
    trainee = owner.idrs if owner is not None else ctx.idrs
    name = _named(ctx) or get_state(ctx.db, exercise_key(trainee)) or get_state(ctx.db, exercise_key(ctx.idrs)) or ""
    if not name:
        return Refusal("NO EXERCISE STARTED - KEY EXER TO LIST THEM")
    found = _find(ctx, name)
    if isinstance(found, Refusal):
        return found
    if owner is not None:  # whoever of the exercise the trainee is signed on as, the work is theirs
        from ..classroom.exercise import grade_sandbox

        result = grade_sandbox(ctx.mf, owner.idrs, found, session=ctx.db)
    else:
        result = grade_master_file(ctx.mf, found, ctx.idrs, session=ctx.db)
    lines: list[str] = [f"{result.summary} CHECKS MET" + (f" - GRADED AFTER POSTING {result.cycles_posted} "
                                                        "CYCLE(S) ON A COPY" if result.cycles_posted else "")]
    for r in result.results:
        head = f"{'MET   ' if r.met else 'MISSED'} IRM {r.check.irm}: {r.check.why}".upper()
        lines += textwrap.wrap(head, _WIDTH, subsequent_indent="       ")
        if not r.met and r.found:
            lines += textwrap.wrap(f"FOUND: {r.found.upper()}", _WIDTH, initial_indent="       ",
                                   subsequent_indent="       ")
    ctx.outcome = f"GRADE {found.name.upper()} {result.summary}"
    return Display("grade", {"name": found.name.upper(), "title": found.title.upper()[:_WIDTH]}, lines,
                   message=("ALL CHECKS MET" if result.passed else f"{result.summary} CHECKS MET - SEE MISSED"))
