"""MFT 32 rules of IRM 25.25.6 that both the FRM77 screen and the posting run apply.

* Which returns TC 971 AC 111 may move back from MFT 32 systemically (IRM
  25.25.6.5.5.3 (2) boxes 1-3; 25.25.6.2.2.1 (4) box 5 exception): the current and the
  prior tax year only (TY 2023 and 2022 in processing year 2024).  A return for an
  older tax year -- TY 2021 and prior in 2024 -- "cannot be moved systemically and must
  be reprocessed manually from MFT 32 to MFT 30": Form 4442 to RIVO ("RIVO - TPP",
  "MFT 32 Reversal Request", the DLN).
* Which identity theft returns can no longer move to MFT 32 (the UP 299 listing of IRM
  25.25.6): a return resolved as identity theft in TPP that is older than 2 years and did
  not post to MFT 32 before the end of the previous processing year goes UP 299 instead,
  with a control base to RIVO (IDRS 1485000004): `move_to_32_refusal`.
* Which pending return a TC 971 AC 111 on MFT 30 keeps off MFT 30 (IRM 25.25.6.5.4 (6)
  box 3; decision I17-1 in docs/decisions.md): a return with the AC 111's DLN that has
  not posted yet and was never moved between MFT 30 and MFT 32 before.
* What a return becomes when it arrives on a module that already has a posted original
  return (TC 150) -- moved back from MFT 32, or released from the GUF by URC 0 / 6: a
  TC 976 (duplicate / amended return) with -A, not a second TC 150 (IRM 25.25.6.5.2.4;
  25.25.6.5.2.1.1 (3) box 1; reference §6).  `arriving_return`; a move adds its
  bookkeeping in `moved_return`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from ..digits import is_digits

__all__ = [
    "CURRENT_AND_PRIOR",
    "UP126",
    "Moved",
    "arriving_return",
    "diverted_by_ac111",
    "move_back_refusal",
    "move_to_32_refusal",
    "moved_return",
    "systemic_move_year",
    "tax_year_of",
    "UP299_RIVO_IDRS",
    "UP299_CONTROL",
]

#: The TPP hold a moved return has passed already (it bypasses it where it lands).
UP126 = 126

#: How many tax years can still move systemically: the current tax year (processing
#: year - 1) and the prior one (IRM 25.25.6.5.5.3 (2) box 1: "2023 or 2022" in 2024).
CURRENT_AND_PRIOR = 2


def systemic_move_year(tax_year: int, processing_year: int) -> bool:
    """True when a return of `tax_year` is a current or prior year return in
    `processing_year` (TY 2023 and 2022 in 2024), which can move to and from MFT 32 by
    TC 971 AC 111; older returns are reprocessed manually (IRM 25.25.6.5.5.3 (2) box 2,
    25.25.6.2.2.1 (4) box 5 exception, 25.25.6.6.3.1 (4))."""
    return tax_year >= processing_year - CURRENT_AND_PRIOR


def move_back_refusal(tax_year: int, processing_year: int) -> str | None:
    """The literal that refuses a TC 971 AC 111 on MFT 32 for a tax year that cannot move
    back systemically, or None when it can (fits line 24 and the 60-column unpostable
    remarks alike)."""
    if systemic_move_year(tax_year, processing_year):
        return None
    return f"TY {tax_year} MUST BE REPROCESSED MANUALLY - FORM 4442 TO RIVO"


#: UP 299 listing (IRM 25.25.6): "Submission Processing (SP) will open a control base to
#: RIVO, using IDRS number 1485000004"; RIVO closes it "GOODRTN" or "IDTRTN".
UP299_RIVO_IDRS = "1485000004"
#: The category and activity of that control base: the IRM names neither (decision TPP-27).
UP299_CONTROL = ("MISC", "UNP299")


def tax_year_of(period: str | None) -> int | None:
    """The tax year of an IMF tax period (YYYYMM), None when it is not one."""
    head = (period or "")[:4]
    return int(head) if len(head) == 4 and is_digits(head) else None


def move_to_32_refusal(tax_year: int | None, processing_year: int) -> str | None:
    """The UP 299 literal when an identity theft return of `tax_year` can no longer move to
    MFT 32 in `processing_year`, else None (IRM 25.25.6, Unpostable Code 299 Listing (1):
    "the return is older than 2 years, and did not post to MFT 32 prior to the end of the
    previous processing year, the transaction will go unpostable (UP) 299").  The same
    years as the move back (`systemic_move_year`): TY 2021 and prior in 2024, so a TY 2022
    return resolved in 2024 whose move posts in 2025 goes UP 299 too."""
    if tax_year is None or systemic_move_year(tax_year, processing_year):
        return None
    return f"TY {tax_year} IDT RETURN OLDER THAN 2 YEARS - UP 299 TO RIVO"


def diverted_by_ac111(return_dln: str | None, ac111_dlns: set[str], moved_before: bool) -> bool:
    """A pending return on MFT 30 goes to MFT 32 instead of posting when an unreversed
    TC 971 AC 111 on its module carries its DLN (digits only), unless the return has been
    moved between MFT 30 and MFT 32 before (a return moved back from MFT 32 keeps the
    AC 111 that once moved it on MFT 30: IRM 25.25.6.5.5.3 (1))."""
    return bool(return_dln) and return_dln in ac111_dlns and not moved_before


class Moved(NamedTuple):
    """A return after its move between MFT 30 and MFT 32 (`moved_return`)."""

    tc: int
    amount: Decimal | None  # None: unchanged
    extra: dict[str, Any]  # the whole new `extra`


def _as_tc976(amount: Decimal | None, extra: dict[str, Any] | None) -> Moved:
    """A TC 976 is not a money transaction: .00, the tax it carried kept in `extra` ("tax")."""
    new_extra = dict(extra or {})
    if amount and Decimal(amount) != 0:
        new_extra["tax"] = str(amount)
    return Moved(976, Decimal("0.00"), new_extra)


def arriving_return(amount: Decimal | None, extra: dict[str, Any] | None, *, other_return_posted: bool) -> Moved | None:
    """A return arriving on a module other than MFT 32 -- moved back from MFT 32, or released
    from the GUF by URC 0 / 6 -- where an original return (TC 150) is already posted, or
    posts before it in the same run: it posts as TC 976 (a duplicate / amended return), so
    the module gets -A and its refund is held (IRM 25.25.6.5.2.4: "a -A freeze will post to
    the account when the taxpayer's return moves from MFT 32 to MFT 30"; 25.25.6.5.2.1.1 (3)
    box 1; reference §6: -A = TC 976/977 on a module with a TC 150).  None: nothing is
    posted there and the return posts as it is."""
    return _as_tc976(amount, extra) if other_return_posted else None


def moved_return(to_mft: str, amount: Decimal | None, document: dict[str, Any] | None, extra: dict[str, Any] | None,
                 *, other_return_posted: bool, from_mft: str | None, cycle: str) -> Moved:
    """What a return becomes when it moves to MFT 32 (as TC 976) or back to MFT 30 (TC 150,
    or TC 976 when a TC 150 is already posted there: `arriving_return`).

    A TC 976 is not a money transaction: .00, its tax kept in `extra` ("tax").  A TC 150
    carries the tax on the return (tpp-rules §2.3), so a return that comes back from MFT
    32 assesses its tax again.  The moved return bypasses the UP 126 check (it was held
    already) and records where and when it moved."""
    if to_mft == "32":
        after = _as_tc976(amount, extra)
    else:
        duplicate = arriving_return(amount, extra, other_return_posted=other_return_posted)
        if duplicate is not None:
            after = duplicate
        else:
            tax = (document or {}).get("tax", (extra or {}).get("tax"))
            new_amount = None if tax is None else Decimal(str(tax)).quantize(Decimal("0.01"))
            after = Moved(150, new_amount, dict(extra or {}))
    new_extra = dict(after.extra)
    new_extra.update(moved_from=from_mft, moved_cycle=cycle, bypass_upc=[UP126])
    return Moved(after.tc, after.amount, new_extra)
