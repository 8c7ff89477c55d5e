"""UNAXR: the instructor's UNAX review of the audit trail (IRM 10.5.4.3.4, IRM 10.5.5).

A simulator code, not a real IDRS one.  commands/security.yaml allows it to the role
``instructor`` only; the session refuses anyone else with UNAUTHORIZED COMMAND CODE and
audits the attempt as a violation.  The list comes from `idrs_sim.unax.unax_flags` (its rules
are `idrs_sim.rules.unax`).

``UNAXR`` lists every flag; ``UNAXR NNN-NN-NNNN`` the flags on one TIN;
``UNAXR NNNNNNNNNN`` (or ``EMP>``) one employee's; ``SINCE>MMDDYYYY`` from a date.
"""

from __future__ import annotations

import datetime as dt

from ..commands import handles
from ..digits import is_digits
from ..masterfile.models import Employee
from ..rules.dates import parse_mmddyyyy
from ..rules.unax import flags_on_tin
from ..unax import HEADER, flag_line, unax_flags
from .base import Cleared, Context, Display, Refusal


@handles("UNAXR")
def unaxr(ctx: Context) -> Display | Refusal:
    """List the UNAX flags, oldest first, paged (PF8/PF7)."""
    cmd = ctx.cmd
    spans = getattr(cmd, "spans", {}) or {}
    emp = ctx.value("EMP")
    if not emp and getattr(cmd, "seq", None) and len(cmd.seq) == 10 and not getattr(cmd, "tin", None):
        emp = cmd.seq
    if emp and (not is_digits(emp, 10) or ctx.db.get(Employee, emp) is None):
        marks = [spans["EMP>"]] if "EMP>" in spans else [spans["seq"]] if "seq" in spans else []
        return Refusal("INVALID EMPLOYEE NUMBER", fields=["EMP"] if "EMP" in ctx.screen_values else [], marks=marks)
    since_text = ctx.value("SINCE")
    since: dt.date | None = None
    if since_text:
        since = parse_mmddyyyy(since_text)  # the one date parser
        if since is None:
            marks = [spans["SINCE>"]] if "SINCE>" in spans else []
            return Refusal("INVALID DATE - MMDDYYYY", fields=["SINCE"] if "SINCE" in ctx.screen_values else [],
                           marks=marks)
    tin = getattr(cmd, "tin", None)
    flags = unax_flags(ctx.db, emp or None, since)
    if tin:
        flags = flags_on_tin(flags, tin)
    lines = [flag_line(f) for f in flags] or ["NO UNAX FLAGS"]
    ctx.outcome = f"UNAX REVIEW: {len(flags)} FLAGS"
    values = {
        "tin": tin or "",
        "EMP": emp or "",
        "SINCE": since_text,
        "count": len(flags),
        "asof": f"{ctx.now:%m/%d/%Y %H:%M}",
        "header": HEADER,
        "page": "001/001",
    }
    return Display("unaxr", values, lines, message=f"{len(flags)} UNAX FLAG{'S' if len(flags) != 1 else ''}")


# ---- the classroom codes (idrs-sim classroom; commands/classroom.yaml, docs/classroom.md) ----
# Thin handlers: the class itself is `idrs_sim.classroom.Classroom`, found from the master
# file the instructor's terminal works on.  Anything done to the instructor's own sandbox
# goes through this key's unit of work (`own`), never beside it.

_NOT_A_CLASSROOM = "NOT A CLASSROOM TERMINAL - USE IDRS-SIM CLASSROOM"
_CLASS_HEADER = "IDRS-NO    NAME         LAST CMD AT          DATE       CYCLE  GRADE STATUS"


def _classroom(ctx: Context):  # type: ignore[no-untyped-def]
    from ..classroom.classroom import classroom_of

    return classroom_of(ctx.mf)


def _employee_operand(ctx: Context) -> tuple[str | None, tuple[int, int, int]]:
    """The employee number typed after the code, and where (for the `*`)."""
    cmd = ctx.cmd
    spans = getattr(cmd, "spans", {}) or {}
    seq = getattr(cmd, "seq", None)
    args = list(getattr(cmd, "args", None) or [])
    if seq:
        line, start, end = spans.get("seq", (1, 7, 17))
        return str(seq), (line, start, max(start, end - 1))
    if args:
        line, start, end = spans.get("args[0]", (1, 7, 8))
        return str(args[0]), (line, start, max(start, end - 1))
    return None, (1, 7, 7)


def _class_display(ctx: Context, code: str, title: str, lines: list[str], message: str,
                   header: str = _CLASS_HEADER) -> Display:
    room = _classroom(ctx)
    lesson = room.current_lesson() if room is not None else None
    values = {"code": code, "title": title, "lesson": lesson.name.upper() if lesson else "",
              "asof": f"{ctx.now:%m/%d/%Y %H:%M}", "header": header}
    return Display("class", values, lines or ["NONE"], message=message)


def _definer_ok(ctx: Context, definer: str) -> Refusal | None:
    if (getattr(ctx.cmd, "definer", None) or "") != definer:
        return Refusal("INVALID COMMAND CODE", marks=[(1, 1, 5)])
    return None


