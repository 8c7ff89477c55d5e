"""The UNAX review of the audit trail: reads the audit records, the employee's assigned work
and their Form 11377 reports from the master file and asks the rules (IRM 10.5.4.3.4,
IRM 10.5.5) in `idrs_sim.rules.unax` which accesses the trainer should look at.  It changes
nothing.  The flag kinds, what counts as an access and the BROWSING threshold are stated
there; this module only reads and formats (the UNAXR screen list, `idrs-sim audit --unax`).

A TIN is *connected* to the employee's assigned work when one of these names them:
an unpostable case (`Unpostable.assigned` or `resolved_by`), a control base
(`ControlBase.idrs`), an ICS case (`IcsCase.assigned`; for a group manager, every open case
of the group), Appeals work (an ACMS appeal's ATE, ATM or mediator, a decision document
attached to it, an ACDS case's ATE or an entry keyed on it), or the scenario's hand-off list, SimState key ``assigned_work:<idrs>`` (a
JSON list or comma-separated TINs; see `set_assigned_work`).  Assignment is judged as the
master file stands now.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .digits import digits_only
from .masterfile.acds_models import ACDS_LISTS, AcdsCase
from .masterfile.appeals_models import Appeal, AppealDoc, PamRequest
from .masterfile.db import MasterFile, get_state, set_state
from .masterfile.incident_models import IncidentReport
from .masterfile.models import AuditRecord, ControlBase, Employee, Entity, IcsCase, Unpostable
from .rules import unax as unax_rules
from .rules.unax import BROWSING, Flag, flags_on_tin

__all__ = [
    "unax_flags",
    "format_flags",
    "unax_report",
    "flag_line",
    "connected_tins",
    "access_kind",
    "assigned_work",
    "set_assigned_work",
]

ASSIGNED_WORK_KEY = "assigned_work:{idrs}"


# ---- assigned work -------------------------------------------------------------------

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
    tins.update(_appeals_work(db, idrs))
    tins.update(assigned_work(db, idrs))
    return {digits_only(t) for t in tins if t}


def _group_cases(db: Session, idrs: str) -> set[str]:
    """A group manager's work is the open ICS cases of their group (hold file and
    inventory, IRM 5.7.1.4): researching them is not browsing."""
    from .ics.cases import group_of

    emp = db.get(Employee, idrs)
    if emp is None or not unax_rules.manages_group_work(emp.roles, emp.unit):
        return set()
    return {c.tin for c in db.scalars(select(IcsCase).where(IcsCase.status == "open")) if group_of(c) == emp.unit}


def _appeals_work(db: Session, idrs: str) -> set[str]:
    """Appeals work (decision APP-R4): an ACMS appeal whose ATE or ATM the employee is, or whose
    PAM support request names them as mediator; an appeal they attached a decision document to
    (the analyst, the Area Director, the executive: every document but OTHER); an ACDS case whose
    ATE they are or on which they keyed an entry (the manager who invites for an ATE)."""
    tins = set(db.scalars(select(Appeal.tin).where(or_(Appeal.ate == idrs, Appeal.atm == idrs))))
    tins.update(db.scalars(select(Appeal.tin).join(PamRequest, PamRequest.appeal_id == Appeal.id)
                           .where(PamRequest.mediator == idrs)))
    tins.update(db.scalars(select(Appeal.tin).join(AppealDoc, AppealDoc.appeal_id == Appeal.id)
                           .where(AppealDoc.idrs == idrs, AppealDoc.kind != "OTHER")))
    for case in db.scalars(select(AcdsCase)):
        keyed = any(isinstance(e, dict) and e.get("idrs") == idrs
                    for name in ACDS_LISTS for e in getattr(case, name) or [])
        if case.ate == idrs or keyed:
            tins.add(case.tin)
    return tins


def _personal(emp: Employee | None) -> tuple[str, set[str]]:
    if emp is None:
        return "", set()
    return unax_rules.personal_tins(emp.own_tin, emp.related_tins)


def access_kind(db: Session, idrs: str, tin: str) -> str | None:
    """The flag one access to `tin` by `idrs` would raise now (SELF, RELATIVE, NO-CASE) or
    None; for an in-session UNAX warning ("document on Form 11377-E")."""
    if not digits_only(tin):
        return None
    own, related = _personal(db.get(Employee, idrs))
    return unax_rules.access_kind(tin, own, related, connected_tins(db, idrs))


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
    rule = unax_rules.rules()
    threshold = rule.browse_threshold if browse_threshold is None else browse_threshold
    idrs = employee.idrs if isinstance(employee, Employee) else employee

    query = select(AuditRecord).where(AuditRecord.tin.is_not(None), AuditRecord.idrs.is_not(None))
    if idrs:
        query = query.where(AuditRecord.idrs == idrs)
    if since is not None:
        start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time())
        query = query.where(AuditRecord.at >= start)
    by_emp: dict[str, list[AuditRecord]] = defaultdict(list)
    for rec in db.scalars(query.order_by(AuditRecord.at, AuditRecord.id)):
        if unax_rules.counts_as_access(rec.command, rec.tin, rule):
            by_emp[rec.idrs].append(rec)  # type: ignore[index]

    flags: list[Flag] = []
    for emp_idrs, recs in by_emp.items():
        own, related = _personal(db.get(Employee, emp_idrs))
        flags += unax_rules.review(emp_idrs, recs, own=own, related=related,
                                   connected=connected_tins(db, emp_idrs),
                                   form_11377=_form_11377_on_file(db, emp_idrs), browse_threshold=threshold)
    return unax_rules.sort_flags(flags)


def _form_11377_on_file(db: Session, idrs: str) -> dict[str, list[dt.date]]:
    """TIN digits -> dates of the employee's INCID inadvertent-access (Form 11377) reports."""
    out: dict[str, list[dt.date]] = defaultdict(list)
    bind = db.connection()
    from sqlalchemy import inspect  # local: only to tolerate a database made before the table

    if not inspect(bind).has_table(IncidentReport.__tablename__):
        return out
    for rep in db.scalars(select(IncidentReport).where(IncidentReport.idrs == idrs, IncidentReport.kind == "A")):
        out[digits_only(rep.tin)].append(rep.reported_at.date())
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
        flags = flags_on_tin(flags, tin)
    return format_flags(flags)
