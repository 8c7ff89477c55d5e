"""Every fixture whose narrative names a posting outcome after a cycle keeps its promise.

Issue 17 (5): `tpp/batch_valid_closed_urc0` said "The return posts in cycle 202426" and
went unpostable again; its procedure never ran a cycle, so nothing noticed.  Now each such
narrative states its outcome in `scenario.expect_after_cycles` (docs/masterfile-schema.md,
`idrs_sim.tools.fixture_promises`), and this file runs the cycles on every fixture under
fixtures/ and checks the dump.  A narrative that names such an outcome without the key
fails `test_every_promising_narrative_states_its_outcome`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from idrs_sim.simulator import Simulator
from idrs_sim.tools import fixture_promises as fp

ROOT = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURES = sorted(p for p in ROOT.rglob("*.yaml"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).with_suffix("").as_posix()


def _scenario(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sc = data.get("scenario") if isinstance(data, dict) else None
    return sc if isinstance(sc, dict) else {}


PROMISING = [p for p in FIXTURES if fp.KEY in _scenario(p)]


def test_the_walk_sees_every_fixture_area() -> None:
    names = {_name(p) for p in FIXTURES}
    assert "tpp/batch_valid_closed_urc0" in names and "ftd/issuance_routing" in names and "training" in names


def test_every_promising_narrative_states_its_outcome() -> None:
    missing = {_name(p): fp.promised_outcomes(_scenario(p).get("narrative"))
               for p in FIXTURES
               if fp.promised_outcomes(_scenario(p).get("narrative")) and fp.KEY not in _scenario(p)}
    assert missing == {}, f"narratives name a posting outcome after a cycle but have no {fp.KEY}: {missing}"


def test_every_stated_outcome_is_well_formed() -> None:
    bad = {_name(p): fp.spec_problems(_scenario(p)[fp.KEY]) for p in PROMISING}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_known_promises_are_declared() -> None:
    assert {_name(p) for p in PROMISING} >= {
        "tpp/batch_valid_closed_urc0", "tpp/resolved_as_idt_outside_review",
        "ftd/bal_due_before_assignment", "ftd/issuance_routing",
    }


@pytest.mark.parametrize("path", PROMISING, ids=_name)
def test_fixture_keeps_its_promise_after_the_cycles(path: Path) -> None:
    spec = _scenario(path)[fp.KEY]
    sim = Simulator("sqlite://", _name(path), None, replace=True)
    try:
        before = sim.dump()
        sim.cycle(int(spec.get("cycles", 1)))
        problems = fp.check_promise(spec, sim.dump(), before)
    finally:
        sim.close()
    assert problems == [], f"{_name(path)} after {spec.get('cycles', 1)} cycle(s): {problems}"


# ---- the detector and the checker themselves ------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "The return posts in cycle 202426.",
    "At the next posting cycle ICS closes the FTD Alert systemically.",
    "Run one Cycle (the 13th week): TC 971 AC 046 posts.",
    "TC 971 AC 111 post-delayed to cycle 202426.",
    "After two cycles the refund goes out.",
])
def test_sentences_that_promise_an_outcome(sentence: str) -> None:
    assert fp.promised_outcomes(f"Context first. {sentence} Then advice.") == [sentence]


@pytest.mark.parametrize("sentence", [
    "Cycle 202425 is within cycles 1-46: move the return to MFT 32.",
    "A TC 971 AC 123 5447C SENT marker posted in cycle 202423.",
    "Master File posted TC 971 AC 046 and, in the same cycle, TC 971 AC 804.",
    "In cycles 47-52 no return may be moved to or from MFT 32.",
])
def test_sentences_that_do_not(sentence: str) -> None:
    assert fp.promised_outcomes(sentence) == []


def _dump(tc: int = 150, status: str = "posted", seqs: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"entities": [{"tin": "400-00-1125", "transactions": [], "modules": [
        {"mft": "30", "period": "202312", "transactions": [{"tc": tc, "status": status, "cycle": "202426"}],
         "unpostables": [{"seq": s, "code": 126, "status": "open"} for s in seqs]}]}], "ics_cases": []}


def test_check_promise_reports_each_broken_promise() -> None:
    spec = {"transactions": [{"tin": "400-00-1125", "mft": "30", "period": "202312", "tc": 150, "status": "posted"}],
            "absent": [{"tin": "400-00-1125", "mft": "30", "period": "202312", "tc": 846}],
            "no_new_unpostables": True}
    assert fp.check_promise(spec, _dump(), _dump()) == []
    broken = fp.check_promise(spec, _dump(status="unpostable", seqs=("000000900",)), _dump())
    assert len(broken) == 2 and "no transaction" in broken[0] and "000000900" in broken[1]
    assert fp.check_promise({"absent": spec["transactions"]}, _dump()) != []


def test_spec_problems() -> None:
    assert fp.spec_problems({"cycles": 0, "bogus": 1}) == [
        f"{fp.KEY}: unknown key 'bogus'", f"{fp.KEY}: cycles must be a whole number 1 or more",
        f"{fp.KEY}: states no outcome"]
    assert fp.spec_problems({"transactions": [{"tc": 150}]}) == [
        f"{fp.KEY}.transactions: must be a list of mappings, each with a tin"]
