"""Small builders for master-file test data: entities, modules, transactions, unpostables.

Tests of the posting run build exactly the rows they need here instead of loading a
fixture, so a test reads as its IRM situation and does not depend on the fixture loader.
Dates: the default clock stands on 2024-06-17, cycle 202425.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from idrs_sim.clock import Clock
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.models import (
    PENDING,
    POSTED,
    UNPOSTABLE,
    Entity,
    TaxModule,
    Transaction,
    Unpostable,
)

TODAY = dt.date(2024, 6, 17)  # cycle 202425
CURRENT = "202425"
# DLNs as the master file keeps them: 14 digits (the column is 14 wide; PostgreSQL holds
# it to that, SQLite did not, so the dashed print form once slipped in here).
DLN = "29211045100014"  # the return in question (printed 29211-045-10001-4)
DLN_DIGITS = DLN
AC052_DLN = "29277045100014"  # same DLN with document code 77 in positions 4-5
EMPLOYEE = "1485012345"


#: Where `new_mf` makes its master files: None for in-memory SQLite; the conftest `engine`
#: fixture sets a function that returns the URL of a new PostgreSQL schema.
URL_FACTORY: Callable[[], str] | None = None


def new_mf(day: dt.date = TODAY) -> MasterFile:
    """A fresh master file with a fixed clock on `day` (in-memory SQLite, or PostgreSQL
    under the `engine` fixture)."""
    return MasterFile(URL_FACTORY() if URL_FACTORY is not None else "sqlite://", clock=Clock(day))


def entity(
    s: Session, tin: str = "400-00-1001", *, file: str = "IMF", established: bool = True, name_control: str = "SMIT"
) -> Entity:
    ent = Entity(
        tin=tin,
        tin_type="EIN" if file == "BMF" else "SSN",
        file=file,
        established=established,
        name_control=name_control,
        name_lines=[f"{name_control} TEST"],
        address=["12 ELM ST", "AUSTIN TX 78701"],
        depositor="semiweekly" if file == "BMF" else None,
    )
    s.add(ent)
    s.flush()
    return ent


def module(s: Session, ent: Entity, mft: str = "30", period: str = "202312", status: str | None = None) -> TaxModule:
    mod = TaxModule(entity=ent, mft=mft, period=period, status=status)
    s.add(mod)
    s.flush()
    return mod


def txn(
    s: Session,
    where: TaxModule | Entity,
    tc: int,
    *,
    ac: int | None = None,
    amount: str | Decimal = "0.00",
    status: str = POSTED,
    cycle: str | None = None,
    misc: str | None = None,
    dln: str | None = None,
    document: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    input_cycle: str | None = None,
    input_idrs: str | None = EMPLOYEE,
    post_delay: int = 0,
    trans_date: dt.date | None = None,
    secondary_date: dt.date | None = None,
) -> Transaction:
    """A transaction on a module or (Entity given) on the entity itself.

    `cycle` is the posting cycle of a posted transaction and the due cycle of a pending one.
    """
    if isinstance(where, TaxModule):
        ent_id, mod_id = where.entity_id, where.id
    else:
        ent_id, mod_id = where.id, None
    t = Transaction(
        entity_id=ent_id,
        module_id=mod_id,
        tc=tc,
        ac=ac,
        amount=Decimal(str(amount)),
        status=status,
        misc=misc,
        dln=dln,
        document=document,
        extra=extra or {},
        input_cycle=input_cycle,
        input_idrs=input_idrs,
        post_delay=post_delay,
        trans_date=trans_date or TODAY,
        secondary_date=secondary_date,
        posting_cycle=cycle if status == POSTED else None,
        due_cycle=cycle if status == PENDING else None,
    )
    s.add(t)
    s.flush()
    return t


def pending(s: Session, where: TaxModule | Entity, tc: int, input_cycle: str = CURRENT, post_delay: int = 0, **kw: Any) -> Transaction:
    """Terminal input made in `input_cycle`: pending, due input + 1 + post_delay."""
    from idrs_sim.posting import due_cycle_for

    ent = where if isinstance(where, Entity) else where.entity
    return txn(s, where, tc, status=PENDING, cycle=due_cycle_for(input_cycle, post_delay, ent.file),
               input_cycle=input_cycle, post_delay=post_delay, **kw)


def return_doc(tax: str = "9850.00", withholding: str = "13000.00", dd: bool = True, **more: Any) -> dict[str, Any]:
    """A Form 1040 as filed (CONTRACT §4 <return>)."""
    refund = Decimal(withholding) - Decimal(tax)
    doc: dict[str, Any] = {
        "tc": 150,
        "tax_year": 2023,
        "filing_status": "single",
        "tax": tax,
        "withholding": withholding,
        "refund": str(refund) if refund > 0 else "0.00",
        "direct_deposit": {"routing": "111000025", "account": "12345678"} if dd else None,
        "address": ["12 ELM ST", "AUSTIN TX 78701"],
    }
    doc.update(more)
    return doc


def pending_return(
    s: Session, mod: TaxModule, *, dln: str = DLN, tax: str = "9850.00", withholding: str = "13000.00",
    dd: bool = True, due: str | None = None, **doc: Any,
) -> Transaction:
    """A return (TC 150) waiting to post, due in `due` (default: the next cycle)."""
    from idrs_sim.posting.calendar import add_cycles

    return txn(s, mod, 150, amount=tax, status=PENDING, cycle=due or add_cycles(CURRENT, 1), dln=dln,
               document=return_doc(tax, withholding, dd, **doc), input_idrs=None)


def posted_return(
    s: Session, mod: TaxModule, *, dln: str = DLN, tax: str = "9850.00", withholding: str = "13000.00",
    dd: bool = True, cycle: str = "202410",
) -> Transaction:
    """A return that posted in `cycle` with its withholding (TC 806) and no refund yet."""
    ret = txn(s, mod, 150, amount=tax, cycle=cycle, dln=dln, document=return_doc(tax, withholding, dd), input_idrs=None)
    txn(s, mod, 806, amount=withholding, cycle=cycle, input_idrs=None)
    return ret


def unposted_return(
    s: Session, mod: TaxModule, *, upc: int = 126, reason: int = 0, dln: str = DLN, cycle: str = "202410",
    seq: str = "000000101", assigned: str = "0912345678", **kw: Any,
) -> tuple[Transaction, Unpostable]:
    """A return already on the GUF (UPTIN status A) since `cycle`."""
    ret = txn(s, mod, 150, amount=kw.pop("tax", "9850.00"), status=UNPOSTABLE, dln=dln,
              document=return_doc(**kw), input_idrs=None)
    case = Unpostable(seq=seq, entity_id=mod.entity_id, module_id=mod.id, txn_id=ret.id, upc=upc, reason=reason,
                      dln=dln, status="open", assigned=assigned, original_cycle=cycle,
                      status_date=dt.date(2024, 3, 8), document=ret.document)
    s.add(case)
    s.flush()
    return ret, case


def resolve(s: Session, case: Unpostable, urc: str, *, ccc: str | None = None, release_cycle: str | None = None,
            corrected_tin: str | None = None, on: dt.date = TODAY, by: str = EMPLOYEE) -> None:
    """What the UPRES handler records on the case (the posting run acts on it)."""
    case = s.merge(case)
    case.urc, case.ccc, case.release_cycle = urc, ccc, release_cycle
    case.corrected_tin, case.resolved_date, case.resolved_by = corrected_tin, on, by


# --- reading back --------------------------------------------------------------------------


def txns_of(s: Session, mod_id: int, tc: int | None = None) -> list[Transaction]:
    stmt = select(Transaction).where(Transaction.module_id == mod_id).order_by(Transaction.id)
    if tc is not None:
        stmt = stmt.where(Transaction.tc == tc)
    return list(s.scalars(stmt))


def get(s: Session, model: type, ident: int) -> Any:
    return s.get(model, ident)
