"""What each Appeals TDC procedure must leave on ACDS, checked on `idrs-sim dump` data.

One function per script in procedures/appeals/tdc/, registered with `@outcome("<name>")`;
the scripts check the screens, these the dump (memo AP-08-0622-0008).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from idrs_sim.rules import appeals_tdc as tdc

Check = Callable[[dict[str, Any]], None]
OUTCOMES: dict[str, Check] = {}


def outcome(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        OUTCOMES[name] = fn
        return fn
    return register


def acds(d: dict[str, Any], case_id: str) -> dict[str, Any]:
    found = [c for c in d.get("acds_cases") or [] if c["id"] == case_id]
    assert len(found) == 1, f"no ACDS case {case_id}"
    return found[0]


def no_findings(case: dict[str, Any]) -> None:
    assert tdc.findings(tdc.facts(case)) == [], tdc.findings(tdc.facts(case))


def invitation(case: dict[str, Any], letter: str, egain: str, idrs: str) -> None:
    invites = [x for x in case.get("letters") or [] if x.get("para")]
    assert [(x["letter"], x["para"], x["egain"], x["idrs"]) for x in invites] == \
        [(letter, tdc.INVITATION_PARAGRAPHS[letter], egain, idrs)]
    assert invites[0]["text"] == tdc.invitation_paragraph(egain)
    assert tdc.missing_elements(invites[0]["text"], egain) == []


@outcome("invite_letter_5157_feature_code_dc")
def _(d: dict[str, Any]) -> None:
    case = acds(d, "AP-2024-0101")
    invitation(case, "5157", "4471026", "0810000211")
    assert case["feature_codes"] == ["DC"]
    assert "0810000211" not in case["letters"][0]["text"]
    no_findings(case)


@outcome("ate_without_bears_manager_invites")
def _(d: dict[str, Any]) -> None:
    case = acds(d, "AP-2024-0105")
    invitation(case, "5576", "4471001", "0810000210")
    assert case["feature_codes"] == ["DC"]
    assert not [x for x in case.get("letters", []) if x["idrs"] == "0810000212"]
    emp = {e["idrs"]: e for e in d["employees"]}
    assert "egain" not in emp["0810000212"] and not emp["0810000212"].get("bears")
    no_findings(case)


@outcome("first_call_discussed_feature_code_dc")
def _(d: dict[str, Any]) -> None:
    case = acds(d, "AP-2024-0102")
    assert [(c["contact"], c["tdc"], c["egain"], c["pub"]) for c in case.get("car", [])] == \
        [("PHONE", "DISCUSSED", "4471026", "REVIEWED")]
    assert case["feature_codes"] == ["DC"]
    assert [(r.who, r.egain_id, tdc.usable(r)) for r in tdc.registrations(case)] == [("POA", "4471026", None)]
    no_findings(case)


@outcome("first_call_resolves_not_offered")
def _(d: dict[str, Any]) -> None:
    case = acds(d, "AP-2024-0103")
    assert [(c["tdc"], c["resolved"]) for c in case.get("car", [])] == [("NOT-OFFERED", True)]
    assert "SETTLED" in case["car"][0]["reason"]
    assert case["feature_codes"] == [] and "letters" not in case
    no_findings(case)


@outcome("messages_co_tdc_and_co_as")
def _(d: dict[str, Any]) -> None:
    case = acds(d, "AP-2024-0104")
    msgs = case.get("messages", [])
    assert [(m["from"], m["date"], m.get("doc")) for m in msgs] == \
        [("TP", "2024-06-10", None), ("ATE", "2024-06-12", "AGREEMENT")]
    co_tdc = Counter(e["date"] for e in case.get("carats", []) if (e["act"], e["sub"]) == ("CO", "TDC"))
    assert co_tdc == Counter(m["date"] for m in msgs)  # one CO-TDC per message, on its date
    assert [e["date"] for e in case.get("carats", []) if (e["act"], e["sub"]) == ("CO", "AS")] == ["2024-06-12"]
    assert [(n["to"], n["date"]) for n in case.get("notices", [])] == [("EGAIN 4471026", "2024-06-10"), ("TP", "2024-06-12")]
    for n in case.get("notices", []):
        assert n["text"] == tdc.NOTICE_TEXT and "BANK" not in n["text"]
    assert any(tdc.usable(r) is None for r in tdc.registrations(case))
    no_findings(case)


@outcome("withdraw_from_tdc_co_tdw")
def _(d: dict[str, Any]) -> None:
    case = acds(d, "AP-2024-0106")
    assert [(r["req"], r["date"]) for r in case.get("requests", [])] == [("WITHDRAW", "2024-06-14")]
    assert [e["date"] for e in case.get("carats", []) if (e["act"], e["sub"]) == ("CO", "TDW")] == ["2024-06-14"]
    assert all(m["date"] <= "2024-06-14" for m in case.get("messages", []))
    no_findings(case)


@outcome("case_file_by_tdc_stars_6271")
def _(d: dict[str, Any]) -> None:
    case = acds(d, "AP-2024-0106")
    assert [(r["req"], r["date"]) for r in case.get("requests", [])] == [("CASEFILE", "2024-06-13")]
    fa = sorted((e["sub"], e["date"]) for e in case.get("carats", []) if e["act"] == "FA")
    assert fa == [("REQ", "2024-06-13"), ("TFA", "2024-06-13")]
    assert [(s["id"], s["delivery"]) for s in case.get("stars", [])] == [("STARS20240617001", tdc.STARS_DELIVERY)]
    l6271 = [u for u in case.get("uploads", []) if u["doc"] == "L6271"]
    assert [(u["signed"], u["dated"], u["to"], u["letter_date"], u["stars_id"]) for u in l6271] == \
        [(True, False, "TP", "2024-06-17", "STARS20240617001")]  # uploaded undated; STARS dated it
    assert [u["by"] for u in case.get("uploads", []) if u["doc"] == "REDACTED-CASEFILE"] == ["STARS"]
    assert not [u for u in case.get("uploads", []) if u["doc"] == "L6270"]
    assert not [x for x in case.get("letters") or [] if x["letter"] == "6270"]
    sent = [m for m in case.get("messages", []) if m.get("doc") == "CASEFILE"]
    assert [(m["from"], m["date"]) for m in sent] == [("ATE", "2024-06-17")]
    assert any((e["act"], e["sub"], e["date"]) == ("CO", "TDC", "2024-06-17") for e in case.get("carats", []))
    no_findings(case)
