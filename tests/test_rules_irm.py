"""The pure rules of issue 17 (idrs_sim/rules/): no database, no screens.

mft32: which tax years TC 971 AC 111 may move back from MFT 32, which pending return an
AC 111 on MFT 30 diverts; breach: one indicator per breach, which indicator a TC 972
AC 505 reverses; up126: a closed URC 0 case releases its return from the TPP hold.
"""

from __future__ import annotations

import datetime as dt

import pytest

from idrs_sim.rules import breach, mft32, up126

DLN_DIGITS = "29211045100014"
GENUINE, MISTAKE = "IR24031500017", "IR24052000002"
GENUINE_DT, MISTAKE_DT = dt.date(2024, 2, 9), dt.date(2024, 5, 20)



def test_diverted_by_ac111_rule() -> None:
    assert mft32.diverted_by_ac111("1", {"1"}, False)
    assert not mft32.diverted_by_ac111("1", {"1"}, True)
    assert not mft32.diverted_by_ac111("1", {"2"}, False)
    assert not mft32.diverted_by_ac111("", {""}, False)


@pytest.mark.parametrize("tax_year,processing_year,ok", [
    (2023, 2024, True), (2022, 2024, True), (2021, 2024, False), (2019, 2024, False), (2022, 2025, False),
])
def test_systemic_move_year(tax_year: int, processing_year: int, ok: bool) -> None:
    assert mft32.systemic_move_year(tax_year, processing_year) is ok
    literal = mft32.move_back_refusal(tax_year, processing_year)
    assert (literal is None) is ok
    if literal:
        assert "FORM 4442 TO RIVO" in literal and len(literal) <= 60


def test_pick_reversal_rule() -> None:
    g = breach.Indicator(1, GENUINE_DT, GENUINE)
    m = breach.Indicator(2, MISTAKE_DT, MISTAKE)
    assert breach.pick_reversal([g, m], MISTAKE_DT, None) == (2, None)
    assert breach.pick_reversal([g, m], None, GENUINE) == (1, None)
    assert breach.pick_reversal([g, m], MISTAKE_DT, GENUINE) == (None, breach.NO_MATCHING_AC505)
    assert breach.pick_reversal([g, m], None, None) == (None, breach.AC505_AMBIGUOUS)
    assert breach.pick_reversal([g], None, None) == (1, None)
    assert breach.pick_reversal([g, m], None, None, named_key=2) == (2, None)
    assert breach.pick_reversal([g], None, None, named_key=2) == (None, breach.NO_MATCHING_AC505)


def test_released_from_hold_rule() -> None:
    closed0 = up126.CaseFacts(126, "closed", "0", DLN_DIGITS)
    assert up126.released_from_hold(DLN_DIGITS, [closed0])
    assert not up126.released_from_hold(DLN_DIGITS, [closed0._replace(status="open")])
    assert not up126.released_from_hold(DLN_DIGITS, [closed0._replace(urc="D")])
    assert not up126.released_from_hold(DLN_DIGITS, [closed0._replace(dln="1" * 14)])
    assert not up126.released_from_hold(DLN_DIGITS, [closed0._replace(upc=147)])


def test_duplicate_breach_rule() -> None:
    on = [breach.Indicator(1, GENUINE_DT, GENUINE)]
    assert breach.duplicate_breach(GENUINE.lower(), on)
    assert not breach.duplicate_breach(MISTAKE, on)
    assert not breach.duplicate_breach(None, on)
    assert breach.breach_number_in(f"{MISTAKE} KEYED IN ERROR") == MISTAKE
    assert breach.breach_number_in("NOTHING HERE") is None


def test_moved_return_rule() -> None:
    from decimal import Decimal

    to_32 = mft32.moved_return("32", Decimal("5000.00"), {"tax": "5000.00"}, {"x": 1}, other_return_posted=False,
                               from_mft="30", cycle="202426")
    assert to_32.tc == 976 and to_32.amount == Decimal("0.00")
    assert to_32.extra == {"x": 1, "tax": "5000.00", "moved_from": "30", "moved_cycle": "202426", "bypass_upc": [126]}
    back = mft32.moved_return("30", Decimal("0.00"), {"tax": "5000.00"}, to_32.extra, other_return_posted=False,
                              from_mft="32", cycle="202430")
    assert back.tc == 150 and back.amount == Decimal("5000.00") and back.extra["moved_from"] == "32"
    # A return already posted on MFT 30: it comes back as TC 976 (-A), .00.
    again = mft32.moved_return("30", Decimal("0.00"), {"tax": "5000.00"}, to_32.extra, other_return_posted=True,
                               from_mft="32", cycle="202430")
    assert again.tc == 976 and again.amount == Decimal("0.00")