@handles("CLASS")
def class_list(ctx: Context) -> Display | Refusal:
    """The class: one line per trainee's sandbox (last command, date, cycle, grade, lockout),
    and under it the exercise the trainee started, when there is one."""
    room = _classroom(ctx)
    if room is None:
        return Refusal(_NOT_A_CLASSROOM)
    rows = room.rows(own=(ctx.mf, ctx.db))
    lines = []
    for r in rows:
        at = f"{r.last_at:%m/%d %H:%M}" if r.last_at else ""
        date = f"{r.date:%m/%d/%Y}" if r.date else ""
        status = "LOCKED" if r.locked else ""
        lines.append(f"{r.idrs:<10} {r.name[:12]:<12} {(r.last_command or '-'):<8} {at:<11} {date:<10} "
                     f"{r.cycle or '':<6} {r.grade:<5} {status}")
        if r.exercise:  # the exercise started with EXER; GRADE above is its checks met/total
            lines.append(f"{'':<11}EXERCISE {r.exercise.upper()}"[:79])
    sandboxes = sum(1 for r in rows if r.date is not None)
    ctx.outcome = f"CLASS: {sandboxes} SANDBOXES"
    return _class_display(ctx, "CLASS", "THE CLASS - ONE LINE PER TRAINEE SANDBOX", lines,
                          f"{sandboxes} SANDBOX{'ES' if sandboxes != 1 else ''}")


@handles("CYCLE")
def cycle(ctx: Context) -> Display | Refusal:
    """CYCLE ALL, CYCLE NNNNNNNNNN, CYCLE (own sandbox): the next posting cycle, posted."""
    room = _classroom(ctx)
    if room is None:
        return Refusal(_NOT_A_CLASSROOM)
    operand, mark = _employee_operand(ctx)
    own = (ctx.mf, ctx.db)
    if operand is None:
        handle = room.handle_of(ctx.mf)
        if handle is None:
            return Refusal(_NOT_A_CLASSROOM)
        outcomes = [room._cycle(handle, own)]
    elif operand.upper() == "ALL":
        outcomes = room.cycle_all(own)
    elif is_digits(operand, 10):
        one = room.cycle(operand, own)
        if one is None:
            return Refusal("NO SANDBOX FOR THIS EMPLOYEE NUMBER", marks=[mark])
        outcomes = [one]
    else:
        return Refusal("INVALID EMPLOYEE NUMBER - OR ALL", marks=[mark])
    lines = [f"{o.idrs:<10} CYCLE {o.cycle}  " + ("ALREADY RAN" if o.already_ran else
                                                 f"{o.posted:>4} POSTED {o.unposted:>4} UNPOSTABLE")
             for o in outcomes]
    cycles = sorted({o.cycle for o in outcomes})
    message = f"{len(outcomes)} SANDBOX{'ES' if len(outcomes) != 1 else ''} POSTED" + (
        f" - CYCLE {', '.join(cycles)}" if cycles else "")
    ctx.outcome = f"CYCLE {operand or 'OWN'}: {message}"[:80]
    return _class_display(ctx, "CYCLE", "POSTING CYCLE RUN IN THE SANDBOXES", lines, message,
                          header="IDRS-NO    CYCLE RUN")


@handles("RESET")
def reset(ctx: Context) -> Cleared | Refusal:
    """RESET NNNNNNNNNN: a fresh sandbox for the trainee (the old one is kept, retired)."""
    room = _classroom(ctx)
    if room is None:
        return Refusal(_NOT_A_CLASSROOM)
    operand, mark = _employee_operand(ctx)
    if operand is None or not is_digits(operand, 10):
        return Refusal("INVALID EMPLOYEE NUMBER", marks=[mark])
    if not room.reset(operand, own=(ctx.mf, ctx.db)):
        return Refusal("NO SANDBOX FOR THIS EMPLOYEE NUMBER", marks=[mark])
    ctx.outcome = f"RESET {operand}"
    return Cleared(f"SANDBOX OF {operand} RESET - A FRESH COPY AT THE TRAINEE'S NEXT KEY")


@handles("UNLOC")
def unlock(ctx: Context) -> Cleared | Refusal:
    """UNLOCK NNNNNNNNNN: the employee number may sign on again (failed sign-ons back to 0)."""
    room = _classroom(ctx)
    if room is None:
        return Refusal(_NOT_A_CLASSROOM)
    bad = _definer_ok(ctx, "K")
    if bad is not None:
        return bad
    operand, mark = _employee_operand(ctx)
    if operand is None or not is_digits(operand, 10) or not room.unlock(operand):
        return Refusal("INVALID EMPLOYEE NUMBER", marks=[mark])
    ctx.outcome = f"UNLOCK {operand}"
    return Cleared(f"EMPLOYEE NUMBER {operand} UNLOCKED")


@handles("LESSO")
def lesson(ctx: Context) -> Cleared | Refusal:
    """LESSON NAME: the class moves to another lesson (a fixture); fresh sandboxes for all."""
    from ..simulator import SimulatorError

    room = _classroom(ctx)
    if room is None:
        return Refusal(_NOT_A_CLASSROOM)
    bad = _definer_ok(ctx, "N")
    if bad is not None:
        return bad
    operand, mark = _employee_operand(ctx)
    if not operand:
        return Refusal("ENTER A LESSON NAME", marks=[mark])
    name = operand.lower()
    try:
        row = room.start_lesson(name, own=(ctx.mf, ctx.db))
    except SimulatorError:
        return Refusal("NO SUCH LESSON", marks=[mark])
    ctx.outcome = f"LESSON {row.name}"[:80]
    return Cleared(f"LESSON {row.name.upper()} STARTED - EVERY TRAINEE GETS A FRESH SANDBOX"[:79])
