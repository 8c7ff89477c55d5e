"""The PAM support request rules (idrs_sim/rules/appeals_pam.py), one test per rule.

Source: memo AP-08-1125-0028 (IRM 8.26.9.2.3 - 8.26.9.2.3.8, Exhibit 8.26.9-1).  Every test
states the rule it guards; each fails when that rule is broken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from idrs_sim.rules import appeals_pam as r

D = dt.date
TODAY = D(2024, 6, 17)


@dataclass
class Ap:
    type: str = "OIC"
    cdp: bool = False
    status: str = "open"
    received: dt.date | None = None
    closed: dt.date | None = None
    request_received: dt.date | None = TODAY
    submitted: dt.date | None = None


@dataclass
class Pam:
    state: str = r.OPEN
    opened: dt.date = TODAY
    perfect_due: dt.date | None = None
    mediator: str | None = None
    approved: dt.date | None = None
    assigned: dt.date | None = None
    result: str | None = None


@dataclass
class Doc:
    kind: str
    date: dt.date = TODAY
    extra: list[str] = field(default_factory=list)


def docs(*kinds: str, when: dt.date = TODAY) -> list[Doc]:
    return [Doc(k, when) for k in kinds]


# ---- intake -------------------------------------------------------------------------------


def test_mi_is_dated_the_day_the_request_was_received() -> None:
    assert r.check_mi(Ap(), None, TODAY) is None
    assert r.check_mi(Ap(), None, TODAY - dt.timedelta(days=1)) == "MI DATE MUST BE DATE REQUEST RECEIVED 06/17/2024"


def test_no_mi_for_an_oic_in_a_cdp_or_eh_case() -> None:
    assert r.check_mi(Ap(cdp=True), None, TODAY) == r.NO_MI_CDP
    assert r.check_mi(Ap(type="EH"), None, TODAY) == r.NO_MI_CDP
    assert r.check_mi(Ap(type="CDP"), None, TODAY) == r.NO_MI_CDP
    assert r.check_mi(Ap(type="TFRP"), None, TODAY) is None


def test_a_request_on_an_appeal_no_longer_under_consideration_is_not_eligible() -> None:
    assert r.check_mi(Ap(status="closed"), None, TODAY) == r.NOT_ELIGIBLE
    assert r.request_notice(Ap(status="closed"), TODAY).startswith("NOT ELIGIBLE")


def test_mi_needs_a_written_request_and_opens_one_pam_support_request_per_appeal() -> None:
    assert r.check_mi(Ap(request_received=None), None, TODAY) == r.NO_REQUEST
    assert r.check_mi(Ap(), Pam(), TODAY) == r.PAM_EXISTS
    assert r.check_request(Ap(), Pam(), TODAY) == r.PAM_EXISTS


def test_mo_is_never_input_by_hand() -> None:
    assert r.check_car_code("MO") == r.MO_SYSTEM
    assert r.check_car_code("MI") is None
    assert r.check_car_code("XX") == r.INVALID_CAR_CODE


def test_premature_requests_are_held_and_incomplete_ones_perfected_within_14_days() -> None:
    assert r.opening_state(r.PREMATURE) == r.HELD
    assert r.opening_state(r.INCOMPLETE) == r.PERFECTING
    assert r.opening_state(r.COMPLETE) == r.OPEN
    assert r.perfect_due(D(2024, 6, 3)) == D(2024, 6, 17)


def test_the_email_to_the_analyst_is_due_in_three_business_days() -> None:
    assert r.add_business_days(D(2024, 6, 14), 3) == D(2024, 6, 19)  # Friday -> Wednesday
    assert "BY 06/20/2024" in r.request_notice(Ap(), TODAY)


# ---- attachments ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "role"), [
    ("AD-APPROVAL", "area-director"), ("AD-CONCUR", "area-director"), ("AD-NONCONCUR", "area-director"),
    ("EXEC-CONCUR", "executive"), ("EXEC-NONCONCUR", "executive"), ("MEDIATOR-REPORT", "mediator"),
])
def test_each_concurrence_and_report_is_attached_only_by_its_role(kind: str, role: str) -> None:
    pam = Pam(state=r.ASSIGNED, mediator="0810000400")
    assert r.check_doc(kind, [role], Ap(), pam, docs("ANALYST"), TODAY) is None
    for other in ("ate", "atm", "area-director", "executive", "mediator"):
        if other != role:
            assert r.check_doc(kind, [other], Ap(), pam, [], TODAY) == r.DOC_NOT_AUTHORIZED, (kind, other)


def test_details_after_the_14_days_do_not_perfect_the_request() -> None:
    pam = Pam(state=r.PERFECTING, perfect_due=D(2024, 6, 17))
    assert r.check_doc("PERFECTED", ["ate"], Ap(), pam, [], D(2024, 6, 17)) is None
    assert r.check_doc("PERFECTED", ["ate"], Ap(), pam, [], D(2024, 6, 18)) == "PERFECTING PERIOD ENDED 06/17/2024 - 14 DAYS"
    assert r.state_after_doc(r.PERFECTING, "PERFECTED") == r.OPEN
    assert r.state_after_doc(r.HELD, "TALKS-ENDED") == r.OPEN
    assert r.check_doc("TALKS-ENDED", ["ate"], Ap(), Pam(), [], TODAY) == r.NOT_HELD


def test_nothing_but_other_documents_after_the_request_closed() -> None:
    assert r.check_doc("WITHDRAWAL", ["ate"], Ap(), Pam(state=r.CLOSED), [], TODAY) == r.PAM_CLOSED
    assert r.check_doc("OTHER", ["ate"], Ap(), Pam(state=r.CLOSED), [], TODAY) is None


# ---- approval -------------------------------------------------------------------------------


def test_approval_needs_the_analyst_discussion_and_the_area_directors_approval() -> None:
    assert r.check_approve(Pam(), [], True, TODAY) == r.NO_ANALYST
    assert r.check_approve(Pam(), docs("ANALYST"), True, TODAY) == r.NO_AD_APPROVAL
    assert r.check_approve(Pam(), docs("ANALYST", "AD-APPROVAL"), True, TODAY) is None
    assert r.check_approve(Pam(), docs("ANALYST", "AD-APPROVAL"), False, TODAY) == r.NOT_A_MEDIATOR


def test_held_and_unperfected_requests_cannot_be_approved() -> None:
    ok = docs("ANALYST", "AD-APPROVAL")
    assert r.check_approve(Pam(state=r.HELD), ok, True, TODAY) == r.HELD_PREMATURE
    unperfected = Pam(state=r.PERFECTING, perfect_due=D(2024, 6, 10))
    assert r.check_approve(unperfected, ok, True, TODAY) == "REQUEST NOT PERFECTED - DETAILS DUE 06/10/2024"
    assert r.check_approve(Pam(state=r.APPROVED), ok, True, TODAY) == r.ALREADY_APPROVED


# ---- denial ---------------------------------------------------------------------------------


def test_every_denial_needs_the_area_director_and_the_executive() -> None:
    assert r.check_concurrence(docs("ANALYST")) == r.NO_AD_CONCUR
    assert r.check_concurrence(docs("ANALYST", "AD-CONCUR")) == r.NO_EXEC_CONCUR
    assert r.check_concurrence(docs("ANALYST", "EXEC-CONCUR")) == r.NO_AD_CONCUR
    assert r.check_concurrence(docs("ANALYST", "AD-CONCUR", "EXEC-CONCUR")) is None


@pytest.mark.parametrize("nonconcur", ["AD-NONCONCUR", "EXEC-NONCONCUR"])
def test_either_not_concurring_means_the_request_is_accepted(nonconcur: str) -> None:
    all_in = docs("ANALYST", "AD-CONCUR", "EXEC-CONCUR", nonconcur)
    assert r.check_concurrence(all_in) == r.NONCONCURRED
    answered = docs("ANALYST", nonconcur) if nonconcur == "AD-NONCONCUR" else docs("ANALYST", "AD-CONCUR", nonconcur)
    assert r.check_approve(Pam(), answered, True, TODAY) is None


def test_denial_letter_5557_for_oic_and_5558_for_tfrp() -> None:
    assert r.denial_letter(Ap(type="OIC")) == "5557"
    assert r.denial_letter(Ap(type="TFRP")) == "5558"
    chain = docs("ANALYST", "AD-CONCUR", "EXEC-CONCUR")
    assert r.check_letter("5558", Ap(type="OIC"), Pam(), chain, TODAY, mailed=TODAY) == "USE LETTER 5557 FOR AN OIC APPEAL"
    assert r.check_letter("5557", Ap(type="TFRP"), Pam(), chain, TODAY, mailed=TODAY) == "USE LETTER 5558 FOR A TFRP APPEAL"
    assert r.check_letter("5557", Ap(type="OIC"), Pam(), chain, TODAY, mailed=TODAY, text="ISSUE EXCLUDED") is None
    assert r.check_letter("5557", Ap(type="OIC"), Pam(), docs("ANALYST", "AD-CONCUR"), TODAY, mailed=TODAY) == r.NO_EXEC_CONCUR


def test_denial_closes_on_the_letters_mail_date_with_one_of_two_reasons() -> None:
    chain = docs("ANALYST", "AD-CONCUR", "EXEC-CONCUR") + [Doc("L5557", D(2024, 6, 14))]
    reason = "Request denied \u2013 ineligible issue or case type"  # the Exhibit's literal, en dash
    assert r.check_deny(Ap(), Pam(), chain, reason, D(2024, 6, 14), TODAY) is None
    assert r.check_deny(Ap(), Pam(), chain, "2", D(2024, 6, 14), TODAY) is None
    assert r.check_deny(Ap(), Pam(), chain, reason, TODAY, TODAY) == "DENIAL DATE MUST BE THE LETTER MAIL DATE 06/14/2024"
    assert r.check_deny(Ap(), Pam(), chain, "TAXPAYER WAS RUDE", D(2024, 6, 14), TODAY) == r.INVALID_REASON
    assert r.check_deny(Ap(), Pam(), chain, "3", D(2024, 6, 14), TODAY) == r.INVALID_REASON
    no_letter = docs("ANALYST", "AD-CONCUR", "EXEC-CONCUR")
    assert r.check_deny(Ap(), Pam(), no_letter, "1", TODAY, TODAY) == "DENIAL LETTER 5557 NOT ISSUED"
    assert r.check_deny(Ap(), Pam(state=r.APPROVED), chain, "1", D(2024, 6, 14), TODAY) == r.DECIDED


def test_an_unperfected_request_is_denied_only_after_the_14_days() -> None:
    pam = Pam(state=r.PERFECTING, perfect_due=TODAY)
    chain = docs("ANALYST", "AD-CONCUR", "EXEC-CONCUR")
    assert r.check_letter("5557", Ap(), pam, chain, TODAY, mailed=TODAY).startswith("REQUEST NOT PERFECTED")
    assert r.check_letter("5557", Ap(), pam, chain, TODAY + dt.timedelta(days=1), mailed=TODAY + dt.timedelta(days=1),
                          text="NOT PERFECTED") is None


def test_a_denial_without_a_pam_support_request_only_for_an_ineligible_request() -> None:
    chain = docs("ANALYST", "AD-CONCUR", "EXEC-CONCUR")
    assert r.check_letter("5557", Ap(), None, chain, TODAY, mailed=TODAY) == r.NO_PAM
    assert r.check_letter("5557", Ap(status="closed"), None, chain, TODAY, mailed=TODAY, text="APPEAL CLOSED") is None
    assert r.check_letter("5557", Ap(status="closed"), None, docs("ANALYST", "AD-CONCUR"), TODAY, mailed=TODAY) == r.NO_EXEC_CONCUR


# ---- after approval -------------------------------------------------------------------------


def test_letter_5559_after_approval_gives_seven_days() -> None:
    assert r.check_letter("5559", Ap(), Pam(), [], TODAY, mailed=TODAY) == r.NOT_APPROVED
    assert r.check_letter("5559", Ap(), Pam(state=r.APPROVED), [], TODAY, mailed=TODAY) is None
    assert r.check_letter("5559", Ap(), Pam(state=r.APPROVED), docs("L5559"), TODAY, mailed=TODAY) == r.LETTER_5559_ISSUED
    limits = r.deadlines(Ap(), Pam(state=r.APPROVED, approved=TODAY), docs("L5559"), None)
    assert [(d.label, d.due) for d in limits if d.label.startswith("L5559")] == [
        ("L5559 SIGNED AGREEMENT BACK (7 DAYS)", D(2024, 6, 24))]


def test_the_mediator_is_assigned_after_letter_5559() -> None:
    assert r.check_assign(Pam(state=r.APPROVED), [], True) == r.NO_LETTER_5559
    assert r.check_assign(Pam(state=r.APPROVED), docs("L5559"), True) is None
    assert r.check_assign(Pam(state=r.APPROVED), docs("L5559"), False) == r.NOT_A_MEDIATOR
    assert r.check_assign(Pam(state=r.OPEN), docs("L5559"), True) == r.NOT_APPROVED


def test_two_week_three_week_and_sixty_day_limits() -> None:
    pam = Pam(state=r.ASSIGNED, approved=D(2024, 6, 5), assigned=D(2024, 6, 12))
    limits = {d.label: d for d in r.deadlines(Ap(request_received=D(2024, 6, 3)), pam,
                                               docs("L5559", when=D(2024, 6, 7)) + [Doc("AGREEMENT", D(2024, 6, 10))], None)}
    assert limits["ATM ANSWER TO TP AND ATE (2 WEEKS)"].due == D(2024, 6, 17)
    assert limits["ATM ANSWER TO TP AND ATE (2 WEEKS)"].met == D(2024, 6, 5)
    assert limits["AGREEMENT TO MEDIATE SIGNED (3 WKS)"].due == D(2024, 6, 26)
    assert limits["MEDIATION HELD BY (60 DAYS)"].due == D(2024, 8, 9)
    assert limits["MEDIATION HELD BY (60 DAYS)"].line(D(2024, 8, 10)).endswith("OVERDUE")


def test_the_atm_closes_withdrawals_before_a_mediator_is_assigned_only() -> None:
    w = docs("WITHDRAWAL")
    assert r.check_close(Pam(state=r.APPROVED), w, r.TP_WITHDREW, TODAY, by_atm=True) is None
    assert r.check_close(Pam(state=r.ASSIGNED), w, r.TP_WITHDREW, TODAY, by_atm=True) == r.ATM_AFTER_MEDIATOR
    assert r.check_close(Pam(state=r.OPEN), w, r.AGREED, TODAY, by_atm=True) == r.ATM_CLOSES_WITHDRAWALS
    assert r.check_close(Pam(state=r.ASSIGNED), w, r.TP_WITHDREW, TODAY, by_atm=False) == r.MEDIATOR_SUBMITS


def test_a_withdrawal_needs_the_written_withdrawal_and_its_date() -> None:
    assert r.check_close(Pam(), [], "4", TODAY, by_atm=True) == r.NO_WITHDRAWAL
    w = docs("WITHDRAWAL", when=D(2024, 6, 14))
    assert r.check_close(Pam(), w, "4", TODAY, by_atm=True) == "CLOSE DATE MUST BE THE WITHDRAWAL DATE 06/14/2024"
    # result 5 is a mediation result: only on an approved request (APP-R15)
    approved = Pam(state=r.APPROVED)
    assert r.check_close(approved, w, "5", D(2024, 6, 14), by_atm=True) == r.NO_EXEC_CONCUR
    assert r.check_close(approved, w + docs("EXEC-CONCUR", when=D(2024, 6, 14)), "5", D(2024, 6, 14),
                         by_atm=True) is None


def test_the_mediator_submits_with_only_the_mediators_report_and_one_of_five_results() -> None:
    pam = Pam(state=r.ASSIGNED, mediator="0810000400")
    signed = docs("AGREEMENT")
    for n, result in enumerate(r.RESULTS[:3], start=1):
        assert r.check_submit(pam, signed, result, ["MEDIATOR-REPORT"], "0810000400", TODAY) is None
        assert r.check_submit(pam, signed, str(n), ["MEDIATOR-REPORT"], "0810000400", TODAY) is None
    assert r.check_submit(pam, [], r.AGREED, ["MEDIATOR-REPORT", "OTHER"], "0810000400", TODAY) == r.ONLY_REPORT
    assert r.check_submit(pam, [], r.AGREED, [], "0810000400", TODAY) == r.ONLY_REPORT
    assert r.check_submit(pam, [], "MEDIATED - MOSTLY", ["MEDIATOR-REPORT"], "0810000400", TODAY) == r.INVALID_RESULT
    assert r.check_submit(pam, [], r.AGREED, ["MEDIATOR-REPORT"], "0810000401", TODAY) == r.NOT_THE_MEDIATOR
    assert r.check_submit(Pam(state=r.APPROVED, mediator="0810000400"), [], r.AGREED, ["MEDIATOR-REPORT"],
                          "0810000400", TODAY) == r.NOT_ASSIGNED
    assert r.check_submit(pam, [], r.TP_WITHDREW, ["MEDIATOR-REPORT"], "0810000400", TODAY) == r.NO_WITHDRAWAL


def test_the_results_and_reasons_are_the_exhibits_literals() -> None:
    assert len(r.RESULTS) == 5 and len(r.DENIAL_REASONS) == 2
    assert r.pick("Mediated \u2013 partially agreed", r.RESULTS) == "MEDIATED - PARTIALLY AGREED"
    assert r.pick("withdrawn by appeals (with executive concurrence)", r.RESULTS) == r.APPEALS_WITHDREW


# ---- guards ---------------------------------------------------------------------------------


def test_the_ate_cannot_submit_the_appeal_while_a_pam_support_request_is_open() -> None:
    for state in (r.OPEN, r.HELD, r.PERFECTING, r.APPROVED, r.ASSIGNED):
        assert r.check_submit_appeal(Ap(), Pam(state=state)) == r.PAM_OPEN
    assert r.check_submit_appeal(Ap(), Pam(state=r.CLOSED)) is None
    assert r.check_submit_appeal(Ap(request_received=None), None) is None
    assert r.check_submit_appeal(Ap(submitted=TODAY), None) == r.ALREADY_SUBMITTED


def test_the_mediator_cannot_see_the_underlying_appeal_until_mediation_closed() -> None:
    assert r.mediation_open_for(Pam(state=r.ASSIGNED, mediator="0810000400"), "0810000400")
    assert r.mediation_open_for(Pam(state=r.APPROVED, mediator="0810000400"), "0810000400")
    assert not r.mediation_open_for(Pam(state=r.CLOSED, mediator="0810000400"), "0810000400")
    assert not r.mediation_open_for(Pam(state=r.ASSIGNED, mediator="0810000400"), "0810000101")
