"""A posting run's report lines are counted and spooled, not held (issue 19: the 1M-module
run in 1 GB), and refunds are decided block by block -- with the same result as at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import mf_builders as b
import pytest
from sqlalchemy import select

from idrs_sim.masterfile.models import Transaction
from idrs_sim.posting import CycleReport, outcomes, refunds, run_cycle
from idrs_sim.posting.report import detail_lines, summary_lines

LINES = [(f"400-00-{1000 + i}", "30", "202312", 150 if i % 3 else 806, None) for i in range(10)]


def test_outcomes_spill_to_disk_and_read_back_like_a_list(monkeypatch) -> None:
    monkeypatch.setattr(outcomes, "BLOCK", 3)
    lines = outcomes.Outcomes(outcomes.KEYS["posted"])
    lines.extend(LINES[:4])
    lines.append(LINES[4])
    lines.extend(iter(LINES[5:9]))
    assert lines._blocks >= 2  # on disk, not in memory
    assert list(lines) == LINES[:9] and list(lines) == LINES[:9]  # read twice
    lines.append(LINES[9])  # adding after a read goes to the end
    assert lines == LINES and len(lines) == 10 and lines[4] == LINES[4] and lines[-1] == LINES[9]
    assert LINES[7] in lines and ("400-00-9999", "30", "202312", 150, None) not in lines
    assert lines.counts() == {150: 6, 806: 4}


def test_spilled_outcomes_hold_no_open_file_and_remove_theirs(monkeypatch) -> None:
    """`cycle --count N` keeps every cycle's report: a spilled one must not keep a file open
    (it held one per kind, 8 per cycle), and its file goes when the report does."""
    import gc
    import os

    monkeypatch.setattr(outcomes, "BLOCK", 2)
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    kept = []
    for _ in range(50):
        lines = outcomes.Outcomes(outcomes.KEYS["posted"], LINES)
        assert lines._blocks >= 1
        kept.append(lines)
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) <= fds + 2  # none left open per report
    assert all(x == LINES for x in kept)  # still read back
    path = kept[0]._path
    assert path is not None and os.path.exists(path)
    kept.clear()
    gc.collect()
    assert not os.path.exists(path)


def test_a_report_made_of_lists_counts_and_prints_as_before() -> None:
    report = CycleReport(cycle="202426", posted=list(LINES), refunds=[("400-00-1001", "30", "202312",
                                                                      Decimal("5.00"), "check")])
    assert isinstance(report.posted, outcomes.Outcomes) and report.posted == LINES
    assert "  POSTED      TC 150: 6, TC 806: 4" in summary_lines(report)
    assert "  REFUND      400-00-1001 30 202312  5.00 CHECK" in list(detail_lines(report))


def _world(mf: Any) -> None:
    """Six returns with credits: DD and paper, one frozen by URC 6 CCC 1 (-R, held)."""
    with mf.unit_of_work() as s:
        for i in range(6):
            mod = b.module(s, b.entity(s, f"400-00-{2001 + i}"))
            if i == 3:
                _, case = b.unposted_return(s, mod)
                b.resolve(s, case, "6", ccc="1")
            else:
                b.pending_return(s, mod, withholding=f"{13000 + i}.{i}5", dd=i % 2 == 0)


def _refunds_of(mf: Any) -> list[tuple[Any, ...]]:
    with mf.reading() as s:
        return [tuple(r) for r in s.execute(select(Transaction.id, Transaction.module_id, Transaction.amount,
                                                   Transaction.refund_method, Transaction.entity_id)
                                            .where(Transaction.tc == 846).order_by(Transaction.id))]


@pytest.mark.parametrize("block", [1, 2, 4])
def test_refunds_block_by_block_equal_refunds_at_once(monkeypatch, block: int) -> None:
    at_once = b.new_mf()
    _world(at_once)
    expected = run_cycle(at_once, "202426")
    monkeypatch.setattr(refunds, "_BLOCK", block)
    monkeypatch.setattr(outcomes, "BLOCK", block)
    by_block = b.new_mf()
    _world(by_block)
    report = run_cycle(by_block, "202426")
    assert len(expected.refunds) == 5 and expected.held == [("400-00-2004", "30", "202312", "-R")]
    assert report.refunds == list(expected.refunds) and report.held == list(expected.held)
    assert report.posted == list(expected.posted)
    assert _refunds_of(by_block) == _refunds_of(at_once)
    assert {m for *_x, m in report.refunds} == {"direct_deposit", "check"}
