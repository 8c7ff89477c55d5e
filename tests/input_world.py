"""A small training world for the input-code tests: employees of each role and a few accounts.

Built with the posting tests' builders (tests/mf_builders.py) on an empty simulator, so an
input test reads as its IRM situation and does not depend on the shipped fixtures.  The
clock stands on Monday 2024-06-17 08:00, cycle 202425 (input now is due in 202426).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import mf_builders as b
from idrs_sim.masterfile.models import AuditRecord, Employee, Entity, Transaction, Unpostable
from idrs_sim.masterfile.security import hash_password
from idrs_sim.testing import IdrsTest

PASSWORD = "train123"
_HASH = hash_password(PASSWORD)

TRAINEE = "1485012345"  # tpp-assistor
TRAINEE2 = "1485012346"  # tpp-assistor (another desk)
LEAD = "1485012300"  # lead + tpp-assistor
MANAGER = "1485012301"
RIVO = "1486000101"  # rivo-examiner
CLERK = "0912345678"  # unpostable-clerk (the unpostable team the cases sit with)
PGLD = "0720001000"
RO = "2621000101"
INSTRUCTOR = "1485099999"
BATCH = "1483845470"  # the IAT batch tool (RIVO)

EMPLOYEES = {
    TRAINEE: ("T TRAINEE", ["tpp-assistor"]),
    TRAINEE2: ("P PHONEASST", ["tpp-assistor"]),
    LEAD: ("L LEADASST", ["lead", "tpp-assistor"]),
    MANAGER: ("M MANAGER", ["manager"]),
    RIVO: ("R RIVOEXAM", ["rivo-examiner"]),
    CLERK: ("U UNPCLERK", ["unpostable-clerk"]),
    PGLD: ("D PGLDANALYST", ["pgld"]),
    RO: ("O REVOFFICER", ["ro"]),
    INSTRUCTOR: ("I INSTRUCTOR", ["instructor"]),
}

TIN = "400-00-1001"  # established, MFT 30 202312 with a posted return (refund held -R)
UP_TIN = "400-00-1002"  # UP 126 RC 0 open, assigned to the unpostable team
NEW_TIN = "400-00-1003"  # first-time filer: not established, return UP 126 RC 0
BATCH_TIN = "400-00-1004"  # UP 126 RC 0 owned by the IAT batch tool
BMF_EIN = "99-2000001"
DLN = b.DLN  # 29211-045-10001-4
DLN_DIGITS = b.DLN_DIGITS


def _default_accounts(s: Session) -> None:
    ent = b.entity(s, TIN, name_control="SMIT")
    ent.name_lines = ["JOHN A SMITH"]
    mod = b.module(s, ent, "30", "202312")
    b.posted_return(s, mod, dln="29211-045-20002-4", cycle="202410")
    b.txn(s, mod, 971, ac=129, misc="29211045200024", cycle="202410")

    up = b.entity(s, UP_TIN, name_control="JONE")
    up.name_lines = ["MARY JONES"]
    up_mod = b.module(s, up, "30", "202312")
    b.txn(s, up_mod, 971, ac=124, misc=DLN_DIGITS, cycle="202409")
    b.unposted_return(s, up_mod, dln=DLN, seq="000000101", assigned=CLERK)

    new = b.entity(s, NEW_TIN, established=False, name_control="NEWF")
    new_mod = b.module(s, new, "30", "202312")
    b.unposted_return(s, new_mod, dln="29211-045-30003-4", seq="000000102", assigned=CLERK)

    bat = b.entity(s, BATCH_TIN, name_control="BATC")
    bat_mod = b.module(s, bat, "30", "202312")
    b.txn(s, bat_mod, 971, ac=124, misc="29211045400044", cycle="202409")
    b.unposted_return(s, bat_mod, dln="29211-045-40004-4", seq="000000103", assigned=BATCH)

    b.entity(s, BMF_EIN, file="BMF", name_control="ACME")


def world(build: Callable[[Session], Any] | None = None, *, accounts: bool = True) -> IdrsTest:
    """A fresh simulator: the employees above, the default accounts, then `build(session)`."""
    sim = IdrsTest(fixture=None, out=open("/dev/null", "w"))  # noqa: SIM115 - closed with the test process
    with sim.sim.mf.unit_of_work() as s:
        for idrs, (name, roles) in EMPLOYEES.items():
            s.add(Employee(idrs=idrs, name=name, roles=roles, unit="TEST", password_hash=_HASH))
            sim.sim.passwords[idrs] = PASSWORD
        s.flush()
        if accounts:
            _default_accounts(s)
        if build is not None:
            build(s)
    return sim


def signed_on(idrs: str = TRAINEE, build: Callable[[Session], Any] | None = None) -> IdrsTest:
    sim = world(build)
    sim.sign_on(idrs)
    return sim


def second_desk(sim: IdrsTest, idrs: str) -> IdrsTest:
    """The same master file at another terminal, signed on as `idrs`."""
    sim.new_terminal()
    sim.sign_on(idrs)
    return sim


# ---- reading the master file back -----------------------------------------------------


def read(sim: IdrsTest, fn: Callable[[Session], Any]) -> Any:
    with sim.sim.mf.reading() as s:
        return fn(s)


def txns(sim: IdrsTest, tin: str, **where: Any) -> list[dict[str, Any]]:
    """The entity's transactions as plain dicts (status, tc, ac, misc, cycles, module)."""

    def go(s: Session) -> list[dict[str, Any]]:
        ent = s.scalar(select(Entity).where(Entity.tin == tin))
        out = []
        for t in s.scalars(select(Transaction).where(Transaction.entity_id == ent.id).order_by(Transaction.id)):
            row = {
                "id": t.id, "tc": t.tc, "ac": t.ac, "misc": t.misc, "status": t.status, "amount": t.amount,
                "due_cycle": t.due_cycle, "posting_cycle": t.posting_cycle, "input_cycle": t.input_cycle,
                "input_date": t.input_date, "input_idrs": t.input_idrs, "post_delay": t.post_delay,
                "trans_date": t.trans_date, "secondary_date": t.secondary_date, "dln": t.dln,
                "mft": t.module.mft if t.module else None, "period": t.module.period if t.module else None,
                "extra": dict(t.extra or {}), "refund_method": t.refund_method, "reversed": t.reversed_by_id is not None,
            }
            if all(row.get(k) == val for k, val in where.items()):
                out.append(row)
        return out

    return read(sim, go)


