"""Reviewer findings on the PAM memo (AP-08-1125-0028), second round: a mediated result needs
the signed Agreement to Mediate, and a closed request's time limits stop (Exhibit 8.26.9-1,
After the Pre-Mediation Conference Call steps 3 and 6, Post Mediation Session Actions step 1);
eligibility is judged on the day the written request was received (IRM 8.26.9.2.3(3), (4)
Note and Reminder); no denial letter through ACMS for a CDP/EH OIC (8.26.9.2.3.2(4) Note, (5);
decision PAM-14).  Each test replays a reviewer's repro (/tmp/rev-appeals f8, r5, f3, f7) or
states the rule, and fails on the behaviour before the fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appeals_helpers import run_lines as _run
from appeals_helpers import sign_on_as as _as
from appeals_helpers import signed_on as _sim

from idrs_sim.rules import appeals_pam as r
from idrs_sim.testing import IdrsTest

D = dt.date
TODAY = D(2024, 6, 17)
ATE, ATM, AD, EXEC, MED, ANALYST = "0810000101", "0810000100", "0810000200", "0810000300", "0810000400", "0810000500"
OIC_APPROVED = "400-00-2504 APPEAL>OIC-2504"
OIC_CLOSED = "400-00-2509 APPEAL>OIC-2509"
TFRP = "400-00-2502 APPEAL>TFRP-2502"
CDP = "400-00-2506 APPEAL>CDP-2506"


@dataclass
class Ap:
    type: str = "OIC"
    cdp: bool = False
    status: str = "open"
    received: dt.date | None = D(2024, 1, 22)
    closed: dt.date | None = None
    request_received: dt.date | None = D(2024, 6, 3)
    submitted: dt.date | None = None


@dataclass
class Pam:
    state: str = r.ASSIGNED
    opened: dt.date = D(2024, 6, 3)
    perfect_due: dt.date | None = None
    mediator: str | None = MED
    approved: dt.date | None = D(2024, 6, 10)
    assigned: dt.date | None = D(2024, 6, 17)
    result: str | None = None


@dataclass
class Doc:
    kind: str
    date: dt.date = TODAY





def _limits(sim: IdrsTest, case: str) -> list[str]:
    """The TIME LIMITS lines of the appeal's ACMS display."""
    _run(sim, f"ACMS {case}")
    lines = [line.strip() for line in sim.screen_lines()]
    start = lines.index("TIME LIMITS") + 1
    return [line for line in lines[start:] if line and not line.startswith(("ATTACHMENTS", "ACMS", "REQUEST"))]


# ---- 1. a mediated result needs the signed Agreement to Mediate ------------------------------


def test_a_mediated_result_needs_the_signed_agreement_to_mediate() -> None:
    report = ["MEDIATOR-REPORT"]
    for result in r.MEDIATED:
        assert r.check_submit(Pam(), [Doc("L5559")], result, report, MED, TODAY) == r.NO_AGREEMENT
        assert r.check_submit(Pam(), [Doc("L5559"), Doc("AGREEMENT")], result, report, MED, TODAY) is None
    assert set(r.MEDIATED) == {r.AGREED, r.PARTIALLY_AGREED, r.UNAGREED}
    # a withdrawal needs no mediation: Letter 5559 warns Appeals may withdraw if none comes back
    assert r.check_submit(Pam(), [Doc("WITHDRAWAL")], r.TP_WITHDREW, report, MED, TODAY) is None


def test_the_mediation_does_not_end_before_the_agreement_was_signed() -> None:
    signed = [Doc("AGREEMENT", D(2024, 6, 14))]
    assert r.check_submit(Pam(), signed, "1", ["MEDIATOR-REPORT"], MED, D(2024, 6, 13)) == \
        "CLOSE DATE CANNOT BE BEFORE AGREEMENT TO MEDIATE SIGNED 06/14/2024"
    assert r.check_submit(Pam(), signed, "1", ["MEDIATOR-REPORT"], MED, D(2024, 6, 14)) is None


