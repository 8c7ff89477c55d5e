"""UP 299: an identity theft return older than 2 years does not move to MFT 32 (IRM 25.25.6,
Unpostable Code 299 Listing (1): "When the return was previously resolved as identity theft
during the Taxpayer Protection Program (TPP) process, and the return is older than 2 years,
and did not post to MFT 32 prior to the end of the previous processing year, the
transaction will go unpostable (UP) 299.  Submission Processing (SP) will open a control
base to Return Integrity Verification Operations (RIVO), using IDRS number 1485000004.")

Every way a return moves to MFT 32 is checked: the TC 971 AC 111 batch closure of a UP 126,
a released return an AC 111 diverts, and UPRES URC 6 CCC 3.  The rule itself
(`rules.mft32.move_to_32_refusal`) is tested at the end.
"""

from __future__ import annotations

import mf_builders as b
import pytest
from mf_builders import DLN, DLN_DIGITS
from sqlalchemy import select

from idrs_sim.masterfile.models import POSTED, UNPOSTABLE, ControlBase, TaxModule, Transaction, Unpostable
from idrs_sim.posting import run_cycle
from idrs_sim.rules import mft32

TIN = "400-00-1001"
LITERAL = "TY 2021 IDT RETURN OLDER THAN 2 YEARS - UP 299 TO RIVO"


@pytest.fixture
def mf(engine):
    m = b.new_mf()
    yield m
    m.dispose()


def _held(s, period: str = "202112"):
    """A TY `period` return held UP 126 RC 0 by its TC 971 AC 124."""
    mod = b.module(s, b.entity(s), "30", period)
    b.txn(s, mod, 971, ac=124, misc=DLN_DIGITS, cycle="202410")
    ret, case = b.unposted_return(s, mod, tax_year=int(period[:4]))
    return mod, ret, case


def _went_up299(mf, ret_id: int, period: str = "202112", literal: str = LITERAL) -> None:
    with mf.reading() as s:
        ret = s.get(Transaction, ret_id)
        assert (ret.status, ret.tc, ret.module.mft) == (UNPOSTABLE, 150, "30")
        case = s.scalar(select(Unpostable).where(Unpostable.txn_id == ret_id, Unpostable.status == "open"))
        assert (case.upc, case.reason, case.assigned, case.remarks) == (299, 0, "1485000004", literal)
        control = s.scalar(select(ControlBase).where(ControlBase.idrs == "1485000004"))
        assert control is not None and control.status == "A" and control.module_id == ret.module_id
        assert s.scalar(select(TaxModule).where(TaxModule.mft == "32")) is None  # nothing reached MFT 32


def test_ac111_batch_closure_of_a_ty2021_return_in_2024_goes_up299(mf) -> None:
    with mf.unit_of_work() as s:
        mod, ret, case = _held(s)
        b.pending(s, mod, 971, ac=111, misc=DLN_DIGITS)
        ret_id, case_id = ret.id, case.id
    report = run_cycle(mf, "202426")
    assert report.moved == [] and report.refunds == []
    assert (TIN, "30", "202112", 971, 111) in report.posted  # the AC 111 itself posts
    assert report.unposted == [(TIN, "30", "202112", 150, 299, 0)]
    with mf.reading() as s:
        assert (s.get(Unpostable, case_id).status, s.get(Unpostable, case_id).urc) == ("closed", "6")
    _went_up299(mf, ret_id)


def test_upres_urc6_ccc3_on_a_ty2021_return_goes_up299(mf) -> None:
    with mf.unit_of_work() as s:
        _mod, ret, case = _held(s)
        b.resolve(s, case, "6", ccc="3")
        ret_id = ret.id
    report = run_cycle(mf, "202426")
    assert report.moved == [] and report.unposted == [(TIN, "30", "202112", 150, 299, 0)]
    _went_up299(mf, ret_id)


def test_a_released_ty2021_return_an_ac111_diverts_goes_up299(mf) -> None:
    with mf.unit_of_work() as s:
        mod, ret, case = _held(s)
        b.resolve(s, case, "0", by="1483845470")
        b.pending(s, mod, 971, ac=111, misc=DLN_DIGITS)
        ret_id = ret.id
    report = run_cycle(mf, "202426")
    assert report.moved == [] and report.refunds == []
    _went_up299(mf, ret_id)


def test_a_ty2022_return_still_moves_in_2024(mf) -> None:
    with mf.unit_of_work() as s:
        mod, ret, _case = _held(s, "202212")
        b.pending(s, mod, 971, ac=111, misc=DLN_DIGITS)
        ret_id = ret.id
    report = run_cycle(mf, "202426")
    assert report.moved == [(TIN, "202212", DLN, "30", "32")]
    with mf.reading() as s:
        ret = s.get(Transaction, ret_id)
        assert (ret.status, ret.tc, ret.module.mft) == (POSTED, 976, "32")
        assert s.scalar(select(ControlBase).where(ControlBase.idrs == "1485000004")) is None


def test_a_ty2022_return_whose_move_did_not_post_before_2025_goes_up299(mf) -> None:
    """Resolved in 2024 (URC 6 CCC 3, release cycle 202504): it did not post to MFT 32
    before the end of processing year 2024, and TY 2022 is older than 2 years in 2025."""
    with mf.unit_of_work() as s:
        _mod, ret, case = _held(s, "202212")
        b.resolve(s, case, "6", ccc="3", release_cycle="202504")
        ret_id = ret.id
    report = run_cycle(mf, "202504")
    assert report.moved == []
    _went_up299(mf, ret_id, "202212", "TY 2022 IDT RETURN OLDER THAN 2 YEARS - UP 299 TO RIVO")


@pytest.mark.parametrize(("tax_year", "processing_year", "refused"), [
    (2023, 2024, False), (2022, 2024, False), (2021, 2024, True), (2019, 2024, True), (2022, 2025, True),
    (None, 2024, False),
])
def test_the_rule(tax_year, processing_year, refused) -> None:
    literal = mft32.move_to_32_refusal(tax_year, processing_year)
    assert (literal is not None) is refused
    if refused:
        assert literal == f"TY {tax_year} IDT RETURN OLDER THAN 2 YEARS - UP 299 TO RIVO" and len(literal) <= 60
    assert mft32.tax_year_of("202112") == 2021 and mft32.tax_year_of("") is None
