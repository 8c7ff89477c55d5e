"""The ACMS command codes at the terminal: refusals audited like any command, violations,
input screens, the ex parte view, MO on closing, fixtures check and the CLI.

The rules themselves are tested in test_appeals_rules.py; the procedures end to end in
tests/procedures/test_appeals_procedures.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from appeals_helpers import run_lines as _run
from appeals_helpers import sign_on_as as _as
from sqlalchemy import select

from idrs_sim.cc.parse import parse_command
from idrs_sim.commands import definitions, resolve
from idrs_sim.masterfile.check import check_fixtures
from idrs_sim.masterfile.models import AuditRecord
from idrs_sim.testing import IdrsTest

ATE, ATM, AD, EXEC, MED, MED2, ANALYST = (
    "0810000101", "0810000100", "0810000200", "0810000300", "0810000400", "0810000401", "0810000500")




def _audit(sim: IdrsTest) -> list[tuple[str | None, str | None, str | None, str | None, bool]]:
    with sim.sim.mf.reading() as db:
        return [(a.idrs, a.command, a.tin, a.outcome, a.violation)
                for a in db.scalars(select(AuditRecord).order_by(AuditRecord.id))]


@pytest.fixture()
def open_request() -> IdrsTest:
    sim = IdrsTest(fixture="appeals/oic_request_open", out=open("/dev/null", "w"))  # noqa: SIM115
    sim.sign_on(ATM)
    return sim


def test_long_simulator_codes_resolve_to_their_definitions() -> None:
    for code in ("ACMS", "ACMSREQ", "ACMSCAR", "ACMSDOC", "ACMSPAM", "ACMSSUB", "ACMSOPEN", "ACMSLT"):
        assert code in definitions()
        parsed = parse_command([f"{code} 400-00-2503 APPEAL>OIC-2503"])
        assert resolve(parsed).code == code and parsed.definer is None and parsed.tin == "400-00-2503"
    assert resolve(parse_command(["TXMODA 400-00-1001 30 202312"])).code == "TXMOD"


def test_an_unknown_eight_letter_code_is_an_invalid_command_code(open_request: IdrsTest) -> None:
    _run(open_request, "TXMODABC 400-00-1001")
    open_request.expect_line(24, "INVALID COMMAND CODE").expect_at(1, 10, "*")


def test_every_refused_action_leaves_its_audit_record(open_request: IdrsTest) -> None:
    sim = open_request
    _run(sim, "ACMSLT 400-00-2503 APPEAL>OIC-2503 LETTER>5557 DATE>06172024")
    sim.expect_line(24, "AREA DIRECTOR CONCURRENCE NOT ATTACHED")
    _run(sim, "ACMSPAM 400-00-2503 APPEAL>OIC-2503 ACT>APPROVE MEDIATOR>0810000400")
    sim.expect_line(24, "AREA DIRECTOR APPROVAL NOT ATTACHED")
    trail = _audit(sim)
    assert (ATM, "ACMSLT", "400-00-2503", "AREA DIRECTOR CONCURRENCE NOT ATTACHED", False) in trail
    assert (ATM, "ACMSPAM", "400-00-2503", "AREA DIRECTOR APPROVAL NOT ATTACHED", False) in trail


def test_acting_outside_ones_role_is_an_audit_violation(open_request: IdrsTest) -> None:
    sim = open_request
    _run(sim, "ACMSDOC 400-00-2503 APPEAL>OIC-2503 DOC>AD-APPROVAL")  # the ATM for the AD
    sim.expect_line(24, "DOCUMENT KIND NOT AUTHORIZED FOR YOUR ROLE")
    _as(sim, AD)
    _run(sim, "ACMSPAM 400-00-2503 APPEAL>OIC-2503 ACT>APPROVE MEDIATOR>0810000400")
    sim.expect_line(24, "UNAUTHORIZED COMMAND CODE")
    _as(sim, MED)
    _run(sim, "ACMSPAM 400-00-2503 APPEAL>OIC-2503 ACT>APPROVE MEDIATOR>0810000400")
    sim.expect_line(24, "ACTION NOT AUTHORIZED FOR YOUR ROLE")
    trail = _audit(sim)
    assert (ATM, "ACMSDOC", "400-00-2503", "DOCUMENT KIND NOT AUTHORIZED FOR YOUR ROLE", True) in trail
    assert (AD, "ACMSPAM", "400-00-2503", "UNAUTHORIZED COMMAND CODE", True) in trail
    assert (MED, "ACMSPAM", "400-00-2503", "ACTION NOT AUTHORIZED FOR YOUR ROLE", True) in trail


def test_only_the_appeals_own_ate_and_atm(tmp_path: Path) -> None:
    fixture = tmp_path / "other.yaml"
    fixture.write_text(
        "include: [employees]\ndate: 2024-06-17\n"
        "employees:\n  - {idrs: '0810000102', name: 'O OTHERATE', roles: [ate], password: train123}\n"
        "  - {idrs: '0810000103', name: 'O OTHERATM', roles: [atm], password: train123}\n"
        "entities: [{tin: '400-00-2599', name: ['X Y'], address: ['1 A ST', 'AUSTIN TX 78701']}]\n"
        "appeals: [{id: OIC-2599, tin: '400-00-2599', type: OIC, ate: '0810000101', atm: '0810000100'}]\n")
    sim = IdrsTest(fixture=fixture, out=open("/dev/null", "w"))  # noqa: SIM115
    sim.sign_on("0810000102")
    _run(sim, "ACMSREQ 400-00-2599 APPEAL>OIC-2599 RECEIVED>06172024").expect_line(24, "NOT THE ATE OF THIS APPEAL")
    _as(sim, "0810000103")
    _run(sim, "ACMSLT 400-00-2599 APPEAL>OIC-2599 LETTER>5557 DATE>06172024").expect_line(24, "NOT THE ATM OF THIS APPEAL")
    trail = _audit(sim)
    assert ("0810000102", "ACMSREQ", "400-00-2599", "NOT THE ATE OF THIS APPEAL", True) in trail
    assert ("0810000103", "ACMSLT", "400-00-2599", "NOT THE ATM OF THIS APPEAL", True) in trail


def test_ex_parte_refusal_is_a_violation_and_the_car_is_hidden() -> None:
    sim = IdrsTest(fixture="appeals/tfrp_mediation_assigned", out=open("/dev/null", "w"))  # noqa: SIM115
    sim.sign_on(MED)
    _run(sim, "ACMS 400-00-2505 APPEAL>TFRP-2505")
    sim.expect("NOT AVAILABLE IN THE PAM SUPPORT REQUEST (EX PARTE)").expect_not("PAM SUPPORT REQUEST OPENED")
    _run(sim, "ACMSOPEN 400-00-2505 APPEAL>TFRP-2505")
    sim.expect_line(24, "EX PARTE - UNDERLYING APPEAL NOT AVAILABLE UNTIL MEDIATION CLOSED")
    assert (MED, "ACMSOPEN", "400-00-2505", "EX PARTE - UNDERLYING APPEAL NOT AVAILABLE UNTIL MEDIATION CLOSED",
            True) in _audit(sim)
    _as(sim, MED2)  # a mediator not on this request sees the record
    _run(sim, "ACMSOPEN 400-00-2505 APPEAL>TFRP-2505").expect_line(24, "REQUEST COMPLETED").expect("MI  0810000101")


def test_input_screen_then_fields(open_request: IdrsTest) -> None:
    sim = open_request
    _as(sim, AD)  # the executive is reached only once the Area Director concurred
    _run(sim, "ACMSDOC 400-00-2503 APPEAL>OIC-2503 DOC>AD-CONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, "ACMSDOC 400-00-2503 APPEAL>OIC-2503")
    sim.expect_line(24, "KEY DOC>")
    sim.fill("DOC", "EXEC-NONCONCUR").fill("TEXT", "SUITS MEDIATION").enter()
    sim.expect_line(24, "REQUEST COMPLETED").expect("EXEC-NONCONCUR ATTACHED 06/17/2024")
    _as(sim, ATM)
    _run(sim, "ACMSPAM 400-00-2503 APPEAL>OIC-2503")
    sim.expect_line(24, "KEY ACT>")
    sim.fill("ACT", "APPROVE").fill("MEDIATOR", "0810000101").enter()
    sim.expect_line(24, "MEDIATOR MUST BE AN EMPLOYEE WITH THE MEDIATOR ROLE")
    sim.fill("MEDIATOR", MED).enter()
    sim.expect_line(24, "REQUEST COMPLETED").expect("PAM SUPPORT REQUEST> APPROVED")


def test_bad_elements_get_clear_literals(open_request: IdrsTest) -> None:
    sim = open_request
    _run(sim, "ACMS 400-00-2503 APPEAL>NOPE").expect_line(24, "APPEAL NOT FOUND FOR THIS TIN")
    _run(sim, "ACMS 400-00-2599").expect_line(24, "NO APPEALS ON ACMS FOR THIS TIN")
    _run(sim, "ACMSPAM 400-00-2503 ACT>APPROVE").expect_line(24, "APPEAL> REQUIRED")
    _run(sim, "ACMSPAM 400-00-2503 APPEAL>OIC-2503 ACT>SETTLE").expect_line(24, "INVALID ACT")
    _run(sim, "ACMSLT 400-00-2503 APPEAL>OIC-2503 LETTER>5557 DATE>13402024").expect_line(24, "INVALID DATE - MMDDYYYY")
    _run(sim, "ACMSLT 400-00-2503 APPEAL>OIC-2503 LETTER>5557 DATE>06182024").expect_line(24, "DATE LATER THAN CURRENT DATE")
    _run(sim, "ACMSLT 400-00-2503 APPEAL>OIC-2503 LETTER>5556 DATE>06172024").expect_line(24, "INVALID LETTER")
    _as(sim, ATE)
    _run(sim, "ACMSCAR 400-00-2503 APPEAL>OIC-2503 CODE>MO DATE>06172024").expect_line(
        24, "MO IS WRITTEN BY ACMS WHEN THE PAM SUPPORT REQUEST CLOSES")


def test_closing_writes_mo_and_frees_the_appeal_for_submission() -> None:
    sim = IdrsTest(fixture="appeals/oic_approved", out=open("/dev/null", "w"))  # noqa: SIM115
    sim.sign_on(ATE)
    _run(sim, "ACMSSUB 400-00-2504 APPEAL>OIC-2504").expect_line(24, "OPEN PAM SUPPORT REQUEST")
    _run(sim, "ACMSDOC 400-00-2504 APPEAL>OIC-2504 DOC>WITHDRAWAL").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, "ACMSDOC 400-00-2504 APPEAL>OIC-2504 DOC>EXEC-CONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, "ACMSPAM 400-00-2504 APPEAL>OIC-2504 ACT>CLOSE DATE>06172024", "RESULT>5")
    sim.expect_line(24, "REQUEST COMPLETED").expect("RESULT: WITHDRAWN BY APPEALS (WITH EXECUTIVE CONCURRENCE)")
    [appeal] = sim.dump("400-00-2504")["appeals"]
    assert appeal["car"][-1]["code"] == "MO" and appeal["car"][-1]["date"] == "2024-06-17"
    _as(sim, ATE)
    _run(sim, "ACMSSUB 400-00-2504 APPEAL>OIC-2504").expect_line(24, "REQUEST COMPLETED")


def _check(tmp_path: Path, appeal_yaml: str) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "include: [employees]\ndate: 2024-06-17\n"
        "entities: [{tin: '400-00-2598', name: ['X Y'], address: ['1 A ST', 'AUSTIN TX 78701']}]\n"
        "appeals:\n" + appeal_yaml)
    return [str(p) for p in check_fixtures([path])]


@pytest.mark.parametrize(("item", "message"), [
    ("  - {id: A1, tin: '400-00-2598', type: OIX}", "type: 'OIX' must be one of"),
    ("  - {id: A1, tin: '400-00-2598', type: OIC, status: pending}", "status: 'pending' must be open or closed"),
    ("  - {id: A1, tin: '400-00-2598', type: OIC, ate: '0810000100'}", "does not have the ate role"),
    ("  - {id: A1, tin: '400-00-2598', type: OIC, car: [{code: MI, date: 2024-06-17}]}", "pam: is missing"),
    (("  - {id: A1, tin: '400-00-2598', type: OIC, cdp: true, car: [{code: MI, date: 2024-06-17}],\n"
     "     pam: {opened: 2024-06-17}}"), "no PAM support request for an OIC in a CDP or EH case"),
    (("  - {id: A1, tin: '400-00-2598', type: OIC, car: [{code: MI, date: 2024-06-17}],\n"
     "     pam: {state: CLOSED, opened: 2024-06-17, closed: 2024-06-17}}"), "has its MO entry"),
    ("  - {id: A1, tin: '400-00-2598', type: OIC, docs: [{kind: AD-OK, date: 2024-06-17}]}", "is not a document kind"),
    ("  - {id: A1, tin: '400-00-2598', type: OIC}\n  - {id: A1, tin: '400-00-2598', type: TFRP}", "listed twice"),
    (("  - {id: A1, tin: '400-00-2598', type: OIC, car: [{code: MI, date: 2024-06-17}],\n"
     "     pam: {opened: 2024-06-17, result: MOSTLY AGREED}}"), "not one of the five mediation results"),
    ("  - {id: A1, tin: '400-00-2598', type: OIC, colour: red}", "unknown key 'colour'"),
])
def test_fixtures_check_reports_bad_appeals(tmp_path: Path, item: str, message: str) -> None:
    problems = _check(tmp_path, item)
    assert any(message in p and "bad.yaml:" in p for p in problems), problems


def test_a_clean_appeal_checks_clean(tmp_path: Path) -> None:
    assert _check(tmp_path, "  - {id: A1, tin: '400-00-2598', type: TFRP, ate: '0810000101', atm: '0810000100'}") == []


def test_cli_dump_carries_appeals() -> None:
    out = subprocess.run([sys.executable, "-m", "idrs_sim.cli", "dump", "--fixture", "appeals/oic_request_open",
                          "--tin", "400-00-2503"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    [appeal] = data["appeals"]
    assert appeal["id"] == "OIC-2503" and appeal["pam"]["state"] == "OPEN" and appeal["car"][0]["code"] == "MI"


def test_help_shows_the_long_acms_codes(open_request: IdrsTest) -> None:
    _run(open_request, "HELP ACMSOPEN").expect("HELP ACMSOPEN").expect("OPEN THE UNDERLYING APPEAL").expect("(ex parte)")
    _run(open_request, "HELP ACMSLT").expect("ISSUE LETTER 5557, 5558 OR 5559")
