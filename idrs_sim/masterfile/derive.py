"""Derived account state: freezes, balance, module status, open TPP issues, pending items.

Nothing here is stored.  The design rule is "master file as the single source of
truth": a freeze, a balance or a status is recomputed from the transactions every time
it is asked for, so a posting, a reversal or a fixture edit can never leave a stale
flag behind.  The posting run (`idrs_sim.posting`) uses the same functions to decide
refund holds, so what TXMOD shows and what the run does cannot drift apart.

Conventions (documented in docs/posting.md):

* Amounts are stored as magnitudes; the sign comes from `TC_SIGN` (debits +, credits -).
  A credit stored with a minus sign is read the same way (we take `abs(amount)`).
* "Posting order" of two transactions is (posting_cycle, id): a TC 290 releases a
  marker only when it posted after it in that order.
* Only `posted` transactions make freezes and balances; `pending` ones show as PN/RS.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .models import PENDING, POSTED, UNPOSTABLE, Entity, TaxModule, Transaction, Unpostable

__all__ = [
    "TC_SIGN",
    "REVERSAL_OF",
    "Freeze",
    "TppIssue",
    "PendingItem",
    "signed_amount",
    "balance",
    "freeze_details",
    "freezes",
    "entity_freeze_details",
    "entity_freezes",
    "is_rivo_freeze",
    "refund_hold",
    "module_status",
    "open_tpp_issue",
    "pending_items",
    "dln_digits",
    "marker_has_tr",
    "is_tpp_hold_marker",
    "misc_dln",
    "ac052_matches",
    "unreversed",
    "posted",
    "order_key",
    "tc136_in_effect",
    "ZERO",
]

ZERO = Decimal("0.00")

# --- the TC sign table (data) ------------------------------------------------------
#: +1 = debit (assessment, money paid out), -1 = credit (payment, credit, abatement).
#: TCs not listed (971/972, 420, 570, 810, 520, 590, 976 ...) do not move the balance.
#: Source: Document 6209 §8A TC meanings as summarised in reference §5.1; where a TC
#: is not in the reference its usual debit/credit nature is used (marked "6209").
TC_SIGN: dict[int, int] = {
    # assessments (debits)
    150: +1,  # tax on the return
    160: +1, 166: +1, 170: +1, 176: +1, 180: +1, 186: +1,  # penalties (6209)
    196: +1, 336: +1,  # interest (6209)
    240: +1,  # miscellaneous penalty (6209)
    290: +1,  # additional tax assessed (.00 releases holds)
    298: +1, 300: +1, 308: +1,  # additional assessments (6209)
    # abatements (credits)
    161: -1, 167: -1, 171: -1, 177: -1, 181: -1, 187: -1, 197: -1, 241: -1, 337: -1,
    291: -1, 299: -1, 301: -1, 309: -1,
    # payments and credits
    610: -1,  # payment with return
    640: -1,  # advance payment (6209)
    650: -1,  # federal tax deposit
    660: -1,  # estimated tax payment (6209)
    670: -1,  # subsequent payment
    700: -1, 710: -1, 716: -1,  # credits applied / credit elect (6209)
    720: -1,  # refund repayment
    740: -1,  # undelivered refund check redeposited
    766: -1, 768: -1,  # refundable credits (6209)
    806: -1,  # withholding credit
    841: -1,  # cancelled refund check deposited
    # payment / credit reversals (debits)
    611: +1, 612: +1, 641: +1, 651: +1, 652: +1, 661: +1, 662: +1, 671: +1, 672: +1,
    701: +1, 721: +1, 722: +1, 767: +1, 807: +1,
    # money going out
    840: +1,  # manual refund
    846: +1,  # refund issued
}

#: Reversal transaction code -> the code it reverses.  TC 972 matches on the action
#: code as well (rules.match_tc972); the others reverse the latest unreversed original.
REVERSAL_OF: dict[int, int] = {972: 971, 137: 136, 421: 420, 521: 520, 571: 570, 811: 810}

_DIGITS = re.compile(r"\d")
_DLN_IN_TEXT = re.compile(r"\d[\d-]{13,}")


def dln_digits(text: str | None) -> str:
    """The digits of a DLN as typed (`29247-123-45678-4` -> `29247123456784`)."""
    return "".join(_DIGITS.findall(text or ""))


def marker_has_tr(misc: str | None) -> bool:
    """MISC of an AC 124/121 ending in `TR` (`<DLN>TR`, `DDB ARAP RULE TR`): no further action (R02)."""
    rest = re.sub(r"[\d-]", " ", (misc or "").upper()).split()
    return bool(rest) and rest[-1] == "TR"


def is_tpp_hold_marker(t: Transaction) -> bool:
    """An unreversed posted TC 971 AC 124/121 that holds the return with its MISC DLN (UP 126 RC 0).

    IRM 25.25.6.1.7: the AC 124 (old AC 121) carries the DLN of the return in question.
    Markers whose MISC ends in `TR` need no further action (R02) and hold nothing.
    """
    return (
        t.tc == 971 and t.ac in (121, 124) and t.status == POSTED and t.reversed_by_id is None
        and misc_dln(t.misc) is not None and not marker_has_tr(t.misc)
    )


def misc_dln(misc: str | None) -> str | None:
    """The 14-digit DLN at the start of a MISC field (`<DLN>`, `<DLN> TR`, `<DLN>BKLD`)."""
    if not misc:
        return None
    m = _DLN_IN_TEXT.match(misc.strip())
    if not m:
        return None
    digits = dln_digits(m.group(0))
    return digits[:14] if len(digits) >= 14 else None


def posted(txns: Iterable[Transaction]) -> list[Transaction]:
    return [t for t in txns if t.status == POSTED]


def unreversed(txns: Iterable[Transaction]) -> list[Transaction]:
    return [t for t in txns if t.status == POSTED and t.reversed_by_id is None]


def order_key(t: Transaction) -> tuple[str, int]:
    """Posting order: cycle first, then input order (id)."""
    return (t.posting_cycle or "", t.id or 0)


def _posted_after(later: Transaction, earlier: Transaction) -> bool:
    return order_key(later) > order_key(earlier)


def _closing_code(t: Transaction) -> int | None:
    """Closing code of TC 520/590/591: `ac` column, or `extra['cc']`."""
    if t.ac is not None:
        return t.ac
    cc = (t.extra or {}).get("cc")
    try:
        return int(cc) if cc is not None else None
    except (TypeError, ValueError):
        return None


# --- balance ---------------------------------------------------------------------------


def signed_amount(t: Transaction) -> Decimal:
    """The transaction's effect on the module balance (debit +, credit -)."""
    sign = TC_SIGN.get(t.tc, 0)
    if not sign:
        return ZERO
    return sign * abs(Decimal(t.amount or 0))


