"""Taxpayer Protection Program facts read off an account (IRM 25.25.6): DLNs in MISC,
the TPP hold marker, the AC 052 match, the RIVO employee numbers and the open-TPP-issue
test.  Over the account protocol, so TXMOD, the posting run, the TPP advice and grading
share them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .account import POSTED, Case, Module, Txn, unreversed
from .freezes import module_freezes
from .status import balance

__all__ = [
    "NOT_TPP_129",
    "RIVO_NUMBER",
    "TppIssue",
    "ac052_matches",
    "dln_digits",
    "is_rivo_number",
    "is_tpp_hold_marker",
    "marker_dln",
    "marker_has_tr",
    "misc_dln",
    "open_issues",
]

_DIGITS = re.compile(r"\d")
_DLN_IN_TEXT = re.compile(r"\d[\d-]{13,}")
#: IDRS numbers of RIVO and its IAT batch tool (1483845470): ten digits starting 148
#: (IRM 25.25.6.5.4).
RIVO_NUMBER = re.compile(r"^148\d{7}$")
#: TC 971 AC 129 MISC literals that are not a TPP issue (IRM 25.25.6.1.7 table).
NOT_TPP_129 = ("FILTER X", "FILTER V")


def is_rivo_number(idrs: Any) -> bool:
    """IDRS numbers 148xxxxxxx belong to RIVO, incl. the IAT batch tool 1483845470 (IRM 25.25.6)."""
    return bool(idrs) and RIVO_NUMBER.match(str(idrs).strip()) is not None


def dln_digits(text: str | None) -> str:
    """The digits of a DLN as typed (`29247-123-45678-4` -> `29247123456784`)."""
    return "".join(_DIGITS.findall(text or ""))


def misc_dln(misc: str | None) -> str | None:
    """The 14-digit DLN at the start of a MISC field (`<DLN>`, `<DLN> TR`, `<DLN>BKLD`)."""
    if not misc:
        return None
    m = _DLN_IN_TEXT.match(misc.strip())
    if not m:
        return None
    digits = dln_digits(m.group(0))
    return digits[:14] if len(digits) >= 14 else None


def marker_dln(misc: str | None, dln: str | None) -> str | None:
    """The return DLN a TC 971 carries: the one its MISC starts with, else its own (digits);
    what a TC 972 is matched against (FRM77 and the posting run alike)."""
    return misc_dln(misc) or dln_digits(dln) or None


def marker_has_tr(misc: str | None) -> bool:
    """MISC of an AC 124/121 ending in `TR` (`<DLN>TR`, `DDB ARAP RULE TR`): no further action (R02)."""
    rest = re.sub(r"[\d-]", " ", (misc or "").upper()).split()
    return bool(rest) and rest[-1] == "TR"


def is_tpp_hold_marker(t: Txn) -> bool:
    """An unreversed posted TC 971 AC 124/121 that holds the return with its MISC DLN (UP 126 RC 0).

    IRM 25.25.6.1.7: the AC 124 (old AC 121) carries the DLN of the return in question.
    Markers whose MISC ends in `TR` need no further action (R02) and hold nothing.
    """
    return (
        t.tc == 971 and t.ac in (121, 124) and t.status == POSTED and t.reversed_by_id is None
        and misc_dln(t.misc) is not None and not marker_has_tr(t.misc)
    )


def _dln_without_doc_code(digits: str) -> str:
    return digits[:3] + digits[5:] if len(digits) == 14 else digits


def ac052_matches(marker: Any, return_dln: str | None) -> bool:
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


@dataclass(frozen=True)
class TppIssue:
    """An unresolved TPP issue on one module (tpp-rules §2.1, R01-R05)."""

    mft: str
    period: str
    kind: str  # UP126 | AC129-HELD | AC129-UP147 | AC129-1040X
    dln: str | None
    detail: str
    seq: str | None = None  # the UP 126 case


def _open_cases(cases: Sequence[Case], upc: int) -> list[Case]:
    return [u for u in cases if u.upc == upc and u.status == "open"]


def open_issues(modules: Iterable[Module]) -> list[TppIssue]:
    """Every unresolved TPP issue on an entity's modules; empty list = none (IRM 25.25.6.1.7).

    * an open UP 126 RC 0 -- with or without an unreversed TC 971 AC 124/121 carrying its
      DLN (first-time filers may have no marker);
    * an unreversed TC 971 AC 129 (not `FILTER X`/`FILTER V`) carrying a `... 1040X` MISC,
      or while the return is UP 147, or while a RIVO -R/P- holds a credit (a refund exists:
      the balance with every TC of codes.yaml, so a TC 807 that reversed the withholding
      leaves nothing held, and a TC 768 EITC credit is one).
    An unreversed AC 124 whose return has posted (no open UP) is *not* an issue (R01);
    an AC 124 with `TR` in MISC needs no action (R02).  AMS "authentication done" (R04)
    is not modelled here.
    """
    issues: list[TppIssue] = []
    for m in modules:
        txns = list(m.transactions)
        cases = list(m.unpostables)
        live = unreversed(txns)
        markers = {misc_dln(t.misc): t for t in live if is_tpp_hold_marker(t)}
        for case in _open_cases(cases, 126):
            if case.reason != 0:
                continue
            marker = markers.get(dln_digits(case.dln))
            detail = f"UP 126 RC 0 ({f'TC 971 AC {marker.ac:03d}' if marker and marker.ac is not None else 'no marker'})"
            issues.append(TppIssue(m.mft, m.period, "UP126", case.dln, detail, case.seq))
        for t in live:
            if t.tc != 971 or t.ac != 129:
                continue
            misc = (t.misc or "").upper()
            if any(x in misc for x in NOT_TPP_129):
                continue
            if misc.endswith("1040X"):
                issues.append(TppIssue(m.mft, m.period, "AC129-1040X", misc_dln(t.misc), "1040X marker"))
                continue
            if _open_cases(cases, 147):
                issues.append(TppIssue(m.mft, m.period, "AC129-UP147", misc_dln(t.misc), "return UP 147"))
                continue
            held = [f for f in module_freezes(txns, m.mft) if f.rivo and f.code in ("-R", "P-")]
            if held and balance(txns) < 0:
                issues.append(TppIssue(m.mft, m.period, "AC129-HELD", misc_dln(t.misc), f"refund held {held[0].code}"))
    return issues
