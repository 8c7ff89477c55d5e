"""Freezes: which transactions set a module or entity freeze, what releases it, and
whether it holds the refund (Document 6209 §8 freeze codes, IRM 21.5.6, IRM 25.25.6.1.7).

Stated once over the account protocol (`idrs_sim.rules.account`): TXMOD, ENMOD, the
posting run's refund hold, the TPP advice and grading all call these functions.  The
posting run's SQL pre-filter reads `FREEZE_TCS` / `FREEZE_ACS` from here, so a freeze added
below is a freeze the refund run looks for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from . import tables
from .account import PENDING, POSTED, Txn, posted, posted_after, unreversed

__all__ = [
    "AMENDED_ACS",
    "ADJUSTMENT_TCS",
    "A_RELEASE_ACS",
    "BANKRUPTCY_CC",
    "DISASTER_FREEZE",
    "E_MINUS_RELEASE_ACS",
    "FREEZE_ACS",
    "FREEZE_TCS",
    "RIVO_MARKER_ACS",
    "Freeze",
    "closing_code",
    "codes_of",
    "entity_freezes",
    "holds_overpayment",
    "in_bankruptcy",
    "module_freezes",
    "refund_hold",
    "tc136_in_effect",
]


@dataclass(frozen=True)
class Freeze:
    """One freeze on a module or entity, with where it came from."""

    code: str  # as IDRS prints it: "-R", "P-", "-K", "-E", "-A", "E-", "-L", "-V", "-O", "-S"
    source: str  # e.g. "TC 971 AC 129"
    rivo: bool  # a RIVO freeze: TC 290 .00 releases it (tpp-rules §2.4, §9.11)
    holds_refund: bool
    irm: str
    txn_id: Any = None


_HOLDING = True
RIVO_MARKER_ACS = (129, 134)
AMENDED_ACS = (10, 12, 13, 14, 15)  # TC 971 AC 010, 012-015 set -A (reference §5.2)
A_RELEASE_ACS = (1, 2)  # TC 971 AC 001/002 release -A (reference §5.2, [I])
E_MINUS_RELEASE_ACS = (2, 4)  # TC 971 AC 002/004 release E- (reference §5.2 / §6)
BANKRUPTCY_CC = range(60, 68)  # TC 520 closing codes 60-67
#: Disaster indicators on the entity and the freeze each sets, until the relief end date in
#: the secondary date: AC 087 -O, AC 688 -S (IRM 25.25.6.1.7.2.3, seed 004: "TC 971 AC 087 or
#: TC 971 AC 688 ... The account will contain a -O freeze or a -S freeze").
DISASTER_FREEZE = {87: "-O", 688: "-S"}
#: ADJ54 tax adjustments that carry a hold code (TC 29X); one with a hold code that holds
#: the overpayment sets -K (tables/input_values.yaml `adj54.overpayment_hold_codes`).
ADJUSTMENT_TCS = (290, 291, 294, 295, 298, 299)
#: Transactions that can make a module freeze (the refund run's pre-filter; a TC 150 with a
#: CCC is the other case, and the entity's TC 520).
FREEZE_TCS = (570, 810, 420, 520, 720, 841, 976, 977) + ADJUSTMENT_TCS
FREEZE_ACS = RIVO_MARKER_ACS + AMENDED_ACS


def closing_code(t: Txn) -> int | None:
    """Closing code of TC 520/590/591: `ac` column, or `extra['cc']`."""
    if t.ac is not None:
        return t.ac
    cc = (t.extra or {}).get("cc")
    try:
        return int(cc) if cc is not None else None
    except (TypeError, ValueError):
        return None


@cache
def _overpayment_hold_codes() -> frozenset[int]:
    """ADJ54 hold codes that hold the overpayment (tables/input_values.yaml)."""
    adj54 = tables.input_values().get("adj54") or {}
    return frozenset(int(c) for c in adj54.get("overpayment_hold_codes") or ())


def holds_overpayment(t: Txn) -> bool:
    """A TC 29X input with a hold code that holds the overpayment (2, 3, 4): it sets -K and,
    as xMend's hold code "4" (IRM 25.25.6.5.5.2.3 box 1, income not verified), does not
    release a RIVO hold."""
    if t.tc not in ADJUSTMENT_TCS:
        return False
    try:
        code = int((t.extra or {}).get("hold_code") or 0)
    except (TypeError, ValueError):
        return False
    return code in _overpayment_hold_codes()


def _released_by_290(marker: Txn, txns: Sequence[Txn]) -> bool:
    """A posted TC 290 (the TPP release is TC 290 .00) after the marker releases it -- unless
    its hold code holds the overpayment (xMend hold code "4" leaves the refund held,
    hold code "0" releases it: IRM 25.25.6.5.5.2.3)."""
    return any(t.tc == 290 and t.status == POSTED and posted_after(t, marker) and not holds_overpayment(t)
               for t in txns)


def _k_freeze_released(hold: Txn, txns: Sequence[Txn]) -> bool:
    """A later posted TC 29X without an overpayment hold code releases -K [I]."""
    return any(t.tc in ADJUSTMENT_TCS and t.status == POSTED and posted_after(t, hold) and not holds_overpayment(t)
               for t in txns)


def _released_by_money_adjustment(marker: Txn, txns: Sequence[Txn]) -> bool:
    """A later posted TC 290/291 with a non-zero amount (an adjustment, not the .00 release)."""
    return any(
        t.tc in (290, 291) and t.status == POSTED and Decimal(t.amount or 0) != 0 and posted_after(t, marker)
        for t in txns
    )


def _rivo_marker_holds(marker: Txn, txns: Sequence[Txn]) -> bool:
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
    return any(t.tc == 150 and t.status == POSTED and not posted_after(t, reversal) for t in txns)


def _released_by_971(t: Txn, txns: Sequence[Txn], acs: tuple[int, ...]) -> bool:
    return any(x.tc == 971 and x.ac in acs and x.status == POSTED and posted_after(x, t) for x in txns)


def module_freezes(txns: Iterable[Txn], mft: str) -> list[Freeze]:
    """Module freezes, each with its source (docs/posting.md, "Freezes")."""
    txns = list(txns)
    live = unreversed(txns)
    out: list[Freeze] = []
    has_150 = any(t.tc == 150 for t in live)
    rivo_markers = [t for t in posted(txns) if t.tc == 971 and t.ac in RIVO_MARKER_ACS
                    and _rivo_marker_holds(t, txns)]
    has_129 = any(t.ac == 129 for t in rivo_markers)

    # -R / P- (RIVO): TC 971 AC 129 or AC 134 until a later TC 290 (.00) posts.
    # IRM 25.25.6.1.7 (AC 129 holds the refund by -R or P-), 25.25.6.5.1.2.1 (TC 290 .00).
    for t in rivo_markers:
        if not _released_by_290(t, txns):
            code = (t.extra or {}).get("freeze") if t.ac == 129 else None
            code = code if code in ("-R", "P-") else "-R"
            out.append(Freeze(code, f"TC 971 AC {t.ac:03d}", True, _HOLDING, "IRM 25.25.6.1.7", t.id))
    # -K: a posted TC 29X with hold code 2, 3 or 4 holds the overpayment until a later TC 29X
    # with hold code 0 / 1 posts (tables/input_values.yaml `adj54.overpayment_hold_codes`).
    for t in live:
        if holds_overpayment(t) and not _k_freeze_released(t, txns):
            hc = (t.extra or {}).get("hold_code")
            out.append(Freeze("-K", f"TC {t.tc} HOLD-CD {hc}", False, _HOLDING, "IRM 25.25.6.5.5.2.3", t.id))
            break
    # P- from a returned refund (TC 720 / TC 841): RIVO when an AC 129 is on the module
    # (External Leads, IRM 25.25.6.1.7), else a non-RIVO P- that TC 290 .00 does not release.
    for t in live:
        if t.tc in (720, 841):
            if has_129:
                if not _released_by_290(t, txns):
                    out.append(Freeze("P-", f"TC {t.tc}", True, _HOLDING, "IRM 25.25.6.1.7", t.id))
            else:
                out.append(Freeze("P-", f"TC {t.tc}", False, _HOLDING, "IRM 21.5.6.4.31.1", t.id))
    # -R non-RIVO: TC 570 until reversed by TC 571 or TC 572 (the reversal pairs of codes.yaml).
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
        if (t.tc == 150 and str((t.extra or {}).get("ccc", "")) == "1"
                and not _released_by_money_adjustment(t, txns)
                and not any(x.tc == 571 and x.status == POSTED and posted_after(x, t) for x in txns)):
            out.append(Freeze("-R", "CCC 1", False, _HOLDING, "IRM 25.25.6.2.2.1.1", t.id))
    if mft != "32":  # MFT 32 is the IDT holding module: its TC 976 freezes nothing
        # -A: TC 976/977 on a module with a TC 150, or TC 971 AC 010/012-015 (reference §6).
        for t in live:
            amended = (t.tc in (976, 977) and has_150) or (t.tc == 971 and t.ac in AMENDED_ACS)
            if amended and not _released_by_money_adjustment(t, txns) and not _released_by_971(t, txns, A_RELEASE_ACS):
                out.append(Freeze("-A", f"TC {t.tc}" + (f" AC {t.ac:03d}" if t.tc == 971 else ""),
                                  False, _HOLDING, "IRM 21.5.6.4.2", t.id))
                break
        # E-: TC 976 on a module with no TC 150, until TC 971 AC 004/002 (reference §6).
        if not has_150:
            for t in live:
                if t.tc == 976 and not _released_by_971(t, txns, E_MINUS_RELEASE_ACS):
                    out.append(Freeze("E-", "TC 976", False, _HOLDING, "IRM 21.2.4", t.id))
                    break
    # -L: open examination, TC 420 until TC 421 (reference §6).
    for t in live:
        if t.tc == 420:
            out.append(Freeze("-L", "TC 420", False, _HOLDING, "IRM 21.5.6", t.id))
            break
    # -V: bankruptcy, TC 520 closing code 60-67 until TC 521 (IRM 5.7.1.9: status 72).
    for t in live:
        if t.tc == 520 and closing_code(t) in BANKRUPTCY_CC:
            out.append(Freeze("-V", f"TC 520 CC {closing_code(t)}", False, _HOLDING, "IRM 5.7.1.9", t.id))
            break
    return out


def entity_freezes(txns: Iterable[Txn], today: dt.date | None = None) -> list[Freeze]:
    """Entity freezes (ENMOD): -V bankruptcy; -O / -S disaster (IRM 25.25.6.1.7.2)."""
    out: list[Freeze] = []
    live = unreversed(txns)
    for t in live:
        if t.tc == 520 and closing_code(t) in BANKRUPTCY_CC:
            out.append(Freeze("-V", f"TC 520 CC {closing_code(t)}", False, _HOLDING, "IRM 5.7.1.9", t.id))
            break
    for t in live:
        # Disaster indicator: active until its relief end date (secondary date); no refund hold.
        if (t.tc == 971 and t.ac in DISASTER_FREEZE
                and (today is None or t.secondary_date is None or t.secondary_date >= today)):
            out.append(Freeze(DISASTER_FREEZE[t.ac], f"TC 971 AC {t.ac:03d}", False, False, "IRM 25.25.6.1.7.2",
                              t.id))
            break
    return out


def codes_of(found: Iterable[Freeze]) -> list[str]:
    """Freeze codes without duplicates, in display order."""
    seen: list[str] = []
    for f in found:
        if f.code not in seen:
            seen.append(f.code)
    return seen


def refund_hold(module_txns: Iterable[Txn], mft: str, entity_txns: Iterable[Txn],
                today: dt.date | None = None) -> str | None:
    """The freeze that holds a module's refund (module first, then entity), or None."""
    for f in module_freezes(module_txns, mft):
        if f.holds_refund:
            return f.code
    for f in entity_freezes(entity_txns, today):
        if f.holds_refund:
            return f.code
    return None


def in_bankruptcy(txns: Iterable[Txn]) -> bool:
    """An unreversed TC 520 with closing code 60-67 (IRM 5.7.1.9: -V, module status 72)."""
    return any(t.tc == 520 and closing_code(t) in BANKRUPTCY_CC for t in unreversed(txns))


def tc136_in_effect(txns: Iterable[Txn], *, pending_counts: bool = False) -> bool:
    """A TC 136 not reversed by TC 137 stops FTD alerts (IRM 5.7.1.5, 5.7.1.6).

    The posting run asks with posted transactions only (`pending_counts=False`); the ICS
    request screen asks whether one is *on file*, a pending TC 136 included, so that it is
    not requested twice.  The caller passes the entity's transactions and the modules' it
    means.
    """
    statuses = (POSTED, PENDING) if pending_counts else (POSTED,)
    return any(t.tc == 136 and t.status in statuses and t.reversed_by_id is None for t in txns)
