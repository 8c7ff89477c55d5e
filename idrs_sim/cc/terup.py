"""TERUP: delete ("tear up") your own input of today before it becomes final.

IRM 25.25.6.5.5.1: the TC 971 AC 111 and TC 971 AC 506 input when a return was wrongly
deemed identity theft "can only be torn up by the action employee the day of input";
after that the lead rejects them in quality review.  idrs-sim time model: today's input
becomes final when the simulated clock passes midnight (End-of-Day), so TERUP lists only
pending transactions this employee input *today*; older pending input is refused with
``INPUT IS FINAL - TERUP ONLY ON THE DAY OF INPUT``.

``TERUP TIN`` (every item of the TIN) or ``TERUP TIN MFT PERIOD`` (that module plus the
entity items) lists them numbered; ``SEL>n`` (on the screen or line 1) deletes item n:
the transaction becomes `deleted` and never posts.  Any of the input codes' items can be
torn up: FRM77, ADJ54, INCHG.
"""

from __future__ import annotations

import re
from typing import Any

from ..commands import handles
from ..masterfile.models import DELETED, PENDING, Entity, TaxModule, Transaction
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .display import ac3, money, tin_display
from .input_account import target_account
from .research import mark, refuse

NOTHING_TODAY = "NO INPUT OF TODAY TO DELETE"
FINAL = "INPUT IS FINAL - TERUP ONLY ON THE DAY OF INPUT"
INVALID_SELECTION = "INVALID SELECTION"

HEADER = "NO  TC  AC          AMOUNT MISC                 MFT PERIOD POSTS  INPUT TIME"


def _mine(ent: Entity, module: TaxModule | None, idrs: str) -> list[Transaction]:
    """This employee's pending input on the entity (and the module, when one was typed)."""
    out = [t for t in ent.transactions
           if t.status == PENDING and t.input_idrs == idrs and t.input_date is not None
           and (module is None or t.module_id in (None, module.id))]
    return sorted(out, key=lambda t: t.id)


def _line(n: int, t: Transaction) -> str:
    where = f"{t.module.mft:<3} {t.module.period}" if t.module else "ENTITY    "
    src = (t.extra or {}).get("source", "")
    at = str((t.extra or {}).get("input_at", ""))[11:16]
    return (f"{n:<3} {t.tc:<3} {ac3(t.ac):<3} {money(t.amount):>14} {(t.misc or '')[:20]:<20} "
            f"{where} {t.due_cycle or '':<6} {src:<5} {at}")[:79]


def _values(ctx: Context, ent: Entity, module: TaxModule | None, status: str = "") -> dict[str, Any]:
    parts = [ent.tin] + ([module.mft, module.period] if module else [])
    return {
        "cmd": " ".join(["TERUP", *parts]),
        "tinx": tin_display(ent),
        "name1": (ent.name_lines or [""])[0],
        "date": ctx.today.strftime("%m/%d/%Y"),
        "SEL": "",
        "status": status,
        "header": HEADER,
    }


@handles("TERUP")
def terup(ctx: Context) -> Display | Refusal:
    """List today's own pending input; SEL>n deletes item n (same day only)."""
    account = target_account(ctx)
    if isinstance(account, Refusal):
        return account
    ent, module = account
    pending = _mine(ent, module, ctx.idrs)
    today = [t for t in pending if t.input_date == ctx.today]
    if not today:
        literal = FINAL if pending else NOTHING_TODAY
        return refuse(ctx, literal, "period" if module else "tin")
    sel = ctx.value("SEL")
    if not sel:
        if "SEL" in ctx.screen_values:
            ctx.outcome = f"{INVALID_SELECTION}: TERUP {ent.tin}"
            return Refusal(INVALID_SELECTION, fields=["SEL"])
        ctx.outcome = f"TERUP LISTED {len(today)} ITEMS {ent.tin}"
        return Display("terup", _values(ctx, ent, module), [_line(n, t) for n, t in enumerate(today, 1)])
    if not re.fullmatch(r"[0-9]{1,3}", sel) or not 1 <= int(sel) <= len(today):
        ctx.outcome = f"{INVALID_SELECTION}: TERUP {ent.tin} SEL {sel}"
        if "SEL" in ctx.screen_values:
            return Refusal(INVALID_SELECTION, fields=["SEL"])
        return Refusal(INVALID_SELECTION, marks=[mark(ctx, "SEL>", fallback="end")])
    txn = today[int(sel) - 1]
    txn.status = DELETED
    txn.extra = dict(txn.extra or {}, torn_up_by=ctx.idrs, torn_up_at=ctx.now.isoformat(timespec="seconds"))
    what = f"TC {txn.tc}" + (f" AC {txn.ac:03d}" if txn.ac is not None else "") + (f" {txn.misc}" if txn.misc else "")
    ctx.outcome = f"TERUP {ent.tin} DELETED {what}"[:80]
    left = [t for t in today if t.id != txn.id]
    return Display("terup", _values(ctx, ent, module, f"DELETED: {what}"),
                   [_line(n, t) for n, t in enumerate(left, 1)] or ["NO MORE INPUT OF TODAY"],
                   message=REQUEST_COMPLETED)


__all__ = ["terup", "NOTHING_TODAY", "FINAL"]
