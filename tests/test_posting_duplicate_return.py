"""A second return released from the GUF onto a module that already has an original return.

IRM 25.25.6.5.2.1.1 (3) box 1 wants duplicate valid returns closed URC D ("DUP RETURN NON
IDT"); IRM 25.25.6.5.2.4 and reference §6 say what the master file does when a second
return reaches a module with a TC 150 all the same: it is a TC 976 and the module gets -A,
which holds the refund.  The posting run applies the rule a return moved back from MFT 32
follows (`rules.mft32.arriving_return`) to a return released by URC 0 / 6 (posting.
unpostables.release_resolutions), so a second TC 150 never posts and no second refund
goes out.  The reviewer's scripts (tpp/wrong_tax_year, tpp/multiple_returns) replay below.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from idrs_sim import replay
from idrs_sim.masterfile import derive
from idrs_sim.masterfile.models import PENDING, POSTED, TaxModule, Transaction, Unpostable
from idrs_sim.posting import refunds as posting_refunds
from idrs_sim.posting import run_cycle
from idrs_sim.rules import mft32

import mf_builders as b
from mf_builders import DLN

SECOND_DLN = "76247045108014"
TIN = "400-00-1001"


@pytest.fixture(autouse=True, params=["touched modules", "whole file"])
def refund_scope(request, monkeypatch) -> None:
    """Both ways of summing refunds (tests/test_posting.py) must hold the refund alike."""
    if request.param == "whole file":
        monkeypatch.setattr(posting_refunds, "_FEW_POSTINGS", 0)


@pytest.fixture
def mf():
    m = b.new_mf()
    yield m
    m.dispose()


def _returns(s, mod_id: int) -> list[tuple[int, str, Decimal]]:
    return [(t.tc, t.dln, t.amount) for t in b.txns_of(s, mod_id) if t.tc in (150, 976) and t.status == POSTED]


def test_urc0_onto_a_module_with_a_posted_return_posts_tc976_with_minus_a_and_no_refund(mf) -> None:
    """Repro e2: the first return posted and refunded; a second one released URC 0."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.posted_return(s, mod, tax="2812.00", withholding="4300.00", cycle="202310")
        b.txn(s, mod, 846, amount="1488.00", cycle="202311")
        _ret, case = b.unposted_return(s, mod, dln=SECOND_DLN, tax="2906.00", withholding="4600.00")
        b.resolve(s, case, "0")
        mod_id = mod.id
    report = run_cycle(mf, "202426")
    assert report.refunds == []
    assert (TIN, "30", "202312", 976, None) in report.posted
    assert (TIN, "30", "202312", 150, None) not in report.posted
    assert (TIN, "30", "202312", 806, None) not in report.posted  # a TC 976 carries no credits
    with mf.reading() as s:
        assert _returns(s, mod_id) == [(150, DLN, Decimal("2812.00")), (976, SECOND_DLN, Decimal("0.00"))]
        module = s.get(TaxModule, mod_id)
        assert "-A" in derive.freezes(module)
        assert derive.balance(module) == 0
        dup = b.txns_of(s, mod_id, 976)[0]
        assert dup.extra["tax"] == "2906.00" and dup.extra["released_from"] == "000000101"
        assert s.scalar(select(Unpostable.status).where(Unpostable.txn_id == dup.id)) == "closed"


