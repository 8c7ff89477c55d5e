"""Elements a command code does not take are refused on line 24 and change nothing
(`cc.stray_elements`; review of 2026-12-07: they were silently dropped, and a duplicated
`URC>` let the first copy win while the trainee believed the second had counted)."""

from __future__ import annotations

import pytest

from idrs_sim.testing import IdrsTest

TRAINEE = "1485012345"


@pytest.fixture
def sim():  # type: ignore[no-untyped-def]
    s = IdrsTest(date="2024-06-17")
    s.sign_on(TRAINEE)
    yield s
    s.close()


@pytest.mark.parametrize(("typed", "message"), [
    ("ENMOD 400-00-1001 ZZZ>1", "ZZZ> IS NOT AN ELEMENT OF ENMOD"),
    ("ENMOD 400-00-1001 30 190001", "ENMOD TAKES NO MFT OR TAX PERIOD"),
    ("UPTIN 400-00-1001 30 202312", "UPTIN TAKES NO MFT OR TAX PERIOD"),
    ("HELP ENMOD TXMOD", "TOO MANY ELEMENTS FOR HELP"),
    ("EGAIN 400-00-1001", "EGAIN TAKES NO TIN"),
    ("SINOF EXTRA", "TOO MANY ELEMENTS FOR SINOF"),
    ("INCHG 400-00-1001 01 209912 STREET>1 MAIN ST CITY>AUSTIN STATE>TX ZIP>78701",
     "INCHG TAKES NO MFT OR TAX PERIOD"),
    ("STAUP 400-00-1001 30 202312 WEEKS>4 WEEKS>8", "WEEKS> ENTERED TWICE - ENTER EACH ELEMENT ONCE"),
    ("UPRES 000000101 URC>", "URC> HAS NO VALUE - ENTER A VALUE OR LEAVE IT OUT"),
    ("UNAXR EMP> SINCE>06172024", "EMP> HAS NO VALUE - ENTER A VALUE OR LEAVE IT OUT"),
    # a dummy module for tax year 1900 was made from junk (decision TERM-R2)
    ("ACTON 400-00-1001 30 190012 HIST>CALLED", "INVALID TAX PERIOD"),
    ("IRPTR 400-00-1001 TAX-YR>2099", "INVALID DATA"),
    # a wrong name control on an input code (every one looks the account up in one place)
    ("STAUP 400-00-1001 30 202312 ZZZZ WEEKS>4", "NAME CONTROL MISMATCH"),
    ("REQ77 400-00-1001 30 202312 ZZZZ", "NAME CONTROL MISMATCH"),
    ("ACTON 400-00-1001 30 202312 ZZZZ HIST>CALLED", "NAME CONTROL MISMATCH"),
])
def test_refused_with_a_message(sim: IdrsTest, typed: str, message: str) -> None:
    before = sim.dump()
    sim.command(typed)
    assert sim.message == message
    assert "*" in sim.screen_text().splitlines()[0]  # marked where it stands
    after = sim.dump()
    assert after["entities"] == before["entities"]
    sim.command("ENMOD 400-00-1001")  # still signed on (SINOF EXTRA did not sign off)
    assert "JOHN A SMITH" in sim.screen_text()


def test_a_free_text_line_no_code_reads_is_refused(sim: IdrsTest) -> None:
    """docs/command-syntax.md 1.2: the text was parsed and silently dropped; now it is refused."""
    sim.clear()
    sim.string("AMS 400-00-1001 ISSUE>OTHER ENTITY NOTE>CALLER AUTHENTICATED").newline().string("ADVISED 9 WEEKS")
    sim.enter()
    assert sim.message == "ADVISED 9 WEEKS IS NOT AN ELEMENT OF AMS"


def test_a_duplicated_urc_resolves_nothing(sim: IdrsTest) -> None:
    sim.command("UPDIS 000000101")
    sim.command("UPRES 000000101 URC>0 URC>D")
    assert sim.message == "URC> ENTERED TWICE - ENTER EACH ELEMENT ONCE"
    [case] = [c for e in sim.dump()["entities"] for m in e["modules"] for c in m["unpostables"]
              if c["seq"] == "000000101"]
    assert case.get("urc") is None and case["status"] == "open"


def test_every_label_a_handler_reads_is_an_element_of_its_code() -> None:
    """A handler that reads `ctx.value("X")` for a label its definition does not list has that
    element refused before it runs (FRM49's ZERO>, found by the review of the refusals)."""
    import ast
    from pathlib import Path

    from idrs_sim import commands

    root = Path(commands.__file__).parent / "cc"
    missing = []
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            codes = [d.args[0].value for d in fn.decorator_list if isinstance(d, ast.Call)
                     and getattr(d.func, "id", "") == "handles" and d.args and isinstance(d.args[0], ast.Constant)]
            for code in codes:
                labels = {e[:-1] for e in commands.definitions()[code].elements if e.endswith(">")}
                read = {n.args[0].value for n in ast.walk(fn) if isinstance(n, ast.Call) and
                        getattr(n.func, "attr", "") == "value" and n.args and isinstance(n.args[0], ast.Constant)}
                missing += [f"{code} {label}>" for label in read - labels]
    assert missing == []