def balance(module: TaxModule) -> Decimal:
    """Module balance from posted transactions (positive = balance due, negative = credit)."""
    total = sum((signed_amount(t) for t in module.transactions if t.status == POSTED), ZERO)
    return Decimal(total).quantize(Decimal("0.01"))


# --- freezes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Freeze:
    """One freeze on a module or entity, with where it came from."""

    code: str  # as IDRS prints it: "-R", "P-", "-E", "-A", "E-", "-L", "-V", "-O"
    source: str  # e.g. "TC 971 AC 129"
    rivo: bool  # a RIVO freeze: TC 290 .00 releases it (tpp-rules §2.4, §9.11)
    holds_refund: bool
    irm: str
    txn_id: int | None = None


_HOLDING = True
_RIVO_MARKER_ACS = (129, 134)
_AMENDED_ACS = (10, 12, 13, 14, 15)  # TC 971 AC 010, 012-015 set -A (reference §5.2)
_A_RELEASE_ACS = (1, 2)  # TC 971 AC 001/002 release -A (reference §5.2, [I])
_E_MINUS_RELEASE_ACS = (2, 4)  # TC 971 AC 002/004 release E- (reference §5.2 / §6)
_BANKRUPTCY_CC = range(60, 68)  # TC 520 closing codes 60-67


