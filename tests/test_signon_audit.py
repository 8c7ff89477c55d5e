"""Rejected sign-ons that anyone can repeat are audited within a budget (issue 24 item 4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.fixtures import load_fixture
from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.terminal import signon_audit
from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.session import MAX_SIGNON_FAILURES, IdrsSession


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    t = [1000.0]
    monkeypatch.setattr(signon_audit, "clock", lambda: t[0])
    return t


def _enter(session: IdrsSession, idrs: str, password: str) -> str:
    scr = session.screen
    emp, pw = scr.field_named("EMPLOYEE-NO"), scr.field_named("PASSWORD")
    assert emp is not None and pw is not None
    return session.handle(AidEvent(Aid.ENTER, pw.addr + 1, {emp.addr: idrs, pw.addr: password})).row_text(24)


def _outcomes(mf: MasterFile) -> list[str]:
    with mf.reading() as db:
        return [r.outcome or "" for r in db.scalars(select(AuditRecord).order_by(AuditRecord.id))]


def test_a_sign_on_flood_leaves_a_bounded_trail_that_says_how_big_it_was(now: list[float]) -> None:
    mf = MasterFile()
    load_fixture(mf, "employees")
    flood = IdrsSession(mf, "TN0001")
    for i in range(500):
        assert "INVALID EMPLOYEE NUMBER" in _enter(flood, f"{9000000000 + i}", "x")  # every key still answered
    recorded = _outcomes(mf)
    assert len(recorded) == signon_audit.BURST  # 500 before
    assert all(o == "SIGN-ON REJECTED: UNKNOWN EMPLOYEE NUMBER" for o in recorded)
    now[0] += 60  # a minute later: PER_MINUTE more may be recorded; the first says what was left out
    other = IdrsSession(mf, "TN0002")  # another terminal shares the budget (reconnecting resets nothing)
    _enter(other, "9999999999", "x")
    assert _outcomes(mf)[-1] == f"SIGN-ON REJECTED: UNKNOWN EMPLOYEE NUMBER (+{500 - signon_audit.BURST} NOT RECORDED)"


def test_wrong_passwords_of_a_real_employee_are_always_recorded(now: list[float]) -> None:
    mf = MasterFile()
    load_fixture(mf, "employees")
    s = IdrsSession(mf, "TN0001")
    for i in range(signon_audit.BURST + 5):  # the budget is spent
        _enter(s, f"{9000000000 + i}", "x")
    before = len(_outcomes(mf))
    for _ in range(MAX_SIGNON_FAILURES):
        _enter(s, "1485012345", "wrong")
    wrong = _outcomes(mf)[before:]
    assert len(wrong) == MAX_SIGNON_FAILURES and wrong[-1].endswith("NOW LOCKED")
    for _ in range(50):  # the locked employee's number: budgeted again
        assert "LOCKED" in _enter(s, "1485012345", "train123")
    assert len(_outcomes(mf)) == before + MAX_SIGNON_FAILURES


def test_a_successful_sign_on_is_recorded_after_a_flood(now: list[float]) -> None:
    mf = MasterFile()
    load_fixture(mf, "employees")
    s = IdrsSession(mf, "TN0001")
    for i in range(100):
        _enter(s, f"{9000000000 + i}", "x")
    assert "SIGN-ON COMPLETED" in _enter(s, "1485012345", "train123")
    assert _outcomes(mf)[-1] == "SIGN-ON COMPLETED"
