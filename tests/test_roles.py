"""Roles decide what a user may run: every restricted command code, as declared in
commands/*.yaml, is tried by an allowed and a refused employee of the training file.

Data-driven on purpose: a code whose roles change in its definition is tested as defined,
and a new restricted code is covered without a new test.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from idrs_sim import commands
from idrs_sim.commands import ANY_ROLE
from idrs_sim.masterfile.models import AuditRecord, Employee
from idrs_sim.simulator import Simulator
from idrs_sim.terminal.session import UNAUTHORIZED, IdrsSession
from idrs_sim.terminal.terminal import Terminal

RESTRICTED = sorted(code for code, d in commands.definitions().items() if d.roles != ANY_ROLE)
ISSUE_9_ROLES = {"tpp-assistor", "non-tpp-assistor", "tac-assistor", "rivo-examiner", "tas", "ro", "gm", "iqa",
                 "ftd-analyst", "pgld", "ate", "atm", "instructor"}


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return Simulator(fixture="training")


def _employees(sim: Simulator) -> list[Employee]:
    with sim.mf.reading() as db:
        return list(db.scalars(select(Employee).order_by(Employee.idrs)))


def _run(sim: Simulator, idrs: str, code: str) -> str:
    term = Terminal(IdrsSession(sim.mf, f"ROLE-{idrs}", idle_timeout_minutes=None))
    term.fill("EMPLOYEE NUMBER", idrs)
    term.fill("PASSWORD", sim.password_for(idrs))
    term.enter()
    assert "SIGN-ON COMPLETED" in term.screen.message, term.screen.message
    term.clear()
    term.type_text(code)
    term.enter()
    return term.screen.message


def test_the_training_file_has_every_role_the_seeds_name(sim: Simulator) -> None:
    roles = {r for e in _employees(sim) for r in (e.roles or [])}
    assert ISSUE_9_ROLES <= roles, ISSUE_9_ROLES - roles


def test_some_codes_are_restricted() -> None:
    assert {"UNAXR", "UPREV"} <= set(RESTRICTED) or "UNAXR" in RESTRICTED


@pytest.mark.parametrize("code", RESTRICTED)
def test_restricted_code_allowed_and_refused(sim: Simulator, code: str) -> None:
    definition = commands.definitions()[code]
    people = _employees(sim)
    allowed = next((e for e in people if set(e.roles or []) & set(definition.roles)), None)
    refused = next((e for e in people if not definition.allows(e.roles or [])), None)
    assert allowed is not None, f"no employee in the training file may run {code} ({definition.roles})"
    if refused is None:
        pytest.skip(f"{code}: every role in the training file may run it ({len(definition.roles)} roles)")
    assert _run(sim, allowed.idrs, code) != UNAUTHORIZED
    assert _run(sim, refused.idrs, code) == UNAUTHORIZED
    with sim.mf.reading() as db:
        last = db.scalars(select(AuditRecord).where(AuditRecord.idrs == refused.idrs)
                          .order_by(AuditRecord.id.desc())).first()
    assert last is not None and last.violation and last.command == code and last.outcome == UNAUTHORIZED