def _released_by_290(marker: Transaction, txns: list[Transaction]) -> bool:
    """A posted TC 290 (the TPP release is TC 290 .00) after the marker releases it."""
    return any(t.tc == 290 and t.status == POSTED and _posted_after(t, marker) for t in txns)


def _released_by_money_adjustment(marker: Transaction, txns: list[Transaction]) -> bool:
    """A later posted TC 290/291 with a non-zero amount (an adjustment, not the .00 release)."""
    return any(
        t.tc in (290, 291) and t.status == POSTED and Decimal(t.amount or 0) != 0 and _posted_after(t, marker)
        for t in txns
    )


def _rivo_marker_holds(marker: Transaction, txns: list[Transaction]) -> bool:
    """Whether a posted TC 971 AC 129/134 still makes its RIVO -R (or P-).

    Unreversed: yes.  Reversed: the TC 972 AC 129 only reports the outcome to RIVO
    (IRM 25.25.6.5.1.2(3)-(4)); it does not release a refund already held --
    25.25.6.5.1.2.2(4) and .2.3(4) box 1 input it and say "DO NOT RELEASE THE REFUND", the
    release is the TC 290 .00.  So a reversed marker keeps holding when a return had posted
    before the reversal; a return that posts after it (the UP 147 of 25.25.6.5.1.2.5, whose
    AC 129 was reversed before Submission Processing released it) is not held.
    """
    if marker.reversed_by_id is None:
        return True
    reversal = next((t for t in txns if t.id == marker.reversed_by_id), None)
    if reversal is None or reversal.status != POSTED:
        return True
    return any(t.tc == 150 and t.status == POSTED and not _posted_after(t, reversal) for t in txns)


