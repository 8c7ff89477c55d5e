"""``replay``, ``grade`` and ``audit``: checking what happens (replay scripts' expectations)
or happened (a trainee's work graded, the audit trail)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import UsageError, _simulator


def cmd_replay(args: argparse.Namespace) -> int:
    from ..replay import Options, run

    opts = Options(url=getattr(args, "db", None) or "sqlite://", fixture=getattr(args, "fixture", None),
                   date=getattr(args, "date", None), trace=args.trace)
    return run(args.scripts, opts)


def cmd_grade(args: argparse.Namespace) -> int:
    from ..grading.cli import GradeUsage, run

    try:
        return run(args)
    except GradeUsage as exc:
        raise UsageError(str(exc)) from None


def cmd_audit(args: argparse.Namespace) -> int:
    from sqlalchemy import func, or_, select

    from ..digits import digits_only
    from ..masterfile.models import AuditRecord
    from ..unax import unax_flags, unax_report

    with _simulator(args, writes=False) as sim:
        query = select(AuditRecord).order_by(AuditRecord.at, AuditRecord.id)
        if args.employee:
            query = query.where(AuditRecord.idrs == args.employee)
        if args.tin:  # by its digits: 400-00-1001 and 400001001 are one account
            if not digits_only(args.tin):
                raise UsageError(f"--tin {args.tin!r}: a TIN has digits, e.g. 400-00-1001")
            query = query.where(func.replace(AuditRecord.tin, "-", "") == digits_only(args.tin))
        kinds: dict[int, str] = {}
        report: list[str] = []
        if args.unax:  # the violations AND every record behind a UNAX flag (the UNAX report)
            with sim.mf.reading() as db:
                flags = unax_flags(db, args.employee or None)
                report = unax_report(db, args.employee or None, args.tin or None)
            for flag in flags:
                for rid in flag.record_ids:
                    kinds.setdefault(rid, flag.kind)
            query = query.where(or_(AuditRecord.violation.is_(True), AuditRecord.id.in_(list(kinds) or [-1])))
        with sim.mf.reading() as db:  # rows are read (and printed) inside the session
            lines = [_audit_line(r, kinds.get(r.id)) for r in db.scalars(query)]
    if not lines:
        print("no audit records" + ("" if getattr(args, "db", None) else " (no --db: a fresh in-memory master file)"),
              file=sys.stderr)
        return 0
    print(f"{'TIME':<19} {'EMPLOYEE':<10} {'TERMINAL':<8} {'KEY':<5} {'CODE':<8} {'TIN':<11} {'MFT':<3} "
          f"{'PERIOD':<6}   OUTCOME")
    for line in lines:
        print(line)
    if report and report != ["NO UNAX FLAGS"]:
        print()
        for line in report:
            print(line)
    return 0


def _audit_line(r: Any, unax: str | None = None) -> str:
    """One record; `!` marks a violation or a record behind a UNAX flag (its kind in brackets)."""
    flag = "!" if r.violation or unax else " "
    kind = f" [UNAX {unax}]" if unax else ""
    return (f"{r.at:%Y-%m-%d %H:%M:%S} {r.idrs or '-':<10} {(r.terminal or '-')[:8]:<8} {r.aid or '-':<5} "
            f"{r.command or '-':<8} {r.tin or '-':<11} {r.mft or '-':<3} {r.period or '-':<6} {flag} "
            f"{r.outcome or ''}{kind}")
