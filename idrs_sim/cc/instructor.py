"""UNAXR: the instructor's UNAX review of the audit trail (IRM 10.5.4.3.4, IRM 10.5.5).

A simulator code, not a real IDRS one.  commands/security.yaml allows it to the role
``instructor`` only; the session refuses anyone else with UNAUTHORIZED COMMAND CODE and
audits the attempt as a violation.  The list comes from `idrs_sim.unax.unax_flags`.

``UNAXR`` lists every flag; ``UNAXR NNN-NN-NNNN`` the flags on one TIN;
``UNAXR NNNNNNNNNN`` (or ``EMP>``) one employee's; ``SINCE>MMDDYYYY`` from a date.
"""

from __future__ import annotations

import datetime as dt

from ..commands import handles
from ..digits import is_digits
from ..masterfile.models import Employee
from ..unax import HEADER, _digits, flag_line, unax_flags
from .base import Context, Display, Refusal


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
        try:
            since = dt.date(int(since_text[4:8]), int(since_text[:2]), int(since_text[2:4]))
            if not is_digits(since_text, 8):
                raise ValueError(since_text)
        except ValueError:
            marks = [spans["SINCE>"]] if "SINCE>" in spans else []
            return Refusal("INVALID DATE - MMDDYYYY", fields=["SINCE"] if "SINCE" in ctx.screen_values else [],
                           marks=marks)
    tin = getattr(cmd, "tin", None)
    flags = unax_flags(ctx.db, emp or None, since)
    if tin:
        key = _digits(tin)
        flags = [f for f in flags if _digits(f.tin) == key or key in {_digits(t) for t in f.tins}]
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
