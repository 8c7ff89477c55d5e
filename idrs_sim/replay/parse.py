"""Parse replay scripts (CONTRACT §2, grammar/replay.lark) into a list of `Action`s.

The grammar knows only the shape of a line (a name and an optional argument list); the
action table below knows every action's arguments.  Splitting it that way lets each
mistake get one readable message naming the action and what it takes, with the file and
line, e.g. ``script.txt:4: PF takes a number from 1 to 24``.  Running the actions is
the runner's job (idrs_sim/replay/__init__.py); nothing here touches a terminal or a master file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from idrs_sim.cache import cached_parse, open_lark
from idrs_sim.resources import data_file

if TYPE_CHECKING:  # Lark itself is imported when a script is actually parsed
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

__all__ = ["ACTION_NAMES", "Action", "ScriptError", "parse_script", "parse_script_cached", "replay_parser"]


@dataclass(frozen=True)
class Action:
    """One script line: canonical action name, converted arguments, 1-origin line number.

    Arguments are Python values: ``str`` for strings, labels, fixture names and IDRS
    numbers, ``int`` for keys, rows, columns and counts, ``datetime.date`` for Date.
    `source` (the line as written, without its comment) is for failure reports and does
    not take part in equality.
    """

    name: str
    args: tuple[Any, ...] = ()
    line: int = 0
    source: str = field(default="", compare=False)


class ScriptError(Exception):
    """A script that cannot run: file, 1-origin line and column, one readable message."""

    def __init__(self, filename: str, line: int, col: int, message: str) -> None:
        super().__init__(f"{filename}:{line}: {message}")
        self.filename = filename
        self.line = line
        self.col = col
        self.message = message


# ---------------------------------------------------------------------------------
# argument kinds: each converts one token or raises _Bad with the usage message


class _Bad(Exception):
    """An argument that does not fit; `detail` replaces the usage message when set.

    `offset` moves the reported column into the argument (to a bad escape).
    """

    def __init__(self, detail: str | None = None, offset: int = 0) -> None:
        super().__init__(detail)
        self.detail = detail
        self.offset = offset


def _unquote(tok: Token) -> str:
    """The text of a STRING token with \\" and \\\\ resolved; other escapes are errors."""
    body = tok.value[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]  # the grammar guarantees a character after a backslash
            if nxt not in '"\\':
                raise _Bad(f'unknown escape \\{nxt} in a string: only \\" and \\\\ are allowed', offset=i + 1)
            out.append(nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _text(tok: Token) -> str:
    if tok.type != "STRING":
        raise _Bad()
    return _unquote(tok)


def _needle(tok: Token) -> str:
    text = _text(tok)
    if not text:
        raise _Bad()
    return text


def _word(tok: Token) -> str:
    """A bare word or a quoted string (fixture names, paths, IDRS numbers, dates)."""
    return _unquote(tok) if tok.type == "STRING" else tok.value


def _int_in(low: int, high: int | None) -> Callable[[Token], int]:
    def convert(tok: Token) -> int:
        # ASCII digits only (str.isdigit also accepts other scripts' digits), and few
        # enough that int() cannot refuse them.
        if tok.type != "BARE" or not re.fullmatch(r"[0-9]{1,9}", tok.value):
            raise _Bad()
        value = int(tok.value)
        if value < low or (high is not None and value > high):
            raise _Bad()
        return value

    return convert


def _date(tok: Token) -> dt.date:
    text = _word(tok)
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise _Bad()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"Date: {text} is not a calendar date (YYYY-MM-DD)") from None


def _name(tok: Token) -> str:
    text = _word(tok)
    if not text.strip():
        raise _Bad()
    return text


def _idrs(tok: Token) -> str:
    text = _word(tok)
    if not re.fullmatch(r"[0-9]{10}", text):
        raise _Bad()
    return text


def _label(tok: Token) -> str:
    # Fill("URC", ...) and Fill("URC>", ...) mean the same field.
    text = _text(tok).strip()
    if text.endswith(">"):
        text = text[:-1].rstrip()
    if not text:
        raise _Bad()
    return text


def _regex(tok: Token) -> str:
    text = _needle(tok)
    from .line_match import check_pattern

    try:
        check_pattern(text)
    except (re.error, OverflowError, RecursionError) as err:
        raise _Bad(f"ExpectMatch: bad regular expression: {err}") from None
    return text


_ROW = _int_in(1, 24)
_COL = _int_in(1, 80)