def test_urc0_duplicate_on_a_module_with_a_credit_holds_the_refund(mf) -> None:
    """The original's credit is still there: the -A holds it (rules/freezes.py)."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.posted_return(s, mod, tax="1000.00", withholding="3000.00", cycle="202410")
        _ret, case = b.unposted_return(s, mod, dln=SECOND_DLN)
        b.resolve(s, case, "6", ccc="1")
    report = run_cycle(mf, "202426")
    assert report.refunds == []
    assert report.held == [(TIN, "30", "202312", "-A")]


def test_two_returns_released_in_one_run_the_second_posts_tc976(mf) -> None:
    """Repro e1: two UP 126 returns of one module both closed URC 0 in the same week."""
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        _r1, first = b.unposted_return(s, mod, tax="3578.00", withholding="5700.00")
        _r2, second = b.unposted_return(s, mod, dln=SECOND_DLN, seq="000000102", tax="3578.00", withholding="5700.00")
        b.resolve(s, first, "0")
        b.resolve(s, second, "0")
        mod_id = mod.id
    report = run_cycle(mf, "202426")
    assert sorted(report.released) == [("000000101", "0"), ("000000102", "0")]
    assert report.refunds == []
    assert report.held == [(TIN, "30", "202312", "-A")]
    with mf.reading() as s:
        assert _returns(s, mod_id) == [(150, DLN, Decimal("3578.00")), (976, SECOND_DLN, Decimal("0.00"))]
        assert [t.amount for t in b.txns_of(s, mod_id, 806)] == [Decimal("5700.00")]


def test_a_single_release_still_posts_its_tc150_and_refunds(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        _ret, case = b.unposted_return(s, mod)
        b.resolve(s, case, "0")
        mod_id = mod.id
    report = run_cycle(mf, "202426")
    assert report.refunds == [(TIN, "30", "202312", Decimal("3150.00"), "direct_deposit")]
    with mf.reading() as s:
        assert _returns(s, mod_id) == [(150, DLN, Decimal("9850.00"))]


def test_a_release_onto_another_period_is_not_a_duplicate(mf) -> None:
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        earlier = b.module(s, ent, period="202212")
        b.posted_return(s, earlier, cycle="202310")
        b.txn(s, earlier, 846, amount="3150.00", cycle="202311")
        _ret, case = b.unposted_return(s, b.module(s, ent))
        b.resolve(s, case, "0")
    report = run_cycle(mf, "202426")
    assert (TIN, "30", "202312", 150, None) in report.posted
    assert report.refunds == [(TIN, "30", "202312", Decimal("3150.00"), "direct_deposit")]


def test_the_rule_is_the_one_a_return_moved_back_from_mft32_follows() -> None:
    """Stated once: `moved_return` to MFT 30 beside a posted TC 150 is `arriving_return`."""
    dup = mft32.arriving_return(Decimal("2906.00"), {"a": 1}, other_return_posted=True)
    assert dup == mft32.Moved(976, Decimal("0.00"), {"a": 1, "tax": "2906.00"})
    assert mft32.arriving_return(Decimal("2906.00"), {}, other_return_posted=False) is None
    back = mft32.moved_return("30", Decimal("2906.00"), None, {"a": 1}, other_return_posted=True, from_mft="32",
                              cycle="202426")
    assert (back.tc, back.amount) == (dup.tc, dup.amount) and back.extra["tax"] == "2906.00"



def _replay(tmp_path: Path, script: str) -> str:
    path = tmp_path / "script.txt"
    path.write_text(script, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert replay.run([path], out=out, err=err) == 0, out.getvalue() + err.getvalue()
    return out.getvalue()


_RELEASE = ('Clear\nString("UPDIS {seq}")\nEnter\nClear\nString("UPASGR {seq}")\nEnter\nFill("URC", "0")\nEnter\n'
            'ExpectLine(24, "REQUEST COMPLETED")\n')


def test_replay_wrong_tax_year_second_return_is_tc976_minus_a(tmp_path: Path) -> None:
    """e2: tpp/wrong_tax_year, case 000000108 URC 0 -> TC 976, FRZ -A, no second TC 846."""
    _replay(tmp_path, 'Load(tpp/wrong_tax_year)\nSignOn(1485012345)\n' + _RELEASE.format(seq="000000108")
            + 'Cycle\nClear\nString("IMFOLT 400-00-1008 30 202212")\nEnter\n'
            'Expect("FRZ> -A")\nExpect("976  02142024 202426            .00 76247-045-10801-4")\n'
            'ExpectNot("150  02142024 202426")\nExpectNot("1,694.00")\n'
            # TXMODA's heading still describes the original return (it went blank on the TC 976)
            'Clear\nString("TXMODA 400-00-1008 30 202212")\nEnter\n'
            'Expect("TAX-PER-RET> 2,812.00")\nExpect("CONTROL-DLN> 76247-052-10801-3")\n')


def test_replay_multiple_returns_refund_once_held(tmp_path: Path) -> None:
    """e1: tpp/multiple_returns, cases 000000122 and 000000123 both URC 0 in one week."""
    _replay(tmp_path, 'Load(tpp/multiple_returns)\nSignOn(1485012345)\n' + _RELEASE.format(seq="000000122")
            + _RELEASE.format(seq="000000123")
            + 'Cycle\nClear\nString("IMFOLT 400-00-1022 30 202312")\nEnter\n'
            'Expect("FRZ> -A")\nExpect("976  03112024 202426            .00 18211-071-22007-4")\n'
            'ExpectNot("846  ")\n')


def test_a_second_return_input_posts_tc976_as_a_released_one_does(mf) -> None:
    """Not only a release: any second TC 150 due on a module with a return posted (a fixture's
    pending input, a return moved to a corrected TIN) is a TC 976 with -A (Document 6209);
    two due in one run on a fresh module: the first is the original, the second the duplicate.
    The rule is one (`returns.duplicate_returns`), so its answer is the same every way."""
    with mf.unit_of_work() as s:
        ent = b.entity(s)
        mod = b.module(s, ent)
        b.posted_return(s, mod, tax="2812.00", withholding="4300.00", cycle="202310")
        b.txn(s, mod, 150, amount="2906.00", status=PENDING, cycle="202426", dln=SECOND_DLN,
              document=b.return_doc("2906.00", "4600.00", True), input_idrs=None)
        fresh = b.module(s, ent, period="202212")
        b.txn(s, fresh, 150, amount="100.00", status=PENDING, cycle="202426", dln=DLN,
              document=b.return_doc("100.00", "300.00", True), input_idrs=None)
        b.txn(s, fresh, 150, amount="200.00", status=PENDING, cycle="202426", dln=SECOND_DLN,
              document=b.return_doc("200.00", "300.00", True), input_idrs=None)
        ids = mod.id, fresh.id
    report = run_cycle(mf, "202426")
    with mf.reading() as s:
        assert _returns(s, ids[0]) == [(150, DLN, Decimal("2812.00")), (976, SECOND_DLN, Decimal("0.00"))]
        assert _returns(s, ids[1]) == [(150, DLN, Decimal("100.00")), (976, SECOND_DLN, Decimal("0.00"))]
        assert [t.amount for t in b.txns_of(s, ids[0], 806)] == [Decimal("4300.00")]  # no second TC 806
        assert [t.amount for t in b.txns_of(s, ids[1], 806)] == [Decimal("300.00")]
        assert all("-A" in derive.freezes(s.get(TaxModule, i)) for i in ids)
    assert report.refunds == []