def test_f8_mediated_agreed_is_refused_until_the_agreement_is_attached() -> None:
    sim = _sim("appeals/oic_approved", ATM)
    _run(sim, f"ACMSLT {OIC_APPROVED} LETTER>5559 DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    _run(sim, f"ACMSPAM {OIC_APPROVED} ACT>ASSIGN MEDIATOR>{MED}").expect_line(24, "REQUEST COMPLETED")
    _as(sim, MED)
    _run(sim, f"ACMSPAM {OIC_APPROVED} ACT>SUBMIT RESULT>1", "ATTACH>MEDIATOR-REPORT").expect_line(
        24, "SIGNED AGREEMENT TO MEDIATE NOT ATTACHED (DOC AGREEMENT)")
    [appeal] = sim.dump("400-00-2504")["appeals"]
    assert appeal["pam"]["state"] == r.ASSIGNED and not any(c["code"] == "MO" for c in appeal["car"])
    _as(sim, ATE)
    _run(sim, f"ACMSDOC {OIC_APPROVED} DOC>AGREEMENT").expect_line(24, "REQUEST COMPLETED")
    _as(sim, MED)
    _run(sim, f"ACMSPAM {OIC_APPROVED} ACT>SUBMIT RESULT>1", "ATTACH>MEDIATOR-REPORT").expect_line(
        24, "REQUEST COMPLETED")
    [appeal] = sim.dump("400-00-2504")["appeals"]
    assert appeal["pam"]["result"] == r.AGREED and appeal["car"][-1]["code"] == "MO"


def test_a_closed_requests_time_limits_stop_running() -> None:
    pam = Pam(state=r.CLOSED, assigned=None, result=r.TP_WITHDREW)
    limits = {d.label: d for d in r.deadlines(Ap(), pam, [Doc("WITHDRAWAL")], TODAY)}
    agreement = limits["AGREEMENT TO MEDIATE SIGNED (3 WKS)"]
    assert agreement.due == D(2024, 7, 1) and agreement.met is None
    assert agreement.line(TODAY).endswith("07/01/2024 NOT MET - CLOSED 06/17/2024")
    assert agreement.line(D(2024, 8, 1)).endswith("NOT MET - CLOSED 06/17/2024")  # never OVERDUE
    # still open, the same limit runs
    running = {d.label: d for d in r.deadlines(Ap(), Pam(state=r.APPROVED, assigned=None), [], None)}
    assert running["AGREEMENT TO MEDIATE SIGNED (3 WKS)"].line(TODAY).endswith("14 DAYS LEFT")


def test_a_withdrawal_does_not_meet_the_sixty_day_mediation_limit() -> None:
    signed = [Doc("L5559", D(2024, 6, 11)), Doc("AGREEMENT", D(2024, 6, 12)), Doc("WITHDRAWAL")]
    withdrawn = {d.label: d for d in r.deadlines(Ap(), Pam(state=r.CLOSED, result=r.TP_WITHDREW), signed, TODAY)}
    assert withdrawn["MEDIATION HELD BY (60 DAYS)"].met is None
    assert withdrawn["MEDIATION HELD BY (60 DAYS)"].line(TODAY).endswith("NOT MET - CLOSED 06/17/2024")
    mediated = {d.label: d for d in r.deadlines(Ap(), Pam(state=r.CLOSED, result=r.UNAGREED), signed, TODAY)}
    assert mediated["MEDIATION HELD BY (60 DAYS)"].met == TODAY


def test_the_acms_display_stops_the_limits_of_a_closed_request() -> None:
    sim = _sim("appeals/oic_approved", ATE)
    _run(sim, f"ACMSDOC {OIC_APPROVED} DOC>WITHDRAWAL").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ATM)
    _run(sim, f"ACMSPAM {OIC_APPROVED} ACT>CLOSE RESULT>4 DATE>06172024").expect_line(24, "REQUEST COMPLETED")
    limits = _limits(sim, OIC_APPROVED)
    assert "AGREEMENT TO MEDIATE SIGNED (3 WKS)  07/01/2024 NOT MET - CLOSED 06/17/2024" in limits
    assert not any("DAYS LEFT" in line or "OVERDUE" in line for line in limits if "*AP ADR PMO" not in line)


