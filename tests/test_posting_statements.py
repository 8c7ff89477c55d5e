"""The posting run is set-based (issue 19): the number of SQL statements a cycle issues
does not grow with the number of inputs of a kind.  Each kind of input is posted for 20
and for 2,000 modules and the statements counted (SQLAlchemy `before_cursor_execute`;
an executemany is one statement); the counts must be equal.  Each run's outcome is
checked too, so a rule that stopped acting would not pass by doing nothing.

The kinds: TC 971/972 matching (module, entity level, AC 505), UP 126 holds and document
unpostables, TC 137 links, UPRES releases (URC 0/6/6 CCC 3/8/D), TC 971 AC 111 moves and
refusals, AC 052 resequencing, refunds and refund holds (freezes), TC 014 / TC 591 entity
changes, and FTD alert issuance (ICS control base A/B, CP 239 letter C).
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
    Entity,
    IcsCase,
    Transaction,
    Unpostable,
    UnpostableHistory,
)
from idrs_sim.posting import run_cycle

CYCLE = "202426"
DAY = dt.date(2024, 6, 17)  # cycle 202425: the input below is due in 202426


def _ssn(i: int) -> str:
    return f"{400 + i // 10000}-00-{i % 10000:04d}"


def _ein(i: int) -> str:
    return f"99-{3000000 + i:07d}"


#: Entity columns per kind where they differ from an IMF individual (FTD alerts: employers).
ENTITY: dict[str, dict[str, Any]] = {}


def _build(n: int, txns: Callable[[int], list[dict[str, Any]]], entity: dict[str, Any] | None = None) -> MasterFile:
    """N entities (IMF, or what `entity` says) with one MFT 30 module each, and the
    transactions `txns(i)` of each (module_id None: on the entity; `_module=(mft, period)`:
    on that module of the entity, made as needed; `_case={...}`: an unpostable case for the
    transaction), inserted with plain executemany."""
    ent = {"file": "IMF", "depositor": None, **(entity or {})}
    tin = _ein if ent["file"] == "BMF" else _ssn
    mf = MasterFile("sqlite://", clock=Clock(DAY))
    with mf.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO entity (id, tin, tin_type, file, established, name_control, name_lines, address, "
            "filing_requirements, depositor, poa, information_returns, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(i + 1, tin(i), "EIN" if ent["file"] == "BMF" else "SSN", ent["file"], 1, "TEST", '["TEST"]', "[]", "{}",
              ent["depositor"], "[]", "[]", "{}") for i in range(n)])
        modules = [(i + 1, i + 1, "30", "202312") for i in range(n)]
        more: dict[tuple[int, str, str], int] = {}
        rows, cases = [], []
        for i in range(n):
            for t in txns(i):
                t = dict(t)
                where, case_ = t.pop("_module", None), t.pop("_case", None)
                mid = t.pop("module_id", i + 1)
                if where is not None:
                    key = (i + 1, *where)
                    if key not in more:
                        more[key] = len(modules) + 1
                        modules.append((more[key], i + 1, *where))
                    mid = more[key]
                base = {"id": len(rows) + 1, "entity_id": i + 1, "module_id": mid, "ac": None, "amount": 0,
                        "misc": None, "secondary_date": None, "dln": None, "document": None, "status": POSTED,
                        "due_cycle": None, "posting_cycle": "202415", "input_cycle": None, "extra": {}}
                rows.append({**base, **t})
                if case_ is not None:
                    cases.append({"id": len(cases) + 1, "seq": f"{len(cases) + 1:09d}", "entity_id": i + 1,
                                  "module_id": mid, "txn_id": len(rows), "reason": 0, "status": "open",
                                  "original_cycle": "202420", "released": False, "document": None,
                                  "dln": rows[-1]["dln"], **case_})
        conn.exec_driver_sql("INSERT INTO tax_module (id, entity_id, mft, period) VALUES (?,?,?,?)", modules)
        conn.execute(Transaction.__table__.insert(), rows)  # type: ignore[attr-defined]
        if cases:
            conn.execute(Unpostable.__table__.insert(), cases)  # type: ignore[attr-defined]
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


#: A return on the GUF from an earlier cycle, and the UPRES resolution of its case.
_ON_GUF = {"status": UNPOSTABLE, "due_cycle": "202420", "posting_cycle": None}
_RESOLVED = {"upc": 126, "resolved_date": dt.date(2024, 6, 10), "resolved_by": "1485012345"}
_PRIOR = ("202306", "202309", "202312", "202403")  # the quarters before the 202406 FTD alert quarter


def _return(i: int, **kw: Any) -> dict[str, Any]:
    return {"tc": 150, "dln": _dln(i), "amount": 100, "document": {"tc": 150, "tax": "100.00"}, **kw}


KINDS.update({
    # UPRES releases acted on in this cycle: URC 0 posts, URC D / 8 delete, URC 6 on a
    # corrected TIN posts there, URC 6 CCC 3 moves the return to MFT 32 (TC 976).
    "upres_urc0": lambda i: [_return(i, **_ON_GUF, _case={**_RESOLVED, "urc": "0"})],
    "upres_urcD": lambda i: [_return(i, **_ON_GUF, _case={**_RESOLVED, "urc": "D"})],
    "upres_urc8": lambda i: [_return(i, **_ON_GUF, _case={**_RESOLVED, "urc": "8"})],
    "upres_urc6_corrected_tin": lambda i: [
        _return(i, **_ON_GUF, _case={**_RESOLVED, "urc": "6", "corrected_tin": _ssn((i + 1) % 10)})],
    "upres_urc6_ccc3": lambda i: [_return(i, **_ON_GUF, _case={**_RESOLVED, "urc": "6", "ccc": "3"})],
    # URC 0 onto a module with a posted TC 150, and two URC 0 returns of one module: the
    # second return posts as TC 976 (-A), not as another TC 150 (IRM 25.25.6.5.2.4).
    "upres_urc0_duplicate_of_posted": lambda i: [
        {"tc": 150, "dln": "29211045199999", "amount": 100}, _return(i, **_ON_GUF, _case={**_RESOLVED, "urc": "0"})],
    "upres_urc0_two_in_one_run": lambda i: [
        _return(i, **_ON_GUF, _case={**_RESOLVED, "urc": "0"}),
        _return(i + 5000, **_ON_GUF, _case={**_RESOLVED, "urc": "0"})],
    # TC 971 AC 111 on MFT 30 with the DLN of a return that is UP 126: moved to MFT 32.
    "ac111_moves_return_to_mft32": lambda i: [
        _return(i, **_ON_GUF, _case={"upc": 126}), _pending(tc=971, ac=111, misc=_dln(i))],
    # TC 971 AC 111 on MFT 32 with the DLN of its TC 976: back to MFT 30 as TC 150.
    "ac111_moves_return_back": lambda i: [
        {"tc": 976, "dln": _dln(i), "_module": ("32", "202312"), "extra": {"tax": "100.00"},
         "document": {"tc": 150, "tax": "100.00"}},
        _pending(tc=971, ac=111, misc=_dln(i), _module=("32", "202312"))],
    # TC 971 AC 111 after a merge (TC 006): UP 168.
    "ac111_after_merge": lambda i: [{"tc": 6, "module_id": None}, _pending(tc=971, ac=111, misc=_dln(i))],
    # TC 971 AC 111 on MFT 32 of TY 2021: refused (Form 4442 to RIVO).
    "ac111_prior_year_refused": lambda i: [_pending(tc=971, ac=111, misc=_dln(i), _module=("32", "202112"))],
    # TC 971 AC 111 with the DLN of a return not yet posted: the return goes to MFT 32.
    "ac111_diverts_return": lambda i: [{"tc": 971, "ac": 111, "misc": _dln(i)}, _pending(**_return(i))],
    # TC 971 AC 052: the return is resequenced two cycles.
    "ac052_resequence": lambda i: [{"tc": 971, "ac": 52, "misc": _dln(i)}, _pending(**_return(i))],
    # A credit balance held by a TC 570 freeze; a TC 290 .00 touches the module: held.
    "tc290_refund_held": lambda i: [
        _return(i), {"tc": 806, "amount": 500}, {"tc": 570}, _pending(tc=290, amount=0)],
    # The TC 571 releases the freeze: the refund issues.
    "tc571_releases_refund": lambda i: [
        _return(i), {"tc": 806, "amount": 500}, {"tc": 570}, _pending(tc=571, amount=0)],
    # Returns with withholding: refund, direct deposit or paper check.
    "tc150_refund_dd_and_paper": lambda i: [_pending(
        tc=150, dln=_dln(i), amount=100,
        document={"tc": 150, "tax": "100.00", "withholding": "600.00", "direct_deposit": i % 2 == 0})],
    # TC 014 changes the entity's address.
    "tc014_address": lambda i: [_pending(tc=14, module_id=None, extra={"address": ["1 MAIN ST", "AUSTIN TX 78701"]})],
    # FTD alert issuance (cycle 202426 is the 13th week of the quarter): four quarters of
    # 941 tax deposited in full, and no deposits now.  Priority B goes to ICS; small
    # employers get the CP 239 (priority C); the balance due of the last two quarters makes A.
    "ftd_alert_ics": lambda i: [{"tc": tc, "amount": 60000, "_module": ("01", p)} for p in _PRIOR for tc in (150, 650)],
    "ftd_alert_cp239": lambda i: [{"tc": tc, "amount": 3000, "_module": ("01", p)} for p in _PRIOR for tc in (150, 650)],
    "ftd_alert_pyramider": lambda i: [{"tc": 150, "amount": 60000, "_module": ("01", p)} for p in _PRIOR],
    # TC 591 CC 50 closes the Form 941 filing requirement.
    "tc591_closes_941": lambda i: [_pending(tc=591, ac=50, _module=("01", "202406"))],
})
ENTITY.update({k: {"file": "BMF", "depositor": "semiweekly"}
               for k in ("ftd_alert_ics", "ftd_alert_cp239", "ftd_alert_pyramider", "tc591_closes_941")})


def _count(s: Any, *where: Any, model: Any = Transaction) -> int:
    return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


#: What each of the kinds above must have done to its n modules.
OUTCOMES: dict[str, Callable[[Any, int], None]] = {
    "upres_urc0": lambda s, n: _expect(s, n, (Transaction.tc == 150, Transaction.status == POSTED),
                                       (Unpostable.status == "closed", Unpostable.released.is_(True))),
    "upres_urc0_duplicate_of_posted": lambda s, n: (
        _expect(s, n, (Transaction.tc == 976, Transaction.status == POSTED), (Unpostable.status == "closed",)),
        _expect(s, n, (Transaction.tc == 150, Transaction.status == POSTED))),
    "upres_urc0_two_in_one_run": lambda s, n: (
        _expect(s, n, (Transaction.tc == 976, Transaction.status == POSTED)),
        _expect(s, n, (Transaction.tc == 150, Transaction.status == POSTED)),
        _expect(s, 2 * n, (), model=Unpostable, where=(Unpostable.status == "closed",))),
    "upres_urcD": lambda s, n: _expect(s, n, (Transaction.status == "deleted",), (Unpostable.status == "closed",)),
    "upres_urc8": lambda s, n: _expect(s, n, (Transaction.status == "deleted",), (Unpostable.status == "closed",)),
    # n returns onto 10 TINs: the first on each is its TC 150, the others TC 976 (duplicate_returns).
    "upres_urc6_corrected_tin": lambda s, n: (_expect(
        s, n, (Transaction.tc.in_((150, 976)), Transaction.status == POSTED, Transaction.entity_id != Transaction.id),
        (Unpostable.status == "closed",)), _expect(
        s, 10, (Transaction.tc == 150, Transaction.status == POSTED, Transaction.entity_id != Transaction.id))),
    "upres_urc6_ccc3": lambda s, n: _expect(s, n, (Transaction.tc == 976, Transaction.status == POSTED,
                                                   Transaction.module_id > n), (Unpostable.status == "closed",)),
    "ac111_moves_return_to_mft32": lambda s, n: _expect(
        s, n, (Transaction.tc == 976, Transaction.status == POSTED, Transaction.module_id > n),
        (Unpostable.status == "closed", Unpostable.urc == "6")),
    "ac111_moves_return_back": lambda s, n: _expect(
        s, n, (Transaction.tc == 150, Transaction.status == POSTED, Transaction.module_id <= n)),
    "ac111_after_merge": lambda s, n: _expect(s, n, (Transaction.status == UNPOSTABLE,), (Unpostable.upc == 168,)),
    "ac111_prior_year_refused": lambda s, n: _expect(s, n, (Transaction.status == UNPOSTABLE,),
                                                     (Unpostable.upc == 173,)),
    "ac111_diverts_return": lambda s, n: _expect(s, n, (Transaction.tc == 976, Transaction.status == POSTED,
                                                        Transaction.module_id > n)),
    "ac052_resequence": lambda s, n: _expect(s, n, (Transaction.tc == 150, Transaction.status == "pending",
                                                    Transaction.due_cycle == "202428")),
    "tc290_refund_held": lambda s, n: _expect(s, 0, (Transaction.tc == 846,)),
    "tc571_releases_refund": lambda s, n: _expect(s, n, (Transaction.tc == 846,)),
    "tc150_refund_dd_and_paper": lambda s, n: (
        _expect(s, n // 2, (Transaction.tc == 846, Transaction.refund_method == "direct_deposit")),
        _expect(s, n // 2, (Transaction.tc == 846, Transaction.refund_method == "check"))),
    "tc014_address": lambda s, n: _expect(s, n, (), model=Entity, where=(
        func.json_extract(Entity.address, "$[0]") == "1 MAIN ST",)),
    "ftd_alert_ics": lambda s, n: (_expect(s, n, (Transaction.tc == 971, Transaction.ac == 46)),
                                   _expect(s, n, (), model=IcsCase, where=(IcsCase.priority == "B",))),
    "ftd_alert_pyramider": lambda s, n: _expect(s, n, (), model=IcsCase, where=(IcsCase.priority == "A",)),
    "ftd_alert_cp239": lambda s, n: (_expect(s, n, (Transaction.tc == 971, Transaction.ac == 804)),
                                     _expect(s, 0, (), model=IcsCase, where=())),
    "tc591_closes_941": lambda s, n: _expect(s, n, (), model=Entity, where=(
        func.json_extract(Entity.filing_requirements, "$.941") == "00",)),
}


def _expect(s: Any, n: int, txns: tuple[Any, ...], cases: tuple[Any, ...] = (), *, model: Any = None,
            where: tuple[Any, ...] = ()) -> None:
    if model is not None:
        assert _count(s, *where, model=model) == n
        return
    assert _count(s, *txns) == n
    if cases:
        assert _count(s, *cases, model=Unpostable) == n


def _outcome(mf: MasterFile, kind: str, n: int) -> None:
    if kind in OUTCOMES:
        with mf.reading() as s:
            OUTCOMES[kind](s, n)
        return
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
    mf = _build(n, KINDS[kind], ENTITY.get(kind))
    try:
        seen: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            seen.append(statement)

        event.listen(mf.engine, "before_cursor_execute", count)
        run_cycle(mf, CYCLE)
        event.remove(mf.engine, "before_cursor_execute", count)
        _outcome(mf, kind, n)
        return len(seen)
    finally:
        mf.dispose()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_statements_do_not_grow_with_the_input(kind: str) -> None:
    assert _statements(kind, 20) == _statements(kind, 2000)
