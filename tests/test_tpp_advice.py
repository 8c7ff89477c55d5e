"""idrs_sim.rules.tpp_advice: caller advice computed from the account (IRM 25.25.6).

Small hand-made accounts in `idrs-sim dump` form, one per IRM branch, plus the shipped
fixtures for the decision helpers: the answer must follow the data, never the TIN.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from idrs_sim.rules import tpp_advice as advice
from idrs_sim.rules import tpp_inputs
from idrs_sim.simulator import Simulator

TODAY = dt.date(2024, 6, 17)


def _entity(*, modules: list[dict[str, Any]] | None = None, letters: list[dict[str, Any]] | None = None,
            transactions: list[dict[str, Any]] | None = None, established: bool = True) -> dict[str, Any]:
    return {"tin": "400-00-9101", "established": established, "letters": letters or [],
            "transactions": transactions or [], "modules": modules or []}


def _up126(status_date: str, *, status: str = "open", address: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    return {"seq": "000000901", "code": 126, "reason": 0, "status": status, "status_date": status_date,
            "dln": "76247045901014", "document": {"address": address or ["1 MAIN ST", "AUSTIN TX 78701"]}, **kw}


def _mod(mft: str = "30", period: str = "202312", transactions: list[dict[str, Any]] | None = None,
         unpostables: list[dict[str, Any]] | None = None, controls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"mft": mft, "period": period, "transactions": transactions or [], "unpostables": unpostables or [],
            "controls": controls or []}


def _t(tc: int, ac: int | None = None, *, cycle: str = "202410", status: str = "posted", **kw: Any) -> dict[str, Any]:
    return {"tc": tc, "ac": ac, "cycle": cycle, "status": status, "amount": kw.pop("amount", "0.00"), **kw}


# --- letter_wait (IRM 25.25.6.6.2 (3)) --------------------------------------------------------


def test_marker_on_enmod_gives_14_days_from_the_letter() -> None:
    ent = _entity(letters=[{"letter": "4883C", "period": "202312", "date": "2024-06-10"}],
                  modules=[_mod(unpostables=[_up126("2024-06-01")])])
    wait = advice.letter_wait(ent, TODAY, "202312")
    assert (wait.letter, wait.days, wait.start, wait.until, wait.passed) == \
        ("4883C", 14, dt.date(2024, 6, 10), dt.date(2024, 6, 24), False)
    assert wait.may_reissue


def test_ac123_marker_counts_from_its_posting_date_and_5447c_gets_30_days() -> None:
    ent = _entity(modules=[_mod(transactions=[_t(971, 123, cycle="202423", misc="5447C SENT", date="2024-06-03")])])
    wait = advice.letter_wait(ent, TODAY, "202312")
    # cycle 202423's master-file run is Thursday 06/06/2024
    assert (wait.letter, wait.days, wait.start, wait.until) == ("5447C", 30, dt.date(2024, 6, 6), dt.date(2024, 7, 6))


def test_new_5071c_notice_marker_on_the_entity_names_its_tax_period() -> None:
    ent = _entity(transactions=[_t(971, 123, cycle="202410", misc="5071C SENT 202312", date="2024-03-01")])
    assert advice.letter_wait(ent, TODAY, "202312").letter == "5071C"
    assert advice.letter_wait(ent, TODAY, "202212").letter is None


def test_no_marker_and_status_date_within_21_days_gives_21_days_from_it() -> None:
    ent = _entity(modules=[_mod(unpostables=[_up126("2024-06-07")])])
    wait = advice.letter_wait(ent, TODAY)
    assert (wait.days, wait.start, wait.until, wait.times_issued) == (21, dt.date(2024, 6, 7), dt.date(2024, 6, 28), 0)


def test_no_marker_with_a_foreign_return_address_gives_30_days() -> None:
    ent = _entity(modules=[_mod(unpostables=[_up126("2024-06-07", address=["9 RUE X", "PARIS 75001", "FRANCE"])])])
    wait = advice.letter_wait(ent, TODAY)
    assert (wait.letter, wait.days, wait.until) == ("5447C", 30, dt.date(2024, 7, 7))


def test_no_marker_and_old_status_date_means_no_reissue() -> None:
    ent = _entity(modules=[_mod(unpostables=[_up126("2024-04-01")])])
    wait = advice.letter_wait(ent, TODAY)
    assert wait.days is None and not wait.may_reissue


def test_first_time_filer_without_marker_gets_a_4883c_now() -> None:
    ent = _entity(established=False, modules=[_mod(unpostables=[_up126("2024-02-27")])])
    wait = advice.letter_wait(ent, TODAY)
    assert (wait.letter, wait.days, wait.start, wait.until) == ("4883C", 14, TODAY, dt.date(2024, 7, 1))


def test_two_letters_already_sent_means_no_third_and_5747c_means_tac() -> None:
    two = _entity(letters=[{"letter": "4883C", "period": "202312", "date": "2024-03-04"},
                           {"letter": "4883C", "period": "202312", "date": "2024-04-15"}])
    assert not advice.letter_wait(two, TODAY, "202312").may_reissue
    tac = _entity(letters=[{"letter": "5747C", "period": "202312", "date": "2024-03-04"}])
    wait = advice.letter_wait(tac, TODAY, "202312")
    assert not wait.may_reissue and "TAC" in wait.reason


def test_the_wait_moves_with_the_account() -> None:
    """Same taxpayer, one more letter on file: the advice changes with the data."""
    ent = _entity(modules=[_mod(unpostables=[_up126("2024-06-07")])])
    before = advice.letter_wait(ent, TODAY)
    ent["letters"].append({"letter": "4883C", "period": "202312", "date": "2024-06-14"})
    after = advice.letter_wait(ent, TODAY)
    assert (before.days, after.days, after.until) == (21, 14, dt.date(2024, 6, 28))


# --- processing_timeframe -----------------------------------------------------------------------


def test_phone_authentication_is_9_weeks_and_fax_16() -> None:
    ent = _entity(modules=[_mod(unpostables=[_up126("2024-02-27")])])
    assert advice.processing_timeframe(ent, TODAY, "202312").until == dt.date(2024, 8, 19)
    assert advice.processing_timeframe(ent, TODAY, "202312", channel="fax").weeks == 16


def test_batch_valid_closure_counts_from_the_upres_status_date() -> None:
    case = _up126("2024-05-28", status="closed", urc="0", assigned="1483845470", resolved_by="1483845470")
    tf = advice.processing_timeframe(_entity(modules=[_mod(unpostables=[case])]), TODAY, "202312")
    assert (tf.weeks, tf.start, tf.until) == (9, dt.date(2024, 5, 28), dt.date(2024, 7, 30))


def test_minus_e_freeze_gives_no_9_week_promise() -> None:
    ent = _entity(modules=[_mod(transactions=[_t(150, amount="100.00"), _t(810, extra={"rc": "4"})])])
    assert advice.processing_timeframe(ent, TODAY, "202312").weeks is None


def test_multiple_returns_on_mft30_and_1040x_are_16_weeks() -> None:
    minus_a = _entity(modules=[_mod(transactions=[_t(150, amount="100.00"), _t(976, cycle="202426")])])
    assert advice.processing_timeframe(minus_a, TODAY, "202312").weeks == 16
    own_on_32 = _entity(modules=[_mod(transactions=[_t(150, amount="100.00")]), _mod("32", transactions=[_t(976)])])
    assert advice.processing_timeframe(own_on_32, TODAY, "202312").weeks == 16
    x1040 = _entity(modules=[_mod(transactions=[_t(150), _t(971, 129, misc="76247110114024 1040X")])])
    assert advice.processing_timeframe(x1040, TODAY, "202312").weeks == 16


# --- refund_not_received (IRM 25.25.6.6.4) ------------------------------------------------------


def test_open_tpp_issue_comes_first() -> None:
    ent = _entity(modules=[_mod(unpostables=[_up126("2024-02-27")])])
    out = advice.refund_not_received(ent, TODAY, "202312")
    assert out.box is None and "25.25.6.6.5" in out.action


def test_box1_refund_issued_and_box2_refund_held_by_minus_r() -> None:
    issued = _entity(modules=[_mod(transactions=[_t(150, amount="1000.00"), _t(806, amount="1500.00"),
                                                 _t(846, amount="500.00", cycle="202411")])])
    assert advice.refund_not_received(issued, TODAY, "202312").box == 1
    held = _entity(modules=[_mod(transactions=[_t(150, amount="1000.00"), _t(806, amount="1500.00"),
                                               _t(971, 134, cycle="202412")])])
    assert advice.refund_not_received(held, TODAY, "202312").box == 2
    released = _entity(modules=[_mod(transactions=[_t(150, amount="1000.00"), _t(806, amount="1500.00"),
                                                   _t(971, 134, cycle="202412"), _t(290, cycle="202420")])])
    assert advice.refund_not_received(released, TODAY, "202312").box is None


def test_boxes_3_and_4_mft32_reversal_before_and_after_9_weeks() -> None:
    ent = _entity(modules=[_mod(controls=[{"category": "32RV", "status": "M", "activity": "RTP-0520",
                                           "opened_date": "2024-05-20"}]), _mod("32", transactions=[_t(976)])])
    assert advice.refund_not_received(ent, TODAY, "202312").until == dt.date(2024, 7, 22)
    late = advice.refund_not_received(ent, dt.date(2024, 8, 1), "202312")
    assert late.box == 4 and "Second Request" in late.action


def test_box5_2021_return_with_rtp_control() -> None:
    ent = _entity(modules=[_mod(period="202112", controls=[{"activity": "RTP-0401", "opened_date": "2024-04-01",
                                                             "category": "32RV", "status": "M"}])])
    out = advice.refund_not_received(ent, TODAY, "202112")
    assert (out.box, out.until) == (5, TODAY + dt.timedelta(days=60))


def test_box6_418c() -> None:
    ent = _entity(letters=[{"letter": "418C", "date": "2024-05-01"}], modules=[_mod(period="202112")])
    assert advice.refund_not_received(ent, TODAY, "202112").box == 6


# --- decision helpers against the shipped fixtures ------------------------------------------------


def _dump(fixture: str, tin: str) -> dict[str, Any]:
    with Simulator("sqlite://", fixture) as sim:
        return sim.dump(tin)["entities"][0]


def _mod_of(ent: dict[str, Any], mft: str = "30", period: str = "202312") -> dict[str, Any]:
    return next(m for m in ent["modules"] if m["mft"] == mft and m["period"] == period)


@pytest.mark.parametrize("fixture, tin, filed, expected", [
    ("tpp/posted_ac129_refund_held", "400-00-1010", True, "110014_NONIDT"),
    ("tpp/posted_ac129_refund_held", "400-00-1010", False, "110014_IDT"),
    ("tpp/posted_ac129_ac052", "400-00-1011", True, "111014_NONIDT052"),
    ("tpp/posted_ac129_bkld", "400-00-1012", True, "112014_NONIDTBKLD"),
    ("tpp/posted_ac129_ivo_el_idt", "400-00-1013", True, "113014_NONIDT"),
    ("tpp/posted_ac129_1040x", "400-00-1014", True, "114024 NONIDT 1040X"),
    ("tpp/posted_ac129_1040x", "400-00-1014", False, "114024 IDT 1040X"),
])
def test_ac129_reversal_misc_follows_the_irm_table(fixture: str, tin: str, filed: bool, expected: str) -> None:
    assert tpp_inputs.ac129_reversal_misc(_mod_of(_dump(fixture, tin)), taxpayer_filed=filed) == expected


def test_ac506_misc_depends_on_an_unreversed_ac527() -> None:
    assert tpp_inputs.ac506_misc(_dump("tpp/ac527_on_enmod", "400-00-1019")) == "WI AM OTHER"
    assert tpp_inputs.ac506_misc(_dump("tpp/idt_return_up126_ty2023", "400-00-1017")) == "WI PRP OTHER1"


@pytest.mark.parametrize("tax_year, cycle, expected", [
    (2023, "202425", "MFT32"), (2022, "202446", "MFT32"), (2021, "202425", "URC D"),
    (2023, "202447", "URC D"), (2023, "202452", "URC D"),
])
def test_idt_return_disposition_by_cycle_window_and_tax_year(tax_year: int, cycle: str, expected: str) -> None:
    assert tpp_inputs.idt_return_disposition(tax_year, cycle) == expected