@dataclass(frozen=True)
class _Spec:
    name: str
    signatures: tuple[tuple[Callable[[Token], Any], ...], ...]
    usage: str


def _spec(name: str, usage: str, *signatures: tuple[Callable[[Token], Any], ...]) -> _Spec:
    return _Spec(name, signatures or ((),), usage)


_NO_ARGS = "takes no arguments"

_SPECS: tuple[_Spec, ...] = (
    _spec("String", 'String takes one quoted string: String("ENMOD 400-00-1001")', (_text,)),
    _spec("Enter", f"Enter {_NO_ARGS}"),
    _spec("Clear", f"Clear {_NO_ARGS}"),
    _spec("Tab", f"Tab {_NO_ARGS}"),
    _spec("BackTab", f"BackTab {_NO_ARGS}"),
    _spec("Home", f"Home {_NO_ARGS}"),
    _spec("Newline", f"Newline {_NO_ARGS}"),
    _spec("EraseEOF", f"EraseEOF {_NO_ARGS}"),
    _spec("EraseInput", f"EraseInput {_NO_ARGS}"),
    _spec("Reset", f"Reset {_NO_ARGS}"),
    _spec("PF", "PF takes a number from 1 to 24", (_int_in(1, 24),)),
    _spec("PA", "PA takes a number from 1 to 3", (_int_in(1, 3),)),
    _spec(
        "MoveCursor1",
        "MoveCursor1 takes a row from 1 to 24 and a column from 1 to 80: MoveCursor1(2, 7)",
        (_ROW, _COL),
    ),
    _spec("Date", "Date takes a date as YYYY-MM-DD: Date(2024-06-17)", (_date,)),
    _spec("Load", "Load takes a fixture name or path: Load(tpp/valid_return_up126)", (_name,)),
    _spec(
        "SignOn",
        "SignOn takes a 10-digit IDRS number and optionally a quoted password: "
        'SignOn(1485012345) or SignOn(1485012345, "secret")',
        (_idrs,),
        (_idrs, _text),
    ),
    _spec("Cycle", "Cycle takes nothing or a number of cycles from 1 up: Cycle or Cycle(2)", (), (_int_in(1, None),)),
    _spec("Fill", 'Fill takes a quoted label and a quoted value: Fill("URC", "0")', (_label, _text)),
    _spec("Snap", f"Snap {_NO_ARGS}"),
    _spec("Expect", 'Expect takes one quoted, non-empty string: Expect("REQUEST COMPLETED")', (_needle,)),
    _spec("ExpectNot", 'ExpectNot takes one quoted, non-empty string: ExpectNot("INVALID")', (_needle,)),
    _spec(
        "ExpectLine",
        'ExpectLine takes a row from 1 to 24 and a quoted, non-empty string: ExpectLine(24, "REQUEST COMPLETED")',
        (_ROW, _needle),
    ),
    _spec(
        "ExpectAt",
        "ExpectAt takes a row from 1 to 24, a column from 1 to 80 and a quoted, non-empty string: "
        'ExpectAt(1, 1, "TXMODA")',
        (_ROW, _COL, _needle),
    ),
    _spec(
        "ExpectMatch",
        'ExpectMatch takes a row from 1 to 24 and a quoted regular expression: ExpectMatch(24, "^REQUEST COMPLETED")',
        (_ROW, _regex),
    ),
)

_BY_UPPER: dict[str, _Spec] = {spec.name.upper(): spec for spec in _SPECS}
ACTION_NAMES: tuple[str, ...] = tuple(spec.name for spec in _SPECS)


# ---------------------------------------------------------------------------------
# the parser


def _strict_available() -> bool:
    # Lark's strict mode needs interegular for its terminal-collision check and refuses
    # strict=True without it; tests/test_replay_parse.py builds the grammar strictly.
    return importlib.util.find_spec("interegular") is not None


@cache
def replay_parser() -> Lark:
    """The LALR parser for grammar/replay.lark (once per process; built once per user: idrs_sim.cache)."""
    return open_lark(
        str(data_file("grammar", "replay.lark")),
        parser="lalr",
        lexer="contextual",
        strict=_strict_available(),
        maybe_placeholders=False,
    )


def _shown(tok: Token) -> str:
    if tok.type in ("_NL", "$END"):
        return "the end of the line"
    return f"'{tok.value}'"


