"""The host session's screen work: the command read off the screen, line 24, the `*`
of a refusal, and the screen after Clear.

Pure functions over a `Screen` (no master file), so `IdrsSession` keeps only the
conversation: sign-on, dispatch, paging and the audit trail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..cc.parse import Command, ParseError, Span
from .screen import COLS, ROWS, SIZE, Field, Screen, address

if TYPE_CHECKING:
    from ..cc.base import Refusal


def command_lines(scr: Screen) -> tuple[list[str], int]:
    """The typed input, and the screen column (0-origin) where its line 1 starts.

    The input is the whole unformatted screen (rows 1-23), or the `COMMAND` field of a
    formatted one, split at the ends of rows: on a research display that is line 1 from
    column 1; on the cleared screen (`cleared_screen`) rows 1-23 from row 1 column 2,
    since column 1 holds the field attribute.
    """
    if not scr.formatted:
        lines = [scr.row_text(r).rstrip() for r in range(1, ROWS)]
        while lines and not lines[-1]:
            lines.pop()
        return lines, 0
    cmd = scr.field_named("COMMAND")
    if cmd is None:
        return [""], 0
    rows: dict[int, list[str]] = {}
    first, length = scr.data_span(cmd)
    at = first
    while at < first + length:  # the field's data, one screen row at a time
        a = at % SIZE
        row = a // COLS
        piece = min(COLS - a % COLS, first + length - at)
        if row < ROWS - 1:  # line 24 is the message line, never input
            rows.setdefault(row, []).append("".join(scr.chars[a : a + piece]))
        at += piece
    lines = ["".join(chars).replace("\0", " ").rstrip() for _, chars in sorted(rows.items())]
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    start = (cmd.addr + 1) % SIZE
    return lines or [""], start if start < COLS else 0


def on_screen(parsed: Command | ParseError, offset: int) -> Command | ParseError:
    """A parse of input whose line 1 starts `offset` columns into the screen row, with every
    line-1 position moved to its screen column (the `*` and the cursor go there)."""
    if isinstance(parsed, ParseError):
        if parsed.line != 1:
            return parsed
        return ParseError(parsed.literal, parsed.line, parsed.col + offset, parsed.start + offset if parsed.start else 0)
    parsed.spans = {k: (Span(v.line, v.start + offset, v.end + offset) if v.line == 1 else v)
                    for k, v in parsed.spans.items()}
    if parsed.lines:
        parsed.lines = [" " * offset + parsed.lines[0], *parsed.lines[1:]]
    return parsed


def with_message(screen: Screen, message: str) -> Screen:
    """A copy of `screen` with `message` on line 24 (the MESSAGE field, if it has one)."""
    scr = screen.copy()
    msg_field = scr.field_named("MESSAGE")
    if msg_field is not None:
        scr.set_text(msg_field, message)
    else:
        base = address(ROWS, 1)
        for i in range(COLS):
            if not scr.is_attribute(base + i):
                scr.chars[base + i] = message[i] if i < len(message) else " "
    return scr


def refusal_screen(screen: Screen, refusal: Refusal, marks: list[tuple[int, str]]) -> Screen:
    """The user's own screen, `*` right of each bad element, cursor on the first, line 24.

    Each `*` written goes into `marks` with what it covered (the session gives that back).
    """
    scr = with_message(screen, refusal.message)
    first_cursor: int | None = None
    for name in refusal.fields:
        fld = scr.field_named(name)
        if fld is None:
            continue
        mark_after(scr, fld, marks)
        if first_cursor is None:
            first_cursor = (fld.addr + 1) % SIZE
    for row, start, end in refusal.marks:
        row = min(max(row, 1), ROWS - 1)
        star_col = min(max(end + 1, 1), COLS)
        pos = address(row, star_col)
        if not scr.is_attribute(pos):
            marks.append((pos, scr.chars[pos]))  # a delimiter under it is given back
            scr.chars[pos] = "*"
        if first_cursor is None:
            first_cursor = address(row, min(max(start, 1), COLS))
    if first_cursor is not None:
        scr.cursor = first_cursor
    return scr


def mark_after(scr: Screen, fld: Field, marks: list[tuple[int, str]]) -> None:
    """A `*` right of the field `fld`, unless an input field starts there."""
    data = scr.data_addresses(fld)
    if not data:
        return
    after = (data[-1] + 2) % SIZE  # past the attribute that ends the field
    if not scr.is_attribute(after) and ((nxt := scr.field_at(after)) is None or nxt.protected):
        marks.append((after, scr.chars[after]))
        scr.chars[after] = "*"


def cleared_screen(message: str = "") -> Screen:
    """The screen after Clear (and after sign-on): one unprotected area, the message line.

    As on IDRS the whole screen above line 24 is one area to type in, but it is a field,
    not an unformatted buffer: its attribute is at row 1 column 1 and the cursor at row 1
    column 2, so x3270-family tools (s3270 ``Wait(InputField)``, py3270
    ``wait_for_field``, Robot Framework Mainframe3270 ``Wait Field Detected``) see a
    formatted screen with the cursor in an input field.  Not underlined: it is the blank
    screen, not a form.  Line 24 is a protected, intensified message field.
    """
    scr = Screen()
    scr.add_field(Field(0, name="COMMAND", highlight="normal"))
    scr.add_field(Field(address(ROWS - 1, COLS), protected=True, intensified=True, name="MESSAGE"))
    scr.put(ROWS, 1, message[:COLS])
    scr.cursor = 1
    return scr


def _head_span(cmd) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The command code with its definer and modifier (``UPREVE``), as one element: a
    refused code gets its `*` right of all of it (CONTRACT §3), never over the definer."""
    row, start, end = _span(cmd, "code")
    spans = getattr(cmd, "spans", None) or {}
    for part in ("definer", "modifier"):
        if part in spans and spans[part][0] == row:
            end = max(end, spans[part][2] - 1)
    return (row, start, end)


def _span(cmd, name: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(row, first col, last col) of an element for a Refusal mark.

    The parser's spans end one column AFTER the element (cc.parse.Span), a Refusal's
    marks end ON its last column, so the `*` lands right of the element, not on the TIN.
    """
    spans = getattr(cmd, "spans", None) or {}
    if name in spans:
        line, start, end = spans[name]
        return (line, start, max(start, end - 1))
    return (1, 1, 5)
