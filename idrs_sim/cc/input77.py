"""REQ77 / FRM77: input of TC 971 / TC 972 (non-monetary transactions with an action code).

REQ77 asks for the FRM77 input screen (IRM 2.4.19).  With TIN, MFT and tax period it is
for a module-level transaction; with the TIN alone for an entity-level action code
(AC 505, AC 527: CONTRACT §3).  REQ77 cannot be initiated when the entity is not
established -- a first-time filer gets no TC 971/972 at all, not even AC 850 or AC 506
(IRM 25.25.6.5.1.1; tpp-rules §9.1): the literal is ``ENTITY NOT ESTABLISHED``.

Enter on FRM77 validates every element (validate.py + commands/misc_rules.yaml +
commands/codes.yaml) and, when all are good, stores a *pending* transaction: it shows at
once as PN on TXMOD / ENMOD with the cycle it will post in, ``due_cycle_for(C, delay)``
(docs/posting.md).  Bad elements: one line-24 literal, ``*`` right of each bad field.

This module also holds the helpers the other input codes share (`new_pending`,
`input_dln`, `target_entity`), so every piece of terminal input is stored the same way.
"""

from __future__ import annotations

import calendar as _monthcal
import datetime as dt
import re
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from ..commands import handles
from ..digits import is_digits
from ..masterfile import derive
from ..masterfile.loading import ENTITY_BY_TIN, module_of
from ..masterfile.models import DELETED, PENDING, POSTED, Entity, TaxModule, Transaction
from ..posting import calendar as cal
from ..posting import due_cycle_for
from ..rules import breach, mft32
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .research import NOT_FOUND, refuse, tin_display

ENTITY_NOT_ESTABLISHED = "ENTITY NOT ESTABLISHED"
INVALID_TC = "INVALID TRANSACTION CODE"
INVALID_AC = "INVALID ACTION CODE"
AC_NOT_AUTHORIZED = "ACTION CODE NOT AUTHORIZED FOR THIS EMPLOYEE"
MODULE_REQUIRED = "TAX MODULE REQUIRED FOR THIS ACTION CODE"
NAME_CONTROL_MISMATCH = "NAME CONTROL MISMATCH"
DLN_NOT_ON_ACCOUNT = "DLN NOT ON THIS ACCOUNT"
DUPLICATE_AC111 = "TC 971 AC 111 ALREADY INPUT FOR THIS DLN"
NO_AC505 = "NO UNREVERSED TC 971 AC 505 ON THIS ENTITY"
AC505_AMBIGUOUS = breach.AC505_AMBIGUOUS
XREF_REQUIRED = "XRED-TIN AND XRED-TX-PRD REQUIRED"
INVALID_XREF_PERIOD = "INVALID XRED-TX-PRD"

#: Document codes of IDRS input DLNs: Form 3177 (FRM77) 77, adjustments (ADJ54) 54,
#: entity changes (INCHG) 63 (Document 6209 §4).  The AC 052 "77 in positions 4-5" of
#: IRM 25.25.6.1.7 is exactly such an FRM77 DLN.
DOC_CODE_FRM77 = "77"
DOC_CODE_ADJ54 = "54"
DOC_CODE_ENTITY = "63"

_FIELD_LABELS = ("TC", "TC971/151", "TRANS-DT", "SECONDARY-DT", "MISC", "POST-DELAY", "XRED-TIN", "XRED-TX-PRD",
                 "REMARKS")


# ---------------------------------------------------------------------------------
# helpers shared by the input codes


def target_entity(ctx: Context, *, need_established: bool = True) -> Entity | Refusal:
    """The entity of the typed TIN: RECORD NOT FOUND when unknown, ENTITY NOT ESTABLISHED
    for a first-time filer when the code needs an established entity."""
    tin = ctx.cmd.tin
    if not tin:
        return refuse(ctx, v.INVALID_TIN_LITERAL, "tin")
    ent = None
    for form in v.normalize_tin(tin) or [tin]:
        ent = ctx.db.scalar(ENTITY_BY_TIN, {"tin": form})
        if ent is not None:
            break
    if ent is None:
        return refuse(ctx, NOT_FOUND, "tin")
    ctx.cmd.tin = ent.tin
    if need_established and not ent.established:
        return refuse(ctx, ENTITY_NOT_ESTABLISHED, "tin")
    return ent


def target_module(ctx: Context, ent: Entity, *, required: bool) -> TaxModule | None | Refusal:
    """The typed MFT + period of `ent` (None when neither was typed and none is required)."""
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if mft is None and period is None:
        return refuse(ctx, "INVALID MFT", "mft") if required else None
    if mft is None:
        return refuse(ctx, "INVALID MFT", "mft")
    if period is None:
        return refuse(ctx, "INVALID TAX PERIOD", "period")
    module = module_of(ctx.db, ent, mft, period)
    if module is None:
        return refuse(ctx, NOT_FOUND, "period")
    return module



