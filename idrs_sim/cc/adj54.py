"""REQ54 / ADJ54: tax adjustments (TC 29X, penalty and interest adjustments).

REQ54 needs a prerequisite on the same module in this terminal -- a TIF research code
(TXMOD, UPDIS), ACTON, or an ADJ54 just input -- so that TIN, MFT, tax period and name
control are generated onto the ADJ54 screen (IRM 2.4.16).  IMFOL cannot precede it
(IRM 3.13.122): the master file is not the TIF.  The adjustment is pending until it posts;
POST-DELAY holds it back that many cycles (TC 290 .00 with an AC 850 or an address change:
post-delay 1, tpp-rules §6.1).

ADJ54 elements idrs-sim takes (docs/input-codes.md says why):

* ``TC>`` one of tables/input_values.yaml `adj54.transaction_codes` (290, 291, 160/161, ...);
* ``AMOUNT>`` dollars and cents, never negative (the TC gives the sign), ``.00`` allowed;
* ``POST-DELAY>`` 0-6 cycles;
* ``HOLD-CD>`` 0-4 (0 = none; xMend uses 0 and 4, IRM 25.25.6.5.5.2.3); 2-4 hold the
  overpayment once posted (-K; a TC 290 .00 with one leaves a RIVO hold in place:
  `rules.freezes.holds_overpayment`);
* ``RSN-CD>`` up to three 3-digit item reason codes, ``SOURCE-CD>`` one digit: both
  required when the amount is not zero (IMF TC 29X with money needs reason and source
  codes, Document 6209 §8A) -- a TC 290 .00 freeze release needs neither;
* ``BLK-SRS>`` two-digit blocking series (positions 9-10 of the DLN; default 90);
* ``IRS-RCVD-DT>`` MMDDYYYY for a claim (credit interest), not in the future;
* ``REMARKS>`` free text, kept on the transaction.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..commands import handles
from ..masterfile.models import Entity, TaxModule
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .display import tin_display
from .input_account import module_account
from .input_pending import DOC_CODE_ADJ54, new_pending
from .research import refuse

NO_PRIOR_RESEARCH = "TXMOD MUST PRECEDE REQ54"
NO_PRIOR_RESEARCH_ADJ54 = "TXMOD MUST PRECEDE ADJ54"
IMFOL_PRECEDES = "IMFOL CANNOT PRECEDE REQ54"
INVALID_TC = "INVALID TRANSACTION CODE FOR ADJ54"
AMOUNT_REQUIRED = "AMOUNT REQUIRED"
INVALID_AMOUNT = "INVALID AMOUNT"
INVALID_HOLD = "HOLD-CD MUST BE 0-4"
INVALID_RSN = "INVALID RSN-CD"
RSN_REQUIRED = "RSN-CD REQUIRED WITH AN AMOUNT"
INVALID_SOURCE = "INVALID SOURCE-CD"
SOURCE_REQUIRED = "SOURCE-CD REQUIRED WITH AN AMOUNT"
INVALID_BLOCK = "INVALID BLK-SRS"

_LABELS = ("TC", "AMOUNT", "POST-DELAY", "HOLD-CD", "RSN-CD", "SOURCE-CD", "BLK-SRS", "IRS-RCVD-DT", "REMARKS")


def _values(ctx: Context, ent: Entity, module: TaxModule, fields: dict[str, str], status: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "cmd": f"ADJ54 {ent.tin} {module.mft} {module.period} {ent.name_control}",
        "tinx": tin_display(ent),
        "name1": (ent.name_lines or [""])[0],
        "mft": module.mft,
        "period": module.period,
        "cycle": ctx.cycle,
        "status": status,
    }
    out.update(fields)
    return out


@handles("REQ54")
def req54(ctx: Context) -> Display | Refusal:
    """Return ADJ54 for the module researched last in this terminal (IRM 2.4.16)."""
    if (ctx.state.last_code or "").startswith("IMFOL"):
        return refuse(ctx, IMFOL_PRECEDES, "code")
    last = ctx.state.last_module
    cmd = ctx.cmd
    if cmd.tin:
        typed = (cmd.tin, cmd.mft, cmd.period)
        if last is None or tuple(last) != typed:
            return refuse(ctx, NO_PRIOR_RESEARCH, "tin")
    if last is None:
        return refuse(ctx, NO_PRIOR_RESEARCH, "code")
    cmd.tin, cmd.mft, cmd.period = last
    account = module_account(ctx)
    if isinstance(account, Refusal):
        return account
    ent, module = account
    ctx.outcome = f"REQ54 ADJ54 DISPLAYED {ent.tin} {module.mft} {module.period}"
    return Display("adj54", _values(ctx, ent, module, {label: "" for label in _LABELS}))


def _reason_codes(text: str) -> list[str] | None:
    """Up to three item reason codes, three digits each, blank or comma separated."""
    parts = [p for p in re.split(r"[ ,]+", text.strip()) if p]
    if len(parts) > 3 or not all(re.fullmatch(r"[0-9]{3}", p) and p != "000" for p in parts):
        return None
    return parts


@handles("ADJ54")
def adj54(ctx: Context) -> Display | Refusal:
    """Validate the adjustment and store it pending (REQUEST COMPLETED).  Keyed straight
    in, it needs the research REQ54 needs: TXMOD of this module last (not IMFOL), else the
    prerequisite REQ54 enforces was one line away (a sweep typed ADJ54 after IMFOLT)."""
    account = module_account(ctx)
    if isinstance(account, Refusal):
        return account
    ent, module = account
    if (ctx.state.last_code or "").startswith("IMFOL"):
        return refuse(ctx, IMFOL_PRECEDES, "code")
    last = ctx.state.last_module
    if last is None or tuple(last) != (ent.tin, module.mft, module.period):
        return refuse(ctx, NO_PRIOR_RESEARCH_ADJ54, "tin")
    typed = {label: ctx.value(label) for label in _LABELS}
    problems: list[v.Problem] = []

    tcs = v.adj54_tcs()
    tc = int(typed["TC"]) if re.fullmatch(r"[0-9]{3}", typed["TC"]) else None
    if tc not in tcs:
        problems.append(v.Problem("TC", INVALID_TC))

    amount = None
    if not typed["AMOUNT"]:
        problems.append(v.Problem("AMOUNT", AMOUNT_REQUIRED))
    else:
        amount = v.parse_amount(typed["AMOUNT"])
        if amount is None:
            problems.append(v.Problem("AMOUNT", INVALID_AMOUNT))

    delay, problem = v.check_post_delay(typed["POST-DELAY"])
    if problem:
        problems.append(problem)

    hold = typed["HOLD-CD"] or "0"
    if not re.fullmatch(r"[0-4]", hold):
        problems.append(v.Problem("HOLD-CD", INVALID_HOLD))

    money = amount is not None and amount != Decimal("0.00")
    reasons = _reason_codes(typed["RSN-CD"]) if typed["RSN-CD"] else []
    if reasons is None:
        problems.append(v.Problem("RSN-CD", INVALID_RSN))
    elif money and not reasons:
        problems.append(v.Problem("RSN-CD", RSN_REQUIRED))

    source = typed["SOURCE-CD"]
    if source and not re.fullmatch(r"[0-9]", source):
        problems.append(v.Problem("SOURCE-CD", INVALID_SOURCE))
    elif money and not source:
        problems.append(v.Problem("SOURCE-CD", SOURCE_REQUIRED))

    block = typed["BLK-SRS"] or "90"
    if not re.fullmatch(r"[0-9]{2}", block):
        problems.append(v.Problem("BLK-SRS", INVALID_BLOCK))

    received, problem = v.check_date("IRS-RCVD-DT", typed["IRS-RCVD-DT"], ctx.today)
    if problem:
        problems.append(problem)

    if problems:
        labels = list(dict.fromkeys(p.label for p in problems))
        ctx.outcome = f"{problems[0].message}: ADJ54 {ent.tin} {module.mft} {module.period}"
        return Refusal(problems[0].message, fields=labels)
    assert tc is not None and amount is not None

    extra: dict[str, Any] = {"hold_code": int(hold), "blocking_series": block}
    if reasons:
        extra["reason_codes"] = reasons
    if source:
        extra["source_code"] = source
    if received:
        extra["irs_received_date"] = received.isoformat()
    if typed["REMARKS"]:
        extra["remarks"] = typed["REMARKS"][:60]
    txn = new_pending(ctx, ent, module, tc, amount=amount, post_delay=delay, doc_code=DOC_CODE_ADJ54, extra=extra)
    if block != "90" and txn.dln:  # the blocking series the employee chose: DLN positions 9-10
        txn.dln = txn.dln[:8] + block + txn.dln[10:]
    ctx.state.last_module = (ent.tin, module.mft, module.period)
    ctx.outcome = f"ADJ54 TC {tc} {amount} {ent.tin} {module.mft} {module.period} PN {txn.due_cycle} HC {hold}"
    shown = dict(typed, **{"HOLD-CD": hold, "BLK-SRS": block})
    status = f"TC {tc} {amount:,.2f} INPUT - PENDING (PN), POSTS IN CYCLE {txn.due_cycle}"
    return Display("adj54", _values(ctx, ent, module, shown, status), message=REQUEST_COMPLETED)


__all__ = ["req54", "adj54", "NO_PRIOR_RESEARCH", "IMFOL_PRECEDES"]
