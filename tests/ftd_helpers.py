"""A small FTD Alert world for the tests of the posting rule and the ICS screens (IRM 5.7.1).

Built on an empty simulator with the posting tests' builders, so each test reads as its IRM
situation and does not depend on the shipped fixtures (the procedure tests use those).
Employees of every FTD role; employers with Form 941 history.  The clock stands on Monday
2024-06-17, cycle 202425 -- the 12th cycle week of the second quarter: the next ``cycle()``
is the 13th week, when Master File issues the 202406 alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import mf_builders as b
from idrs_sim.masterfile.models import AuditRecord, Employee, Entity, IcsCase, Letter, TaxModule, Transaction
from idrs_sim.masterfile.security import hash_password
from idrs_sim.testing import IdrsTest

PASSWORD = "train123"
_HASH = hash_password(PASSWORD)

RO = "2621000101"
RO2 = "2621000102"
GM = "2621000100"
IQA = "2621000900"
ANALYST = "2621000950"
INSOLV = "2621000700"
RO35 = "2635000201"  # area 35 (assignment number 35000201)
GM35 = "2635000200"
TPP = "1485012345"
INSTRUCTOR = "1485099999"
GROUP = "FC-GRP21"

EMPLOYEES = {
    RO: ("O REVOFFICER", ["ro"], GROUP),
    RO2: ("S SECONDRO", ["ro"], GROUP),
    GM: ("G GROUPMGR", ["gm"], GROUP),
    IQA: ("Q QUALITY", ["iqa"], "FC-IQA"),
    ANALYST: ("A FTDANALYST", ["ftd-analyst"], "HQ-COLL"),
    INSOLV: ("I INSOLVENCY", ["insolvency"], "INSOLV-AUSTIN"),
    RO35: ("W WESTRO", ["ro"], "FC-GRP35"),
    GM35: ("H WESTGM", ["gm"], "FC-GRP35"),
    TPP: ("T TRAINEE", ["tpp-assistor"], "TPP-AUSC"),
    INSTRUCTOR: ("I INSTRUCTOR", ["instructor"], "TRAINING"),
}

EIN = "99-3000001"
TODAY = dt.date(2024, 6, 17)
PRIOR = ("202306", "202309", "202312", "202403")  # the four quarters before 202406


def world(build: Callable[[Session], Any] | None = None, date: str | None = None) -> IdrsTest:
    """A fresh simulator with the FTD employees, then `build(session)`."""
    sim = IdrsTest(fixture=None, out=open("/dev/null", "w"))  # noqa: SIM115 - closed with the test process
    with sim.sim.mf.unit_of_work() as s:
        for idrs, (name, roles, unit) in EMPLOYEES.items():
            s.add(Employee(idrs=idrs, name=name, roles=roles, unit=unit, password_hash=_HASH))
            sim.sim.passwords[idrs] = PASSWORD
        s.flush()
        if build is not None:
            build(s)
    if date:
        sim.date(date)
    return sim


def employer(s: Session, tin: str = EIN, *, name: str = "ACME ROOFING LLC", depositor: str = "semiweekly",
             state: str = "TX", history: dict[str, tuple[str, str]] | None = None,
             statuses: dict[str, str] | None = None, current: str | None = "0.00",
             period: str = "202406") -> Entity:
    """A BMF employer: a posted Form 941 (tax, deposits) per quarter of `history` (default: four
    quarters of 60,000.00 fully deposited), `current` deposits posted on the alert quarter."""
    ent = b.entity(s, tin, file="BMF", name_control=name[:4])
    ent.name_lines = [name]
    ent.address = ["100 MAIN ST", f"ANYTOWN {state} 7{tin[-4:]}"]
    ent.depositor = depositor
    ent.filing_requirements = {"941": "01"}
    history = history if history is not None else {p: ("60000.00", "60000.00") for p in PRIOR}
    for per, (tax, dep) in history.items():
        mod = b.module(s, ent, "01", per, status=(statuses or {}).get(per))
        if Decimal(dep):
            b.txn(s, mod, 650, amount=dep, cycle="202301")
        if tax is not None:
            b.txn(s, mod, 150, amount=tax, cycle="202302", dln=f"2913503060{tin[-4:]}",
                  document={"tc": 150, "form": "941", "tax": tax, "deposits": dep})
    if current is not None:
        mod = b.module(s, ent, "01", period)
        if Decimal(current):
            b.txn(s, mod, 650, amount=current, cycle="202420")
    s.flush()
    return ent


def alert(s: Session, ent: Entity, period: str = "202406", *, priority: str = "B", assigned: str | None = RO,
          opened: dt.date = dt.date(2024, 6, 14), assigned_date: dt.date | None = dt.date(2024, 6, 14),
          group: str = GROUP, sub_code: str = "105") -> IcsCase:
    """An FTD Alert already on ICS: TC 971 AC 046 on the module and the case."""
    mod = ent.module("01", period) or b.module(s, ent, "01", period)
    b.txn(s, mod, 971, ac=46, cycle="202424")
    case = IcsCase(tin=ent.tin, mft="01", period=period, kind="FTD-ALERT", priority=priority, sub_code=sub_code,
                   status="open", assigned=assigned, opened=opened, assigned_date=assigned_date if assigned else None,
                   history=[], extra={"group": group})
    s.add(case)
    s.flush()
    return case


# ---- reading back ------------------------------------------------------------------------


def read(sim: IdrsTest, fn: Callable[[Session], Any]) -> Any:
    """fn(session) on a reading session; the ORM objects it returns stay readable (detached)."""
    with sim.sim.mf.reading() as s:
        result = fn(s)
        s.expunge_all()
        return result


def cases(sim: IdrsTest, tin: str = EIN) -> list[IcsCase]:
    return read(sim, lambda s: list(s.scalars(select(IcsCase).where(IcsCase.tin == tin).order_by(IcsCase.id))))


def case(sim: IdrsTest, tin: str = EIN, period: str = "202406", kind: str = "FTD-ALERT") -> IcsCase:
    found = [c for c in cases(sim, tin) if c.period == period and c.kind == kind]
    assert found, f"no {kind} case on {tin} {period}"
    return found[-1]


def txns(sim: IdrsTest, tin: str = EIN, period: str | None = None, tc: int | None = None) -> list[Transaction]:
    def go(s: Session) -> list[Transaction]:
        ent = s.scalar(select(Entity).where(Entity.tin == tin))
        q = select(Transaction).where(Transaction.entity_id == ent.id).order_by(Transaction.id)
        if period is not None:
            q = q.join(TaxModule, TaxModule.id == Transaction.module_id).where(TaxModule.period == period)
        if tc is not None:
            q = q.where(Transaction.tc == tc)
        return list(s.scalars(q))
    return read(sim, go)


def letters(sim: IdrsTest, tin: str = EIN) -> list[str]:
    def go(s: Session) -> list[str]:
        ent = s.scalar(select(Entity).where(Entity.tin == tin))
        return [lt.letter for lt in s.scalars(select(Letter).where(Letter.entity_id == ent.id).order_by(Letter.id))]
    return read(sim, go)


def last_audit(sim: IdrsTest) -> AuditRecord:
    return read(sim, lambda s: s.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first())


def history_text(c: IcsCase) -> str:
    return "\n".join(str(h.get("text", "")) for h in c.history or [])


def desk(sim: IdrsTest, idrs: str) -> IdrsTest:
    """Another terminal on the same master file, signed on as `idrs`."""
    sim.new_terminal()
    sim.sign_on(idrs)
    return sim


def form(sim: IdrsTest, command: str, **fields: str) -> IdrsTest:
    """Show an ICS screen, fill its fields (label=value; '_' in a name stands for '-'), Enter."""
    sim.command(command)
    for label, value in fields.items():
        sim.fill(label.replace("_", "-"), value)
    return sim.enter()