def freeze_details(module: TaxModule, today: dt.date | None = None) -> list[Freeze]:
    """Module freezes, each with its source (see docs/posting.md, "Freezes").

    `today` is accepted for symmetry with `entity_freeze_details` (module freezes
    modelled here do not expire by date).
    """
    txns = list(module.transactions)
    live = unreversed(txns)
    out: list[Freeze] = []
    has_150 = any(t.tc == 150 for t in live)
    rivo_markers = [t for t in posted(txns) if t.tc == 971 and t.ac in _RIVO_MARKER_ACS
                    and _rivo_marker_holds(t, txns)]
    has_129 = any(t.ac == 129 for t in rivo_markers)

    # -R / P- (RIVO): TC 971 AC 129 or AC 134 until a later TC 290 (.00) posts.
    # IRM 25.25.6.1.7 (AC 129 holds the refund by -R or P-), 25.25.6.5.1.2.1 (TC 290 .00).
    # A reversed marker still holds the refund of a return posted before its reversal
    # (see _rivo_marker_holds): only the TC 290 .00 releases it.
    for t in rivo_markers:
        if not _released_by_290(t, txns):
            code = (t.extra or {}).get("freeze") if t.ac == 129 else None
            code = code if code in ("-R", "P-") else "-R"
            out.append(Freeze(code, f"TC 971 AC {t.ac:03d}", True, _HOLDING, "IRM 25.25.6.1.7", t.id))
    # P- from a returned refund (TC 720 / TC 841): RIVO when an AC 129 is on the module
    # (External Leads, IRM 25.25.6.1.7), else a non-RIVO P- that TC 290 .00 does not release.
    for t in live:
        if t.tc in (720, 841):
            if has_129:
                if not _released_by_290(t, txns):
                    out.append(Freeze("P-", f"TC {t.tc}", True, _HOLDING, "IRM 25.25.6.1.7", t.id))
            else:
                out.append(Freeze("P-", f"TC {t.tc}", False, _HOLDING, "IRM 21.5.6.4.31.1", t.id))
    # -R non-RIVO: TC 570 until reversed by TC 571 (reference §5.1).
    for t in live:
        if t.tc == 570:
            out.append(Freeze("-R", "TC 570", False, _HOLDING, "IRM 21.5.6.4.35", t.id))
    # -E: TC 810 with responsibility code 4 (IRM 25.25.6.3.1.1); other TC 810: -R non-RIVO.
    for t in live:
        if t.tc == 810:
            rc = str((t.extra or {}).get("rc", (t.extra or {}).get("responsibility_code", "")))
            if rc == "4":
                out.append(Freeze("-E", "TC 810 RC 4", False, _HOLDING, "IRM 25.25.6.3.1.1", t.id))
            else:
                out.append(Freeze("-R", "TC 810", False, _HOLDING, "IRM 21.5.6.4.35", t.id))
    # -R from URC 6 CCC 1 (return posted with its refund frozen, IRM 25.25.6.2.2.1.1):
    # non-RIVO; released by the later money adjustment of the 1040X or by TC 571.
    for t in live:
        if t.tc == 150 and str((t.extra or {}).get("ccc", "")) == "1":
            if not _released_by_money_adjustment(t, txns) and not any(
                x.tc == 571 and x.status == POSTED and _posted_after(x, t) for x in txns
            ):
                out.append(Freeze("-R", "CCC 1", False, _HOLDING, "IRM 25.25.6.2.2.1.1", t.id))
    if module.mft != "32":  # MFT 32 is the IDT holding module: its TC 976 freezes nothing
        # -A: TC 976/977 on a module with a TC 150, or TC 971 AC 010/012-015 (reference §6).
        for t in live:
            amended = (t.tc in (976, 977) and has_150) or (t.tc == 971 and t.ac in _AMENDED_ACS)
            if amended and not _released_by_money_adjustment(t, txns) and not any(
                x.tc == 971 and x.ac in _A_RELEASE_ACS and x.status == POSTED and _posted_after(x, t)
                for x in txns
            ):
                out.append(Freeze("-A", f"TC {t.tc}" + (f" AC {t.ac:03d}" if t.tc == 971 else ""),
                                  False, _HOLDING, "IRM 21.5.6.4.2", t.id))
                break
        # E-: TC 976 on a module with no TC 150, until TC 971 AC 004/002 (reference §6).
        if not has_150:
            for t in live:
                if t.tc == 976 and not any(
                    x.tc == 971 and x.ac in _E_MINUS_RELEASE_ACS and x.status == POSTED and _posted_after(x, t)
                    for x in txns
                ):
                    out.append(Freeze("E-", "TC 976", False, _HOLDING, "IRM 21.2.4", t.id))
                    break
    # -L: open examination, TC 420 until TC 421 (reference §6).
    for t in live:
        if t.tc == 420:
            out.append(Freeze("-L", "TC 420", False, _HOLDING, "IRM 21.5.6", t.id))
            break
    # -V: bankruptcy, TC 520 closing code 60-67 until TC 521 (IRM 5.7.1.9: status 72).
    for t in live:
        if t.tc == 520 and _closing_code(t) in _BANKRUPTCY_CC:
            out.append(Freeze("-V", f"TC 520 CC {_closing_code(t)}", False, _HOLDING, "IRM 5.7.1.9", t.id))
            break
    return out


def freezes(module: TaxModule, today: dt.date | None = None) -> list[str]:
    """Freeze codes on a module, without duplicates, in display order."""
    seen: list[str] = []
    for f in freeze_details(module, today):
        if f.code not in seen:
            seen.append(f.code)
    return seen


def entity_freeze_details(entity: Entity, today: dt.date | None = None) -> list[Freeze]:
    """Entity freezes (ENMOD): -V bankruptcy, -O disaster (IRM 25.25.6.1.7.2)."""
    out: list[Freeze] = []
    live = unreversed(entity.entity_transactions)
    for t in live:
        if t.tc == 520 and _closing_code(t) in _BANKRUPTCY_CC:
            out.append(Freeze("-V", f"TC 520 CC {_closing_code(t)}", False, _HOLDING, "IRM 5.7.1.9", t.id))
            break
    for t in live:
        # Disaster indicator: active until its relief end date (secondary date); no refund hold.
        if t.tc == 971 and t.ac in (87, 688) and (today is None or t.secondary_date is None or t.secondary_date >= today):
            out.append(Freeze("-O", f"TC 971 AC {t.ac:03d}", False, False, "IRM 25.25.6.1.7.2", t.id))
            break
    return out


