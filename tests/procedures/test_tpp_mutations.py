"""Acceptance: a procedure test fails when one required action is left out or done wrong.

Each mutant is a procedure script with one IRM action removed or changed.  It must fail --
and not because a screen refused the input, but because of what the posting engine then
did to the account: the failure comes after the first `Cycle` (a screen showing the
consequence) or from the dump check.  Some mutants also assert the consequence itself
(the ineffective AC 850, the refund released to the wrong place, the MFT 32 move that
unposts in cycle 47).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from idrs_sim.procedures import ProcedureFailure, list_procedures, run_procedure
from tpp_checks import cases, module, refunds
from tpp_outcomes import OUTCOMES

PROCEDURES = {p.name: p for p in list_procedures("tpp")}


@dataclass(frozen=True)
class Mutant:
    procedure: str
    what: str  # the action left out or done wrong
    edits: tuple[tuple[str, str], ...]  # (exact text, replacement), each must occur once
    consequence: Callable[[dict[str, Any]], None] | None = field(default=None, compare=False)

    def apply(self, text: str) -> str:
        for old, new in self.edits:
            assert text.count(old) == 1, f"{self.procedure}: mutation target not found once: {old!r}"
            text = text.replace(old, new)
        return text


def _refund_method(tin: str, method: str, cycle: str) -> Callable[[dict[str, Any]], None]:
    def check(d: dict[str, Any]) -> None:
        assert [(m, c) for _, m, c in refunds(module(d, tin, "30", "202312"))][-1:] == [(method, cycle)]
    return check


def _held(tin: str) -> Callable[[dict[str, Any]], None]:
    def check(d: dict[str, Any]) -> None:
        assert refunds(module(d, tin, "30", "202312")) == []
    return check


def _cycle47_unpostable(d: dict[str, Any]) -> None:
    """IRM 25.25.6.6.3.1 (4) note: a move to MFT 32 in cycles 47-52 unposts and comes back
    to the initiating employee; the UP 126 is still open."""
    up = [u for u in cases(d, "400-00-1105") if u["code"] == 173]
    assert [(u["status"], u["assigned"]) for u in up] == [("open", "1485012345")]
    assert [u["status"] for u in cases(d, "400-00-1105") if u["code"] == 126] == ["open"]


def _return_on_wrong_tin(d: dict[str, Any]) -> None:
    lee = module(d, "400-00-1040", "30", "202312")
    assert [t["dln"] for t in lee["transactions"] if t["tc"] == 150 and t["status"] == "posted"] == ["76247045104014"]
    assert refunds(lee) == [(Decimal("1606.00"), "check", "202426")]


REQ54_290 = '''Clear
String("TXMODA 400-00-1010 30 202312")
Enter
Clear
String("REQ54")
Enter
ExpectLine(1, "ADJ54 400-00-1010 30 202312")
Fill("TC", "290")
Fill("AMOUNT", ".00")
Enter
ExpectLine(24, "REQUEST COMPLETED")
Expect("POSTS IN CYCLE 202426")
'''

MUTANTS = [
    Mutant("valid_return_up126_ac850_rel_cyc", "REL-CYC (field 48) left blank with the TC 971 AC 850",
           (('Fill("REL-CYC", "202427")\n', ""),
            ('Expect("RELEASED TO POSTING IN CYCLE 202427")\n', 'Expect("RELEASED TO POSTING IN CYCLE 202426")\n')),
           _refund_method("400-00-1002", "direct_deposit", "202426")),
    Mutant("posted_ac129_release_ac850_post_delay", "TC 290 .00 not post-delayed although an AC 850 went in",
           (('Fill("POST-DELAY", "1")\n', ""),
            ('Expect("POSTS IN CYCLE 202427")\n', 'Expect("POSTS IN CYCLE 202426")\n')),
           _refund_method("400-00-1101", "direct_deposit", "202426")),
    Mutant("posted_ac129_release_tc290", "TC 290 .00 left out (only the TC 972 AC 129)",
           ((REQ54_290, ""),),
           _held("400-00-1010")),
    Mutant("posted_ac129_ac052_not_verified", "refund released (TC 290 .00) although the income did not verify",
           (('Clear\nString("AMS 400-00-1103',
             REQ54_290.replace("400-00-1010", "400-00-1103") + 'Clear\nString("AMS 400-00-1103'),),
           _refund_method("400-00-1103", "direct_deposit", "202426")),
    Mutant("valid_return_up126_paper_check", "TC 972 AC 124 left out",
           (('Fill("TC", "972")\nFill("TC971/151", "124")\nFill("MISC", "76247045101014")\nEnter\n'
             'ExpectLine(24, "REQUEST COMPLETED")\n', ""),)),
    Mutant("idt_up126_cycle47_urc_d", "IDT return moved to MFT 32 (TC 971 AC 111) in cycle 47 instead of URC D",
           (('Fill("URC", "D")\nEnter\nExpectLine(24, "REQUEST COMPLETED")\n'
             'Expect("RELEASED TO POSTING IN CYCLE 202448")\n',
             'Clear\nString("REQ77 400-00-1105 30 202312")\nEnter\nFill("TC", "971")\nFill("TC971/151", "111")\n'
             'Fill("MISC", "76247141305014")\nEnter\nExpectLine(24, "REQUEST COMPLETED")\n'),),
           _cycle47_unpostable),
    Mutant("idt_up126_ty2023_move_mft32", "AC 506 MISC WI AM OTHER without an AC 527 on ENMOD",
           (('Fill("MISC", "WI PRP OTHER1")\n', 'Fill("MISC", "WI AM OTHER")\n'),)),
    Mutant("posted_ac129_ac052_verified", "TC 972 AC 129 MISC _NONIDT although an AC 052 has the return's DLN",
           (('Fill("MISC", "111014_NONIDT052")\n', 'Fill("MISC", "111014_NONIDT")\n'),)),
    Mutant("wrong_tin_urc6", "URC 0 instead of URC 6 with the corrected TIN",
           (('Fill("URC", "6")\nFill("CORR-TIN", "400-00-1004")\n', 'Fill("URC", "0")\n'),
            ('Expect("RESOLVED URC 6 CORR-TIN 400-00-1004")\n', "")),
           _return_on_wrong_tin),
    Mutant("external_lead_bkld_verified", "TC 971 AC 850 left out on an External Lead case",
           (('Fill("TC", "971")\nFill("TC971/151", "850")\nEnter\nExpectLine(24, "REQUEST COMPLETED")\n', ""),),
           _refund_method("400-00-1012", "direct_deposit", "202427")),
    Mutant("multiple_returns_valid_duplicate_idt", "duplicate paper copy released with URC 0 instead of URC D",
           (('Fill("URC", "D")\nFill("REMARKS", "DUP RETURN NON IDT")\n', 'Fill("URC", "0")\n'),)),
    Mutant("batch_tool_filed_hold432rv", "HOLD432RV control opened on the wrong module (MFT 30 202212)",
           (('String("ACTON 400-00-1009 30 202312")\n', 'String("ACTON 400-00-1009 30 202212")\n'),)),
]


def _first_cycle_line(text: str) -> int:
    for n, line in enumerate(text.splitlines(), start=1):
        if re.match(r"\s*Cycle\b", line, re.IGNORECASE):
            return n
    return 10**9


@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m.procedure}:{m.what}" for m in MUTANTS])
def test_mutant_fails_on_its_consequence(mutant: Mutant) -> None:
    proc = PROCEDURES[mutant.procedure]
    text = mutant.apply(proc.text)
    cycle_line = _first_cycle_line(text)
    dump: dict[str, Any] | None = None
    try:
        driver = run_procedure(proc, text=text)
    except ProcedureFailure as exc:
        # The script itself noticed - on a screen after the posting cycle, not at input.
        assert exc.line > cycle_line, f"{mutant.what}: refused at input, not a consequence:\n{exc}"
        dump = exc.dump
    else:
        try:
            dump = driver.dump()
            with pytest.raises(AssertionError):
                OUTCOMES[mutant.procedure](dump)
        finally:
            driver.sim.close()
    if mutant.consequence is not None:
        assert dump is not None
        mutant.consequence(dump)


def test_there_are_at_least_five_mutants_on_distinct_procedures() -> None:
    assert len({m.procedure for m in MUTANTS}) >= 5
