"""The posting run is set-based (issue 19): the number of SQL statements a cycle issues
does not grow with the number of inputs of a kind.  Each kind of input is posted for 20
and for 2,000 modules and the statements counted (SQLAlchemy `before_cursor_execute`;
an executemany is one statement); the counts must be equal.  Each run's outcome is
checked too, so a rule that stopped acting would not pass by doing nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, func, select

from idrs_sim.clock import Clock
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.models import (
    POSTED,
    UNPOSTABLE,
    Transaction,
    Unpostable,
    UnpostableHistory,
)
from idrs_sim.posting import run_cycle

CYCLE = "202426"
DAY = dt.date(2024, 6, 17)  # cycle 202425: the input below is due in 202426


def _ssn(i: int) -> str:
    return f"{400 + i // 10000}-00-{i % 10000:04d}"


def _build(n: int, txns: Callable[[int], list[dict[str, Any]]]) -> MasterFile:
    """N IMF entities with one MFT 30 module each, and the transactions `txns(i)` of each
    (module_id None: on the entity), inserted with plain executemany."""
    mf = MasterFile("sqlite://", clock=Clock(DAY))
    with mf.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO entity (id, tin, tin_type, file, established, name_control, name_lines, address, "
            "filing_requirements, poa, information_returns, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(i + 1, _ssn(i), "SSN", "IMF", 1, "TEST", "[]", "[]", "{}", "[]", "[]", "{}") for i in range(n)])
        conn.exec_driver_sql("INSERT INTO tax_module (id, entity_id, mft, period) VALUES (?,?,?,?)",
                             [(i + 1, i + 1, "30", "202312") for i in range(n)])
        rows = []
        for i in range(n):
            for t in txns(i):
                base = {"entity_id": i + 1, "module_id": i + 1, "ac": None, "amount": 0, "misc": None,
                        "secondary_date": None, "dln": None, "document": None, "status": POSTED, "due_cycle": None, "posting_cycle": "202415",
                        "extra": {}}
                rows.append({**base, **t})
        conn.execute(Transaction.__table__.insert(), rows)  # type: ignore[attr-defined]
    return mf


def _pending(**kw: Any) -> dict[str, Any]:
    return {"status": "pending", "due_cycle": CYCLE, "posting_cycle": None, **kw}


def _dln(i: int) -> str:
    return f"2921104510{i % 10000:04d}"


KINDS: dict[str, Callable[[int], list[dict[str, Any]]]] = {
    # TC 972 AC 124 naming the DLN of the module's TC 971 AC 124 (the file).
    "tc972_module_by_misc": lambda i: [
        {"tc": 971, "ac": 124, "misc": _dln(i)},
        {"tc": 971, "ac": 124, "misc": "29211045199999"},
        _pending(tc=972, ac=124, misc=_dln(i)),
    ],
    # TC 972 with no TC 971 of its action code: unpostable.
    "tc972_no_match": lambda i: [{"tc": 971, "ac": 52}, _pending(tc=972, ac=124, misc=_dln(i))],
    # Entity-level TC 971/972 AC 527 (no module).
    "tc972_entity_level": lambda i: [
        {"tc": 971, "ac": 527, "module_id": None},
        _pending(tc=972, ac=527, module_id=None),
    ],
    # TC 972 AC 505 naming its indicator by breach date; two indicators on the entity.
    "tc972_ac505_by_date": lambda i: [
        {"tc": 971, "ac": 505, "module_id": None, "secondary_date": dt.date(2023, 1, 5), "misc": "IR20230000001"},
        {"tc": 971, "ac": 505, "module_id": None, "secondary_date": dt.date(2023, 7, 9), "misc": "IR20230000002"},
        _pending(tc=972, ac=505, module_id=None, secondary_date=dt.date(2023, 7, 9)),
    ],
    # A second TC 971 AC 505 with a breach number already on the entity: unpostable.
    "tc971_ac505_duplicate": lambda i: [
        {"tc": 971, "ac": 505, "module_id": None, "secondary_date": dt.date(2023, 1, 5), "misc": "IR20230000001"},
        _pending(tc=971, ac=505, module_id=None, secondary_date=dt.date(2023, 2, 5), misc="IR20230000001"),
    ],
    # A return held by the TC 971 AC 124 carrying its DLN: UP 126 RC 0.
    "tc150_up126": lambda i: [
        {"tc": 971, "ac": 124, "misc": _dln(i)},
        _pending(tc=150, dln=_dln(i), amount=100, document={"tc": 150, "tax": "100.00"}),
    ],
    # A return whose document names its unpostable code (UP 147).
    "tc150_document_unpostable": lambda i: [
        _pending(tc=150, dln=_dln(i), document={"tc": 150, "unpostable": {"code": 147, "reason": 0}}),
    ],
    # TC 137 reverses the latest TC 136 of its module.
    "tc137_reverses_tc136": lambda i: [{"tc": 136}, {"tc": 136, "posting_cycle": "202420"}, _pending(tc=137)],
}


def _outcome(mf: MasterFile, kind: str, n: int) -> None:
    with mf.reading() as s:
        reversed_ = s.scalar(select(func.count()).where(Transaction.reversed_by_id.is_not(None)))
        unpostable = s.scalar(select(func.count()).where(Transaction.status == UNPOSTABLE))
        cases = s.scalar(select(func.count()).select_from(Unpostable))
        lines = s.scalar(select(func.count()).select_from(UnpostableHistory))
        if kind == "tc972_module_by_misc":
            # The one whose MISC names the DLN, not the earlier one.
            misc = s.scalars(select(Transaction.misc).where(Transaction.reversed_by_id.is_not(None))).all()
            assert sorted(misc) == sorted(_dln(i) for i in range(n))
        if kind == "tc972_ac505_by_date":
            dates = set(s.scalars(select(Transaction.secondary_date).where(Transaction.reversed_by_id.is_not(None))))
            assert dates == {dt.date(2023, 7, 9)}
        if kind == "tc137_reverses_tc136":
            cycles = set(s.scalars(select(Transaction.posting_cycle).where(Transaction.reversed_by_id.is_not(None))))
            assert cycles == {"202420"}  # the latest
    expect_unpostable = kind in ("tc972_no_match", "tc971_ac505_duplicate", "tc150_up126",
                                 "tc150_document_unpostable")
    assert (reversed_, unpostable, cases, lines) == ((0, n, n, n) if expect_unpostable else (n, 0, 0, 0))


def _statements(kind: str, n: int) -> int:
    mf = _build(n, KINDS[kind])
    try:
        seen: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            seen.append(statement)

        event.listen(mf.engine, "before_cursor_execute", count)
        report = run_cycle(mf, CYCLE)
        event.remove(mf.engine, "before_cursor_execute", count)
        assert len(report.unposted) in (0, n)
        _outcome(mf, kind, n)
        return len(seen)
    finally:
        mf.dispose()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_statements_do_not_grow_with_the_input(kind: str) -> None:
    assert _statements(kind, 20) == _statements(kind, 2000)
