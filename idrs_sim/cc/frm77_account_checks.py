"""The account checks FRM77 runs for an action code, named in tables/misc_rules.yaml
(`checks:`): the things an action code's MISC, dates and the account must agree on that
the element checks (validate.py, rules/misc.py) cannot see without the account.

Each check takes the account and the typed elements and returns the `Problem` (field and
line-24 literal) or None; it may add to `extra` what the stored transaction must carry
(which TC 971 it reverses, the breach tracking number).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ..masterfile import derive
from ..masterfile.models import DELETED, PENDING, POSTED, Entity, TaxModule, Transaction, Unpostable
from ..posting import calendar as cal
from ..rules import breach, mft32, reversal, tpp, tpp_inputs, up126
from ..rules import misc as misc_rules
from . import validate as v
from .base import Context

DLN_NOT_ON_ACCOUNT = "DLN NOT ON THIS ACCOUNT"
DUPLICATE_AC111 = "TC 971 AC 111 ALREADY INPUT FOR THIS DLN"
NO_AC505 = "NO UNREVERSED TC 971 AC 505 ON THIS ENTITY"
AC505_AMBIGUOUS = breach.AC505_AMBIGUOUS


def no_marker_with_dln(ac: int) -> str:
    """The DLN (or its last six digits) a TC 972 names is on no unreversed TC 971 of `ac`."""
    return f"NO UNREVERSED TC 971 AC {ac:03d} WITH THIS DLN"


def no_marker_on_module(ac: int) -> str:
    """A TC 972 that names no DLN, with no unreversed TC 971 of `ac` on the module."""
    return f"NO UNREVERSED TC 971 AC {ac:03d} ON THIS MODULE"


def marker_ambiguous(ac: int) -> str:
    """A TC 972 that names no DLN, with open TC 971s of `ac` for more than one return
    (mirrors AC505_AMBIGUOUS)."""
    return f"MORE THAN ONE AC {ac:03d} - ENTER THE RETURN DLN IN MISC"


def _return_dlns(holder: Entity | TaxModule) -> set[str]:
    """DLNs of the returns of an account or of one module: posted/pending/unposted TC
    150/976/977 and GUF cases."""
    out = {derive.dln_digits(t.dln) for t in holder.transactions
           if t.tc in (150, 976, 977) and t.dln and t.status != DELETED}
    out |= {derive.dln_digits(u.dln) for u in holder.unpostables if u.dln}
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
    tax_year = mft32.tax_year_of(module.period) if module is not None and module.mft == "32" else None
    if tax_year is None:
        return None
    refusal = mft32.move_back_refusal(tax_year, cal.cycle_year(ctx.cycle))
    return v.Problem("TC971/151", refusal) if refusal else None


def _reverses_dln_marker(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                         secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """TC 972 AC 121/124/129 reverses only the marker of the return in question
    (IRM 25.25.6.5.1.1 (5): "the DLN in the MISC field of the TC 971 AC 124 matches the DLN
    of the return in question"; 25.25.6.5.1.2 (4): the AC 129 reversal carries "the last six
    digits of the return DLN").  The MISC names the return: the 14-digit DLN, or for AC 129
    its last six digits, which fit the DLN in the marker's MISC or -- for a marker whose
    MISC names no return (IVO EL IDT, FILTER X) -- a return of this module.  A MISC that
    names no DLN (blank AC 121 / 124) is taken only when the open markers are all for one
    return; several returns: the employee must enter the DLN.  The same rule at posting:
    `rules.reversal.pick_original`."""
    if module is None:
        return None
    markers = [t for t in module.transactions
               if t.tc == 971 and t.ac == ac and t.reversed_by_id is None and t.status in (POSTED, PENDING)]
    named = derive.misc_dln(misc) or misc_rules.reversal_dln(misc)
    originals = [reversal.Original(t.id, t.ac, t.misc, t.dln, (t.posting_cycle or "", t.id)) for t in markers]
    pick = reversal.pick_original(reversal.Reversal(0, ac, misc), originals, derive.marker_dln) if originals else None
    if pick is not None and named and not derive.misc_dln(pick.misc) and not any(
            misc_rules.dln_fits(named, d) for d in _return_dlns(module)):
        pick = None  # a marker that names no return: the DLN named must be a return of this module
    if pick is not None:
        extra["reverses"] = pick.key
        return None
    if named:
        return v.Problem("MISC", no_marker_with_dln(ac))
    if not markers:
        return v.Problem("TC971/151", no_marker_on_module(ac))
    return v.Problem("MISC", marker_ambiguous(ac))


def _ac129_literal_fits(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                        secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """The literal after the six digits of a TC 972 AC 129 fits the marker it reverses
    (IRM 25.25.6.5.1.2 (4): `_NONIDT052` only with an AC 052 of the return's DLN,
    `_NONIDTBKLD` only with BKLD in the marker's MISC, the 1040X forms only for a
    `... 1040X` marker; `rules.tpp_inputs.ac129_literal`).  Runs after
    `reverses_dln_marker`, which names the marker in `extra["reverses"]`."""
    if module is None or "reverses" not in extra:
        return None
    marker = next((t for t in module.transactions if t.id == extra["reverses"]), None)
    if marker is None:
        return None
    six = misc[:6]
    return_dln = derive.misc_dln(marker.misc) or next((d for d in sorted(_return_dlns(module)) if d.endswith(six)), None)
    ac052 = any(tpp.ac052_matches(t, return_dln) for t in module.transactions
                if t.tc == 971 and t.ac == 52 and t.status in (POSTED, PENDING))
    fits = [six + tpp_inputs.ac129_literal(marker.misc, taxpayer_filed=filed, ac052_match=ac052)
            for filed in (True, False)]
    if misc.strip().upper() in fits:
        return None
    return v.Problem("MISC", f"MISC MUST BE {fits[0]} OR {fits[1]} FOR THIS MARKER")


def _is_assistor(ctx: Context) -> bool:
    """The employee inputs on the assistors' paths (tables/misc_rules.yaml `assistor_roles`);
    an instructor is not held to them."""
    return bool(set(ctx.employee.roles or ()) & tpp_inputs.assistor_roles())


def _has_open_527(ent: Entity) -> bool:
    """An unreversed TC 971 AC 527 on ENMOD (posted or pending)."""
    return any(t.tc == 971 and t.ac == 527 and t.reversed_by_id is None and t.status in (POSTED, PENDING)
               for t in ent.entity_transactions)


def _joint_partners(ctx: Context, ent: Entity) -> list[Entity]:
    """The other spouses of this entity's joint (MFJ) returns: the `spouse_tin` of its own
    returns and unpostable returns, and the entities whose returns name it as spouse."""
    tins = {str((doc or {}).get("spouse_tin") or "") for doc in
            [t.document for t in ent.transactions] + [u.document for u in ent.unpostables]}
    for model in (Transaction, Unpostable):
        rows = ctx.db.execute(select(model.entity_id).where(model.document["spouse_tin"].as_string() == ent.tin))
        ids = {r[0] for r in rows if r[0] != ent.id}
        tins |= {e.tin for e in (ctx.db.get(Entity, i) for i in ids) if e is not None}
    tins.discard("")
    tins.discard(ent.tin)
    return [e for e in (ctx.entity(t) for t in sorted(tins)) if e is not None]


def _ac506_literal_fits(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                        secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """An assistor's TC 971 AC 506 ``WI AM OTHER`` / ``WI PRP OTHER1`` is the one the AC 527
    on ENMOD selects (IRM 25.25.6.6.3.1 (4) boxes 1-2 / 4-5; `rules.tpp_inputs`); on an MFJ
    spouse's account the joint partner's literal is taken ("on both accounts").  Other
    literals and other units' inputs are not this table's."""
    if not _is_assistor(ctx) or misc.strip().upper() not in tpp_inputs.AC506_VICTIM_LITERALS:
        return None
    has_527 = _has_open_527(ent)
    partners = () if misc.strip().upper() == tpp_inputs.ac506_victim_literal(has_527) else tuple(
        _has_open_527(p) for p in _joint_partners(ctx, ent))
    refusal = tpp_inputs.ac506_literal_refusal(misc, has_527, partners)
    return v.Problem("MISC", refusal) if refusal else None


def _batch_case(module: TaxModule | None, dln: str | None) -> Unpostable | None:
    """The UP 126 case of the return `dln` on the module when the IAT batch tool owns or
    owned it (`rules.up126.batch_owned`)."""
    if module is None or not dln:
        return None
    return next((u for u in module.unpostables
                 if u.upc == 126 and derive.dln_digits(u.dln) == dln and up126.batch_owned(u.assigned, u.resolved_by)),
                None)


def _batch_ac111(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                 secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """An assistor's TC 971 AC 111 on MFT 30 for a return whose UP 126 the IAT batch tool
    owns: refused while the case is open, and when it was closed URC 0 more than 7 days ago
    or the return has posted (IRM 25.25.6.5.4 (6) box 3; `rules.up126.batch_ac111_refusal`)."""
    if module is None or module.mft == "32" or not _is_assistor(ctx):
        return None
    dln = derive.dln_digits(misc)
    case = _batch_case(module, dln)
    if case is None:
        return None
    posted = any(t.tc == 150 and t.status == POSTED and derive.dln_digits(t.dln) == dln for t in module.transactions)
    refusal = up126.batch_ac111_refusal(status=case.status, urc=case.urc, closed_on=case.resolved_date or case.status_date,
                                        today=ctx.today, return_posted=posted)
    return v.Problem("TC971/151", refusal) if refusal else None


def _batch_reverses_ac124(ctx: Context, ent: Entity, module: TaxModule | None, tc: int, ac: int, misc: str,
                          secondary: dt.date | None, extra: dict[str, Any]) -> v.Problem | None:
    """No assistor TC 972 AC 124 for a return whose UP 126 is or was the IAT batch tool's:
    the batch inputs the reversal (IRM 25.25.6.5.4 (1) boxes 1-3).  Runs after
    `reverses_dln_marker`, which names the marker in `extra["reverses"]`."""
    if module is None or "reverses" not in extra or not _is_assistor(ctx):
        return None
    marker = next((t for t in module.transactions if t.id == extra["reverses"]), None)
    if marker is None or _batch_case(module, derive.marker_dln(marker.misc, marker.dln)) is None:
        return None
    return v.Problem("TC971/151", up126.BATCH_REVERSES_AC124)


#: The checks by the name misc_rules.yaml gives them.
ACCOUNT_CHECKS = {
    "dln_on_account": _dln_on_account,
    "once_per_dln_mft32": _once_per_dln_mft32,
    "reverses_ac505": _reverses_ac505,
    "one_ac505_per_breach": _one_ac505_per_breach,
    "systemic_move_back": _systemic_move_back,
    "reverses_dln_marker": _reverses_dln_marker,
    "ac129_literal_fits": _ac129_literal_fits,
    "ac506_literal_fits": _ac506_literal_fits,
    "batch_ac111": _batch_ac111,
    "batch_reverses_ac124": _batch_reverses_ac124,
}
