"""Parse what a user typed on an IDRS screen into a `Command` (grammar/command.lark).

Parsing only: the parser knows the shapes of IDRS data elements (TIN, MFT, tax period,
name control, LABEL>value, control-base notation) but not which command codes exist,
which definers they take or what the master file holds; the command registry
(commands/) and the handlers decide that.  Bad input never raises: it comes back as a
`ParseError` carrying the line-24 literal and where the cursor and the ``*`` go, the way
IDRS reports an invalid element.  docs/command-syntax.md is the user-facing description.

The parts, each with one job: `command_elements` (Command, Span, ParseError and the
literals), `command_grammar` (the Lark parser), `parse_errors` (which literal, and
where), `parse_tree` (tokens -> Command).  This module normalises the screen lines and
runs them through; every name a caller needs is importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .command_elements import (
    INVALID_COMMAND_CODE,
    INVALID_DATA,
    INVALID_MFT,
    INVALID_NAME_CONTROL,
    INVALID_TAX_PERIOD,
    INVALID_TIN,
    Command,
    ParseError,
    Span,
)
from .command_grammar import command_parser
from .parse_errors import parse_error
from .parse_tree import command_from_tree

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
            return parse_error(exc, norm)
        return command_from_tree(tree, norm)
    except Exception:  # the contract is "never raises": a bug shows as INVALID DATA
        log.exception("parse_command failed on %r", lines)
        return ParseError(INVALID_DATA, 1, 1, 1)