def target_account(ctx: Context, *, need_established: bool = False,
                   module_required: bool = False) -> tuple[Entity, TaxModule | None] | Refusal:
    """The typed TIN's entity and, when typed, its module: the first step of every input
    code that works on an account (AMS, LETER, TERUP...)."""
    ent = target_entity(ctx, need_established=need_established)
    if isinstance(ent, Refusal):
        return ent
    module = target_module(ctx, ent, required=module_required)
    if isinstance(module, Refusal):
        return module
    return ent, module

def module_account(ctx: Context, *, need_established: bool = True) -> tuple[Entity, TaxModule] | Refusal:
    """The typed TIN's entity and module, which the code cannot do without (ADJ54, FRM49, STAUP)."""
    ent = target_entity(ctx, need_established=need_established)
    if isinstance(ent, Refusal):
        return ent
    module = target_module(ctx, ent, required=True)
    if module is None:  # required=True answers a Refusal, never None
        return refuse(ctx, "INVALID MFT", "mft")
    if isinstance(module, Refusal):
        return module
    return ent, module


def check_name_control(ctx: Context, ent: Entity) -> Refusal | None:
    """A name control typed on line 1 (the input screens echo it) must be the entity's."""
    nc = ctx.cmd.name_control
    if nc and nc != (ent.name_control or "").upper():
        return refuse(ctx, NAME_CONTROL_MISMATCH, "name_control")
    return None


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
        due_cycle=due_cycle_for(ctx.cycle, post_delay),
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


def period_end(period: str) -> dt.date | None:
    """The last day of a tax period YYYYMM (TC 971 AC 506: SECONDARY-DT = the tax year)."""
    if not re.fullmatch(r"[0-9]{6}", period or ""):
        return None
    year, month = int(period[:4]), int(period[4:])
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, _monthcal.monthrange(year, month)[1])


def violation(refusal: Refusal) -> Refusal:
    """Mark a refusal as an authorisation violation for the audit record (the session reads it)."""
    refusal.violation = True  # type: ignore[attr-defined]
    return refusal


# ---------------------------------------------------------------------------------
# REQ77 / FRM77


def _target(ctx: Context) -> tuple[Entity, TaxModule | None] | Refusal:
    ent = target_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    module = target_module(ctx, ent, required=False)
    if isinstance(module, Refusal):
        return module
    return ent, module


def _screen(ctx: Context, ent: Entity, module: TaxModule | None, fields: dict[str, str],
            status: str = "") -> dict[str, Any]:
    parts = [ent.tin] + ([module.mft, module.period] if module else []) + [ent.name_control]
    values: dict[str, Any] = {
        "cmd": " ".join(["FRM77", *parts]),
        "name1": (ent.name_lines or [""])[0],
        "tinx": tin_display(ent),
        "level": f"MFT>{module.mft} TXPRD>{module.period}" if module else "ENTITY (NO MODULE)",
        "cycle": ctx.cycle,
        "status": status,
    }
    values.update(fields)
    return values


