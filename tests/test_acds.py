"""The ACDS / TDC screens (idrs_sim/cc/acds*.py) and the acds_cases data (fixtures, dump)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from idrs_sim.masterfile.acds_models import AcdsCase
from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.dump import dump
from idrs_sim.masterfile.fixtures import load_data, load_fixture, validate
from idrs_sim.rules import appeals_tdc as tdc
from idrs_sim.testing import IdrsTest

CASE = "400-00-2604 CASE>AP-2024-0104"


@pytest.fixture
def sim() -> IdrsTest:
    t = IdrsTest(fixture="appeals/tdc/invited_case")
    t.sign_on("0810000211")
    yield t
    t.close()


def _line24(t: IdrsTest, command: str) -> str:
    t.clear()
    t.command(command)
    return t.line(24).strip()


def _register(t: IdrsTest) -> None:
    t.clear().string(f"TDCREQ {CASE} REQ>REGISTER ID>4471026").newline().string("CONSENT>Y AUTH>Y DATE>06072024").enter()
    assert t.line(24).strip() == "REQUEST COMPLETED"


def _give_case(t: IdrsTest, case_id: str, ate: str) -> None:
    """Make `ate` the case's ATE (only the case's ATE or a manager makes entries on it)."""
    with t.sim.mf.unit_of_work() as db:
        case = db.scalar(select(AcdsCase).where(AcdsCase.case_id == case_id))
        assert case is not None
        case.ate = ate


def _case(t: IdrsTest, case_id: str = "AP-2024-0104") -> dict:
    return next(c for c in t.dump()["acds_cases"] if c["id"] == case_id)


# -- EGAIN -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("idrs", "egain", "why"), [
    ("0810000211", "4471026", "EGAIN AGENT ACCESS GRANTED"),
    ("0810000210", "4471001", "EGAIN AGENT ACCESS GRANTED"),
    ("0810000212", "NONE", "NO BEARS APPROVAL FOR PROD USERS TDC APPEALS"),
    ("0810000213", "NONE", "SERIES 0343 IS NOT A TDC SERIES"),
    ("0810000214", "NONE", "BEARS APPROVED - EGAIN ID NOT YET ISSUED"),
    ("1485012345", "NONE", "NOT AN APPEALS MANAGER OR TECHNICAL EMPLOYEE"),
])
def test_egain_shows_the_id_or_why_not(idrs: str, egain: str, why: str) -> None:
    with IdrsTest(fixture="appeals/tdc/new_case_5157") as t:
        t.sign_on(idrs)
        t.command("EGAIN")
        t.expect(f"EGAIN ID> {egain}").expect(f"ACCESS> {why}")


def test_tdc_codes_are_for_appeals_employees_only() -> None:
    with IdrsTest(fixture="appeals/tdc/invited_case") as t:
        t.sign_on("1485012345")
        assert _line24(t, f"ACDSFC {CASE} FC>DC") == "UNAUTHORIZED COMMAND CODE"
        assert _line24(t, f"TDCMSG {CASE} FROM>TP DATE>06102024") == "UNAUTHORIZED COMMAND CODE"


def test_help_knows_the_long_codes(sim: IdrsTest) -> None:
    sim.clear().command("HELP ACDSFC")
    sim.expect("FC>DC")


# -- case selection and input checks ------------------------------------------------------------


def test_acds_needs_a_case_of_the_tin(sim: IdrsTest) -> None:
    assert _line24(sim, "ACDS 400-00-2601") == "NO ACDS CASE FOR THIS TIN"
    assert _line24(sim, "ACDS 400-00-2604 CASE>AP-2024-9999") == "NO ACDS CASE AP-2024-9999 FOR THIS TIN"
    sim.clear().command("ACDS 400-00-2604")
    sim.expect("CASE> AP-2024-0104").expect("FEATURE CODES> DC").expect("INVITED 06032024 - NOT REGISTERED")


def test_case_required_when_the_tin_has_two() -> None:
    with IdrsTest(fixture="appeals/tdc/new_case_5157") as t:
        t.sign_on("0810000211")
        t.dump()
        mf = t.sim.mf
        with mf.unit_of_work() as db:
            from idrs_sim.masterfile.acds_models import AcdsCase
            db.add(AcdsCase(case_id="AP-2024-0199", tin="400-00-2601", type="CDP", poa=False))
        assert _line24(t, "ACDS 400-00-2601").startswith("CASE> REQUIRED: AP-2024-0101 AP-2024-0199")


def test_dates_are_mmddyyyy_and_not_in_the_future(sim: IdrsTest) -> None:
    _register(sim)
    assert _line24(sim, f"TDCMSG {CASE} FROM>TP DATE>06182024") == "DATE LATER THAN CURRENT DATE"
    assert _line24(sim, f"TDCMSG {CASE} FROM>TP DATE>2024-06-10") == "INVALID DATE - MMDDYYYY"
    assert _line24(sim, f"TDCMSG {CASE} FROM>TP") == "DATE REQUIRED"
    assert _line24(sim, f"TDCMSG {CASE} FROM>XX DATE>06102024") == "FROM> TP, POA OR ATE"


def test_a_refused_action_changes_nothing(sim: IdrsTest) -> None:
    before = _case(sim)
    assert _line24(sim, f"CARATS {CASE} ACT>CO SUB>TDC DATE>06102024").startswith("CO-TDC DATE MUST BE")
    assert _line24(sim, f"ACDSLT {CASE} LETTER>5157 PARA>5 ID>4471026").startswith("TDC INVITATION GOES IN PARAGRAPH 7")
    assert _case(sim) == before


# -- messages ----------------------------------------------------------------------------------


def test_one_notice_per_recipient_per_message_never_the_text(sim: IdrsTest) -> None:
    _register(sim)
    sim.clear().string(f"TDCMSG {CASE} FROM>ATE DATE>06112024").newline().string("TEXT>YOUR OFFER AMOUNT IS 12000").enter()
    sim.clear().string(f"TDCMSG {CASE} FROM>TP DATE>06122024").newline().string("TEXT>I ACCEPT").enter()
    case = _case(sim)
    assert [m.get("text") for m in case["messages"]] == ["YOUR OFFER AMOUNT IS 12000", "I ACCEPT"]
    assert [(n["to"], n["date"], n["text"]) for n in case["notices"]] == [
        ("TP", "2024-06-11", tdc.NOTICE_TEXT), ("EGAIN 4471026", "2024-06-12", tdc.NOTICE_TEXT)]
    sim.clear().command(f"ACDS {CASE}")
    sim.expect_not("12000").expect_not("I ACCEPT")


def test_an_employee_without_the_agent_cannot_message() -> None:
    with IdrsTest(fixture="appeals/tdc/registered_case") as t:
        _give_case(t, "AP-2024-0106", "0810000213")
        t.sign_on("0810000213")
        assert _line24(t, "TDCMSG 400-00-2606 CASE>AP-2024-0106 FROM>ATE DATE>06172024").startswith(
            "NO EGAIN AGENT ACCESS: SERIES 0343")


def test_an_ate_outside_the_listed_series_sends_the_letter_without_invitation() -> None:
    with IdrsTest(fixture="appeals/tdc/new_case_5157") as t:
        _give_case(t, "AP-2024-0101", "0810000213")
        t.sign_on("0810000213")
        assert _line24(t, "ACDSLT 400-00-2601 CASE>AP-2024-0101 LETTER>5157") == "REQUEST COMPLETED"
        t.expect("TDC NOT YET OFFERED TO THE TP/REP")
        assert _case(t, "AP-2024-0101")["letters"][0] == {"letter": "5157", "date": "2024-06-17", "idrs": "0810000213"}
    with IdrsTest(fixture="appeals/tdc/new_case_5157") as t:
        t.sign_on("0810000212")
        assert _line24(t, "ACDSLT 400-00-2605 CASE>AP-2024-0105 LETTER>5576").startswith("TDC INVITATION NEEDS YOUR EGAIN ID")


def test_registration_by_a_representative_needs_a_poa(sim: IdrsTest) -> None:
    sim.clear().string(f"TDCREQ {CASE} REQ>REGISTER WHO>POA ID>4471026").newline().string("CONSENT>Y AUTH>Y DATE>06072024").enter()
    assert sim.line(24).strip() == "NO REPRESENTATIVE (POA) ON THIS CASE"


def test_registration_needs_yes_or_no_answers(sim: IdrsTest) -> None:
    assert _line24(sim, f"TDCREQ {CASE} REQ>REGISTER ID>4471026 DATE>06072024") == "CONSENT> Y OR N"


def test_withdraw_needs_a_registration(sim: IdrsTest) -> None:
    assert _line24(sim, f"TDCREQ {CASE} REQ>WITHDRAW DATE>06142024") == "THE TP/REP IS NOT REGISTERED FOR TDC SECURE MESSAGING"


def test_case_file_cannot_go_before_stars(sim: IdrsTest) -> None:
    _register(sim)
    assert _line24(sim, f"TDCREQ {CASE} REQ>CASEFILE DATE>06132024") == "REQUEST COMPLETED"
    assert _line24(sim, f"TDCMSG {CASE} FROM>ATE DATE>06172024 DOC>CASEFILE") == \
        "NO STARS REQUEST: THE REDACTED CASE FILE IS NOT ON ACDS"
    assert _line24(sim, f"TDCMSG {CASE} FROM>TP DATE>06172024 DOC>CASEFILE").startswith("THE CASE FILE IS SENT BY THE APPEALS")


def test_stars_refused_when_the_requester_is_not_on_tdc(sim: IdrsTest) -> None:
    assert _line24(sim, f"TDCREQ {CASE} REQ>CASEFILE DATE>06132024") == "REQUEST COMPLETED"
    assert _line24(sim, f"ACDSUP {CASE} DOC>L6271 SIGNED>Y DATED>N") == "REQUEST COMPLETED"
    assert _line24(sim, f"STARS {CASE} DELIVERY>TDC") == "CASE FILE BY TDC: TP HAS NOT REGISTERED FOR TDC SECURE MESSAGING"


@pytest.mark.parametrize("answer", ["SIGNED>@@ DATED>N", "SIGNED>Y DATED>AAAA"])
def test_signed_and_dated_are_yes_or_no(sim: IdrsTest, answer: str) -> None:
    """Junk in SIGNED>/DATED> was read as N and stored (sweep of 2026-12-07)."""
    assert _line24(sim, f"TDCREQ {CASE} REQ>CASEFILE DATE>06132024") == "REQUEST COMPLETED"
    label = answer.split()[0 if "@@" in answer else 1].split(">")[0]
    assert _line24(sim, f"ACDSUP {CASE} DOC>L6271 {answer}") == f"{label} MUST BE Y OR N"
    assert not _case(sim).get("uploads")


def test_the_6271_takes_the_date_it_is_sent() -> None:
    with IdrsTest(fixture="appeals/tdc/registered_case") as t:
        t.sign_on("0810000211")
        c = "400-00-2606 CASE>AP-2024-0106"
        for cmd in (f"TDCREQ {c} REQ>CASEFILE DATE>06132024", f"ACDSUP {c} DOC>L6271 SIGNED>Y DATED>N", f"STARS {c} DELIVERY>TDC"):
            assert _line24(t, cmd) == "REQUEST COMPLETED"
        t.date("2024-06-20")
        assert _line24(t, f"TDCMSG {c} FROM>ATE DATE>06202024 DOC>CASEFILE") == "REQUEST COMPLETED"
        l6271 = [u for u in _case(t, "AP-2024-0106")["uploads"] if u["doc"] == "L6271"]
        assert [(u["letter_date"], u["stars_id"]) for u in l6271] == [("2024-06-20", "STARS20240617001")]


# -- data: fixtures check and the dump round trip --------------------------------------------------


def test_every_tdc_fixture_round_trips_through_a_dump() -> None:
    for name in ("new_case_5157", "first_phone_contact", "invited_case", "registered_case"):
        mf = MasterFile()
        load_fixture(mf, f"appeals/tdc/{name}")
        first = dump(mf)
        again = MasterFile()
        load_data(again, json.loads(json.dumps(first)))
        assert dump(again) == first
        mf.dispose()
        again.dispose()


def test_a_worked_case_round_trips(sim: IdrsTest) -> None:
    _register(sim)
    for cmd in (f"TDCMSG {CASE} FROM>TP DATE>06102024", f"CARATS {CASE} ACT>CO SUB>TDC DATE>06102024",
                f"TDCREQ {CASE} REQ>CASEFILE DATE>06132024", f"ACDSUP {CASE} DOC>L6271 SIGNED>Y DATED>N",
                f"STARS {CASE} DELIVERY>TDC"):
        assert _line24(sim, cmd) == "REQUEST COMPLETED", cmd
    first = sim.dump()
    emp = {e["idrs"]: e for e in first["employees"]}
    assert (emp["0810000211"]["series"], emp["0810000211"]["bears"], emp["0810000211"]["egain"]) == ("0930", True, "4471026")
    case = next(c for c in first["acds_cases"] if c["id"] == "AP-2024-0104")
    assert {"letters", "registrations", "messages", "notices", "carats", "requests", "uploads", "stars"} <= set(case)
    again = MasterFile()
    load_data(again, json.loads(json.dumps(first)))
    assert dump(again) == first
    again.dispose()


def _problems(data: dict, lint: bool = True) -> list[str]:
    _rows, problems = validate(data, linting=lint)
    return [p.message for p in problems]


BASE = {"date": "2024-06-17",
        "employees": [{"idrs": "0810000211", "name": "A", "roles": ["ate"], "password": "x",
                       "series": "0930", "bears": True, "egain": "4471026"}],
        "entities": [{"tin": "400-00-2604", "name": ["LENA ORTIZ"]}],
        "acds_cases": [{"id": "AP-2024-0104", "tin": "400-00-2604", "type": "CDP", "ate": "0810000211", "poa": False,
                        "feature_codes": []}]}


def _with(path: str, value: object) -> dict:
    data = json.loads(json.dumps(BASE))
    target = data
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]
    target[keys[-1]] = value
    return data


def test_the_base_is_clean() -> None:
    assert _problems(BASE) == []


@pytest.mark.parametrize(("path", "value", "problem"), [
    ("employees.0.series", "930", "series: '930' must be a 4-digit job series"),
    ("employees.0.egain", "0810000211", "egain: 0810000211 is an IDRS (badge) number, not an eGain ID"),
    ("employees.0.egain", "44-71", "egain: '44-71' must be 4-12 letters or digits"),
    ("employees.0.bears", "yes", "bears: must be true or false"),
    ("employees.0.bears", False, "has an eGain ID but no eGain access (NO BEARS APPROVAL"),
    ("acds_cases.0.feature_codes", ["DC"], "feature code DC without a TDC invitation"),
    ("acds_cases.0.feature_codes", "DC", "feature_codes: must be a list"),
    ("acds_cases.0.owner", "X", "ACDS case: unknown key 'owner'"),
    ("acds_cases.0.id", "AP 1", "id: 'AP 1' must be letters, digits and dashes"),
    ("acds_cases.0.carats", [{"act": "CO", "sub": "TDC"}], "ACDS carats entry: date: is required"),
    ("acds_cases.0.carats", [{"act": "CO", "sub": "ZZ", "date": "2024-06-10"}], "CARATS CO-ZZ is not a code idrs-sim knows"),
    ("acds_cases.0.messages", [{"from": "IRS", "date": "2024-06-10"}], "from: 'IRS' must be one of TP, POA, ATE"),
    ("acds_cases.0.letters", [{"letter": "5157", "date": "2024-06-03", "para": 5, "egain": "4471026"}],
     "letter 5157: the TDC invitation goes in paragraph 7"),
    ("acds_cases.0.letters", [{"letter": "5157", "date": "2024-06-03", "para": 7, "egain": "4471026", "text": "Hi"}],
     "the invitation paragraph lacks: PHONE, FAX AND MAIL"),
    ("acds_cases.0.tin", "400-00-9999", "ACDS case for 400-00-9999, which has no entity"),
])
def test_fixtures_check_validates_the_new_keys(path: str, value: object, problem: str) -> None:
    found = _problems(_with(path, value))
    assert any(problem in p for p in found), found


def test_egain_ids_are_unique() -> None:
    data = json.loads(json.dumps(BASE))
    data["employees"].append({**data["employees"][0], "idrs": "0810000219"})
    assert any("is already the eGain ID of 0810000211" in p for p in _problems(data))


def test_fixture_files_check_clean() -> None:
    from idrs_sim.masterfile.check import check_fixtures
    from idrs_sim.masterfile.fixtures import fixtures_dir

    assert check_fixtures([Path(fixtures_dir()) / "appeals" / "tdc"]) == []
