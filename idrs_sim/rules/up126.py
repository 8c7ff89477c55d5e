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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["RELEASING_URCS", "CaseFacts", "released_from_hold"]

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