def _syntax_message(exc: UnexpectedInput, text: str) -> str:
    """One sentence for a line that does not have the shape NAME or NAME(args)."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        if text[pos : pos + 1] == '"':
            return 'unterminated string: the closing " is missing'
        return f"unexpected character {text[pos : pos + 1]!r}"
    assert isinstance(exc, UnexpectedToken)
    tok, expected = exc.token, set(exc.expected)
    if "NAME" in expected:
        return f'expected an action name such as Enter or String("..."), found {_shown(tok)}'
    if "_LPAR" in expected:
        if tok.type == "STRING":
            return f"arguments go in parentheses: String({tok.value})"
        return f"unexpected {_shown(tok)} after the action: one action per line"
    if "_RPAR" in expected and "_COMMA" in expected:
        if tok.type in ("_NL", "$END"):
            return "missing ) at the end of the line"
        return f"expected , or ) after an argument, found {_shown(tok)}"
    if "STRING" in expected:
        if tok.type in ("_NL", "$END"):
            return "missing ) at the end of the line"
        return f"expected an argument, found {_shown(tok)}"
    return f"unexpected {_shown(tok)} after ')': one action per line"


def _unknown(name: str) -> str:
    import difflib

    m = re.fullmatch(r"(PF|PA)([0-9]+)", name, re.IGNORECASE)
    if m:
        return f"unknown action {name}: write {m.group(1).upper()}({m.group(2)})"
    close = difflib.get_close_matches(name.upper(), list(_BY_UPPER), n=1, cutoff=0.6)
    hint = f"; did you mean {_BY_UPPER[close[0]].name}?" if close else ""
    return f'unknown action "{name}"{hint}'


def _action(node: Tree[Token], filename: str, lines: list[str]) -> Action:
    from lark import Token

    name_tok, *arg_toks = (tok for tok in node.children if isinstance(tok, Token))
    line = name_tok.line or 0
    spec = _BY_UPPER.get(name_tok.value.upper())
    if spec is None:
        raise ScriptError(filename, line, name_tok.column or 1, _unknown(name_tok.value))
    signature = next((sig for sig in spec.signatures if len(sig) == len(arg_toks)), None)
    if signature is None:
        raise ScriptError(filename, line, name_tok.column or 1, spec.usage)
    args: list[Any] = []
    for convert, tok in zip(signature, arg_toks, strict=True):
        try:
            args.append(convert(tok))
        except _Bad as bad:
            col = (tok.column or 1) + bad.offset
            raise ScriptError(filename, line, col, bad.detail or spec.usage) from None
    if spec.name == "ExpectAt" and args[1] + len(args[2]) - 1 > 80:
        raise ScriptError(
            filename, line, arg_toks[2].column or 1, f"ExpectAt: the text runs past column 80 (from column {args[1]})"
        )
    if spec.name == "Cycle" and not args:
        args = [1]
    source = _without_comment(lines[line - 1]) if 0 < line <= len(lines) else ""
    return Action(spec.name, tuple(args), line, source)


def _without_comment(line: str) -> str:
    """The line up to a # that is not inside a string, stripped."""
    in_string = escaped = False
    for i, ch in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "#":
            return line[:i].strip()
    return line.strip()


def parse_script(text: str, filename: str = "<script>") -> list[Action]:
    """Parse a replay script; raise `ScriptError` for the first line that cannot run."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    lines = text.split("\n")
    from lark import Tree
    from lark.exceptions import UnexpectedInput

    try:
        tree = replay_parser().parse(text)
    except UnexpectedInput as exc:
        line = exc.line if exc.line and exc.line > 0 else 1
        col = exc.column if exc.column and exc.column > 0 else 1
        raise ScriptError(filename, line, col, _syntax_message(exc, text)) from None
    return [_action(node, filename, lines) for node in tree.children if isinstance(node, Tree)]


def parse_script_cached(text: str, filename: str = "<script>") -> list[Action]:
    """`parse_script`, with the actions of a script parsed before taken from the per-user cache.

    Why: building the replay parser (even from Lark's cache) and parsing cost more than the
    rest of a short script's start-up; a script is usually run many times unchanged.  The
    key is the text, this module and the grammar (the actions never contain the file name,
    which only goes into error messages).  A script that does not parse is never cached: it
    is parsed again and gets the same message.
    """
    return cached_parse("replay-script-1", text, _parser_tag(), lambda t: parse_script(t, filename))


@cache
def _parser_tag() -> str:
    source = Path(__file__).read_bytes() + b"\0" + data_file("grammar", "replay.lark").read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]
