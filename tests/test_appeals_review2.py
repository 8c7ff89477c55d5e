"""Second review of the Appeals memos (seeds 000 and 001): one test or more per finding, each
failing on the behaviour before the fix.  The repro scripts were /tmp/revD/*.txt.

Decisions APP-R15 ... (docs/decisions.md, "Appeals PAM").
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from appeals_helpers import run_lines as _run
from appeals_helpers import sign_on_as as _as
from appeals_helpers import signed_on as _sim
from test_appeals_acms import _check  # a one-appeal fixture checked
from test_appeals_rules import Ap, Doc, Pam  # the rules' test doubles, one definition

from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.dump import dump
from idrs_sim.masterfile.fixtures import load_data, validate
from idrs_sim.rules import pam_codes, pam_intake, pam_literals, pam_mediation, pam_record
from idrs_sim.testing import IdrsTest

ATE, ATM, AD, EXEC = "0810000101", "0810000100", "0810000200", "0810000300"
OIC3 = "400-00-2503 APPEAL>OIC-2503"  # OPEN, never approved; analyst 06/13/2024
OIC4 = "400-00-2504 APPEAL>OIC-2504"  # APPROVED 06/10/2024, mediator selected, not assigned
TFRP2 = "400-00-2502 APPEAL>TFRP-2502"  # no request yet
TODAY = dt.date(2024, 6, 17)


def _l24(sim: IdrsTest) -> str:
    return sim.line(24).strip()


def _screen(sim: IdrsTest) -> str:
    return "\n".join(sim.line(n) for n in range(1, 25))


def _denial_concurred() -> IdrsTest:
    """OIC-2503 (open, never approved) with the Area Director's and the executive's
    concurrence attached, the ATM signed on."""
    sim = _sim("appeals/oic_request_open", AD)
    _run(sim, f"ACMSDOC {OIC3} DOC>AD-CONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, EXEC)
    _run(sim, f"ACMSDOC {OIC3} DOC>EXEC-CONCUR").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    return sim


# ---- 1. Appeals does not "withdraw" a request it never approved: that is a denial ---------------


def test_1_withdrawn_by_appeals_is_refused_on_a_request_not_approved() -> None:
    sim = _denial_concurred()
    _run(sim, f"ACMSDOC {OIC3} DOC>WITHDRAWAL TEXT>APPEALS WITHDRAWS").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSPAM {OIC3} ACT>CLOSE DATE>06172024 RESULT>5")
    assert _l24(sim) == pam_literals.APPEALS_DENIES
    assert "RESULT>5*" in sim.screen_text()  # the `*` right of the field that is wrong (re-review)
    [appeal] = sim.dump("400-00-2503")["appeals"]
    assert appeal["pam"]["state"] == "OPEN" and [c["code"] for c in appeal["car"]] == ["MI"]
    # The denial path is what remains: Letter 5557 with its rationale, then ACT>DENY.
    _run(sim, f"ACMSLT {OIC3} LETTER>5557 DATE>06172024", "TEXT>NO ISSUE SUITED TO MEDIATION").expect_line(
        24, "REQUEST COMPLETED")
    _run(sim, f"ACMSPAM {OIC3} ACT>DENY DATE>06172024", "REASON>2").expect_line(24, "REQUEST COMPLETED")


def test_1_rules_appeals_withdrawal_only_after_approval_the_taxpayers_any_time() -> None:
    withdrawal = [Doc("WITHDRAWAL"), Doc("EXEC-CONCUR")]
    for state in (pam_codes.OPEN, pam_codes.HELD, pam_codes.PERFECTING):
        got = pam_mediation.check_close(Pam(state), withdrawal, "5", TODAY, by_atm=True)
        assert got == pam_literals.APPEALS_DENIES, state
        # A premature request settled: the taxpayer withdraws it in writing (8.26.9.2.3(6)(a)).
        assert pam_mediation.check_close(Pam(state), withdrawal, "4", TODAY, by_atm=True) is None
    approved = Pam(pam_codes.APPROVED, approved=dt.date(2024, 6, 10))
    assert pam_mediation.check_close(approved, withdrawal, "5", TODAY, by_atm=True) is None


# ---- 2. Publication 4167 enclosed with Letters 5157 / 5576, documented on the record ------------


def test_2_letter_5157_shows_pub_4167_and_the_case_activity_record_documents_it() -> None:
    with IdrsTest(fixture="appeals/tdc/new_case_5157") as t:
        t.sign_on("0810000211")
        _run(t, "ACDSLT 400-00-2601 CASE>AP-2024-0101 LETTER>5157 PARA>7 ID>4471026").expect_line(
            24, "REQUEST COMPLETED")
        t.expect("ENCLOSURE: PUB 4167 INTRODUCTION TO ALTERNATIVE DISPUTE RESOLUTION")
        t.expect("ENCLOSURE: PUB 5437 IRS INDEPENDENT OFFICE OF APPEALS SECURE MESSAGING")
        [case] = [c for c in t.dump("400-00-2601")["acds_cases"] if c["id"] == "AP-2024-0101"]
        assert case["car"] == [{"date": "2024-06-17", "idrs": "0810000211", "contact": "LETTER",
                                "note": "L5157 ISSUED - ENCLOSED PUB 4167, PUB 5437"}]
        _run(t, "ACDS 400-00-2601 CASE>AP-2024-0101")
        t.expect("06172024 0810000211 L5157 ISSUED - ENCLOSED PUB 4167, PUB 5437")


def test_2_letter_5576_encloses_pub_4167_and_other_letters_do_not() -> None:
    with IdrsTest(fixture="appeals/tdc/new_case_5157") as t:
        t.sign_on("0810000210")
        _run(t, "ACDSLT 400-00-2605 CASE>AP-2024-0105 LETTER>5576 PARA>2 ID>4471001").expect_line(
            24, "REQUEST COMPLETED")
        t.expect("ENCLOSURE: PUB 4167")
        [case] = [c for c in t.dump("400-00-2605")["acds_cases"] if c["id"] == "AP-2024-0105"]
        assert [e["note"] for e in case["car"]] == ["L5576 ISSUED - ENCLOSED PUB 4167, PUB 5437"]
    from idrs_sim.rules import pam_enclosures
    assert pam_enclosures.case_action_note("4837", True) is None  # Pub 5437 only: no Pub 4167 entry
    assert pam_enclosures.enclosures("5157", False) == ("4167",)


def test_2_the_letter_entry_round_trips_through_a_dump() -> None:
    with IdrsTest(fixture="appeals/tdc/new_case_5157") as t:
        t.sign_on("0810000211")
        _run(t, "ACDSLT 400-00-2601 CASE>AP-2024-0101 LETTER>5157 PARA>7 ID>4471026").expect_line(
            24, "REQUEST COMPLETED")
        first = t.dump()
    _rows, problems = validate(json.loads(json.dumps(first)), linting=True)
    assert [p.message for p in problems] == []
    again = MasterFile()
    load_data(again, json.loads(json.dumps(first)))
    assert dump(again) == first
    again.dispose()


# ---- 3. the CDP/EH exception is for an OIC only ---------------------------------------------------


def test_3_a_tfrp_is_never_a_cdp_eh_oic() -> None:
    """APP-R16: the exception names the OIC; the hearing appeal it was raised in keeps it."""
    for appeal in (Ap(type="OIC", cdp=True), Ap(type="EH"), Ap(type="CDP")):
        assert pam_record.is_cdp(appeal), appeal
        assert pam_intake.check_mi(appeal, None, TODAY) is not None, appeal
    for appeal in (Ap(type="TFRP", cdp=True), Ap(type="OIC"), Ap(type="TFRP")):
        assert not pam_record.is_cdp(appeal), appeal
        assert pam_intake.check_mi(appeal, None, TODAY) is None, appeal


def test_3_a_tfrp_that_is_part_of_a_cdp_case_gets_its_mi(tmp_path: Path) -> None:
    """8.26.9.2.3.2(5) names the OIC only: a TFRP raised in a CDP hearing loads and gets MI."""
    assert _check(tmp_path, "  - {id: A1, tin: '400-00-2598', type: TFRP, cdp: true}") == []
    path = tmp_path / "tfrp.yaml"
    path.write_text(
        "include: [employees]\ndate: 2024-06-17\n"
        "entities: [{tin: '400-00-2598', name: ['X Y'], address: ['1 A ST', 'AUSTIN TX 78701']}]\n"
        "appeals:\n  - {id: TFRP-1, tin: '400-00-2598', type: TFRP, cdp: true, status: open, ate: '0810000101',"
        " atm: '0810000100', received: 2024-03-11}\n")
    sim = _sim(str(path), ATE)
    _run(sim, "ACMSREQ 400-00-2598 APPEAL>TFRP-1 RECEIVED>06172024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, "ACMSCAR 400-00-2598 APPEAL>TFRP-1 CODE>MI DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    sim.expect("PAM SUPPORT REQUEST> OPEN")


# ---- 4. the ATE may fax Letter 5559; only the ATM sends a denial letter ---------------------------


def test_4_the_appeals_ate_sends_letter_5559() -> None:
    sim = _sim("appeals/oic_approved", ATE)
    _run(sim, f"ACMSLT {OIC4} LETTER>5559 DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    sim.expect("SIGNED AGREEMENT AND CONSENT DUE BACK 06/24/2024")
    [appeal] = sim.dump("400-00-2504")["appeals"]
    assert [(d["kind"], d["idrs"]) for d in appeal["docs"] if d["kind"] == "L5559"] == [("L5559", ATE)]


def test_4_the_ate_cannot_send_a_denial_letter_and_the_atm_still_sends_5559() -> None:
    sim = _sim("appeals/oic_request_open", ATE)
    _run(sim, f"ACMSLT {OIC3} LETTER>5557 DATE>06172024", "TEXT>X")
    assert _l24(sim) == pam_literals.ATM_SIGNS_DENIAL
    sim2 = _sim("appeals/oic_approved", ATM)
    _run(sim2, f"ACMSLT {OIC4} LETTER>5559 DATE>06172024").expect_line(24, "REQUEST COMPLETED")


def test_4_someone_neither_ate_nor_atm_cannot_send_letter_5559() -> None:
    sim = _sim("appeals/oic_approved", AD)
    _run(sim, f"ACMSLT {OIC4} LETTER>5559 DATE>06172024").expect_line(24, "UNAUTHORIZED COMMAND CODE")
    [appeal] = sim.dump("400-00-2504")["appeals"]
    assert "L5559" not in [d["kind"] for d in appeal["docs"]]


# ---- 5. premature and incomplete requests: what the email says, contact the TP -----------------


def test_5_incomplete_request_advice_on_the_screen() -> None:
    sim = _sim("appeals/tfrp_request_complete", ATE)
    _run(sim, f"ACMSREQ {TFRP2} RECEIVED>06172024", "INTAKE>INCOMPLETE").expect_line(24, "REQUEST COMPLETED")
    sim.expect('EMAIL TO *AP ADR PMO: WORKING WITH THE TP TO "PERFECT" THE MEDIATION REQUEST')
    sim.expect("ALLOW NO MORE THAN 14 DAYS")
    _run(sim, f"ACMSCAR {TFRP2} CODE>MI DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    sim.expect("CONTACT TP: NOT ENOUGH INFORMATION TO DECIDE")
    _run(sim, f"ACMSDOC {TFRP2} DOC>PERFECTED").expect_line(24, "REQUEST COMPLETED")
    assert "PERFECT\" THE MEDIATION REQUEST" not in _screen(sim)  # perfected: no longer the next step


def test_5_premature_and_complete_requests() -> None:
    sim = _sim("appeals/tfrp_request_complete", ATE)
    _run(sim, f"ACMSREQ {TFRP2} RECEIVED>06172024", "INTAKE>PREMATURE").expect_line(24, "REQUEST COMPLETED")
    sim.expect("EMAIL TO *AP ADR PMO: REQUEST IS PREMATURE, SETTLEMENT DISCUSSIONS ONGOING")
    assert pam_intake.intake_advice(Ap(), pam_codes.COMPLETE, None, TODAY) == ()
    # Incomplete: shown through the 14 days, not after them (then the ATM decides, 8.26.9.2.3(7)(b)).
    assert pam_intake.intake_advice(Ap(), pam_codes.INCOMPLETE, None, TODAY + dt.timedelta(days=14))
    assert pam_intake.intake_advice(Ap(), pam_codes.INCOMPLETE, None, TODAY + dt.timedelta(days=15)) == ()


# ---- 6. denial reasons: ineligible issue (1) vs with executive concurrence (2) -------------------


def test_6_procedures_use_the_reason_that_fits() -> None:
    root = Path(__file__).resolve().parent.parent / "procedures" / "appeals"
    statute = (root / "denial_with_concurrence.txt").read_text()
    assert 'String("REASON>REQUEST DENIED - INELIGIBLE ISSUE OR CASE TYPE")' in statute
    assert "REASON>REQUEST DENIED WITH EXECUTIVE CONCURRENCE" not in statute
    not_perfected = (root / "incomplete_request_not_perfected.txt").read_text()
    assert 'String("REASON>2")' in not_perfected and 'String("REASON>1")' not in not_perfected


# ---- 7. "request denied ('returned' in system now)" -------------------------------------------


def test_7_a_denied_request_shows_the_system_label() -> None:
    sim = _denial_concurred()
    _run(sim, f"ACMSLT {OIC3} LETTER>5557 DATE>06172024", "TEXT>NOT SUITED").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSPAM {OIC3} ACT>DENY DATE>06172024", "REASON>1").expect_line(24, "REQUEST COMPLETED")
    sim.expect("PAM SUPPORT REQUEST> CLOSED DENIED")
    sim.expect('0810000100  DENIED ("RETURNED" IN ACMS)')