# ---- 2. eligibility on the day the written request was received ---------------------------


def test_eligibility_is_judged_on_the_day_the_request_was_received() -> None:
    closed = Ap(status="closed", received=D(2023, 11, 6), closed=D(2024, 6, 7))
    assert r.under_consideration(closed, D(2024, 6, 3))
    assert not r.under_consideration(closed, D(2024, 6, 7))  # received the day it closed: too late
    assert not r.under_consideration(closed, D(2024, 6, 17))
    assert not r.under_consideration(closed, D(2023, 11, 5))  # before Appeals had the case
    assert not r.under_consideration(Ap(), D(2024, 1, 21))
    assert r.under_consideration(Ap(), D(2024, 1, 22))
    assert r.under_consideration(Ap(received=None), D(2020, 1, 1))  # no receipt date on file: no lower bound
    assert not r.under_consideration(Ap(status="closed", closed=None), D(2024, 6, 3))  # closing date unknown


def test_a_request_received_while_under_consideration_is_eligible_after_the_appeal_closed() -> None:
    closed = Ap(status="closed", received=D(2023, 11, 6), closed=D(2024, 6, 7), request_received=D(2024, 6, 3))
    assert r.request_notice(closed, D(2024, 6, 3)).startswith("NOTIFY ATM NOW")
    assert r.check_mi(closed, None, D(2024, 6, 3)) is None
    chain = [Doc("ANALYST"), Doc("AD-CONCUR"), Doc("EXEC-CONCUR")]
    assert r.check_letter("5557", closed, None, chain, TODAY, mailed=TODAY) == r.NO_PAM  # MI first
    late = Ap(status="closed", received=D(2023, 11, 6), closed=D(2024, 6, 7), request_received=TODAY)
    assert r.request_notice(late, TODAY).startswith("NOT ELIGIBLE")
    assert r.check_mi(late, None, TODAY) == r.NOT_ELIGIBLE
    assert r.check_letter("5557", late, None, chain, TODAY, mailed=TODAY, text="RECEIVED AFTER THE APPEAL CLOSED") is None
    # the ATE still cannot submit an appeal that is closed today
    assert r.check_submit_appeal(closed, None) == r.APPEAL_CLOSED


def test_a_request_dated_before_appeals_received_the_case_is_refused() -> None:
    tfrp = Ap(type="TFRP", received=D(2024, 3, 18), request_received=D(2023, 1, 2))
    blank = Ap(type="TFRP", received=D(2024, 3, 18), request_received=None)  # none recorded yet
    assert r.check_request(blank, None, D(2023, 1, 2)) == "REQUEST DATE CANNOT BE BEFORE APPEAL RECEIVED 03/18/2024"
    assert r.check_request(blank, None, D(2024, 3, 18)) is None
    assert r.check_mi(tfrp, None, D(2023, 1, 2)) == "REQUEST DATE CANNOT BE BEFORE APPEAL RECEIVED 03/18/2024"


def test_r5_request_received_before_the_appeal_closed_opens_a_pam_support_request() -> None:
    sim = _sim("appeals/oic_closed_request", ATE)
    _run(sim, f"ACMSREQ {OIC_CLOSED} RECEIVED>06032024").expect_line(24, "REQUEST COMPLETED")
    sim.expect("NOTIFY ATM NOW; EMAIL REQUEST TO *AP ADR PMO BY 06/06/2024; INPUT MI")
    assert not any("NOT ELIGIBLE" in line for line in sim.screen_lines())
    _run(sim, f"ACMSCAR {OIC_CLOSED} CODE>MI DATE>06032024").expect_line(24, "REQUEST COMPLETED")
    [appeal] = sim.dump("400-00-2509")["appeals"]
    assert appeal["pam"]["state"] == r.OPEN and appeal["car"][-1]["code"] == "MI"


