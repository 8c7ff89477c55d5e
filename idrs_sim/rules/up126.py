"""When a TPP-held return is released from its UP 126 (IRM 25.25.6.5.4 (1) box 3,
25.25.6.1.7): a pure predicate the posting run's TPP hold check calls.

A return is held (UP 126 RC 0) while an unreversed TC 971 AC 124 carries its DLN.  Once
its UP 126 case has been closed with URC 0 (or URC 6 / 6B: posts, possibly on another
TIN) the return posts although the AC 124 may still be unreversed: the batch tool's URC 0
closure is followed by a systemic TC 972 AC 124 that "may not be viewable for several
weeks", and the IRM says "If the TC 971 AC 124 has not been reversed, do not input a
reversal, a systemic reversal will be input".  So the closed case itself releases the
return -- not a flag only a UPRES in this simulator sets (fixture `batch_valid_closed_urc0`
went unpostable again because it had none).

The IAT batch tool's cases (IRM 25.25.6.5.4) also fix what an assistor may not input on
FRM77: no TC 972 AC 124 (the batch reverses it), no TC 971 AC 111 while the batch owns the
open case or once its URC 0 closure is more than 7 days old or the return has posted
(`batch_owned`, `batch_ac111_refusal`; decisions TPP-32, TPP-34).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "AC111_BATCH_OPEN",
    "AC111_CLOSED_OVER_7_DAYS",
    "AC111_RETURN_POSTED",
    "AC111_WINDOW_DAYS",
    "BATCH_REVERSES_AC124",
    "BATCH_TOOL_IDRS",
    "RELEASING_URCS",
    "CaseFacts",
    "batch_ac111_refusal",
    "batch_owned",
    "released_from_hold",
]

#: URCs that send the document on to post (URC D / 1 / 2 / 8 delete it; 6 + CCC 3 moves it).
RELEASING_URCS = frozenset({"0", "6", "6B"})


class CaseFacts(NamedTuple):
    """What the check needs from one unpostable case of the return's module."""

    upc: int
    status: str  # open | closed
    urc: str | None
    dln: str | None  # digits only


def released_from_hold(return_dln: str | None, cases: Iterable[CaseFacts], hold_upc: int = 126) -> bool:
    """True when a closed `hold_upc` case with the return's DLN was resolved with a URC
    that lets the document post."""
    if not return_dln:
        return False
    return any(
        c.upc == hold_upc and c.status == "closed" and (c.urc or "").strip().upper() in RELEASING_URCS
        and c.dln == return_dln
        for c in cases
    )


# ---------------------------------------------------------------------------------
# The IAT batch tool's UP 126 cases (IRM 25.25.6.5.4): what an assistor may not input.

#: The IAT batch tool's IDRS number (IRM 25.25.6.5.4 (1): "assigned to IDRS number
#: 1483845470 or 148xxxxxxx").  Only this number marks a batch case here: 148xxxxxxx is
#: also every TPP assistor's own number in this simulator (decision TPP-34).
BATCH_TOOL_IDRS = "1483845470"

#: IRM 25.25.6.5.4 (6) box 3: "If the unpostable was closed within the last 7 days, input a
#: TC 971 AC 111 ... If the unpostable was closed more than 7 days ago or the return is
#: posted, DO NOT input a TC 971 AC 111."
AC111_WINDOW_DAYS = 7
AC111_CLOSED_OVER_7_DAYS = "UNPOSTABLE CLOSED MORE THAN 7 DAYS AGO - DO NOT INPUT AC 111"
AC111_RETURN_POSTED = "RETURN IS POSTED - DO NOT INPUT AC 111"
#: IRM 25.25.6.5.4 (5), (6) box 3: "If the UP 126 RC "0" is still open, do not take any
#: action to resolve the unpostable condition" -- the batch inputs the AC 111 itself ((1) box 1).
AC111_BATCH_OPEN = f"UP 126 ASSIGNED TO {BATCH_TOOL_IDRS} - DO NOT INPUT AC 111"
#: IRM 25.25.6.5.4 (1) boxes 1-2: "Assistors should not input the reversal marker"; box 3:
#: "If the TC 971 AC 124 has not been reversed, do not input a reversal, a systemic
#: reversal will be input."
BATCH_REVERSES_AC124 = "BATCH CASE - A SYSTEMIC TC 972 AC 124 WILL BE INPUT"


def batch_owned(assigned: str | None, resolved_by: str | None) -> bool:
    """A UP 126 case that is or was assigned to (or closed by) the IAT batch tool."""
    return BATCH_TOOL_IDRS in ((assigned or "").strip(), (resolved_by or "").strip())


def batch_ac111_refusal(*, status: str, urc: str | None, closed_on: dt.date | None, today: dt.date,
                        return_posted: bool) -> str | None:
    """Why an assistor may not input TC 971 AC 111 for the return of a batch-owned UP 126
    case, or None (IRM 25.25.6.5.4 (6) box 3): the case is still open (the batch acts), or
    it was closed URC 0 ("deemed valid") more than 7 days ago or the return has posted.  A
    case closed URC 0 within the last 7 days, return not posted: the AC 111 is the input."""
    if status != "closed":
        return AC111_BATCH_OPEN
    if (urc or "").strip().upper() != "0":
        return None  # URC 6 / D: the batch resolved it as identity theft; the box is silent
    if return_posted:
        return AC111_RETURN_POSTED
    if closed_on is not None and (today - closed_on).days > AC111_WINDOW_DAYS:
        return AC111_CLOSED_OVER_7_DAYS
    return None
