"""Replay scripts (CONTRACT §2) -> Actions (grammar/replay.lark, idrs_sim/replay/parse.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark

from idrs_sim.replay.parse import ACTION_NAMES, Action, ScriptError, parse_script, replay_parser
from idrs_sim.resources import data_file


def one(line: str) -> Action:
    actions = parse_script(line + "\n", "t.txt")
    assert len(actions) == 1
    return actions[0]


def error(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        parse_script(text, "script.txt")
    return info.value


def test_grammar_builds_in_strict_mode() -> None:
    pytest.importorskip("interegular")
    Lark.open(str(data_file("grammar", "replay.lark")), parser="lalr", lexer="contextual", strict=True)
    assert replay_parser().options.strict


# ---------------------------------------------------------------------------------
# every action


@pytest.mark.parametrize(
    ("line", "name", "args"),
    [
        ('String("ENMOD 400-00-1001")', "String", ("ENMOD 400-00-1001",)),
        ('String("")', "String", ("",)),
        ("Enter", "Enter", ()),
        ("Clear", "Clear", ()),
        ("Tab", "Tab", ()),
        ("BackTab", "BackTab", ()),
        ("Home", "Home", ()),
        ("Newline", "Newline", ()),
        ("EraseEOF", "EraseEOF", ()),
        ("EraseInput", "EraseInput", ()),
        ("Reset", "Reset", ()),
        ("PF(1)", "PF", (1,)),
        ("PF(24)", "PF", (24,)),
        ("PA(1)", "PA", (1,)),
        ("PA(3)", "PA", (3,)),
        ("MoveCursor1(1,1)", "MoveCursor1", (1, 1)),
        ("MoveCursor1(24, 80)", "MoveCursor1", (24, 80)),
        ("Date(2024-06-17)", "Date", (dt.date(2024, 6, 17),)),
        ('Date("2024-02-29")', "Date", (dt.date(2024, 2, 29),)),
        ("Load(tpp/valid_return_up126)", "Load", ("tpp/valid_return_up126",)),
        ('Load("fixtures/x.yaml")', "Load", ("fixtures/x.yaml",)),
        ('Load("my fixtures/a b.yaml")', "Load", ("my fixtures/a b.yaml",)),
        ("SignOn(1485012345)", "SignOn", ("1485012345",)),
        ('SignOn("1485012345")', "SignOn", ("1485012345",)),
        ('SignOn(1485012345, "s3cret")', "SignOn", ("1485012345", "s3cret")),
        ("Cycle", "Cycle", (1,)),
        ("Cycle()", "Cycle", (1,)),
        ("Cycle(3)", "Cycle", (3,)),
        ('Fill("URC", "0")', "Fill", ("URC", "0")),
        ('Fill("URC>", "0")', "Fill", ("URC", "0")),
        ('Fill("REMARKS", "")', "Fill", ("REMARKS", "")),
        ("Snap", "Snap", ()),
        ('Expect("REQUEST COMPLETED")', "Expect", ("REQUEST COMPLETED",)),
        ('ExpectNot("INVALID")', "ExpectNot", ("INVALID",)),
        ('ExpectLine(24, "REQUEST COMPLETED")', "ExpectLine", (24, "REQUEST COMPLETED")),
        ('ExpectAt(1, 1, "TXMODA")', "ExpectAt", (1, 1, "TXMODA")),
        ('ExpectAt(24, 78, "ABC")', "ExpectAt", (24, 78, "ABC")),
        ('ExpectMatch(24, "^REQUEST COMPLETED$")', "ExpectMatch", (24, "^REQUEST COMPLETED$")),
    ],
)
def test_each_action(line: str, name: str, args: tuple[object, ...]) -> None:
    assert one(line) == Action(name, args, 1)


def test_action_names_cover_the_contract() -> None:
    assert set(ACTION_NAMES) == {
        "String", "Enter", "Clear", "Tab", "BackTab", "Home", "Newline", "EraseEOF", "EraseInput",
        "Reset", "PF", "PA", "MoveCursor1", "Date", "Load", "SignOn", "Cycle", "Fill", "Snap",
        "Expect", "ExpectNot", "ExpectLine", "ExpectAt", "ExpectMatch",
    }  # fmt: skip


@pytest.mark.parametrize("line", ["enter", "ENTER", "eNtEr", "Enter()", "enter ( )", "  Enter  "])
def test_names_are_case_insensitive_and_parens_optional(line: str) -> None:
    assert one(line) == Action("Enter", (), 1)


def test_canonical_capitalisation() -> None:
    assert one("movecursor1(2,7)").name == "MoveCursor1"
    assert one("ERASEEOF").name == "EraseEOF"
    assert one('expectmatch(1,"x")').name == "ExpectMatch"


def test_extra_spaces_and_tabs() -> None:
    assert one('\t ExpectAt (  1 ,\t1 ,  "A B"  )  ') == Action("ExpectAt", (1, 1, "A B"), 1)


# ---------------------------------------------------------------------------------
# strings, comments, lines


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        (r'"say \"hi\""', 'say "hi"'),
        (r'"back\\slash"', "back\\slash"),
        (r'"\\\""', '\\"'),
        (r'"#not a comment"', "#not a comment"),
        (r'"a ( b ) , c"', "a ( b ) , c"),
        ('"  lead and trail  "', "  lead and trail  "),
        ('"ÉÀ ü"', "ÉÀ ü"),
    ],
)
def test_string_escapes(literal: str, text: str) -> None:
    assert one(f"String({literal})").args == (text,)


def test_comments_blank_lines_and_line_numbers() -> None:
    script = "\n".join(
        [
            "# a TPP call",
            "",
            "Load(tpp/valid_return_up126)   # fresh master file",
            "   # indented comment",
            'String("ENMOD 400-00-1001") # types # twice',
            'Expect("A # B")#glued comment',
            "Enter#",
        ]
    )
    actions = parse_script(script, "s.txt")
    assert actions == [
        Action("Load", ("tpp/valid_return_up126",), 3),
        Action("String", ("ENMOD 400-00-1001",), 5),
        Action("Expect", ("A # B",), 6),
        Action("Enter", (), 7),
    ]
    assert actions[1].source == 'String("ENMOD 400-00-1001")'
    assert actions[2].source == 'Expect("A # B")'


def test_crlf_bom_and_missing_final_newline() -> None:
    assert parse_script('\ufeffClear\r\nString("X")\rEnter', "w.txt") == [
        Action("Clear", (), 1),
        Action("String", ("X",), 2),
        Action("Enter", (), 3),
    ]


def test_empty_script() -> None:
    assert parse_script("", "e.txt") == []
    assert parse_script("# nothing\n\n   \n", "e.txt") == []


# ---------------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    ("line", "col", "message"),
    [
        ("PF(25)", 4, "PF takes a number from 1 to 24"),
        ("PF(0)", 4, "PF takes a number from 1 to 24"),
        ("PF(x)", 4, "PF takes a number from 1 to 24"),
        ('PF("3")', 4, "PF takes a number from 1 to 24"),
        ("PF", 1, "PF takes a number from 1 to 24"),
        ("PF(1,2)", 1, "PF takes a number from 1 to 24"),
        ("PA(4)", 4, "PA takes a number from 1 to 3"),
        ("PF3", 1, "unknown action PF3: write PF(3)"),
        ("Entr", 1, 'unknown action "Entr"; did you mean Enter?'),
        ("Frobnicate", 1, 'unknown action "Frobnicate"'),
        ("Enter(1)", 1, "Enter takes no arguments"),
        ('Snap("x")', 1, "Snap takes no arguments"),
        ("String(abc)", 8, 'String takes one quoted string: String("ENMOD 400-00-1001")'),
        ("String", 1, 'String takes one quoted string: String("ENMOD 400-00-1001")'),
        ('String("abc', 8, 'unterminated string: the closing " is missing'),
        ('String("a\\nb")', 10, 'unknown escape \\n in a string: only \\" and \\\\ are allowed'),
        ("MoveCursor1(25,1)", 13, "MoveCursor1 takes a row from 1 to 24 and a column from 1 to 80: MoveCursor1(2, 7)"),
        ("MoveCursor1(1,81)", 15, "MoveCursor1 takes a row from 1 to 24 and a column from 1 to 80: MoveCursor1(2, 7)"),
        ("MoveCursor1(2 7)", 15, "expected , or ) after an argument, found '7'"),
        ("Date(2024-02-30)", 6, "Date: 2024-02-30 is not a calendar date (YYYY-MM-DD)"),
        ("Date(20240617)", 6, "Date takes a date as YYYY-MM-DD: Date(2024-06-17)"),
        ("Date(2024-6-17)", 6, "Date takes a date as YYYY-MM-DD: Date(2024-06-17)"),
        ("Load()", 1, "Load takes a fixture name or path: Load(tpp/valid_return_up126)"),
        ('Load("  ")', 6, "Load takes a fixture name or path: Load(tpp/valid_return_up126)"),
        ("SignOn(148501234)", 8, "SignOn takes a 10-digit IDRS number and optionally a quoted password"),
        ("SignOn(1485012345, secret)", 20, "SignOn takes a 10-digit IDRS number and optionally a quoted password"),
        ("Cycle(0)", 7, "Cycle takes nothing or a number of cycles from 1 up: Cycle or Cycle(2)"),
        ('Fill("", "x")', 6, 'Fill takes a quoted label and a quoted value: Fill("URC", "0")'),
        ('Fill("URC")', 1, 'Fill takes a quoted label and a quoted value: Fill("URC", "0")'),
        ('Expect("")', 8, 'Expect takes one quoted, non-empty string: Expect("REQUEST COMPLETED")'),
        ("ExpectNot(INVALID)", 11, 'ExpectNot takes one quoted, non-empty string: ExpectNot("INVALID")'),
        ('ExpectLine(0, "X")', 12, "ExpectLine takes a row from 1 to 24 and a quoted, non-empty string"),
        ('ExpectAt(1, 79, "ABC")', 17, "ExpectAt: the text runs past column 80 (from column 79)"),
        (
            'ExpectAt(1, "X")',
            1,
            "ExpectAt takes a row from 1 to 24, a column from 1 to 80 and a quoted, non-empty string",
        ),
        (
            'ExpectMatch(1, "(")',
            16,
            "ExpectMatch: bad regular expression: missing ), unterminated subpattern at position 0",
        ),
        (
            'ExpectMatch(1, "a{4294967296}")',
            16,
            "ExpectMatch: bad regular expression: the repetition number is too large",
        ),
        ("Cycle(" + "9" * 5000 + ")", 7, "Cycle takes nothing or a number of cycles from 1 up"),
        ("PF(0000000003)", 4, "PF takes a number from 1 to 24"),
        ("PF(\u0663)", 4, "PF takes a number from 1 to 24"),  # ARABIC-INDIC DIGIT THREE
        ("\xa0Enter", 1, "unexpected character '\\xa0'"),
        ("Enter Clear", 7, "unexpected 'Clear' after the action: one action per line"),
        ('String "x"', 8, 'arguments go in parentheses: String("x")'),
        ("PF(3", 5, "missing ) at the end of the line"),
        ("PF(3,)", 6, "expected an argument, found ')'"),
        ("PF(,)", 4, "expected an argument, found ','"),
        ("PF(", 4, "missing ) at the end of the line"),
        ("Enter()x", 8, "unexpected 'x' after ')': one action per line"),
        ("(3)", 1, "expected an action name such as Enter or String(\"...\"), found '('"),
        ("123", 1, "expected an action name such as Enter or String(\"...\"), found '123'"),
        ('"x"', 1, 'expected an action name such as Enter or String("..."), found \'"x"\''),
    ],
)
def test_errors(line: str, col: int, message: str) -> None:
    e = error(f"Clear\n# comment\n  \n{line}\nEnter\n")
    assert (e.filename, e.line, e.col) == ("script.txt", 4, col)
    assert e.message.startswith(message)
    assert str(e) == f"script.txt:4: {e.message}"


def test_error_message_format_from_the_brief() -> None:
    assert str(error("Clear\nEnter\nHome\nPF(99)\n")) == "script.txt:4: PF takes a number from 1 to 24"


def test_first_error_wins() -> None:
    assert error("PF(0)\nPA(9)\n").line == 1


# ---------------------------------------------------------------------------------
# never anything but a list or a ScriptError


script_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(list('()",#\\\n PFString0123456789Enter'))),
    max_size=200,
)


@settings(max_examples=400, deadline=None)
@given(script_text)
def test_arbitrary_text_gives_actions_or_a_script_error(text: str) -> None:
    try:
        actions = parse_script(text, "fuzz.txt")
    except ScriptError as e:
        assert e.line >= 1 and e.col >= 1 and e.message
    else:
        assert all(isinstance(a, Action) and a.name in ACTION_NAMES for a in actions)