@handles("REQ77")
def req77(ctx: Context) -> Display | Refusal:
    """Return FRM77 with TIN, MFT, period and name control filled in (IRM 2.4.19)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, module = found
    fields = {label: "" for label in _FIELD_LABELS}
    fields["TRANS-DT"] = v.fmt_mmddyyyy(ctx.today)
    ctx.outcome = f"REQ77 FRM77 DISPLAYED {ent.tin}" + (f" {module.mft} {module.period}" if module else "")
    return Display("frm77", _screen(ctx, ent, module, fields))


@handles("FRM77")
def frm77(ctx: Context) -> Display | Refusal:
    """Validate the FRM77 elements and store the pending TC 971/972 (REQUEST COMPLETED)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, module = found
    bad_nc = check_name_control(ctx, ent)
    if bad_nc is not None:
        return bad_nc
    typed = {label: ctx.value(label) for label in _FIELD_LABELS}
    problems: list[v.Problem] = []

    # TC and action code first: everything else depends on the rule they select.
    tc_text, ac_text = typed["TC"], typed["TC971/151"]
    tc = int(tc_text) if re.fullmatch(r"[0-9]{3}", tc_text) else None
    if tc not in (971, 972):
        problems.append(v.Problem("TC", INVALID_TC))
    ac = int(ac_text) if re.fullmatch(r"[0-9]{1,3}", ac_text) else None
    rule = v.action_rule(tc, ac) if tc in (971, 972) and ac is not None else None
    if ac is None or (tc in (971, 972) and rule is None):
        problems.append(v.Problem("TC971/151", INVALID_AC))
    if problems or rule is None:
        return _refuse(ctx, problems)
    assert tc is not None and ac is not None

    if not v.has_role(ctx.employee.roles, rule.roles):
        ctx.outcome = f"{AC_NOT_AUTHORIZED}: TC {tc} AC {ac:03d} {ent.tin}"
        return violation(Refusal(AC_NOT_AUTHORIZED, fields=["TC971/151"]))

    # Where it posts: entity (AC 505, 506, 527...), module, or as the REQ77 was made.
    level = rule.level
    if level == "module" and module is None:
        problems.append(v.Problem("TC971/151", MODULE_REQUIRED))
    on_module = module if level in ("module", "either") else None

    misc = typed["MISC"].upper()
    problem = v.check_misc(rule, misc)
    if problem:
        problems.append(problem)

    trans_date, problem = v.check_date("TRANS-DT", typed["TRANS-DT"], ctx.today)
    if problem:
        problems.append(problem)
    trans_date = trans_date or ctx.today

    secondary, problem = v.check_date(
        "SECONDARY-DT", typed["SECONDARY-DT"], ctx.today,
        required=rule.secondary_dt == "required" or (rule.secondary_dt == "tax_year" and module is None),
        not_future=rule.secondary_dt != "tax_year")
    if problem:
        problems.append(problem)
    if rule.secondary_dt == "forbidden" and typed["SECONDARY-DT"]:
        problems.append(v.Problem("SECONDARY-DT", "SECONDARY-DT NOT ALLOWED FOR THIS ACTION CODE"))
    if secondary is None and rule.secondary_dt == "tax_year" and module is not None:
        secondary = period_end(module.period)

    delay, problem = v.check_post_delay(typed["POST-DELAY"])
    if problem:
        problems.append(problem)

    xref_tin, xref_period = typed["XRED-TIN"].upper(), typed["XRED-TX-PRD"]
    if rule.xref and not (xref_tin and xref_period):
        problems.append(v.Problem("XRED-TIN" if not xref_tin else "XRED-TX-PRD", XREF_REQUIRED))
    if xref_tin and xref_tin != "R" and not v.normalize_tin(xref_tin):
        problems.append(v.Problem("XRED-TIN", v.INVALID_TIN_LITERAL))
    if xref_period and period_end(xref_period) is None:
        problems.append(v.Problem("XRED-TX-PRD", INVALID_XREF_PERIOD))

    extra: dict[str, Any] = {}
    if not problems:
        for check in rule.checks:
            problem = _ACCOUNT_CHECKS[check](ctx, ent, module, tc, ac, misc, secondary, extra)
            if problem:
                problems.append(problem)
    if problems:
        return _refuse(ctx, problems)

    if module is not None and on_module is None:
        extra.update(input_mft=module.mft, input_period=module.period)
    if typed["REMARKS"]:
        extra["remarks"] = typed["REMARKS"][:60]
    if xref_tin:
        extra.update(xref_tin=xref_tin, xref_period=xref_period)
    txn = new_pending(ctx, ent, on_module, tc, ac=ac, trans_date=trans_date, secondary_date=secondary,
                      misc=misc, post_delay=delay, doc_code=DOC_CODE_FRM77, extra=extra)
    where = f"{on_module.mft} {on_module.period}" if on_module else "ENTITY"
    ctx.outcome = f"FRM77 TC {tc} AC {ac:03d} {ent.tin} {where} PN {txn.due_cycle}" + (f" MISC {misc}" if misc else "")
    status = (f"TC {tc} AC {ac:03d} INPUT - PENDING (PN) ON {'ENTITY' if on_module is None else 'MODULE'}, "
              f"POSTS IN CYCLE {txn.due_cycle}")
    shown = dict(typed)
    shown["TRANS-DT"] = v.fmt_mmddyyyy(trans_date)
    shown["SECONDARY-DT"] = v.fmt_mmddyyyy(secondary)
    return Display("frm77", _screen(ctx, ent, module, shown, status), message=REQUEST_COMPLETED)


def _refuse(ctx: Context, problems: list[v.Problem]) -> Refusal:
    """One literal (the first problem's) and a `*` at every bad field."""
    labels = list(dict.fromkeys(p.label for p in problems))
    ctx.outcome = f"{problems[0].message}: {ctx.cmd.head} {ctx.cmd.tin or ''}".strip()
    return Refusal(problems[0].message, fields=labels)


# ---------------------------------------------------------------------------------
# account checks named in commands/misc_rules.yaml


