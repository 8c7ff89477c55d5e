"""Typed IDRS input -> Command / ParseError (grammar/command.lark, idrs_sim/cc/parse.py)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark

from idrs_sim.cc.parse import (
    INVALID_COMMAND_CODE,
    INVALID_DATA,
    INVALID_MFT,
    INVALID_NAME_CONTROL,
    INVALID_TAX_PERIOD,
    INVALID_TIN,
    Command,
    ParseError,
    Span,
    command_parser,
    parse_command,
)
from idrs_sim.resources import data_file


def ok(*lines: str) -> Command:
    result = parse_command(list(lines))
    assert isinstance(result, Command), result
    return result


def err(*lines: str) -> ParseError:
    result = parse_command(list(lines))
    assert isinstance(result, ParseError), result
    return result


# ---------------------------------------------------------------------------------
# the grammar itself


def test_grammar_builds_in_strict_mode() -> None:
    pytest.importorskip("interegular")
    # No shift/reduce conflicts, no colliding terminals of equal priority.
    Lark.open(
        str(data_file("grammar", "command.lark")),
        parser="lalr",
        lexer="contextual",
        strict=True,
        postlex=command_parser().options.postlex,
    )
    assert command_parser().options.strict


# ---------------------------------------------------------------------------------
# the one-line form (CONTRACT §3)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ENMOD 400-00-1001", dict(code="ENMOD", definer=None, tin="400-00-1001", tin_kind="SSN")),
        (
            "IMFOLT 400-00-1001 30 202312",
            dict(code="IMFOL", definer="T", tin="400-00-1001", mft="30", period="202312"),
        ),
        (
            "TXMODA 400-00-1001 30 202312",
            dict(code="TXMOD", definer="A", modifier=None, tin="400-00-1001", mft="30", period="202312"),
        ),
        ("UPTIN 400-00-1001", dict(code="UPTIN", tin="400-00-1001", mft=None, period=None)),
        ("REQ77 400-00-1001 30 202312", dict(code="REQ77", definer=None, mft="30", period="202312")),
        ("REQ77 400-00-1001", dict(code="REQ77", tin="400-00-1001", mft=None)),
        ("REQ54 400-00-1001 30 202312", dict(code="REQ54", tin="400-00-1001", period="202312")),
        ("SUMRY 99-2000001", dict(code="SUMRY", tin="99-2000001", tin_kind="EIN")),
        ("UPDIS 000000101", dict(code="UPDIS", seq="000000101", tin="000-00-0101")),
        ("UPDIS 202412345678", dict(code="UPDIS", seq="202412345678", tin=None, tin_kind=None)),
        ("UPDIS 400-00-1001 30 202312", dict(code="UPDIS", tin="400-00-1001", seq=None)),
        ("UPASGR 400-00-1001 30 202312", dict(code="UPASG", definer="R", mft="30")),
        ("UPCASZ 000000101", dict(code="UPCAS", definer="Z", seq="000000101")),
        ("BMFOLI 99-2000001", dict(code="BMFOL", definer="I", tin_kind="EIN")),
        ("BMFOLK 99-2000001 01 202606", dict(code="BMFOL", definer="K", mft="01", period="202606")),
        ("SINOF", dict(code="SINOF", tin=None, args=[])),
        ("AMS 400-00-1001", dict(code="AMS", tin="400-00-1001")),
        ("HELP ENMOD", dict(code="HELP", args=["ENMOD"], tin=None)),
        ("HELP", dict(code="HELP", args=[])),
        ("LETER 400-00-1001 30 202312", dict(code="LETER", period="202312")),
        ("STAUP 99-2000001 01 202603", dict(code="STAUP", mft="01", period="202603")),
        ("TERUP 400-00-1001", dict(code="TERUP")),
        ("ACTON 400-00-1001 30 202312", dict(code="ACTON", control=None)),
        ("TXMODA 400-00-1001 30 202312 SMIT", dict(name_control="SMIT")),
        ("ENMOD 400-00-1001 SMIT", dict(name_control="SMIT", mft=None)),
        ("ENMOD 400-00-1001 O-NE", dict(name_control="O-NE")),
        ("TXMODA 400-00-1001 30", dict(mft="30", period=None)),
        ("IMFOL# 400-00-1001 30 202312", dict(code="IMFOL", definer="#")),
    ],
)
def test_one_line_form(typed: str, expected: dict[str, object]) -> None:
    cmd = ok(typed)
    for name, value in expected.items():
        assert getattr(cmd, name) == value, name


def test_upres_with_a_field_on_line_1() -> None:
    cmd = ok("UPRES 400-00-1001 30 202312 URC>0")
    assert (cmd.code, cmd.tin, cmd.mft, cmd.period) == ("UPRES", "400-00-1001", "30", "202312")
    assert cmd.fields == {"URC": "0"}


def test_add24_overlay_from_the_irm_figure() -> None:
    cmd = ok("ADD24 000-00-3663 MFT>30 TXPRD>200612 PLN-NUM> NM-CCTRL>PERC")
    assert cmd.code == "ADD24" and cmd.tin == "000-00-3663"
    # The labelled MFT/period belong to the other side of the transfer: kept as fields.
    assert cmd.mft is None and cmd.period is None
    assert cmd.fields == {"MFT": "30", "TXPRD": "200612", "PLN-NUM": "", "NM-CCTRL": "PERC"}


def test_extra_blanks_between_elements() -> None:
    cmd = ok("TXMODA   400-00-1001   30    202312")
    assert (cmd.tin, cmd.mft, cmd.period) == ("400-00-1001", "30", "202312")


# ---------------------------------------------------------------------------------
# the IDRS column layout


@pytest.mark.parametrize(
    ("typed", "code", "definer", "modifier", "tin_col"),
    [
        ("TXMODA400-00-1001 30 202312", "TXMOD", "A", None, 7),
        ("TXMODA400001001 30 202312", "TXMOD", "A", None, 7),
        ("TXMODA 400-00-1001 30 202312", "TXMOD", "A", None, 8),
        ("ENMOD 400-00-1001", "ENMOD", None, None, 7),
        ("ENMOD  400001001", "ENMOD", None, None, 8),
        ("IMFOLT400001001", "IMFOL", "T", None, 7),
        ("UPCASD4400001001", "UPCAS", "D", "4", 8),
        ("UPCASD4 400001001", "UPCAS", "D", "4", 9),
        ("ESTABAL", "ESTAB", "A", "L", None),
        ("UPASGR400-00-1001 30 202312", "UPASG", "R", None, 7),
        ("SUMRY99-2000001", "SUMRY", None, None, 6),
    ],
)
def test_column_layout(typed: str, code: str, definer: str | None, modifier: str | None, tin_col: int | None) -> None:
    cmd = ok(typed)
    assert (cmd.code, cmd.definer, cmd.modifier) == (code, definer, modifier)
    if tin_col is None:
        assert cmd.tin is None
    else:
        assert cmd.spans["tin"].start == tin_col
    assert cmd.head == typed.split()[0][: 5 + (definer is not None) + (modifier is not None)]


def test_both_layouts_give_the_same_command() -> None:
    glued, spaced = ok("TXMODA400001001 30 202312"), ok("txmoda 400-00-1001 30 202312")
    for name in ("code", "definer", "modifier", "tin", "tin_kind", "file_source", "mft", "period"):
        assert getattr(glued, name) == getattr(spaced, name), name


# ---------------------------------------------------------------------------------
# TINs


@pytest.mark.parametrize(
    ("typed", "tin", "kind"),
    [
        ("400-00-1001", "400-00-1001", "SSN"),
        ("400001001", "400-00-1001", "SSN"),
        ("900-70-1234", "900-70-1234", "SSN"),  # an ITIN is typed as an SSN
        ("99-2000001", "99-2000001", "EIN"),
        ("992000001", "992-00-0001", "SSN"),  # nine bare digits are always an SSN
    ],
)
def test_tin_forms(typed: str, tin: str, kind: str) -> None:
    cmd = ok(f"ENMOD {typed}")
    assert (cmd.tin, cmd.tin_kind, cmd.file_source) == (tin, kind, "")


@pytest.mark.parametrize("source", ["*", "V", "W", "P", "N", "D"])
def test_file_source(source: str) -> None:
    cmd = ok(f"TXMODA 400-00-1001{source} 30 202312")
    assert cmd.tin == "400-00-1001" and cmd.file_source == source
    assert cmd.spans["file_source"] == Span(1, 19, 20)
    assert ok(f"SUMRY 99-2000001{source}").file_source == source
    assert ok(f"ENMOD 400001001{source}").file_source == source


def test_no_tin_means_no_file_source() -> None:
    assert ok("SINOF").file_source is None


def test_nine_bare_digits_also_fill_seq() -> None:
    cmd = ok("ENMOD 400001001")
    assert cmd.seq == "400001001" and cmd.tin == "400-00-1001"
    assert ok("ENMOD 400-00-1001").seq is None


# ---------------------------------------------------------------------------------
# case-insensitivity and normalisation


def test_lower_and_mixed_case_are_upper_cased() -> None:
    cmd = ok("txModa 400-00-1001v 30 202312 smit", "remarks>dup return non idt")
    assert (cmd.code, cmd.definer, cmd.file_source, cmd.name_control) == ("TXMOD", "A", "V", "SMIT")
    assert cmd.fields == {"REMARKS": "DUP RETURN NON IDT"}
    assert cmd.lines[0] == "TXMODA 400-00-1001V 30 202312 SMIT"


def test_a_single_string_is_split_into_lines() -> None:
    cmd = parse_command("ACTON 400-00-1001 30 202312\nC#,CRTTY,A,MISC\n1483145470,*")
    assert isinstance(cmd, Command) and cmd.control is not None


def test_nulls_and_trailing_blanks_are_blanks() -> None:
    cmd = ok("ENMOD\x00400-00-1001\x00\x00   ", "   ", "")
    assert cmd.tin == "400-00-1001" and cmd.spans["tin"].start == 7


def test_blank_input_is_ignored() -> None:
    assert parse_command([]) is None
    assert parse_command(["", "   ", "\x00"]) is None
    assert parse_command("") is None


def test_blank_line_1_with_data_below_is_an_invalid_command_code() -> None:
    e = err("", "TC>971")
    assert (e.literal, e.line, e.start, e.col) == (INVALID_COMMAND_CODE, 1, 1, 1)


# ---------------------------------------------------------------------------------
# LABEL>value fields


def test_frm77_fields_over_several_lines() -> None:
    cmd = ok(
        "FRM77 400-00-1001  MFT>30 TAX-PD>202312 NM-CTRL>SMIT",
        "",
        "TC>971  TRANS-DT>04152024   DLN-CD>       TDI-SELECT-CD>",
        "TC971/151>506   MISC>WI AM OTHER         SECONDARY-DT>12312023",
        "POST-DELAY>2",
    )
    assert cmd.fields == {
        "MFT": "30",
        "TAX-PD": "202312",
        "NM-CTRL": "SMIT",
        "TC": "971",
        "TRANS-DT": "04152024",
        "DLN-CD": "",
        "TDI-SELECT-CD": "",
        "TC971/151": "506",
        "MISC": "WI AM OTHER",
        "SECONDARY-DT": "12312023",
        "POST-DELAY": "2",
    }
    assert cmd.spans["MISC>"] == Span(4, 22, 33)
    assert cmd.spans["DLN-CD>"] == Span(3, 36, 36)  # empty: right after the ">"


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("MISC> 123456_IDT", {"MISC": "123456_IDT"}),
        ("MISC>123456_IDT", {"MISC": "123456_IDT"}),
        ("REMARKS>DUP RETURN NON IDT", {"REMARKS": "DUP RETURN NON IDT"}),
        ("URC>6 CCC>3  REL-CYC>202426", {"URC": "6", "CCC": "3", "REL-CYC": "202426"}),
        (
            "CORR-TIN>400-00-1002 REMARKS>WRONG SSN ON RETURN",
            {"CORR-TIN": "400-00-1002", "REMARKS": "WRONG SSN ON RETURN"},
        ),
        (
            "LETTER>4883C PARAS>A B C RTN-ADDR-CD>1 SIG-CD>2",
            {"LETTER": "4883C", "PARAS": "A B C", "RTN-ADDR-CD": "1", "SIG-CD": "2"},
        ),
        ("ISSUE>TPP NOTE>CALLER AUTHENTICATED, 4883C", {"ISSUE": "TPP", "NOTE": "CALLER AUTHENTICATED, 4883C"}),
        ("MISC>WI>AM", {"MISC": "WI>AM"}),  # glued: the value's first word is taken whole
        ("TC>   971", {"TC": "971"}),
        ("971/151-CD>506", {"971/151-CD": "506"}),
    ],
)
def test_field_values(line: str, fields: dict[str, str]) -> None:
    assert ok("REQ77 400-00-1001", line).fields == fields


def test_repeated_labels_keep_every_value_in_field_list() -> None:
    cmd = ok("ADJ54 400-00-1001 30 202312", "TC>290 AMOUNT>0.00", "TC>971 AMOUNT>")
    assert cmd.fields == {"TC": "290", "AMOUNT": "0.00"}
    assert cmd.field_list == [("TC", "290"), ("AMOUNT", "0.00"), ("TC", "971"), ("AMOUNT", "")]


def test_free_text_lines_are_kept_as_text() -> None:
    cmd = ok("REQ77 400-00-1001", "TC>971", "", "   REPROCESS RETURN  ", "SEE NOTE TC>972")
    assert cmd.text == ["REPROCESS RETURN", "SEE NOTE"]
    assert cmd.fields == {"TC": "971"} and cmd.field_list == [("TC", "971"), ("TC", "972")]
    assert cmd.spans["text[0]"] == Span(4, 4, 20)


# ---------------------------------------------------------------------------------
# control bases (IRM notation)


@pytest.mark.parametrize(
    ("case_line", "assignee", "expected"),
    [
        ("C#,CRTTY,A,MISC", "1483145470,*", ("CRTTY", "A", "MISC", "1483145470")),
        ("C#,REQ_FRZRLS,A,FRPI", "1486907202,*", ("REQ_FRZRLS", "A", "FRPI", "1486907202")),
        ("CXX,RTP-0617,M,32RV", "1487355555,*", ("RTP-0617", "M", "32RV", "1487355555")),
        ("C#,4442MMXXXX,A,TWRO", "*,1480000001", ("4442MMXXXX", "A", "TWRO", "1480000001")),
        ("c#,hold432rv,m,32rv", "  1487355555,*", ("HOLD432RV", "M", "32RV", "1487355555")),
    ],
)
def test_control_base_notation(case_line: str, assignee: str, expected: tuple[str, ...]) -> None:
    cmd = ok("ACTON 400-00-1001 30 202312", case_line, assignee)
    assert cmd.control == dict(zip(("activity", "status", "category", "idrs"), expected, strict=True))
    assert cmd.spans["control"].line == 2 and cmd.spans["control.idrs"].line == 3


def test_control_base_spans() -> None:
    cmd = ok("ACTON 400-00-1001 30 202312", "C#,CRTTY,A,MISC", "1483145470,*")
    assert cmd.spans["control.activity"] == Span(2, 4, 9)
    assert cmd.spans["control.status"] == Span(2, 10, 11)
    assert cmd.spans["control.category"] == Span(2, 12, 16)
    assert cmd.spans["control.idrs"] == Span(3, 1, 11)
    assert cmd.spans["assignee"] == Span(3, 1, 13)


def test_control_base_with_fields_below() -> None:
    cmd = ok("ACTON 400-00-1001 30 202312", "C#,CRTTY,A,MISC", "1483145470,*", "REMARKS>WRONG YEAR")
    assert cmd.control is not None and cmd.fields == {"REMARKS": "WRONG YEAR"}


@pytest.mark.parametrize(
    ("lines", "line", "start", "col"),
    [
        (["ACTON 400-00-1001", "C#,CRTTY,A,MISC"], 2, 16, 16),  # assignee line missing
        (["ACTON 400-00-1001", "C#,CRTTY,A,MISC", "148314547,*"], 3, 1, 10),  # 9-digit IDRS number
        (["ACTON 400-00-1001", "C#,CRTTY,A,MISC", "1483145470,X"], 3, 12, 13),
        (["ACTON 400-00-1001", "C#,TOOLONGACTIVITY,A,MISC", "1483145470,*"], 2, 4, 19),
        (["ACTON 400-00-1001", "C#,CRTTY,AB,MISC", "1483145470,*"], 2, 10, 12),
        (["ACTON 400-00-1001", "C#,CRTTY,A,MISCX", "1483145470,*"], 2, 12, 17),
        (["ACTON 400-00-1001", "C#,CRTTY,A", "1483145470,*"], 2, 11, 11),
        (["ACTON 400-00-1001", "C#,CRTTY ,A,MISC", "1483145470,*"], 2, 4, 9),
        (["ACTON 400-00-1001", "C#,CRTTY,A,MISC", "1483145470,*", "C#,X,A,MISC", "1483145470,*"], 4, 1, 12),
    ],
)
def test_bad_control_bases_are_invalid_data(lines: list[str], line: int, start: int, col: int) -> None:
    e = err(*lines)
    assert (e.literal, e.line, e.start, e.col) == (INVALID_DATA, line, start, col)


# ---------------------------------------------------------------------------------
# spans


def test_spans_of_line_1_elements() -> None:
    cmd = ok("TXMODA 400-00-1001V 30 202312 SMIT URC>0")
    assert cmd.spans["code"] == Span(1, 1, 6)
    assert cmd.spans["definer"] == Span(1, 6, 7)
    assert cmd.spans["tin"] == Span(1, 8, 19)
    assert cmd.spans["file_source"] == Span(1, 19, 20)
    assert cmd.spans["mft"] == Span(1, 21, 23)
    assert cmd.spans["period"] == Span(1, 24, 30)
    assert cmd.spans["name_control"] == Span(1, 31, 35)
    assert cmd.spans["URC>"] == Span(1, 40, 41)
    assert ok("UPCASD4 202412345678").spans["modifier"] == Span(1, 7, 8)
    assert ok("UPCASD4 202412345678").spans["seq"] == Span(1, 9, 21)
    assert ok("HELP ENMOD").spans["args[0]"] == Span(1, 6, 11)


# ---------------------------------------------------------------------------------
# errors: literal, the "*" column (col) and the cursor column (start)


@pytest.mark.parametrize(
    ("typed", "literal", "start", "col"),
    [
        # command code
        ("1ENMOD 400-00-1001", INVALID_COMMAND_CODE, 1, 7),
        ("TXMODABCD 400-00-1001", INVALID_COMMAND_CODE, 1, 10),  # 8 letters alone lex as a simulator code (ACMSOPEN)
        ("ENMOD$ 400-00-1001", INVALID_COMMAND_CODE, 1, 7),
        ("X 400-00-1001", INVALID_COMMAND_CODE, 1, 2),
        (" ENMOD 400-00-1001", INVALID_COMMAND_CODE, 2, 7),
        ("TXMODA4X", INVALID_COMMAND_CODE, 1, 9),
        # TIN
        ("ENMOD 400-00-100", INVALID_TIN, 7, 17),
        ("ENMOD 4000010", INVALID_TIN, 7, 14),
        ("ENMOD 400-00-10011", INVALID_TIN, 7, 19),
        ("ENMOD 400-0-01001", INVALID_TIN, 7, 18),
        ("ENMOD 992-000001", INVALID_TIN, 7, 17),
        ("ENMOD 000-00-0000", INVALID_TIN, 7, 18),
        ("ENMOD 999999999", INVALID_TIN, 7, 16),
        ("SUMRY 00-0000000", INVALID_TIN, 7, 17),
        ("ENMOD 400-00-1001X", INVALID_TIN, 7, 19),
        ("ENMOD 400-00-1001VV", INVALID_TIN, 7, 20),
        ("TXMODA 4OO-00-1001 30 202312", INVALID_TIN, 8, 19),
        ("TXMODA40000100", INVALID_TIN, 7, 15),
        ("TXMODA400-00-100 30 202312", INVALID_TIN, 7, 17),
        ("ENMOD400-00-100", INVALID_TIN, 6, 16),
        # MFT
        ("TXMODA 400-00-1001 3 202312", INVALID_MFT, 20, 21),
        ("TXMODA 400-00-1001 300 202312", INVALID_MFT, 20, 23),
        ("TXMODA 400-00-1001 3O 202312", INVALID_MFT, 20, 22),
        ("TXMODA400001001 300", INVALID_MFT, 17, 20),
        # tax period
        ("TXMODA 400-00-1001 30 202313", INVALID_TAX_PERIOD, 23, 29),
        ("TXMODA 400-00-1001 30 202300", INVALID_TAX_PERIOD, 23, 29),
        ("TXMODA 400-00-1001 30 2023", INVALID_TAX_PERIOD, 23, 27),
        ("TXMODA 400-00-1001 30 12-2023", INVALID_TAX_PERIOD, 23, 30),
        ("TXMODA 400-00-1001 30 302312", INVALID_TAX_PERIOD, 23, 29),
        ("TXMODA 400-00-1001 30 SMIT", INVALID_TAX_PERIOD, 23, 27),
        # name control
        ("TXMODA 400-00-1001 30 202312 SMITH", INVALID_NAME_CONTROL, 30, 35),
        ("TXMODA 400-00-1001 30 202312 SM$T", INVALID_NAME_CONTROL, 30, 34),
        ("TXMODA 400-00-1001 30 202312 1SMI", INVALID_NAME_CONTROL, 30, 34),
        ("ENMOD 400-00-1001 SMITH", INVALID_NAME_CONTROL, 19, 24),
        # other junk
        ("TXMODA 400-00-1001 30 202312 SMIT JONES", INVALID_DATA, 35, 40),
        ("UPDIS 202412345678 X", INVALID_DATA, 20, 21),
        ("HELP ENMOD 400-00-1001", INVALID_DATA, 12, 23),
        ("TXMOD A 400-00-1001", INVALID_DATA, 9, 20),
    ],
)
def test_error_literal_and_columns(typed: str, literal: str, start: int, col: int) -> None:
    e = err(typed)
    assert (e.literal, e.line, e.start, e.col) == (literal, 1, start, col)
    assert e.cursor_col == start and e.span == Span(1, start, col)


def test_error_literals_ignore_case() -> None:
    assert err("txmoda 400-00-1001 30 202313").literal == INVALID_TAX_PERIOD
    assert err("enmod 400-00-1001 smith").literal == INVALID_NAME_CONTROL


def test_error_on_a_later_line() -> None:
    # The assignee line must follow the case line; a blank line there is the error.
    e = err("REQ77 400-00-1001", "C#,CRTTY,A,MISC", "", "1483145470,*")
    assert (e.literal, e.line, e.start, e.col) == (INVALID_DATA, 3, 1, 1)


def test_a_line_break_inside_one_screen_line_is_junk() -> None:
    e = err("ENMOD\n400-00-1001")
    assert e.literal == INVALID_COMMAND_CODE and e.line == 1


def test_parse_error_text() -> None:
    assert str(ParseError(INVALID_TIN, 1, 18, 7)) == "INVALID TIN (line 1, column 7)"
    assert ParseError(INVALID_TIN, 1, 18).cursor_col == 17  # start unknown: left of the "*"


# ---------------------------------------------------------------------------------
# never raises


screen_text = st.text(
    alphabet=st.one_of(
        st.characters(),  # anything, control characters and non-ASCII included
        st.sampled_from(list("0123456789- *>,#CXAVTMDOREQ\n")),
    ),
    max_size=120,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(screen_text, max_size=5))
def test_arbitrary_lines_never_raise(caplog: pytest.LogCaptureFixture, lines: list[str]) -> None:
    with caplog.at_level(logging.ERROR, logger="idrs_sim.cc.parse"):
        result = parse_command(lines)
    assert not caplog.records, "parse_command hit its last-resort handler"
    assert result is None or isinstance(result, (Command, ParseError))
    if isinstance(result, ParseError):
        assert 1 <= result.line <= max(len(lines), 1)
        assert 1 <= result.start <= result.col


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(screen_text)
def test_arbitrary_string_never_raises(caplog: pytest.LogCaptureFixture, text: str) -> None:
    with caplog.at_level(logging.ERROR, logger="idrs_sim.cc.parse"):
        result = parse_command(text)
    assert not caplog.records
    assert result is None or isinstance(result, (Command, ParseError))


@settings(max_examples=200, deadline=None)
@given(
    code=st.sampled_from(["TXMOD", "IMFOL", "REQ77", "UPASG", "BMFOL", "ENMOD"]),
    definer=st.sampled_from(["", "A", "T", "R"]),
    digits=st.from_regex(r"[0-9]{9}", fullmatch=True).filter(lambda d: d not in ("000000000", "999999999")),
    dashed=st.booleans(),
    glued=st.booleans(),
    mft=st.from_regex(r"[0-9]{2}", fullmatch=True),
    year=st.integers(1900, 2099),
    month=st.integers(1, 12),
)
def test_valid_module_requests_round_trip(
    code: str, definer: str, digits: str, dashed: bool, glued: bool, mft: str, year: int, month: int
) -> None:
    tin = f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    typed = f"{code}{definer}{'' if glued else ' '}{tin if dashed else digits} {mft} {year}{month:02d}"
    cmd = ok(typed)
    assert (cmd.code, cmd.definer or "", cmd.tin, cmd.mft, cmd.period) == (
        code,
        definer,
        tin,
        mft,
        f"{year}{month:02d}",
    )
