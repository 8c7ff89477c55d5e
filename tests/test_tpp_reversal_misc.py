"""A TC 972 AC 124 / AC 129 reverses the marker of the return in question only (IRM 25.25.6).

* IRM 25.25.6.5.1.1 (5): reverse "a TC 971 AC 124 (the DLN in the MISC field of the TC 971
  AC 124 matches the DLN of the return in question)".  A blank MISC is taken only while the
  open AC 124s all carry one DLN; with markers for several returns FRM77 asks for the DLN
  (`MORE THAN ONE AC 124 - ENTER THE RETURN DLN IN MISC`), and posting unposts such a
  TC 972 (UPC 168 RC 0) instead of reversing the earliest marker.
* IRM 25.25.6.5.1.2 (4): the TC 972 AC 129 MISC carries "the last six digits of the return
  DLN" (`NNNNNN_NONIDT` ...): they must fit an unreversed AC 129 of the module -- the DLN in
  its MISC (the 1040X DLN for a `... 1040X` marker), or a return of the module when the
  marker's MISC names none (`IVO EL IDT`).  Otherwise `NO UNREVERSED TC 971 AC 129 WITH THIS
  DLN`, and at posting UPC 168 RC 0 instead of reversing the only marker.

Reviewer's repros: /tmp/rev-tpp/blank124.txt and wrong129.txt (replayed below).
Decision: proposed TPP-23 (text in /tmp/fix-tpp2/decisions.md, for docs/decisions.md).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import mf_builders as b
import pytest
from input_world import TIN, UP_TIN, read, signed_on, star_after, txns
from sqlalchemy import select

from idrs_sim import replay
from idrs_sim.masterfile.models import Entity, TaxModule, Transaction
from idrs_sim.posting import run_cycle
from idrs_sim.posting.codes import UPC_REVERSAL_NO_MATCH
from idrs_sim.rules import reversal

AMBIGUOUS_124 = "MORE THAN ONE AC 124 - ENTER THE RETURN DLN IN MISC"
NO_124 = "NO UNREVERSED TC 971 AC 124 ON THIS MODULE"
NO_124_DLN = "NO UNREVERSED TC 971 AC 124 WITH THIS DLN"
NO_129_DLN = "NO UNREVERSED TC 971 AC 129 WITH THIS DLN"
OTHER_DLN = "29211045100099"


def frm77(sim, line: str, **fields: str):
    sim.command(f"REQ77 {line}")
    assert sim.line(1).startswith("FRM77"), sim.rendered()
    for key, value in fields.items():
        sim.fill("TC971/151" if key == "AC" else key, value)
    return sim.enter()


def _module(s, tin: str) -> TaxModule:
    ent = s.scalar(select(Entity).where(Entity.tin == tin))
    return next(m for m in ent.modules if m.mft == "30" and m.period == "202312")


def _reversed_misc(sim, tin: str, ac: int) -> dict[str, bool]:
    """MISC of each TC 971 `ac` of the entity -> reversed?"""
    return {t["misc"]: t["reversed"] for t in txns(sim, tin, tc=971, ac=ac)}


# ---- FRM77: TC 972 AC 124 ----------------------------------------------------------------


def _second_ac124(s) -> None:
    """UP_TIN: a second open AC 124, for another return (IRM 25.25.6.1.7 row 3)."""
    b.txn(s, _module(s, UP_TIN), 971, ac=124, misc=OTHER_DLN, cycle="202405")


def test_blank_tc972_ac124_with_markers_for_two_returns_asks_for_the_dln() -> None:
    sim = signed_on(build=_second_ac124)
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="124")
    assert sim.message == AMBIGUOUS_124
    assert star_after(sim, "MISC")
    assert txns(sim, UP_TIN, tc=972) == []
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="124", MISC=b.DLN_DIGITS)
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    # The marker of the return named, not the earliest (OTHER_DLN posted in 202405).
    assert _reversed_misc(sim, UP_TIN, 124) == {b.DLN_DIGITS: True, OTHER_DLN: False}


def test_blank_tc972_ac124_with_one_marker_reverses_it() -> None:
    sim = signed_on()
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="124")
    assert sim.message == "REQUEST COMPLETED"
    [rev] = txns(sim, UP_TIN, tc=972)
    [marker] = txns(sim, UP_TIN, tc=971, ac=124)
    assert rev["extra"]["reverses"] == marker["id"]
    sim.cycle()
    assert _reversed_misc(sim, UP_TIN, 124) == {b.DLN_DIGITS: True}


def test_blank_tc972_ac124_when_both_markers_carry_the_same_dln() -> None:
    """25.25.6.1.7 row 3: "a second TC 971 AC 124 and the DLN in the MISC field matches the
    prior" -- one return, so a blank MISC is not ambiguous."""
    def build(s):
        b.txn(s, _module(s, UP_TIN), 971, ac=124, misc=b.DLN_DIGITS + "TR", cycle="202411")

    sim = signed_on(build=build)
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="124")
    assert sim.message == "REQUEST COMPLETED"


