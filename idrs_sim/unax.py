"""UNAX review of the audit trail: accesses the trainer should look at (IRM 10.5.4.3.4, IRM 10.5.5).

Every AID key leaves an `AuditRecord` (idrs_sim.session_audit).  An *access* is an audit
record that names a TIN, made with any command code except the simulator's own
reporting and review codes (`exempt_codes` in tables/unax.yaml).  This module
reads the audit trail and the master file and returns `Flag`s; it changes nothing.

Flag kinds (one flag per employee, TIN, kind and simulated day; `record_ids` lists every
audit record behind it, `at` is the first of them):

* ``SELF``      -- the employee's own TIN (`Employee.own_tin`), assigned or not.
* ``RELATIVE``  -- a TIN in `Employee.related_tins`, assigned or not.
* ``NO-CASE``   -- a TIN not connected to the employee's assigned work (below).
  IRM 10.5.4.3.4(2): such accesses are documented on Form 11377 / 11377-E.
* ``BROWSING``  -- more than `browse_threshold` distinct TINs without a case on one
  simulated day (one flag per employee and day, `tin` None).

A TIN is *connected* to the employee's assigned work when one of these names them:
an unpostable case (`Unpostable.assigned` or `resolved_by`), a control base
(`ControlBase.idrs`), an ICS case (`IcsCase.assigned`), or the scenario's hand-off
list, SimState key ``assigned_work:<idrs>`` (a JSON list or comma-separated TINs; see
`set_assigned_work`).  Assignment is judged as the master file stands now.  TINs are
compared by their digits, so ``400-00-1001`` and ``400001001`` are the same account.

A flag is marked `documented` when the employee filed an INCID inadvertent-access
report (Form 11377 path) for that TIN on or after the day of the access; it is still
listed, for the trainer to judge.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .digits import digits_only
from .masterfile.db import MasterFile, get_state, set_state
from .masterfile.incident_models import IncidentReport
from .masterfile.models import AuditRecord, ControlBase, Employee, Entity, IcsCase, Unpostable
from .rules import tables

__all__ = [
    "SELF",
    "RELATIVE",
    "NO_CASE",
    "BROWSING",
    "Flag",
    "UnaxRules",
    "rules",
    "unax_flags",
    "format_flags",
    "unax_report",
    "flag_line",
    "connected_tins",
    "access_kind",
    "assigned_work",
    "set_assigned_work",
]

SELF = "SELF"
RELATIVE = "RELATIVE"
NO_CASE = "NO-CASE"
BROWSING = "BROWSING"
KIND_ORDER = {SELF: 0, RELATIVE: 1, NO_CASE: 2, BROWSING: 3}

ASSIGNED_WORK_KEY = "assigned_work:{idrs}"


@dataclass(frozen=True)
class UnaxRules:
    """The thresholds, as data (tables/unax.yaml, key ``unax``)."""

    browse_threshold: int = 5  # BROWSING when MORE than this many unconnected TINs in a day
    exempt_codes: frozenset[str] = frozenset({"UNAXR", "INCID"})


@cache
def rules() -> UnaxRules:
    """The UNAX rules from tables/unax.yaml (defaults when the key is absent)."""
    data: dict[str, Any] = tables.unax().get("unax") or {}
    base = UnaxRules()
    return UnaxRules(
        browse_threshold=int(data.get("browse_threshold", base.browse_threshold)),
        exempt_codes=frozenset(str(c).upper() for c in data.get("exempt_codes", base.exempt_codes)),
    )


@dataclass(frozen=True)
class Flag:
    """One thing the trainer should look at: who, which TIN, when, what kind, which records."""

    employee: str
    tin: str | None
    at: dt.datetime
    kind: str
    record_ids: tuple[int, ...]
    detail: str = ""
    documented: bool = False  # a Form 11377 (INCID type A) report is on file for it
    tins: tuple[str, ...] = field(default_factory=tuple)  # BROWSING: the accounts counted
    codes: tuple[str, ...] = field(default_factory=tuple)  # the command codes used


# ---- assigned work -------------------------------------------------------------------

def _digits(tin: str | None) -> str:
    return digits_only(tin)


def assigned_work(db: Session, idrs: str) -> list[str]:
    """The TINs a scenario handed the employee (SimState ``assigned_work:<idrs>``)."""
    raw = get_state(db, ASSIGNED_WORK_KEY.format(idrs=idrs))
    if not raw:
        return []
    raw = raw.strip()
    if raw.startswith("["):
        return [str(t) for t in json.loads(raw)]
    return [t.strip() for t in raw.split(",") if t.strip()]


def set_assigned_work(db: Session, idrs: str, tins: Iterable[str]) -> None:
    """Hand the employee these TINs as their case work (stored comma-separated: the
    SimState value holds 200 characters, about 16 TINs)."""
    value = ",".join(dict.fromkeys(t.strip() for t in tins if t.strip()))
    if len(value) > 200:
        raise ValueError("assigned work holds at most 200 characters of TINs")
    set_state(db, ASSIGNED_WORK_KEY.format(idrs=idrs), value)


def connected_tins(db: Session, idrs: str) -> set[str]:
    """Digits of every TIN connected to the employee's assigned work (see module docstring)."""
    tins: set[str] = set()
    tins.update(db.scalars(
        select(Entity.tin).join(Unpostable, Unpostable.entity_id == Entity.id)
        .where(or_(Unpostable.assigned == idrs, Unpostable.resolved_by == idrs))))
    tins.update(db.scalars(
        select(Entity.tin).join(ControlBase, ControlBase.entity_id == Entity.id).where(ControlBase.idrs == idrs)))
    tins.update(db.scalars(select(IcsCase.tin).where(IcsCase.assigned == idrs)))
    tins.update(_group_cases(db, idrs))
    tins.update(assigned_work(db, idrs))
    return {_digits(t) for t in tins if t}


