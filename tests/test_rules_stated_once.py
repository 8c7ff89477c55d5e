"""Rules that screens stated a second time, now asked of the rules layer (issue 18): the
return and refund TCs (research displays), the open TC 971 AC 505 indicators (FRM77)."""

from __future__ import annotations

import datetime as dt

from idrs_sim.rules import breach, codes
from idrs_sim.rules.account import dump_txns


def test_return_and_refund_tcs() -> None:
    assert codes.RETURN_TCS == (150, 976)
    assert codes.REFUND_TCS == (840, 846)
    assert all(codes.sign(tc) == 1 for tc in codes.REFUND_TCS)  # a refund issued is a debit


def test_open_breach_indicators_are_unreversed_posted_or_pending_ac505() -> None:
    txns = dump_txns([
        {"tc": 971, "ac": 505, "status": "posted", "misc": "IR12345678901", "secondary_date": "2024-05-01"},
        {"tc": 971, "ac": 505, "status": "pending", "misc": "CR12345678901"},
        {"tc": 971, "ac": 505, "status": "posted", "misc": "PR12345678901", "reversed": True},
        {"tc": 971, "ac": 506, "status": "posted", "misc": "IR99999999999"},
        {"tc": 971, "ac": 505, "status": "unposted", "misc": "IR88888888888"},
    ])
    found = breach.open_indicators(txns)
    assert [(i.breach_number, i.breach_date) for i in found] == [
        ("IR12345678901", dt.date(2024, 5, 1)), ("CR12345678901", None)]
    assert breach.duplicate_breach("ir12345678901", found) and not breach.duplicate_breach("PR12345678901", found)