def entity_freezes(entity: Entity, today: dt.date | None = None) -> list[str]:
    seen: list[str] = []
    for f in entity_freeze_details(entity, today):
        if f.code not in seen:
            seen.append(f.code)
    return seen


def is_rivo_freeze(module: TaxModule, code: str) -> bool:
    """True if `code` is on the module and comes from RIVO (TC 290 .00 releases it).

    Non-RIVO freezes (-A, -E, -L, non-RIVO -R/P-...) stay after a TC 290 .00
    (tpp-rules §2.4, §9.11; IRM 25.25.6.5.1.2.1 box 2).
    """
    return any(f.code == code and f.rivo for f in freeze_details(module))


def refund_hold(module: TaxModule, today: dt.date | None = None) -> str | None:
    """The freeze that holds this module's refund (module first, then entity), or None."""
    for f in freeze_details(module, today):
        if f.holds_refund:
            return f.code
    for f in entity_freeze_details(module.entity, today):
        if f.holds_refund:
            return f.code
    return None


def tc136_in_effect(entity: Entity, module: TaxModule | None = None) -> bool:
    """A posted TC 136 not reversed by TC 137 (entity level, or on `module`) stops FTD alerts."""
    txns = list(entity.entity_transactions) + (list(module.transactions) if module is not None else [])
    return any(t.tc == 136 for t in unreversed(txns))


# --- module status ------------------------------------------------------------------------


def module_status(module: TaxModule) -> str:
    """The stored status if a scenario set one, else a status derived from the postings.

    Derived (a simplification of the Document 6209 status codes, see docs/posting.md):
    72 bankruptcy (unreversed TC 520 CC 60-67 on module or entity); 02 no return posted;
    21 balance due after the return (first notice); 12 settled (zero balance after money
    moved: payment, credit or refund); 10 return posted, credit or even balance.
    """
    if module.status:
        return module.status
    live = unreversed(module.transactions) + unreversed(module.entity.entity_transactions if module.entity else [])
    if any(t.tc == 520 and _closing_code(t) in _BANKRUPTCY_CC for t in live):
        return "72"
    returns = (150, 976) if module.mft == "32" else (150,)
    if not any(t.tc in returns and t.module_id == module.id for t in live):
        return "02"
    bal = balance(module)
    if bal > 0:
        return "21"
    if bal == 0 and any(TC_SIGN.get(t.tc, 0) and t.tc != 150 for t in posted(module.transactions)):
        return "12"
    return "10"


# --- AC 052 matching ---------------------------------------------------------------------


def _dln_without_doc_code(digits: str) -> str:
    return digits[:3] + digits[5:] if len(digits) == 14 else digits


def ac052_matches(marker: Transaction, return_dln: str | None) -> bool:
    """Does this TC 971 AC 052 belong to the return with `return_dln`?

    IRM 25.25.6.5.1.2 (as printed): the AC 052's DLN "matches the DLN of the taxpayer's
    return", and its 4th-5th digits are always 77.  We compare the DLNs without the
    document code (digits 4-5); a DLN in MISC also matches; an AC 052 with no DLN at all
    matches any return on its module; MISC `RRPIDT` is treated as no AC 052.
    """
    if (marker.misc or "").strip().upper() == "RRPIDT":
        return False
    ret = dln_digits(return_dln)
    mine = dln_digits(marker.dln)
    in_misc = misc_dln(marker.misc)
    if not mine and not in_misc:
        return True
    if in_misc and in_misc == ret:
        return True
    return bool(mine) and _dln_without_doc_code(mine) == _dln_without_doc_code(ret)


# --- open TPP issue -----------------------------------------------------------------------


@dataclass(frozen=True)
class TppIssue:
    """An unresolved TPP issue on one module (tpp-rules §2.1, R01-R05)."""

    mft: str
    period: str
    kind: str  # UP126 | AC129-HELD | AC129-UP147 | AC129-1040X
    dln: str | None
    detail: str


