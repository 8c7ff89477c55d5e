"""Elements a command code does not take, refused before its handler runs.

Why: a handler reads the elements it knows and never sees the others, so an unknown
`LABEL>`, a second `URC>`, a `LABEL>` typed on line 1 with no value, an MFT and tax period typed after the TIN of a code that takes
none, or a word after HELP's code was silently dropped -- a trainee who typed
`UPRES 000000101 URC>0 URC>D` was told REQUEST COMPLETED and never learned which one
counted (review of 2026-12-07).  What a code takes is its definition (commands/*.yaml:
`elements` lists its LABEL> elements, `syntax` its forms), stated once there.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from ..commands import CommandDef, definitions
from ..terminal.screen import COLS
from .base import Refusal
from .command_elements import INVALID_DATA, INVALID_TIN, Command, ParseError, Span

__all__ = ["for_code", "stray_element"]

#: Syntax words that stand for the positional elements the grammar reads itself.
_POSITIONAL = {"TIN", "EIN", "SEQ", "MFT", "PERIOD", "NC"}


def _mark(span: Span | None, line: str) -> list[tuple[int, int, int]]:
    if span is None:
        end = max(len(line.rstrip()), 1)
        return [(1, end + 2, end + 1)]
    return [(span[0], span[1], max(span[2] - 1, span[1]))]


class _Takes(NamedTuple):
    """What a code takes, read once from its definition (the check runs on every Enter)."""

    labels: frozenset[str]  # its LABEL> elements, without the `>`
    line_forms: tuple[str, ...]  # line forms it names, by their opening (`H,` of ACTON's `H,TEXT`)
    words: frozenset[str]  # the words of its syntax forms (TIN, MFT, ...)
    max_args: int  # the most plain words one form takes after the code


@cache
def _takes(code: str) -> _Takes:
    definition = definitions()[code]
    forms = []
    for form in definition.syntax:  # each form's words after the code, up to an optional or a comment
        words = []
        for word in form.split()[1:]:
            if word.startswith(("[", "(", "...")):
                break
            words.append(word)
        forms.append(words)
    return _Takes(
        labels=frozenset(e[:-1] for e in definition.elements if e.endswith(">")),
        line_forms=tuple(e.split(",")[0] + "," for e in definition.elements if "," in e and not e.endswith(">")),
        words=frozenset(w for f in forms for w in f),
        max_args=max((sum(1 for w in f if ">" not in w and w not in _POSITIONAL) for f in forms), default=0),
    )


def _wrapped(lines: list[str], span: Span) -> bool:
    """Whether a free-text piece starts in column 1 right under a line typed to column 80:
    the 3270 wrapped the end of that line onto the next row (the piece is its tail, not
    something typed on a line of its own, and the line above lost it)."""
    if span[0] < 2 or span[1] != 1 or span[0] - 2 >= len(lines):
        return False
    above = lines[span[0] - 2]
    return len(above) >= COLS - 1 and above[-1:] != " "


def stray_element(cmd: Command, definition: CommandDef) -> Refusal | None:
    """The refusal of the first element `definition` does not take, or None."""
    code = definition.code
    line = cmd.lines[0] if cmd.lines else ""
    takes = _takes(code)
    labels = takes.labels
    seen: set[str] = set()
    for label, value in cmd.field_list:
        span = cmd.spans.get(label + ">")
        if label not in labels:
            return Refusal(f"{label}> IS NOT AN ELEMENT OF {code}"[:79], marks=_mark(span, line))
        if label in seen:
            return Refusal(f"{label}> ENTERED TWICE - ENTER EACH ELEMENT ONCE"[:79], marks=_mark(span, line))
        if not value and span is not None and span[0] == 1:  # typed on line 1 with nothing after it
            return Refusal(f"{label}> HAS NO VALUE - ENTER A VALUE OR LEAVE IT OUT"[:79], marks=_mark(span, line))
        seen.add(label)
    # Words that are no element: only a line form the definition names (ACTON's `H,TEXT`)
    # is read; anything else was dropped (ACTON's second assignee line, a note's tail).
    forms_of_lines = takes.line_forms
    for n, words in enumerate(cmd.text):
        if not words.strip().startswith(forms_of_lines) or not forms_of_lines:
            span = cmd.spans.get(f"text[{n}]")
            if span is not None and _wrapped(cmd.lines, span):
                return Refusal(f"LINE {span[0] - 1} RUNS PAST COLUMN 80 - SHORTEN IT OR PUT AN ELEMENT ON LINE {span[0]}",
                               marks=_mark(span, line))
            return Refusal(f"{words.strip()[:30]} IS NOT AN ELEMENT OF {code}"[:79], marks=_mark(span, line))
    if cmd.tin is not None and not takes.words & {"TIN", "EIN", "SEQ"}:
        return Refusal(f"{code} TAKES NO TIN", marks=_mark(cmd.spans.get("tin"), line))
    if (cmd.mft is not None or cmd.period is not None) and "MFT" not in takes.words:
        where = cmd.spans.get("mft") or cmd.spans.get("period")
        return Refusal(f"{code} TAKES NO MFT OR TAX PERIOD", marks=_mark(where, line))
    if len(cmd.args) > takes.max_args:
        extra = len(cmd.args) - 1 if takes.max_args else 0
        return Refusal(f"TOO MANY ELEMENTS FOR {code}", marks=_mark(cmd.spans.get(f"args[{extra}]"), line))
    return None


#: What the operand of a code is, when its syntax names one that is no TIN.
_OPERAND_LITERALS = {"NNNNNNNNNN": "INVALID EMPLOYEE NUMBER"}


def for_code(error: ParseError, word: str | None) -> ParseError:
    """The parser's INVALID TIN, said for the code typed: the grammar reads any number after
    a code as a TIN, so `UNLOCK 12` was told INVALID TIN although UNLOCK takes an employee
    number (review of 2026-12-08).  For a code whose syntax takes no TIN the literal names
    what it does take (`INVALID EMPLOYEE NUMBER`), else INVALID DATA; otherwise unchanged."""
    if error.literal != INVALID_TIN or not word:
        return error
    code = word[:5]
    if code not in definitions():
        return error
    takes = _takes(code)
    if takes.words & {"TIN", "EIN", "SEQ"}:
        return error
    literal = next((lit for w, lit in _OPERAND_LITERALS.items() if w in takes.words), INVALID_DATA)
    return ParseError(literal, error.line, error.col, error.start)
