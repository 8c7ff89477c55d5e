"""Which line-24 literal a bad input gets, and where the cursor and the ``*`` go: a Lark
error turned into the `ParseError` IDRS would show (INVALID COMMAND CODE, INVALID TIN,
INVALID MFT, INVALID TAX PERIOD, INVALID NAME CONTROL, INVALID DATA).

The element the parser was waiting for is found from its parser state (example inputs
per element, `match_examples`) or else from the terminals it would have accepted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from idrs_sim.digits import is_digits

from .command_elements import (
    INVALID_COMMAND_CODE,
    INVALID_DATA,
    INVALID_MFT,
    INVALID_NAME_CONTROL,
    INVALID_TAX_PERIOD,
    INVALID_TIN,
    ParseError,
)
from .command_grammar import command_parser

if TYPE_CHECKING:
    from lark.exceptions import UnexpectedInput

# Logged under the parser's name, as before the split (tests and operators filter on it).
log = logging.getLogger("idrs_sim.cc.parse")


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


def parse_error(exc: UnexpectedInput, lines: list[str]) -> ParseError:
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