def _group_cases(db: Session, idrs: str) -> set[str]:
    """A group manager's work is the open ICS cases of their group (hold file and
    inventory, IRM 5.7.1.4): researching them is not browsing."""
    from .ics.cases import group_of

    emp = db.get(Employee, idrs)
    if emp is None or "gm" not in (emp.roles or []) or not emp.unit:
        return set()
    return {c.tin for c in db.scalars(select(IcsCase).where(IcsCase.status == "open")) if group_of(c) == emp.unit}


def _personal(emp: Employee | None) -> tuple[str, set[str]]:
    if emp is None:
        return "", set()
    return _digits(emp.own_tin), {_digits(t) for t in (emp.related_tins or []) if t}


def access_kind(db: Session, idrs: str, tin: str) -> str | None:
    """The flag one access to `tin` by `idrs` would raise now (SELF, RELATIVE, NO-CASE) or
    None; for an in-session UNAX warning ("document on Form 11377-E")."""
    key = _digits(tin)
    if not key:
        return None
    own, related = _personal(db.get(Employee, idrs))
    if key == own:
        return SELF
    if key in related:
        return RELATIVE
    if key not in connected_tins(db, idrs):
        return NO_CASE
    return None


# ---- the review ------------------------------------------------------------------------

def unax_flags(
    session: Session | MasterFile,
    employee: str | Employee | None = None,
    since: dt.datetime | dt.date | None = None,
    *,
    browse_threshold: int | None = None,
) -> list[Flag]:
    """UNAX flags over the audit trail, oldest first (IRM 10.5.4.3.4; IRM 10.5.5).

    `session` is a SQLAlchemy session on the master file (or a `MasterFile`, read in a
    session of its own); `employee` limits the review to one IDRS number; `since` to
    accesses at or after that time (a date means from midnight).  `browse_threshold`
    overrides the rule in tables/unax.yaml.
    """
    if isinstance(session, MasterFile):
        with session.reading() as db:
            return unax_flags(db, employee, since, browse_threshold=browse_threshold)
    db = session
    rule = rules()
    threshold = rule.browse_threshold if browse_threshold is None else browse_threshold
    idrs = employee.idrs if isinstance(employee, Employee) else employee

    query = select(AuditRecord).where(AuditRecord.tin.is_not(None), AuditRecord.idrs.is_not(None))
    if idrs:
        query = query.where(AuditRecord.idrs == idrs)
    if since is not None:
        start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time())
        query = query.where(AuditRecord.at >= start)
    records = [r for r in db.scalars(query.order_by(AuditRecord.at, AuditRecord.id))
               if (r.command or "").upper() not in rule.exempt_codes and _digits(r.tin)]

    by_emp: dict[str, list[AuditRecord]] = defaultdict(list)
    for rec in records:
        by_emp[rec.idrs].append(rec)  # type: ignore[index]

    flags: list[Flag] = []
    for emp_idrs, recs in by_emp.items():
        own, related = _personal(db.get(Employee, emp_idrs))
        connected = connected_tins(db, emp_idrs)
        filed = _form_11377_on_file(db, emp_idrs)
        groups: dict[tuple[str, str, dt.date], list[AuditRecord]] = defaultdict(list)
        unconnected: dict[dt.date, dict[str, list[AuditRecord]]] = defaultdict(lambda: defaultdict(list))
        for rec in recs:
            key = _digits(rec.tin)
            day = rec.at.date()
            if key == own:
                kind = SELF
            elif key in related:
                kind = RELATIVE
            elif key not in connected:
                kind = NO_CASE
            else:
                continue
            groups[(key, kind, day)].append(rec)
            if key not in connected:
                unconnected[day][key].append(rec)
        for (key, kind, day), group in groups.items():
            first = group[0]
            flags.append(Flag(
                employee=emp_idrs,
                tin=first.tin,
                at=first.at,
                kind=kind,
                record_ids=tuple(r.id for r in group),
                detail=_detail(kind, group),
                codes=tuple(dict.fromkeys(r.command or "?" for r in group)),
                documented=any(d >= day for d in filed.get(key, ())),
            ))
        for day, accounts in unconnected.items():
            if len(accounts) <= threshold:
                continue
            ordered = sorted(accounts.values(), key=lambda g: (g[0].at, g[0].id))
            ids = tuple(sorted(r.id for g in ordered for r in g))
            flags.append(Flag(
                employee=emp_idrs,
                tin=None,
                at=ordered[0][0].at,
                kind=BROWSING,
                record_ids=ids,
                detail=f"{len(accounts)} ACCOUNTS WITHOUT A CASE ON {day:%m/%d/%Y} (LIMIT {threshold})",
                tins=tuple(g[0].tin or "" for g in ordered),
            ))
    flags.sort(key=lambda f: (f.at, f.employee, KIND_ORDER[f.kind], f.tin or ""))
    return flags


