"""Parse what a user typed on an IDRS screen into a `Command` (grammar/command.lark).

Parsing only: the parser knows the shapes of IDRS data elements (TIN, MFT, tax period,
name control, LABEL>value, control-base notation) but not which command codes exist,
which definers they take or what the master file holds; the command registry
(commands/) and the handlers decide that.  Bad input never raises: it comes back as a
`ParseError` carrying the line-24 literal and where the cursor and the ``*`` go, the way
IDRS reports an invalid element.  docs/command-syntax.md is the user-facing description.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from idrs_sim.cache import open_lark
from idrs_sim.digits import is_digits
from idrs_sim.resources import data_file

# Lark is imported when the first command is parsed, not with this module: a host session
# imports it, and a replay script that never types a command (or `idrs-sim --help`) then
# starts without Lark (about 40 ms with interegular, which Lark imports when installed).
if TYPE_CHECKING:
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

__all__ = [
    "INVALID_COMMAND_CODE",
    "INVALID_DATA",
    "INVALID_MFT",
    "INVALID_NAME_CONTROL",
    "INVALID_TAX_PERIOD",
    "INVALID_TIN",
    "Command",
    "ParseError",
    "Span",
    "command_parser",
    "parse_command",
]

log = logging.getLogger(__name__)

# Line-24 literals.  The parser never produces any other.
INVALID_COMMAND_CODE = "INVALID COMMAND CODE"
INVALID_TIN = "INVALID TIN"
INVALID_MFT = "INVALID MFT"
INVALID_TAX_PERIOD = "INVALID TAX PERIOD"
INVALID_NAME_CONTROL = "INVALID NAME CONTROL"
INVALID_DATA = "INVALID DATA"

TinKind = Literal["SSN", "EIN"]


class Span(NamedTuple):
    """Where an element stands on the screen: 1-origin line and columns.

    `end` is the first column after the element, which is exactly where IDRS writes the
    ``*`` when the element is bad; ``start == end`` for an empty field value.
    """

    line: int
    start: int
    end: int


@dataclass
class Command:
    """One Enter's worth of typed input, split into IDRS data elements.

    Every string is upper case.  Elements that were not typed are None (or empty
    containers).  `spans` maps element names to screen positions so that a handler that
    rejects an element can mark it: keys are ``code``, ``definer``, ``modifier``,
    ``tin``, ``file_source``, ``mft``, ``period``, ``name_control``, ``seq``,
    ``args[i]``, ``text[i]``, ``LABEL>`` (the value of that field; first occurrence),
    ``control`` (the C# line), ``control.activity``, ``control.status``,
    ``control.category``, ``control.idrs`` and ``assignee`` (the IDRS-number line).
    """

    code: str
    definer: str | None = None
    modifier: str | None = None
    tin: str | None = None
    tin_kind: TinKind | None = None
    file_source: str | None = None  # "" = blank (valid); None = no TIN typed
    mft: str | None = None
    period: str | None = None
    name_control: str | None = None
    seq: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    field_list: list[tuple[str, str]] = field(default_factory=list)
    control: dict[str, str] | None = None
    args: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    spans: dict[str, Span] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @property
    def head(self) -> str:
        """The code as typed with its definer and modifier, e.g. ``TXMODA`` or ``UPCASD4``."""
        return self.code + (self.definer or "") + (self.modifier or "")


@dataclass(frozen=True)
class ParseError:
    """Why the input was refused, as IDRS shows it.

    `literal` goes on line 24; `col` is where the ``*`` goes (the column right of the bad
    element) and `start` is the first column of the bad element, where the cursor goes.
    For a missing element both point at the place where it was expected.
    """

    literal: str
    line: int
    col: int
    start: int = 0

    @property
    def cursor_col(self) -> int:
        """Column for the cursor: on the bad element."""
        return self.start or max(1, self.col - 1)

    @property
    def span(self) -> Span:
        return Span(self.line, self.cursor_col, self.col)

    def __str__(self) -> str:
        return f"{self.literal} (line {self.line}, column {self.cursor_col})"


# ---------------------------------------------------------------------------------
# the Lark parser


def _accept_junk() -> Any:
    """A post-lexer that lets the contextual lexer produce JUNK in every parser state.

    Without it an unexpected element is lexed as whatever prefix of it some terminal
    happens to match, and the error lands in the middle of the element.  (A class made
    here, not at module level, because its base class is Lark's.)
    """
    from lark.lark import PostLex

    class _AcceptJunk(PostLex):
        always_accept = ("JUNK",)

        def process(self, stream: Iterator[Token]) -> Iterator[Token]:
            return stream

    return _AcceptJunk()


def _strict_available() -> bool:
    # Lark's strict mode needs interegular to prove that no two terminals collide.
    # Without it Lark refuses strict=True outright; the grammar itself is checked in
    # strict mode by tests/test_grammar.py, so a missing interegular only drops the check.
    return importlib.util.find_spec("interegular") is not None


@cache
def command_parser(strict: bool | None = None) -> Lark:
    """The LALR parser for grammar/command.lark (once per process; built once per user: idrs_sim.cache)."""
    return open_lark(
        str(data_file("grammar", "command.lark")),
        parser="lalr",
        lexer="contextual",
        strict=_strict_available() if strict is None else strict,
        postlex=_accept_junk(),
        maybe_placeholders=False,
    )


# ---------------------------------------------------------------------------------
# input normalisation

_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# A line break inside one screen line cannot come from a 3270; it becomes SUB (what a
# 3270 shows for a character it cannot display) so that it is junk, not a new line.
_CLEAN = str.maketrans({"\n": "\x1a", "\r": "\x1a", "\x00": " "})


def _normalise(lines: Sequence[str] | str) -> list[str]:
    """Upper-case (ASCII only, so columns never move), NUL -> blank, trailing blanks off.

    Trailing blank lines are dropped; blank lines in between keep their line numbers.
    """
    if isinstance(lines, str):
        lines = lines.split("\n")
    out = [str(line).translate(_CLEAN).translate(_UPPER).rstrip(" ") for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


# ---------------------------------------------------------------------------------
# errors: which literal, and where


# Bad inputs whose parser state names the element being typed (match_examples).  Each
# slot has examples for the one-line form and for the glued column layout, because Lark
# compares parser states including their stack depth.
_SLOT_EXAMPLES: dict[str, list[str]] = {
    "head": ["$", "\n$", " ENMOD", "ENMOD$", "TXMODA$", "TXMODAB$", "AMS$"],
    "tin": [
        "ENMOD $",
        "ENMOD 400-00-1001$",
        "ENMOD 400-00-1001VX",
        "ENMOD 99-2000001VX",
        "ENMOD 400001001VX",
        "TXMODA400-00-1001VX",
        "TXMODA99-2000001VX",
        "TXMODA400001001VX",
        "UPCASD4400001001VX",
    ],
    "after_tin": [
        "ENMOD 400-00-1001 3",
        "ENMOD 400-00-1001V 3",
        "TXMODA400-00-1001 3",
        "TXMODA400-00-1001V 3",
        "UPCASD4400001001 3",
    ],
    "period": [
        "TXMODA 400-00-1001 30 2023",
        "TXMODA400-00-1001 30 2023",
        "UPCASD4400001001 30 2023",
    ],
    "name_control": [
        "TXMODA 400-00-1001 30 202312 $",
        "TXMODA400-00-1001 30 202312 $",
        "UPCASD4400001001 30 202312 $",
    ],
}

# The same decision from the set of terminals the parser would have accepted; used when
# no example shares the parser state (a stack depth not covered above).
_SLOT_BY_TERMINAL: list[tuple[str, str]] = [
    ("CODE", "head"),
    ("DEFINER", "head"),
    ("MODIFIER", "head"),
    ("SSN", "tin"),
    ("FILE_SOURCE", "tin"),
    ("MFT", "after_tin"),
    ("PERIOD", "period"),
    ("NAME_CONTROL", "name_control"),
]


def _slot(exc: UnexpectedInput) -> str:
    """Name the element the parser was waiting for when it met the bad input."""
    parser = command_parser()
    try:
        slot = exc.match_examples(parser.parse, _SLOT_EXAMPLES, use_accepts=True)
    except Exception:  # an example that parses is a bug in the table; fall through
        log.exception("command.lark: error examples out of date")
        slot = None
    if slot is not None:
        return slot
    expected = set(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())
    for terminal, name in _SLOT_BY_TERMINAL:
        if terminal in expected:
            return name
    return "data"


def _word_bounds(line: str, col0: int, delims: str) -> tuple[int, int]:
    """0-based [start, end) of the run of non-delimiter characters around col0."""
    start = col0
    while start > 0 and line[start - 1] not in delims:
        start -= 1
    end = col0
    while end < len(line) and line[end] not in delims:
        end += 1
    return start, end


def _error(exc: UnexpectedInput, lines: list[str]) -> ParseError:
    """Turn a Lark error into the IDRS literal and the element it refers to."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    token = exc.token if isinstance(exc, UnexpectedToken) else None
    if token is not None and token.type == "$END":
        line_no = len(lines)
        col0 = len(lines[-1]) if lines else 0
    elif isinstance(exc, UnexpectedCharacters):
        line_no, col0 = exc.line, exc.column - 1
    else:
        assert token is not None and token.line is not None and token.column is not None
        line_no, col0 = token.line, token.column - 1
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    missing = token is not None and token.type in ("$END", "_NL", "_WS")

    slot = _slot(exc)
    if slot == "head":
        return _head_error(lines[0] if lines else "", line_no, col0)

    if missing:
        # Nothing (or a blank) where an element belongs: mark the place itself.
        if token is not None and token.type == "_WS":
            start, end = _word_bounds(line, max(col0 - 1, 0), " ,")
            return ParseError(_literal(slot, line[start:end]), line_no, end + 1, start + 1)
        return ParseError(_literal(slot, ""), line_no, col0 + 1, col0 + 1)

    delims = " " if line_no == 1 else " ,"
    start, end = _word_bounds(line, col0, delims)
    return ParseError(_literal(slot, line[start:end]), line_no, end + 1, start + 1)


def _head_error(line: str, line_no: int, col0: int) -> ParseError:
    """An error in the first word: a bad command code, or a bad TIN glued onto it.

    The code is the whole first word (from its first non-blank), so the ``*`` goes right
    of that word.  A digit met after column 5 of line 1 starts a TIN typed in the IDRS
    column layout (``TXMODA40000100``): that is INVALID TIN, marked from its first digit.
    """
    start = len(line) - len(line.lstrip(" "))
    end = _word_bounds(line, start, " ")[1] if start < len(line) else start
    if line_no == 1 and start + 5 <= col0 < end and is_digits(line[col0]):
        first_digit = next(i for i in range(start + 5, end) if is_digits(line[i]))
        return ParseError(INVALID_TIN, 1, end + 1, first_digit + 1)
    return ParseError(INVALID_COMMAND_CODE, 1, end + 1, start + 1)


def _literal(slot: str, element: str) -> str:
    if slot == "tin":
        return INVALID_TIN
    if slot == "after_tin":
        # After the TIN a number is an MFT, a word a name control.
        return INVALID_NAME_CONTROL if element[:1].isalpha() else INVALID_MFT
    if slot == "period":
        return INVALID_TAX_PERIOD
    if slot == "name_control":
        return INVALID_NAME_CONTROL
    return INVALID_DATA


# ---------------------------------------------------------------------------------
# tree -> Command


def _span(tok: Token) -> Span:
    assert tok.line is not None and tok.column is not None and tok.end_column is not None
    return Span(tok.line, tok.column, tok.end_column)


def _dashed(digits: str, kind: TinKind) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if kind == "SSN" else f"{digits[:2]}-{digits[2:]}"


def _build(tree: Tree[Token], lines: list[str]) -> Command | ParseError:
    """Walk the tokens in order; the grammar has already checked their order and shape."""
    from lark import Token

    tokens: list[Token] = list(tree.scan_values(lambda v: isinstance(v, Token)))
    cmd = Command(code="", lines=lines)
    spans = cmd.spans
    pending_label: Token | None = None
    text_words: list[Token] = []

    def close_label(value: Token | None) -> None:
        nonlocal pending_label
        if pending_label is None:
            return
        label = pending_label.value[:-1]
        if value is None:
            val = ""
            span = Span(pending_label.line or 0, pending_label.end_column or 0, pending_label.end_column or 0)
        else:
            raw = value.value
            lead = len(raw) - len(raw.lstrip(" "))
            val = raw.strip(" ")
            first = (value.column or 0) + lead
            span = Span(value.line or 0, first, first + len(val))
        cmd.field_list.append((label, val))
        cmd.fields.setdefault(label, val)
        spans.setdefault(label + ">", span)
        pending_label = None

    def close_text() -> None:
        if text_words:
            first, last = text_words[0], text_words[-1]
            line = lines[(first.line or 1) - 1]
            i = len(cmd.text)
            cmd.text.append(line[(first.column or 1) - 1 : (last.end_column or 1) - 1])
            spans[f"text[{i}]"] = Span(first.line or 0, first.column or 0, last.end_column or 0)
            text_words.clear()

    control_seen = False
    for tok in tokens:
        kind = tok.type
        if kind != "VALUE":
            close_label(None)
        if kind != "WORD" or (text_words and text_words[-1].line != tok.line):
            close_text()
        if kind == "CODE":
            cmd.code = tok.value
            spans["code"] = _span(tok)
        elif kind == "DEFINER":
            cmd.definer = tok.value
            spans["definer"] = _span(tok)
        elif kind == "MODIFIER":
            cmd.modifier = tok.value
            spans["modifier"] = _span(tok)
        elif kind in ("SSN", "EIN", "TIN9"):
            digits = tok.value.replace("-", "")
            cmd.tin_kind = "EIN" if kind == "EIN" else "SSN"
            cmd.tin = _dashed(digits, cmd.tin_kind)
            cmd.file_source = ""
            spans["tin"] = _span(tok)
            if kind == "TIN9":
                # Nine bare digits may equally be an unpostable sequence number
                # (UPDIS 000000101); the handler knows which one its code takes.
                cmd.seq = tok.value
                spans["seq"] = _span(tok)
        elif kind == "FILE_SOURCE":
            cmd.file_source = tok.value
            spans["file_source"] = _span(tok)
        elif kind == "MFT":
            cmd.mft = tok.value
            spans["mft"] = _span(tok)
        elif kind == "PERIOD":
            cmd.period = tok.value
            spans["period"] = _span(tok)
        elif kind == "NAME_CONTROL":
            cmd.name_control = tok.value
            spans["name_control"] = _span(tok)
        elif kind == "SEQ":
            cmd.seq = tok.value
            spans["seq"] = _span(tok)
        elif kind == "ARG":
            spans[f"args[{len(cmd.args)}]"] = _span(tok)
            cmd.args.append(tok.value)
        elif kind == "LABEL":
            pending_label = tok
        elif kind == "VALUE":
            close_label(tok)
        elif kind == "WORD":
            text_words.append(tok)
        elif kind == "CB_PREFIX":
            if control_seen:
                # One control base per input; IDRS takes one case line per ACTON.
                line = lines[(tok.line or 1) - 1]
                return ParseError(INVALID_DATA, tok.line or 1, len(line) + 1, tok.column or 1)
            control_seen = True
            cmd.control = {}
            line = lines[(tok.line or 1) - 1]
            spans["control"] = Span(tok.line or 0, tok.column or 1, len(line) + 1)
        elif kind in ("ACTIVITY", "STATUS", "CATEGORY"):
            assert cmd.control is not None
            cmd.control[kind.lower()] = tok.value
            spans[f"control.{kind.lower()}"] = _span(tok)
        elif kind == "IDRS_NUM":
            assert cmd.control is not None
            cmd.control["idrs"] = tok.value
            spans["control.idrs"] = _span(tok)
            line = lines[(tok.line or 1) - 1]
            lead = len(line) - len(line.lstrip(" "))
            spans["assignee"] = Span(tok.line or 0, lead + 1, len(line) + 1)
    close_label(None)
    close_text()
    return cmd


# ---------------------------------------------------------------------------------
# the entry point


def parse_command(lines: Sequence[str] | str) -> Command | ParseError | None:
    """Parse the typed screen lines (line 1 = the command line) into a `Command`.

    Returns a `ParseError` for input IDRS would refuse, and None when every line is blank
    (IDRS ignores Enter on an empty screen).  Never raises, whatever the text.
    """
    try:
        norm = _normalise(lines)
        if not any(line.strip() for line in norm):
            return None
        text = "\n".join(norm)
        from lark.exceptions import UnexpectedInput

        try:
            tree = command_parser().parse(text)
        except UnexpectedInput as exc:
            return _error(exc, norm)
        return _build(tree, norm)
    except Exception:  # the contract is "never raises": a bug shows as INVALID DATA
        log.exception("parse_command failed on %r", lines)
        return ParseError(INVALID_DATA, 1, 1, 1)
