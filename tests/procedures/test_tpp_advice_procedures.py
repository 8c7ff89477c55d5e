"""The caller advice (idrs_sim.rules.tpp_advice) on the accounts of the advice procedures.

The answer keys check that the trainee's AMS note gives the date the advice computes; these
tests pin what the advice itself says on those accounts (IRM 25.25.6.6.2, 25.25.6.6.4,
25.25.6.3), so a change in the advice rules shows here and not as a silently moved key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tpp_checks import entity, letters

from idrs_sim.rules import tpp_advice
from idrs_sim.tools.procedures import list_procedures, run_procedure

PROCEDURES = {p.name: p for p in list_procedures("tpp")}


def _after(name: str) -> dict[str, Any]:
    driver = run_procedure(PROCEDURES[name])
    try:
        return driver.dump()
    finally:
        driver.sim.close()


def _today(d: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(d["date"])


def test_lost_letter_no_third_reissue() -> None:
    d = _after("advice_lost_letter_no_third_reissue")
    wait = tpp_advice.letter_wait(entity(d, "400-00-1025"), _today(d), "202312")
    assert (wait.letter, wait.passed, wait.may_reissue) == ("5071C", True, False)
    assert wait.times_issued >= 2


@pytest.mark.parametrize(("name", "tin", "expected"), [
    ("advice_letter_not_received_21_days", "400-00-1122", (None, 21, dt.date(2024, 6, 7), dt.date(2024, 6, 28))),
    ("advice_first_time_filer_issue_4883c", "400-00-1003", ("4883C", 14, None, dt.date(2024, 7, 1))),
    ("advice_letter_5447c_30_days", "400-00-1123", ("5447C", 30, None, dt.date(2024, 7, 6))),
])
def test_letter_wait(name: str, tin: str, expected: tuple[Any, ...]) -> None:
    d = _after(name)
    wait = tpp_advice.letter_wait(entity(d, tin), _today(d), "202312")
    letter, days, start, until = expected
    assert (wait.days, wait.until) == (days, until)
    if letter:
        assert wait.letter == letter
    if start:
        assert wait.start == start
    if name == "advice_letter_5447c_30_days":
        assert wait.passed is False
    if name == "advice_letter_not_received_21_days":
        assert letters(entity(d, tin)) == []


def test_refund_not_received_mft32_reversal() -> None:
    d = _after("advice_refund_not_received_mft32_reversal")
    advice = tpp_advice.refund_not_received(entity(d, "400-00-1124"), _today(d), "202312")
    assert (advice.box, advice.until) == (3, dt.date(2024, 7, 22))


def test_refund_not_received_refund_issued() -> None:
    d = _after("advice_refund_not_received_refund_issued")
    advice = tpp_advice.refund_not_received(entity(d, "400-00-1015"), _today(d), "202312")
    assert advice.box == 1 and "21.4" in advice.action


def test_batch_valid_9_weeks_from_status_date() -> None:
    d = _after("advice_batch_valid_9_weeks_from_status_date")
    tf = tpp_advice.processing_timeframe(entity(d, "400-00-1125"), _today(d), "202312")
    assert (tf.weeks, tf.start, tf.until) == (9, dt.date(2024, 5, 28), dt.date(2024, 7, 30))