def test_the_forms_each_code_documents_still_work(sim: IdrsTest) -> None:
    for typed in ("ENMOD 400-00-1001", "TXMODA 400-00-1001 30 202312", "HELP ENMOD", "UPTIN 400-00-1001",
                  "AMS 400-00-1001 30 202312 ISSUE>TPP-HIGH RISK PASSED",
                  "FRM49 99-2000016 01 202406 TC>599 CC>01 ZERO>Y"):  # docs/ftd.md
        sim.command(typed)
        assert "ELEMENT" not in sim.message and "TAKES NO" not in sim.message, (typed, sim.message)


@pytest.mark.parametrize(("category", "message"), [("6330", "USE CATEGORY 4883 FOR PILOT LETTER 6330C"),
                                                   ("6331", "USE CATEGORY 5071 FOR PILOT LETTER 6331C"),
                                                   ("4883", "REQUEST COMPLETED")])
def test_a_pilot_letters_control_takes_the_letter_it_stands_in_for(sim: IdrsTest, category: str, message: str) -> None:
    """IRM 25.25.6.2.2.1 box 3: "For pilot Letter 6330C use cat code 4883 & for Letter 6331C use
    cat code 5071" (review 2026-12-07: ACTON took any category)."""
    sim.command("ENMOD 400-00-1001")
    sim.clear()
    sim.string("ACTON 400-00-1001").newline().string(f"C#,TPPFAX0617,A,{category}").newline().string("1486000101,*")
    sim.enter()
    assert sim.message == message


def test_mft_or_period_after_a_sequence_number_must_be_its_cases(sim: IdrsTest) -> None:
    """Decision TERM-R4: `UPDIS 000000101 30 201912` showed case 000000101 (202312) and
    dropped the period; a trainee believed the 2019 module's case was on the screen."""
    sim.command("UPDIS 000000101 30 202312")
    assert sim.message == ""
    assert "000000101" in sim.screen_text()
    sim.command("UPDIS 000000101 30 201912")
    assert sim.message == "CASE 000000101 IS MFT 30 TAX PERIOD 202312"
    assert "UPDIS 000000101 30 201912*" in sim.screen_text().splitlines()[0]
    sim.command("UPDIS 000000101 55 202312")
    assert sim.message == "CASE 000000101 IS MFT 30 TAX PERIOD 202312"
    assert "UPDIS 000000101 55*" in sim.screen_text().splitlines()[0]


def test_a_line_typed_past_column_80_is_named_as_wrapped(sim: IdrsTest) -> None:
    """Decision TERM-R5: the 3270 wraps a line typed past column 80 onto the next row;
    the refusal named the tail (`EK WAIT FOR REFUND IS NOT AN ELEMENT OF AMS`) as if the
    trainee had typed it on a line of its own.  A piece typed on its own line still gets
    the element message."""
    before = sim.dump()
    sim.clear()
    sim.string("AMS 400-00-1001 ISSUE>OTHER ENTITY NOTE>CALLER AUTHENTICATED ADVISED OF NINE WEEK WAIT")
    sim.enter()
    assert sim.message == "LINE 1 RUNS PAST COLUMN 80 - SHORTEN IT OR PUT AN ELEMENT ON LINE 2"
    assert sim.dump()["entities"] == before["entities"]  # the note cut at column 80 was not stored
    sim.clear()
    sim.string("AMS 400-00-1001 ISSUE>OTHER ENTITY NOTE>CALLER AUTHENTICATED").newline().string("EK WAIT")
    sim.enter()
    assert sim.message == "EK WAIT IS NOT AN ELEMENT OF AMS"


@pytest.mark.parametrize(("typed", "message"), [
    ("UNLOCK 12", "INVALID EMPLOYEE NUMBER"),
    ("RESET 12", "INVALID EMPLOYEE NUMBER"),
    ("HELP 12", "INVALID DATA"),
    ("ENMOD 12", "INVALID TIN"),
])
def test_a_short_number_is_refused_as_what_the_code_takes(sim: IdrsTest, typed: str, message: str) -> None:
    """The grammar reads any number after a code as a TIN: `UNLOCK 12` said INVALID TIN
    although UNLOCK takes an employee number (review of 2026-12-08; `stray_elements.for_code`)."""
    sim.command(typed)
    assert sim.message == message
    assert f"{typed}*" in sim.screen_text().splitlines()[0]
