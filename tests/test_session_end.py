"""A terminal that goes without SINOF signs its employee off in the audit trail (review of
2026-12-08: Ctrl+Q in the TUI left SINON and ENMOD with nothing after; the TN3270 side is
tested in test_tn3270_idrs.py, a closed browser tab in test_web*.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from idrs_sim.front.tui import CLOSED, IdrsApp, run_tui
from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.simulator import Simulator

TRAINEE = "1485012345"


def _trail(sim: Simulator) -> list[tuple[str | None, str | None]]:
    with sim.mf.reading() as db:
        return [(r.command, r.outcome) for r in db.scalars(select(AuditRecord).order_by(AuditRecord.id))]


@pytest.mark.parametrize("signs_off_first", [False, True])
def test_quitting_the_tui_signs_off(monkeypatch: pytest.MonkeyPatch, signs_off_first: bool) -> None:
    sim = Simulator(fixture="training")

    def user_session(app: IdrsApp) -> None:  # what the user does before Ctrl+Q
        t = app.terminal
        t.fill("EMPLOYEE NUMBER", TRAINEE)
        t.fill("PASSWORD", sim.password_for(TRAINEE))
        t.enter()
        t.clear()
        t.type_text("ENMOD 400-00-1001")
        t.enter()
        if signs_off_first:
            t.clear()
            t.type_text("SINOF")
            t.enter()

    monkeypatch.setattr(IdrsApp, "run", user_session)
    try:
        assert run_tui(sim) == 0
        trail = _trail(sim)
        if signs_off_first:  # nothing more: the employee had signed off
            assert [c for c, _ in trail].count("SINOF") == 1 and trail[-1][1] != CLOSED
        else:
            assert trail[-1] == ("SINOF", CLOSED)
    finally:
        sim.close()
