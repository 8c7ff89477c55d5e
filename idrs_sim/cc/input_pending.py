"""Terminal input stored as a pending transaction: the input DLN (FLC, tax class, document
code, Julian date, blocking series and serial, year) and the one way every input code
stores what it was given, so the posting run finds it (docs/posting.md time model): pending,
input today in the current cycle C by this employee, due in C + 1 + POST-DELAY.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from ..masterfile.models import PENDING, Entity, TaxModule, Transaction
from ..posting import due_cycle_for
from . import validate as v
from .base import Context

#: Document codes of IDRS input DLNs: Form 3177 (FRM77) 77, adjustments (ADJ54) 54,
#: entity changes (INCHG) 63 (Document 6209 §4).  The AC 052 "77 in positions 4-5" of
#: IRM 25.25.6.1.7 is exactly such an FRM77 DLN.
DOC_CODE_FRM77 = "77"
DOC_CODE_ADJ54 = "54"
DOC_CODE_ENTITY = "63"


#: Terminal input of one day with one DLN prefix (built once; the input_date index).
_INPUT_COUNT = select(func.count(Transaction.id)).where(
    Transaction.input_date == bindparam("today"), Transaction.dln.like(bindparam("prefix")))


def input_dln(ctx: Context, doc_code: str, tax_class: int | str | None = None) -> str:
    """A DLN for terminal input: FLC (first two digits of the employee number), tax class,
    document code, Julian date of input, blocking series + serial counted per day, year.

    Unique per day and document code across the master file (DLN layout: reference §8).
    """
    today = ctx.today
    prefix = f"__{tax_class if tax_class is not None else 2}{doc_code}{today.timetuple().tm_yday:03d}"
    count = ctx.db.scalar(_INPUT_COUNT, {"today": today, "prefix": prefix + "%"}) or 0
    flc = (ctx.idrs or "00")[:2]
    block, serial = divmod(int(count), 100)
    return f"{flc}{prefix[2:]}{900 + block % 100:03d}{serial:02d}{today.year % 10}"


def tax_class(ent: Entity, module: TaxModule | None) -> int:
    """DLN tax class: from the MFT table in codes.yaml (MFT 30 -> 2); entity input: IMF 2, BMF 1."""
    if module is not None:
        mfts = v.codes_table().get("mfts") or {}
        info = mfts.get(module.mft) or mfts.get(str(module.mft)) or {}
        if info.get("tax_class"):
            return int(info["tax_class"])
    return 1 if ent.file == "BMF" else 2


def new_pending(
    ctx: Context,
    ent: Entity,
    module: TaxModule | None,
    tc: int,
    *,
    ac: int | None = None,
    amount: Any = "0.00",
    trans_date: dt.date | None = None,
    secondary_date: dt.date | None = None,
    misc: str | None = None,
    post_delay: int = 0,
    doc_code: str = DOC_CODE_FRM77,
    extra: dict[str, Any] | None = None,
) -> Transaction:
    """Store terminal input the one way the posting run expects (docs/posting.md time model):
    pending, input today in the current cycle C by this employee, due in C + 1 + delay."""
    from decimal import Decimal

    txn = Transaction(
        entity_id=ent.id,
        module_id=module.id if module is not None else None,
        tc=tc,
        ac=ac,
        amount=Decimal(str(amount)),
        trans_date=trans_date or ctx.today,
        secondary_date=secondary_date,
        misc=misc or None,
        dln=input_dln(ctx, doc_code, tax_class(ent, module)),
        status=PENDING,
        input_date=ctx.today,
        input_cycle=ctx.cycle,
        due_cycle=due_cycle_for(ctx.cycle, post_delay, ent.file),
        post_delay=post_delay,
        input_idrs=ctx.idrs,
        extra=dict(extra or {}, source=doc_code_source(doc_code), input_at=ctx.now.isoformat(timespec="seconds")),
    )
    ctx.db.add(txn)
    ctx.db.flush()
    # Set by key, not through the relationships: assigning `entity=` / `module=` marks both
    # parents changed and the flush then works through them too (a third of the key).
    # Collections already loaded in this unit of work are given the new item as loaded.
    for parent in (ent, module):
        if parent is not None and "transactions" not in instance_state(parent).unloaded:
            set_committed_value(parent, "transactions", [*parent.transactions, txn])
    return txn


def doc_code_source(doc_code: str) -> str:
    return {DOC_CODE_FRM77: "FRM77", DOC_CODE_ADJ54: "ADJ54", DOC_CODE_ENTITY: "INCHG"}.get(doc_code, doc_code)