def test_r5_request_received_the_day_the_appeal_closed_is_not_eligible() -> None:
    sim = _sim("appeals/oic_closed_request", ATE)
    _run(sim, f"ACMSREQ {OIC_CLOSED} RECEIVED>06072024").expect_line(24, "REQUEST COMPLETED")
    sim.expect("NOT ELIGIBLE - NOTIFY ATM; EMAIL REQUEST AND DENIAL LETTER TO *AP ADR PMO")
    _run(sim, f"ACMSCAR {OIC_CLOSED} CODE>MI DATE>06072024").expect_line(
        24, "NOT ELIGIBLE - APPEAL NO LONGER UNDER CONSIDERATION")


def test_f3_request_dated_before_appeals_had_the_case_is_refused() -> None:
    sim = _sim("appeals/tfrp_request_complete", ATE)
    _run(sim, f"ACMSREQ {TFRP} RECEIVED>01022023").expect_line(
        24, "REQUEST DATE CANNOT BE BEFORE APPEAL RECEIVED 03/18/2024")
    _run(sim, f"ACMSCAR {TFRP} CODE>MI DATE>01022023").expect_line(24, "NO WRITTEN MEDIATION REQUEST RECEIVED")
    [appeal] = sim.dump("400-00-2502")["appeals"]
    assert appeal.get("request_received") is None and appeal.get("pam") is None


# ---- 3. no denial letter through ACMS for a CDP/EH OIC (decision PAM-14) ----------------------


def test_no_denial_letter_or_denial_concurrence_for_a_cdp_eh_oic() -> None:
    chain = [Doc("ANALYST"), Doc("AD-CONCUR"), Doc("EXEC-CONCUR")]
    for appeal in (Ap(cdp=True, request_received=TODAY), Ap(type="EH", request_received=TODAY),
                   Ap(cdp=True, status="closed", closed=D(2024, 6, 7), request_received=TODAY)):
        assert r.check_letter("5557", appeal, None, chain, TODAY, mailed=TODAY) == r.CDP_NOT_DENIED
        for kind, role in (("AD-CONCUR", "area-director"), ("EXEC-CONCUR", "executive")):
            assert r.check_doc(kind, [role], appeal, None, chain, TODAY) == r.CDP_NOT_DENIED
        assert r.check_doc("EXEC-CONCUR", ["executive"], appeal, None, [], TODAY) == r.CDP_NOT_DENIED
        assert r.check_doc("ANALYST", ["adr-analyst"], appeal, None, [], TODAY) is None  # emailed to the analyst
    closed_cdp = Ap(cdp=True, status="closed", closed=D(2024, 6, 7), request_received=TODAY)
    assert r.request_notice(closed_cdp, TODAY).startswith("CDP/EH OIC - NO MI")


def test_f7_letter_5557_is_refused_for_a_cdp_eh_oic() -> None:
    sim = _sim("appeals/cdp_oic_request", ATE)
    _run(sim, f"ACMSREQ {CDP} RECEIVED>06172024").expect_line(24, "REQUEST COMPLETED")
    _as(sim, ANALYST)
    _run(sim, f"ACMSDOC {CDP} DOC>ANALYST").expect_line(24, "REQUEST COMPLETED")
    _as(sim, AD)
    _run(sim, f"ACMSDOC {CDP} DOC>AD-CONCUR").expect_line(24, "CDP/EH OIC - NO PAM SUPPORT REQUEST, NOT DENIED IN ACMS")
    _as(sim, ATM)
    _run(sim, f"ACMSLT {CDP} LETTER>5557 DATE>06172024").expect_line(
        24, "CDP/EH OIC - NO PAM SUPPORT REQUEST, NOT DENIED IN ACMS")
    [appeal] = sim.dump("400-00-2506")["appeals"]
    assert [d["kind"] for d in appeal.get("docs", [])] == ["ANALYST"]
