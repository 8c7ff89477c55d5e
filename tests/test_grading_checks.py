"""The answer-key check kinds (idrs_sim.grading.checks) on small dumps, and the exercise files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from idrs_sim.grading.checks import CheckError, evaluate, parse_check
from idrs_sim.grading.exercises import ExerciseError, find_exercise, list_exercises, read_exercise

DUMP = {
    "date": "2024-06-21", "cycle": "202426",
    "entities": [{
        "tin": "400-00-1001", "established": True, "name": ["JOHN A SMITH"],
        "transactions": [{"tc": 971, "ac": 506, "misc": "WI PRP OTHER1", "secondary_date": "2023-12-31",
                          "status": "posted"}],
        "letters": [{"letter": "4674C", "date": "2024-06-17", "paragraphs": "C7acwy&", "return_address_code": "TP"}],
        "notes": [{"issue": "TPP-HIGH RISK PASSED", "text": "ADVISED 9 WEEKS"}],
        "modules": [{"mft": "30", "period": "202312", "transactions": [
            {"tc": 150, "amount": "4358.00", "cycle": "202426", "status": "posted", "dln": "76247045101014"},
            {"tc": 971, "ac": 124, "status": "posted", "reversed": True},
            {"tc": 846, "amount": "1842.00", "refund_method": "check", "cycle": "202426", "status": "posted"},
            {"tc": 971, "ac": 111, "status": "deleted"}],
            "unpostables": [{"seq": "000000101", "code": 126, "status": "closed", "urc": "0"}],
            "controls": [{"category": "FRPI", "activity": "REQ_FRZRLS", "status": "A", "idrs": "1486907202"}]}],
    }],
}
DUMP["appeals"] = [{"id": "OIC-1", "pam": {"state": "ASSIGNED"}, "car": [{"code": "MI", "date": "2024-06-17"}],
                    "docs": [{"kind": "AD-APPROVAL"}, {"kind": "L5559"}]}]
DUMP["appeals"][0]["docs"].append({"kind": "L5559"})
_INVITE = {"letter": "5157", "para": 7, "egain": "4471026", "idrs": "0810000211", "date": "2024-06-17",
           "text": "While you can always reach me via the telephone number, fax number, and mailing address shown "
                   "above, we now offer IRS Secure Messaging for you (and your authorized representative, if "
                   "applicable) to quickly and easily communicate with me about your case. Please see the enclosed "
                   "Publication 5437, IRS Independent Office of Appeals Secure Messaging, for more information about "
                   "secure messaging. To register for secure messaging, please visit www.irs.gov/connect and enter "
                   "the Appeals Employee ID (not badge number) of 4471026."}
DUMP["acds_cases"] = [
    {"id": "AP-1", "feature_codes": ["DC"], "letters": [_INVITE],
     "registrations": [{"who": "TP", "egain": "4471026", "consented": True, "authenticated": False, "date": "2024-06-18"}],
     "messages": [{"from": "TP", "date": "2024-06-20"}], "carats": []},
    {"id": "AP-2", "feature_codes": [], "letters": [dict(_INVITE, para=5, text="see Publication 5437")]},
]
AUDIT = [{"idrs": "1485012345", "command": "UPRES", "tin": "400-00-1001"}]


def _check(kind: str, spec: dict, **extra: object) -> bool:
    c = parse_check({"id": "x", "why": "because", kind: spec, **extra}, default_irm="25.25.6")
    return evaluate(c, DUMP, AUDIT).met


@pytest.mark.parametrize(("kind", "spec", "met"), [
    ("txn", {"tin": "400-00-1001", "mft": "30", "period": "202312", "tc": 150, "amount": "4358.00"}, True),
    ("txn", {"tin": "400-00-1001", "mft": "30", "period": "202312", "tc": 150, "amount": "4358.01"}, False),
    ("txn", {"tin": "400-00-1001", "mft": "30", "period": "202312", "tc": 971, "ac": 124, "reversed": True}, True),
    ("txn", {"tin": "400-00-1001", "mft": "30", "period": "202312", "tc": 971, "ac": 124, "reversed": False}, False),
    ("txn", {"tin": "400-00-1001", "mft": "30", "period": "202312", "tc": 971, "ac": 111}, False),  # deleted
    ("txn", {"tin": "400-00-1001", "mft": "30", "period": "202312", "tc": 971, "ac": 111, "status": "deleted"}, True),
    ("txn", {"tin": "400-00-1001", "mft": "30", "period": "202312", "tc": 290, "status": "any", "count": 0}, True),
    ("txn", {"tin": "400-00-1001", "tc": 971, "ac": 506, "secondary_date": "2023-12-31"}, True),  # entity level
    ("txn", {"tin": "400-00-1001", "mft": "32", "period": "202312", "tc": 976}, False),  # no such module
    ("txn", {"tin": "400-00-1099", "tc": 971}, False),  # no such entity
    ("refunds", {"tin": "400-00-1001", "mft": "30", "period": "202312", "are": [["1842.00", "check", "202426"]]}, True),
    ("refunds", {"tin": "400-00-1001", "mft": "30", "period": "202312", "last": ["1842.00", "direct_deposit",
                                                                                 "202426"]}, False),
    ("unpostable", {"seq": "000000101", "status": "closed", "urc": "0", "release_cycle": None}, True),
    ("unpostable", {"seq": "000000101", "urc": "D"}, False),
    ("unpostables", {"tin": "400-00-1001", "field": "seq", "are": ["000000101"]}, True),
    ("control", {"tin": "400-00-1001", "mft": "30", "period": "202312", "category": "FRPI", "status": "A"}, True),
    ("control", {"tin": "400-00-1001", "mft": "30", "period": "202312", "count": 0}, False),
    ("letter", {"tin": "400-00-1001", "letter": "4674C", "paragraphs_have": "C&"}, True),
    ("letter", {"tin": "400-00-1001", "letter": "4674C", "dates": ["2024-06-17", "2024-06-18"]}, False),
    ("note", {"tin": "400-00-1001", "words": ["9 weeks", "high risk"]}, True),
    ("note", {"tin": "400-00-1001", "words": ["16 WEEKS"]}, False),
    ("entity", {"tin": "400-00-1001", "established": True, "name": ["JOHN A SMITH"]}, True),
    ("entity", {"tin": "400-00-1001", "modules": "none"}, False),
    ("module", {"tin": "400-00-1001", "mft": "32", "period": "202312", "exists": False}, True),
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "has": {"pam.state": "ASSIGNED", "submitted": None,
                "car": [{"code": "MI", "date": "2024-06-17"}]}}, True),
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "has": {"pam.state": "CLOSED"}}, False),
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "contains": {"docs": {"kind": "L5559"}}}, True),
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "lacks": {"docs": {"kind": "L5559"}}}, False),
    ("record", {"in": "appeals", "where": {"id": "OIC-2"}}, False),
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "has": {"docs.kind": ["AD-APPROVAL", "L5559", "L5559"]}},
     True),  # a dotted path through a list: the items' values
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "lacks": {"docs.kind": "AD-CONCUR"}}, True),
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "tally": {"docs.kind": {"L5559": 2, "L5558": 0}}}, True),
    ("record", {"in": "appeals", "where": {"id": "OIC-1"}, "tally": {"docs.kind": {"L5559": 1}}}, False),
    ("tdc_findings", {"case": "AP-1", "are": ["1 TDC MESSAGE(S) OF 06202024 WITHOUT CO-TDC"]}, True),
    ("tdc_findings", {"case": "AP-1"}, False),  # the message has no CO-TDC
    ("tdc_findings", {"case": "AP-9"}, False),  # no such case
    ("tdc_invitation", {"case": "AP-1", "letter": "5157", "egain": "4471026", "idrs": "0810000211"}, True),
    ("tdc_invitation", {"case": "AP-1", "letter": "5157", "egain": "0810000211"}, False),  # badge, not eGain ID
    ("tdc_invitation", {"case": "AP-2", "letter": "5157", "egain": "4471026"}, False),  # wrong paragraph
    ("tdc_registration", {"case": "AP-1", "who": "TP", "usable": False, "count": 1}, True),
    ("tdc_registration", {"case": "AP-1", "who": "TP"}, False),  # not authenticated: cannot carry messages
    ("command", {"code": "UPRES", "used": True}, True),
    ("command", {"code": "TERUP", "used": False}, True),
    ("command", {"code": "UPRES", "used": False}, False),
])
def test_kinds(kind: str, spec: dict, met: bool) -> None:
    assert _check(kind, spec) is met


@pytest.mark.parametrize("raw", [
    {"id": "x", "why": "w", "txn": {"tin": "1", "tc": 1, "acc": 124}},  # unknown key: a typo never holds
    {"id": "x", "why": "w", "txn": {"tc": 150}},  # no TIN
    {"id": "x", "why": "w", "txns": {"tin": "1"}},  # unknown kind
    {"id": "x", "why": "w", "txn": {"tin": "1", "tc": 1}, "note": {"tin": "1", "words": []}},  # two kinds
    {"why": "w", "txn": {"tin": "1", "tc": 1}},  # no id
    {"id": "x", "txn": {"tin": "1", "tc": 1}},  # no why
    {"id": "x", "why": "w", "refunds": {"tin": "1", "mft": "30", "period": "202312"}},  # neither are nor last
    {"id": "x", "why": "w", "tdc_invitation": {"case": "AP-1", "letter": "5157"}},  # no eGain ID
    {"id": "x", "why": "w", "tdc_findings": {"case": "AP-1", "finding": []}},  # unknown key
])
def test_bad_checks_are_refused(raw: dict) -> None:
    with pytest.raises(CheckError):
        parse_check(raw, default_irm="25.25.6")


def test_a_missed_check_says_what_the_account_shows() -> None:
    c = parse_check({"id": "urc", "why": "URC D", "unpostable": {"seq": "000000101", "urc": "D"}}, default_irm="x")
    result = evaluate(c, DUMP, [])
    assert not result.met and result.found == "urc=0"
    assert result.line.startswith("MISSED urc") and "found: urc=0" in result.line


def test_answer_key_with_a_typo_does_not_load(tmp_path: Path) -> None:
    script = find_exercise("valid_return_up126_paper_check").procedure.path
    (tmp_path / script.name).write_text(script.read_text())
    (tmp_path / script.with_suffix(".yaml").name).write_text(
        "checks:\n  - {id: a, why: b, txn: {tin: 400-00-1001, tc: 150, cylce: '202426'}}\n")
    with pytest.raises(ExerciseError, match="has no key cylce"):
        read_exercise(tmp_path / script.name)


def test_every_exercise_situation_is_written_for_the_trainee_and_gives_no_answer() -> None:
    """The situation is what the trainee hears: no URCs, transaction codes or MISC literals."""
    for ex in list_exercises():
        raw = yaml.safe_load(ex.procedure.path.with_suffix(".yaml").read_text())
        assert raw.get("situation"), f"{ex.name}: the key has no situation of its own"
        text = ex.situation.upper()
        assert not re.search(r"\bURC\b|\bTC \d{3}|\bAC \d{3}|\bCCC\b|_NONIDT|_IDT|WI PRP|REL-CYC", text), ex.name
        for c in ex.checks if not ex.name.startswith("breach/") else ():  # a breach number is a given
            misc = c.spec.get("misc")
            if misc:
                assert str(misc).upper() not in text, f"{ex.name}: the situation gives away MISC {misc}"


def test_every_exercise_has_a_cycle_and_irm_for_each_check() -> None:
    """Exercises on the master file are judged after a posting cycle; Appeals work (ACMS,
    ACDS) does not post, so it is judged as the trainee left it (decision GRADE-7)."""
    for ex in list_exercises():
        if ex.name.startswith("appeals/"):
            assert ex.grade_after_cycle is None, ex.name
            continue
        assert ex.grade_after_cycle and re.fullmatch(r"\d{6}", ex.grade_after_cycle), ex.name
        assert all(c.irm and c.why for c in ex.checks), ex.name