def _detail(kind: str, group: list[AuditRecord]) -> str:
    what = {SELF: "EMPLOYEE'S OWN ACCOUNT", RELATIVE: "ACCOUNT OF A LISTED RELATIVE",
            NO_CASE: "NO CASE ASSIGNMENT - DOCUMENT ON FORM 11377 IF INADVERTENT"}[kind]
    return f"{what}: {len(group)} ACCESS{'ES' if len(group) > 1 else ''} ON {group[0].at:%m/%d/%Y}"


def _form_11377_on_file(db: Session, idrs: str) -> dict[str, list[dt.date]]:
    """TIN digits -> dates of the employee's INCID inadvertent-access (Form 11377) reports."""
    out: dict[str, list[dt.date]] = defaultdict(list)
    bind = db.connection()
    from sqlalchemy import inspect  # local: only to tolerate a database made before the table

    if not inspect(bind).has_table(IncidentReport.__tablename__):
        return out
    for rep in db.scalars(select(IncidentReport).where(IncidentReport.idrs == idrs, IncidentReport.kind == "A")):
        out[_digits(rep.tin)].append(rep.reported_at.date())
    return out


# ---- text ------------------------------------------------------------------------------

HEADER = "DATE     TIME  EMPLOYEE   KIND     TIN         RECS 11377 CODES / ACCOUNTS"


def flag_line(flag: Flag, width: int | None = 79) -> str:
    """One flag as one line (the UNAXR screen list; `width` None for no limit)."""
    doc = "-" if flag.kind == BROWSING else "YES" if flag.documented else "NO"
    tail = f"{len(flag.tins)} ACCOUNTS" if flag.kind == BROWSING else ",".join(flag.codes)
    line = (f"{flag.at:%m/%d/%y %H:%M} {flag.employee:<10} {flag.kind:<8} {(flag.tin or '-'):<11} "
            f"{len(flag.record_ids):>4} {doc:<5} {tail}")
    return line if width is None else line[:width]


def format_flags(flags: list[Flag]) -> list[str]:
    """Lines for `idrs-sim audit --unax`: a header, one line per flag, then its detail,
    the accounts of a BROWSING flag and the audit record ids; a count at the end."""
    if not flags:
        return ["NO UNAX FLAGS"]
    out = [HEADER]
    for f in flags:
        out.append(flag_line(f, width=None))
        out.append(f"    {f.detail}")
        if f.tins:
            out.append(f"    ACCOUNTS: {' '.join(f.tins)}")
        out.append(f"    AUDIT RECORDS: {' '.join(str(i) for i in f.record_ids)}")
    out.append(f"{len(flags)} UNAX FLAG{'S' if len(flags) != 1 else ''}")
    return out


def unax_report(
    mf: MasterFile | Session,
    employee: str | None = None,
    tin: str | None = None,
    since: dt.datetime | dt.date | None = None,
) -> list[str]:
    """The lines `idrs-sim audit --unax [--employee IDRS] [--tin TIN]` prints: the flags of
    `unax_flags`, narrowed to one TIN (a BROWSING flag counts when it lists the TIN)."""
    flags = unax_flags(mf, employee, since)
    if tin:
        key = _digits(tin)
        flags = [f for f in flags if _digits(f.tin) == key or key in {_digits(t) for t in f.tins}]
    return format_flags(flags)