def _return_dlns(ent: Entity) -> set[str]:
    """DLNs of the returns on the account: posted/pending/unposted TC 150/976/977 and GUF cases."""
    out = {derive.dln_digits(t.dln) for t in ent.transactions
           if t.tc in (150, 976, 977) and t.dln and t.status != DELETED}
    out |= {derive.dln_digits(u.dln) for u in ent.unpostables if u.dln}
    return {d for d in out if len(d) == 14}


def _dln_on_account(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                    secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """TC 971 AC 111: the MISC is the DLN of a return on this account (IRM 25.25.6.7)."""
    if derive.dln_digits(misc) not in _return_dlns(ent):
        return v.Problem("MISC", DLN_NOT_ON_ACCOUNT)
    return None


def _once_per_dln_mft32(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                        secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """Only one TC 971 AC 111 with the same DLN may be input on MFT 32 (IRM 25.25.6.5.5.3)."""
    if module is None or module.mft != "32":
        return None
    dln = derive.dln_digits(misc)
    for t in module.transactions:
        if t.tc == 971 and t.ac == 111 and t.status != DELETED and derive.dln_digits(t.misc) == dln:
            return v.Problem("MISC", DUPLICATE_AC111)
    return None


def _open_ac505(ent: Entity) -> list[breach.Indicator]:
    """The entity's unreversed TC 971 AC 505s, posted or pending (`rules.breach`)."""
    return breach.open_indicators(ent.entity_transactions)


def _reverses_ac505(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                    secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """TC 972 AC 505 needs an unreversed TC 971 AC 505 to reverse; with several, the breach
    date (SECONDARY-DT) and/or the breach tracking number (typed in REMARKS: the MISC is
    the reason) name which (IRM 10.5.4.5.1.1 (7); rules.breach.pick_reversal)."""
    open_505 = _open_ac505(ent)
    if not open_505:
        return v.Problem("TC971/151", NO_AC505)
    number = breach.breach_number_in(ctx.value("REMARKS"))
    pick = breach.pick_reversal(open_505, secondary, number)
    if pick.key is None:
        label = "REMARKS" if number and pick.problem == breach.NO_MATCHING_AC505 and secondary is None else "SECONDARY-DT"
        return v.Problem(label, pick.problem or NO_AC505)
    extra["reverses"] = pick.key
    extra["reverses_misc"] = next(i.breach_number for i in open_505 if i.key == pick.key)
    if number:
        extra["breach_number"] = number
    return None


def _one_ac505_per_breach(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                          secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """One breach, one indicator: a breach tracking number already on the entity is
    refused (IRM 10.5.4.5.1.1 (6); rules.breach.duplicate_breach)."""
    if breach.duplicate_breach(breach.breach_number_in(misc), _open_ac505(ent)):
        return v.Problem("MISC", breach.DUPLICATE_BREACH)
    return None


def _systemic_move_back(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                        secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """TC 971 AC 111 on MFT 32 moves a return back only for the current and prior tax year;
    older ones are reprocessed manually with a Form 4442 to RIVO (IRM 25.25.6.5.5.3 (2)
    box 2, 25.25.6.2.2.1 (4) box 5 exception; rules.mft32.move_back_refusal)."""
    if module is None or module.mft != "32" or not is_digits(module.period[:4]):
        return None
    refusal = mft32.move_back_refusal(int(module.period[:4]), cal.cycle_year(ctx.cycle))
    return v.Problem("TC971/151", refusal) if refusal else None


def _reverses_dln_marker(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                         secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """TC 972 AC 124/121 with a DLN reverses only the marker carrying that DLN
    (IRM 25.25.6.1.7: "only reverse the AC 124 whose MISC DLN matches")."""
    if not misc or module is None:
        return None
    dln = derive.dln_digits(misc)
    for t in module.transactions:
        if (t.tc == 971 and t.ac == ac and t.reversed_by_id is None and t.status in (POSTED, PENDING)
                and derive.misc_dln(t.misc) == dln):
            extra["reverses"] = t.id
            return None
    return v.Problem("MISC", f"NO UNREVERSED TC 971 AC {ac:03d} WITH THIS DLN")


_ACCOUNT_CHECKS = {
    "dln_on_account": _dln_on_account,
    "once_per_dln_mft32": _once_per_dln_mft32,
    "reverses_ac505": _reverses_ac505,
    "one_ac505_per_breach": _one_ac505_per_breach,
    "systemic_move_back": _systemic_move_back,
    "reverses_dln_marker": _reverses_dln_marker,
}

__all__ = [
    "req77", "frm77", "new_pending", "input_dln", "target_entity", "target_module", "module_account", "check_name_control",
    "period_end", "violation", "ENTITY_NOT_ESTABLISHED", "DOC_CODE_FRM77", "DOC_CODE_ADJ54", "DOC_CODE_ENTITY",
]