def test_blank_tc972_ac124_with_no_marker_is_refused() -> None:
    sim = signed_on()
    frm77(sim, f"{TIN} 30 202312", TC="972", AC="124")
    assert sim.message == NO_124
    assert txns(sim, TIN, tc=972) == []


def test_tc972_ac124_with_a_dln_still_needs_its_marker() -> None:
    sim = signed_on(build=_second_ac124)
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="124", MISC="29211045999994")
    assert sim.message == NO_124_DLN


# ---- FRM77: TC 972 AC 129 ----------------------------------------------------------------


@pytest.mark.parametrize("misc", ["999999_NONIDT", "100014_IDT", "999999 NONIDT 1040X"])
def test_tc972_ac129_naming_another_return_is_refused(misc) -> None:
    """TIN's AC 129 carries 29211045200024: the reversal must say 200024."""
    sim = signed_on()
    frm77(sim, f"{TIN} 30 202312", TC="972", AC="129", MISC=misc)
    assert sim.message == NO_129_DLN
    assert star_after(sim, "MISC")
    assert txns(sim, TIN, tc=972) == []
    sim.cycle()
    assert _reversed_misc(sim, TIN, 129) == {"29211045200024": False}


def test_tc972_ac129_with_no_marker_on_the_module_is_refused() -> None:
    sim = signed_on()
    frm77(sim, f"{UP_TIN} 30 202312", TC="972", AC="129", MISC="100014_NONIDT")
    assert sim.message == NO_129_DLN


def _ivo_el_idt(s) -> None:
    """TIN's marker replaced by an External Lead one whose MISC names no return."""
    mod = _module(s, TIN)
    for t in mod.transactions:
        if t.tc == 971 and t.ac == 129:
            t.misc, t.dln = "IVO EL IDT", "18277078113004"


def test_tc972_ac129_on_an_ivo_el_idt_marker_names_the_return_of_the_module() -> None:
    sim = signed_on(build=_ivo_el_idt)
    frm77(sim, f"{TIN} 30 202312", TC="972", AC="129", MISC="113004_NONIDT")  # the marker's own DLN
    assert sim.message == NO_129_DLN
    frm77(sim, f"{TIN} 30 202312", TC="972", AC="129", MISC="200024_NONIDT")  # the TC 150's DLN
    assert sim.message == "REQUEST COMPLETED"
    sim.cycle()
    assert _reversed_misc(sim, TIN, 129) == {"IVO EL IDT": True}


def test_tc972_ac129_1040x_names_the_1040x_dln_of_the_marker() -> None:
    """Exhibit row 5/6 (tpp-rules §2.2): for the `... 1040X` marker NNNNNN is the 1040X DLN."""
    def build(s):
        mod = _module(s, TIN)
        for t in mod.transactions:
            if t.tc == 971 and t.ac == 129:
                t.misc = "76247110114024 1040X"

    sim = signed_on(build=build)
    frm77(sim, f"{TIN} 30 202312", TC="972", AC="129", MISC="200024 NONIDT 1040X")  # the TC 150's DLN
    assert sim.message == NO_129_DLN
    frm77(sim, f"{TIN} 30 202312", TC="972", AC="129", MISC="114024 NONIDT 1040X")
    assert sim.message == "REQUEST COMPLETED"


# ---- posting: the same rule when a TC 972 reaches the run unchecked ------------------------


@pytest.fixture
def mf():
    m = b.new_mf()
    yield m
    m.dispose()


