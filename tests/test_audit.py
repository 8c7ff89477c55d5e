"""The audit trail (the UNAX record): every AID key of every command kind leaves a record,
and nothing — not the terminal, not SQL — can change or delete one."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.simulator import Simulator
from idrs_sim.terminal.session import IdrsSession
from idrs_sim.terminal.terminal import Terminal

TRAINEE = "1485012345"
TIN = "400-00-1001"


def _records(sim: Simulator) -> list[tuple]:
    with sim.mf.reading() as db:
        return [(a.id, a.at, a.idrs, a.terminal, a.aid, a.command, a.tin, a.mft, a.period, a.outcome, a.violation)
                for a in db.scalars(select(AuditRecord).order_by(AuditRecord.id))]


@pytest.fixture()
def sim() -> Simulator:
    return Simulator(fixture="training")


def test_every_command_kind_leaves_one_record_per_aid_key(sim: Simulator) -> None:
    term = Terminal(IdrsSession(sim.mf, "AUDIT1", idle_timeout_minutes=None))
    steps = [
        ("signon", lambda: (term.fill("EMPLOYEE NUMBER", TRAINEE), term.fill("PASSWORD", "wrong"), term.enter())),
        ("signon", lambda: (term.fill("PASSWORD", sim.password_for(TRAINEE)), term.enter())),
        ("clear", term.clear),
        ("research", lambda: (term.type_text(f"TXMODA {TIN} 30 202312"), term.enter())),
        ("page", lambda: term.pf(8)),
        ("pf", lambda: term.pf(3)),
        ("input", lambda: (term.clear(), term.type_text(f"REQ77 {TIN} 30 202312"), term.enter(),
                           term.fill("TC", "971"), term.fill("TC971/151", "850"), term.enter())),
        ("parse error", lambda: (term.clear(), term.type_text("ENMOD 400-00-10"), term.enter())),
        ("unknown code", lambda: (term.clear(), term.type_text("XYZZY"), term.enter())),
        ("refused", lambda: (term.clear(), term.type_text("UNAXR"), term.enter())),
        ("system", lambda: (term.clear(), term.type_text("SINOF"), term.enter())),
    ]
    count = len(_records(sim))
    for kind, step in steps:
        step()
        now = _records(sim)
        assert len(now) > count, f"{kind}: no audit record"
        count = len(now)
    records = _records(sim)
    commands = [r[5] for r in records]
    assert {"TXMOD", "REQ77", "FRM77", "UNAXR", "SINOF", "XYZZY"} <= set(commands), commands
    research = next(r for r in records if r[5] == "TXMOD")
    assert research[2] == TRAINEE and research[3] == "AUDIT1" and research[6:9] == (TIN, "30", "202312")
    refused = next(r for r in records if r[5] == "UNAXR")
    assert refused[10] is True and refused[9] == "UNAUTHORIZED COMMAND CODE"
    assert not any("wrong" in (r[9] or "") or "train123" in (r[9] or "") for r in records), "a password was logged"


def test_the_terminal_cannot_alter_the_trail(sim: Simulator) -> None:
    term = Terminal(IdrsSession(sim.mf, "AUDIT2", idle_timeout_minutes=None))
    term.fill("EMPLOYEE NUMBER", TRAINEE)
    term.fill("PASSWORD", sim.password_for(TRAINEE))
    term.enter()
    before = _records(sim)
    # everything a trainee can do afterwards only appends
    for text in (f"ENMOD {TIN}", f"UPTIN {TIN}", "HELP", f"AMS {TIN}", "SINOF"):
        term.clear()
        term.type_text(text)
        term.enter()
    after = _records(sim)
    assert after[: len(before)] == before and len(after) > len(before)


def test_the_database_refuses_updates_and_deletes(sim: Simulator) -> None:
    Terminal(IdrsSession(sim.mf, "AUDIT3")).enter()
    with pytest.raises(IntegrityError):
        with sim.mf.unit_of_work() as db:
            db.execute(update(AuditRecord).values(outcome="EDITED"))
    with pytest.raises(IntegrityError):
        with sim.mf.unit_of_work() as db:
            db.execute(delete(AuditRecord))
    assert _records(sim) and all(r[9] != "EDITED" for r in _records(sim))
