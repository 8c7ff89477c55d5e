"""The unpostable codes the posting rules decide, and the MFT 32 window.

Constants shared by several rule families (unpostables.py, tpp_mft32.py, reversals.py,
breach.py); the decisions behind them are in docs/posting.md and docs/decisions.md.
"""

from __future__ import annotations

from . import calendar as cal

__all__ = [
    "UPC_TPP_HOLD",
    "UPC_AC111_MERGED",
    "UPC_MFT32_WINDOW",
    "UPC_REVERSAL_NO_MATCH",
    "UPC_IDT_RETURN_TOO_OLD",
    "MFT32_WINDOW_FIRST_WEEK",
    "in_mft32_window",
]

#: IRM 25.25.6.1.7: TC 971 AC 124 (or AC 121) with the return's DLN -> UP 126 RC 0.
UPC_TPP_HOLD = (126, 0)
#: IRM 25.25.6.7.1 (seed text): TC 971 AC 111 unposts UP 168 RC 0 after a merge/slot.
UPC_AC111_MERGED = (168, 0)
#: Cycles 47-52 "an unpostable will generate": the code is not printed.  Decision: UNP
#: 1735, the second code the seed shows on failed TC 971 AC 111s (IRM 25.25.6.2.1.5).
UPC_MFT32_WINDOW = (173, 5)
#: TC 972 with no unreversed TC 971 of its action code.  Decision (not found in the
#: stored sources): UPC 168 RC 0, the TC 971/972 unpostable the seed names.
UPC_REVERSAL_NO_MATCH = (168, 0)
#: An identity theft return older than 2 years that would move to MFT 32 (IRM 25.25.6,
#: Unpostable Code 299 Listing).  The IRM gives no reason code: RC 0.
UPC_IDT_RETURN_TOO_OLD = (299, 0)
#: First cycle week in which nothing may move to or from MFT 32 (IRM 25.25.6.7, tpp §6.1).
MFT32_WINDOW_FIRST_WEEK = 47


def in_mft32_window(cycle: str) -> bool:
    """Cycles 47-52 (53): no return may move to or from MFT 32 (IRM 25.25.6.7; tpp §6.1)."""
    return cal.cycle_week(cycle) >= MFT32_WINDOW_FIRST_WEEK