def case(sim: IdrsTest, seq: str) -> dict[str, Any]:
    def go(s: Session) -> dict[str, Any]:
        c = s.scalar(select(Unpostable).where(Unpostable.seq == seq))
        return {
            "status": c.status, "urc": c.urc, "ccc": c.ccc, "release_cycle": c.release_cycle,
            "corrected_tin": c.corrected_tin, "remarks": c.remarks, "assigned": c.assigned,
            "resolved_by": c.resolved_by, "resolved_date": c.resolved_date, "released": c.released,
            "status_date": c.status_date, "history": [h.text for h in c.history],
        }

    return read(sim, go)


def audit(sim: IdrsTest, command: str | None = None) -> list[AuditRecord]:
    def go(s: Session) -> list[AuditRecord]:
        stmt = select(AuditRecord).order_by(AuditRecord.id)
        if command:
            stmt = stmt.where(AuditRecord.command == command)
        rows = list(s.scalars(stmt))
        s.expunge_all()
        return rows

    return read(sim, go)


def stars(sim: IdrsTest) -> list[tuple[int, int]]:
    """(row, col) of every `*` on rows 2-23 (error marks right of bad fields)."""
    out = []
    for r, line in enumerate(sim.screen_lines()[:23], start=1):
        for c, ch in enumerate(line, start=1):
            if ch == "*" and r > 1:
                out.append((r, c))
    return out


def star_after(sim: IdrsTest, label: str) -> bool:
    """Whether a `*` stands right after the input field that follows `LABEL>`."""
    fld = sim.terminal.find_labelled_field(label)
    scr = sim.screen
    after = scr.data_addresses(fld)[-1] + 2
    row, col = divmod(after, 80)
    return sim.screen_lines()[row][col] == "*"


TODAY = dt.date(2024, 6, 17)
CYCLE = "202425"


def cycle(sim: IdrsTest, count: int = 1, idrs: str = TRAINEE) -> IdrsTest:
    """Run `count` posting cycles.  Should the session have been signed off meanwhile (an idle
    timeout on a running clock), sign on again as `idrs`."""
    sim.cycle(count)
    sim.clear()  # the first key after the jump meets the idle sign-off
    if sim.screen.field_named("EMPLOYEE-NO") is not None:
        sim.sign_on(idrs)
    return sim