def test_posting_unposts_a_blank_tc972_ac124_with_markers_for_two_returns(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        first = b.txn(s, mod, 971, ac=124, misc=OTHER_DLN, cycle="202405")
        second = b.txn(s, mod, 971, ac=124, misc=b.DLN_DIGITS, cycle="202408")
        b.pending(s, mod, 972, ac=124)
        ids = first.id, second.id
    report = run_cycle(mf, "202426")
    assert report.unposted == [("400-00-1001", "30", "202312", 972, *UPC_REVERSAL_NO_MATCH)]
    with mf.reading() as s:
        assert [s.get(Transaction, i).reversed_by_id for i in ids] == [None, None]


def test_posting_unposts_a_tc972_ac129_naming_another_return(mf) -> None:
    with mf.unit_of_work() as s:
        mod = b.module(s, b.entity(s))
        b.posted_return(s, mod)
        marker = b.txn(s, mod, 971, ac=129, misc=b.DLN_DIGITS, cycle="202410")
        b.pending(s, mod, 972, ac=129, misc="999999_NONIDT")
        marker_id = marker.id
    report = run_cycle(mf, "202426")
    assert report.unposted == [("400-00-1001", "30", "202312", 972, *UPC_REVERSAL_NO_MATCH)]
    with mf.reading() as s:
        assert s.get(Transaction, marker_id).reversed_by_id is None


def _dln_of(misc: str | None, dln: str | None) -> str | None:
    from idrs_sim.masterfile import derive

    return derive.misc_dln(misc) or derive.dln_digits(dln) or None


def _orig(key: int, ac: int, misc: str | None, dln: str = "18277051100004") -> reversal.Original:
    return reversal.Original(key, ac, misc, dln, ("202408", key))


@pytest.mark.parametrize("rev_misc, originals, expected", [
    # AC 124: the DLN names it; blank only when unambiguous.
    (b.DLN_DIGITS, [_orig(1, 124, OTHER_DLN), _orig(2, 124, b.DLN_DIGITS)], 2),
    ("", [_orig(1, 124, OTHER_DLN), _orig(2, 124, b.DLN_DIGITS)], None),
    ("", [_orig(1, 124, b.DLN_DIGITS), _orig(2, 124, b.DLN_DIGITS + "TR")], 1),
    ("", [_orig(1, 124, b.DLN_DIGITS)], 1),
    ("29211045999994", [_orig(1, 124, b.DLN_DIGITS)], None),
    # AC 129: the last six digits.
    ("999999_NONIDT", [_orig(1, 129, b.DLN_DIGITS)], None),
    ("100014_IDT", [_orig(1, 129, OTHER_DLN), _orig(2, 129, b.DLN_DIGITS)], 2),
    ("113014_NONIDT", [_orig(1, 129, "IVO EL IDT")], 1),  # FRM77 checked it against the return
    ("114024 IDT 1040X", [_orig(1, 129, "76247110114024 1040X")], 1),
    # Other action codes keep the old preference (the MISC is a reason, not a DLN).
    ("WI IVO IRSERR", [_orig(1, 506, "WI PRP OTHER1"), _orig(2, 506, "WI AM OTHER")], 1),
    ("", [_orig(1, 850, None)], 1),
])
def test_match_all_ties_tpp_marker_reversals_to_the_return(rev_misc, originals, expected) -> None:
    rev = reversal.Reversal(99, originals[0].ac, rev_misc or None)
    assert reversal.match_all([(rev, originals)], _dln_of) == [(99, expected)]


# ---- the reviewer's repros, replayed ------------------------------------------------------


def _replay(tmp_path: Path, text: str) -> tuple[int, str]:
    script = tmp_path / "s.txt"
    script.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    rc = replay.run([script], out=out, err=err)
    return rc, out.getvalue() + err.getvalue()


def test_repro_blank124_on_multiple_returns(tmp_path: Path) -> None:
    """/tmp/rev-tpp/blank124.txt: three AC 124s for three returns; the blank MISC used to
    reverse the identity-theft return's marker (the earliest)."""
    rc, out = _replay(tmp_path, f"""Load(tpp/multiple_returns)
SignOn(1485012345)
String("REQ77 400-00-1022 30 202312")
Enter
Fill("TC", "972")
Fill("TC971/151", "124")
Enter
ExpectLine(24, "{AMBIGUOUS_124}")
Fill("MISC", "76247045122014")
Enter
ExpectLine(24, "REQUEST COMPLETED")
Cycle
Clear
String("IMFOLT 400-00-1022 30 202312")
Enter
Snap
""")
    assert rc == 0, out
    assert re.search(r"971R .* 124 76247045122014", out), out
    assert re.search(r"971  .* 124 76247036122024", out), out
    assert re.search(r"971  .* 124 18211071220074", out), out


def test_repro_wrong129_on_posted_ac129_refund_held(tmp_path: Path) -> None:
    """/tmp/rev-tpp/wrong129.txt: a TC 972 AC 129 whose six digits are not the return's."""
    rc, out = _replay(tmp_path, f"""Load(tpp/posted_ac129_refund_held)
SignOn(1485012345)
String("REQ77 400-00-1010 30 202312")
Enter
Fill("TC", "972")
Fill("TC971/151", "129")
Fill("MISC", "999999_NONIDT")
Enter
ExpectLine(24, "{NO_129_DLN}")
Fill("MISC", "110014_NONIDT")
Enter
ExpectLine(24, "REQUEST COMPLETED")
Cycle
Clear
String("IMFOLT 400-00-1010 30 202312")
Enter
Snap
""")
    assert rc == 0, out
    assert re.search(r"971R .* 129 76247045110014", out), out
    assert "999999_NONIDT" not in out


def test_the_stored_reversal_names_its_marker() -> None:
    """FRM77 records which marker it checked (`extra.reverses`), as for AC 505."""
    sim = signed_on()
    frm77(sim, f"{TIN} 30 202312", TC="972", AC="129", MISC="200024_NONIDT")
    [rev] = txns(sim, TIN, tc=972)
    marker_id = read(sim, lambda s: next(t.id for t in _module(s, TIN).transactions if t.tc == 971))
    assert rev["extra"]["reverses"] == marker_id