_NOT_TPP_129 = ("FILTER X", "FILTER V")


def _open_cases(module: TaxModule, upc: int) -> list[Unpostable]:
    return [u for u in module.unpostables if u.upc == upc and u.status == "open"]


def open_tpp_issue(entity: Entity) -> list[TppIssue]:
    """Every unresolved TPP issue on the entity; empty list = none (IRM 25.25.6.1.7).

    * an open UP 126 RC 0 -- with or without an unreversed TC 971 AC 124/121 carrying its
      DLN (first-time filers may have no marker);
    * an unreversed TC 971 AC 129 (not `FILTER X`/`FILTER V`) while a RIVO -R/P- holds
      the refund, or while the return is UP 147, or carrying a `... 1040X` marker.
    An unreversed AC 124 whose return has posted (no open UP) is *not* an issue (R01);
    an AC 124 with `TR` in MISC needs no action (R02).  AMS "authentication done" (R04)
    is not modelled here.
    """
    issues: list[TppIssue] = []
    for m in entity.modules:
        live = unreversed(m.transactions)
        markers = {misc_dln(t.misc): t for t in live if is_tpp_hold_marker(t)}
        for case in _open_cases(m, 126):
            if case.reason != 0:
                continue
            marker = markers.get(dln_digits(case.dln))
            detail = f"UP 126 RC 0 ({f'TC 971 AC {marker.ac:03d}' if marker and marker.ac is not None else 'no marker'})"
            issues.append(TppIssue(m.mft, m.period, "UP126", case.dln, detail))
        for t in live:
            if t.tc != 971 or t.ac != 129:
                continue
            misc = (t.misc or "").upper()
            if any(x in misc for x in _NOT_TPP_129):
                continue
            if misc.endswith("1040X"):
                issues.append(TppIssue(m.mft, m.period, "AC129-1040X", misc_dln(t.misc), "1040X marker"))
                continue
            if _open_cases(m, 147):
                issues.append(TppIssue(m.mft, m.period, "AC129-UP147", misc_dln(t.misc), "return UP 147"))
                continue
            held = [f for f in freeze_details(m) if f.rivo and f.code in ("-R", "P-")]
            if held and balance(m) < 0:
                issues.append(TppIssue(m.mft, m.period, "AC129-HELD", misc_dln(t.misc), f"refund held {held[0].code}"))
    return issues


# --- pending items (TXMOD) ----------------------------------------------------------------


@dataclass(frozen=True)
class PendingItem:
    """A line of TXMOD's pending section."""

    code: str  # PN pending, RS resequenced, UP unpostable ("U126 0")
    tc: int
    ac: int | None
    amount: Decimal
    cycle: str | None  # due cycle (PN/RS) or the cycle it went unpostable (UP)
    upc: int | None
    reason: int | None
    txn_id: int

    @property
    def label(self) -> str:
        return f"U{self.upc} {self.reason}" if self.code == "UP" else self.code


def pending_items(obj: TaxModule | Entity) -> list[PendingItem]:
    """Pending, resequenced and unposted items of a module (or of the entity itself)."""
    if isinstance(obj, Entity):
        txns = obj.entity_transactions
        cases = [u for u in obj.unpostables if u.module_id is None]
    else:
        txns = list(obj.transactions)
        cases = list(obj.unpostables)
    by_txn = {u.txn_id: u for u in cases if not u.released}
    out: list[PendingItem] = []
    for t in txns:
        amount = Decimal(t.amount or 0)
        if t.status == PENDING:
            code = "RS" if (t.extra or {}).get("resequenced_052") else "PN"
            out.append(PendingItem(code, t.tc, t.ac, amount, t.due_cycle, None, None, t.id))
        elif t.status == UNPOSTABLE and t.id in by_txn:
            u = by_txn[t.id]
            out.append(PendingItem("UP", t.tc, t.ac, amount, u.original_cycle, u.upc, u.reason, t.id))
    return out
