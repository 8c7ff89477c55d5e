"""Every Appeals procedure (procedures/appeals/*.txt) runs clean and leaves the ACMS records the
memo requires (AP-08-1125-0028): the script checks the screens, OUTCOMES check the dump.

The mutants leave out or change one required action; each must make its procedure fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from idrs_sim.masterfile.db import MasterFile
from idrs_sim.masterfile.dump import dump
from idrs_sim.masterfile.fixtures import load_data
from idrs_sim.procedures import ProcedureFailure, list_procedures, run_procedure

PROCEDURES = {p.name: p for p in list_procedures("appeals")}
Check = Callable[[dict[str, Any]], None]
OUTCOMES: dict[str, Check] = {}


def outcome(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        OUTCOMES[name] = fn
        return fn
    return register


def appeal(d: dict[str, Any], number: str) -> dict[str, Any]:
    [a] = [a for a in d["appeals"] if a["id"] == number]
    return a


def car(a: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["code"], c["date"]) for c in a["car"]]


def kinds(a: dict[str, Any]) -> list[str]:
    return [doc["kind"] for doc in a["docs"]]


@outcome("approval_ad_then_atm")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "OIC-2501")
    assert a["request_received"] == "2024-06-17" and car(a) == [("MI", "2024-06-17")]
    p = a["pam"]
    assert (p["state"], p["mediator"], p["approved"], p["assigned"]) == ("ASSIGNED", "0810000400", "2024-06-17", "2024-06-17")
    assert kinds(a) == ["ANALYST", "AD-APPROVAL", "L5559"]
    assert "submitted" not in a


@outcome("denial_with_concurrence")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "TFRP-2502")
    p = a["pam"]
    assert (p["state"], p["status"], p["closed"], p["closed_by"]) == ("CLOSED", "DENIED", "2024-06-17", "0810000100")
    assert p["reason"] == "REQUEST DENIED WITH EXECUTIVE CONCURRENCE"
    assert car(a) == [("MI", "2024-06-17"), ("MO", "2024-06-17")]
    assert kinds(a) == ["ANALYST", "AD-CONCUR", "EXEC-CONCUR", "L5558"]
    assert a["submitted"] == "2024-06-17"


@outcome("denial_without_concurrence")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "OIC-2503")
    p = a["pam"]
    assert (p["state"], p["mediator"], p["approved"]) == ("APPROVED", "0810000401", "2024-06-17")
    assert "EXEC-NONCONCUR" in kinds(a) and "L5557" not in kinds(a)
    assert [c for c, _ in car(a)] == ["MI"]


@outcome("withdrawal_before_mediator")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "OIC-2504")
    p = a["pam"]
    assert (p["state"], p["status"], p["closed"], p["closed_by"]) == ("CLOSED", "WITHDRAWN", "2024-06-14", "0810000100")
    assert p["result"] == "PAM WITHDRAWN BY WRITTEN REQUEST FROM TP" and "assigned" not in p
    assert car(a)[-1] == ("MO", "2024-06-14")
    assert a["submitted"] == "2024-06-17"


@outcome("withdrawal_after_mediator")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "TFRP-2505")
    p = a["pam"]
    assert (p["state"], p["status"], p["closed_by"], p["result"]) == (
        "CLOSED", "WITHDRAWN", "0810000400", "PAM WITHDRAWN BY WRITTEN REQUEST FROM TP")
    assert kinds(a).count("MEDIATOR-REPORT") == 1 and car(a)[-1] == ("MO", "2024-06-17")


@outcome("mediator_closing")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "TFRP-2505")
    p = a["pam"]
    assert (p["state"], p["status"], p["result"], p["closed_by"]) == (
        "CLOSED", "MEDIATED", "MEDIATED - PARTIALLY AGREED", "0810000400")
    assert kinds(a).count("MEDIATOR-REPORT") == 1
    assert car(a) == [("MI", "2024-05-13"), ("MO", "2024-06-17")] and a["submitted"] == "2024-06-17"


@outcome("cdp_eh_oic_no_mi")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "CDP-2506")
    assert a["request_received"] == "2024-06-17" and "pam" not in a and car(a) == []


@outcome("premature_request_held")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "OIC-2507")
    assert a["intake"] == "PREMATURE"
    p = a["pam"]
    assert (p["state"], p["status"], p["closed_by"]) == ("CLOSED", "WITHDRAWN", "0810000100")
    assert car(a) == [("MI", "2024-06-17"), ("MO", "2024-06-17")] and a["submitted"] == "2024-06-17"


@outcome("incomplete_request_not_perfected")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "TFRP-2508")
    p = a["pam"]
    assert (p["state"], p["status"], p["closed"]) == ("CLOSED", "DENIED", "2024-06-18")
    assert p["reason"] == "REQUEST DENIED - INELIGIBLE ISSUE OR CASE TYPE"
    assert "PERFECTED" not in kinds(a) and car(a)[-1] == ("MO", "2024-06-18")


@outcome("request_after_appeal_closed")
def _(d: dict[str, Any]) -> None:
    a = appeal(d, "OIC-2509")
    assert a["status"] == "closed" and "pam" not in a and car(a) == []
    assert kinds(a) == ["ANALYST", "AD-CONCUR", "EXEC-CONCUR", "L5557"]


def test_at_least_eight_procedures_cover_the_issue() -> None:
    assert len(PROCEDURES) >= 8
    for needed in ("approval_ad_then_atm", "denial_with_concurrence", "denial_without_concurrence",
                   "withdrawal_before_mediator", "withdrawal_after_mediator", "mediator_closing",
                   "cdp_eh_oic_no_mi", "premature_request_held", "incomplete_request_not_perfected"):
        assert needed in PROCEDURES


def test_every_procedure_has_an_outcome_and_every_outcome_a_procedure() -> None:
    assert sorted(PROCEDURES) == sorted(OUTCOMES)


def test_headers_name_their_fixture_and_irm() -> None:
    for p in PROCEDURES.values():
        assert p.fixture.startswith("appeals/") and p.actions and p.result, p.name
        assert p.irm_section.startswith("8.26.9") or "Exhibit 8.26.9-1" in p.irm, p.name


@pytest.mark.parametrize("name", sorted(PROCEDURES))
def test_procedure(name: str) -> None:
    driver = run_procedure(PROCEDURES[name])
    try:
        data = driver.dump()
        OUTCOMES[name](data)
        again = MasterFile()  # the end state round-trips through dump and load
        load_data(again, json.loads(json.dumps(data)))
        assert dump(again) == data
    finally:
        driver.sim.close()


# ---- mutants: one required action left out or done wrong -------------------------------------

MUTANTS: list[tuple[str, str, str, str]] = [
    # (procedure, what, exact text, replacement)
    ("approval_ad_then_atm", "AD approval left out", 'String("ACMSDOC 400-00-2501 APPEAL>OIC-2501 DOC>AD-APPROVAL")',
     'String("ACMS 400-00-2501 APPEAL>OIC-2501")'),
    ("approval_ad_then_atm", "MI dated the day before", "CODE>MI DATE>06172024", "CODE>MI DATE>06142024"),
    ("approval_ad_then_atm", "Letter 5559 left out", 'String("ACMSLT 400-00-2501 APPEAL>OIC-2501 LETTER>5559 DATE>06172024")',
     'String("ACMS 400-00-2501 APPEAL>OIC-2501")'),
    ("denial_with_concurrence", "executive concurrence left out",
     'String("ACMSDOC 400-00-2502 APPEAL>TFRP-2502 DOC>EXEC-CONCUR")', 'String("ACMS 400-00-2502 APPEAL>TFRP-2502")'),
    ("denial_with_concurrence", "closed on another day than the mail date",
     'String("ACMSPAM 400-00-2502 APPEAL>TFRP-2502 ACT>DENY DATE>06172024")',
     'String("ACMSPAM 400-00-2502 APPEAL>TFRP-2502 ACT>DENY DATE>06142024")'),
    ("withdrawal_after_mediator", "closed by the ATM after the mediator was assigned",
     'SignOn(0810000400)', 'SignOn(0810000100)'),
    ("mediator_closing", "a second attachment with the Mediator's Report",
     'String("ACMSPAM 400-00-2505 APPEAL>TFRP-2505 ACT>SUBMIT ATTACH>MEDIATOR-REPORT")\nNewline\nString("RESULT>MEDIATED - PARTIALLY AGREED")\nEnter\nExpectLine(24, "REQUEST',
     'String("ACMSPAM 400-00-2505 APPEAL>TFRP-2505 ACT>SUBMIT ATTACH>MEDIATOR-REPORT,OTHER")\nNewline\nString("RESULT>MEDIATED - PARTIALLY AGREED")\nEnter\nExpectLine(24, "REQUEST'),
    ("incomplete_request_not_perfected", "denied before the 14 days ran out", "Date(2024-06-18)\n", ""),
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m[0]}: {m[1]}" for m in MUTANTS])
def test_mutant_fails(mutant: tuple[str, str, str, str]) -> None:
    name, _what, old, new = mutant
    proc = PROCEDURES[name]

    assert proc.text.count(old) >= 1, f"mutation target not found: {old!r}"

    def edit(text: str) -> str:
        return text.replace(old, new, 1)

    with pytest.raises((ProcedureFailure, AssertionError)):
        driver = run_procedure(proc, edit=edit)
        try:
            OUTCOMES[name](driver.dump())
        finally:
            driver.sim.close()
