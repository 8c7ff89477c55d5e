"""Which characters IDRS input may hold: printable ASCII (upper-cased by the codes).

A code page 037 keyboard types more (é, ß, ², µ), and each code upper-cased and checked
its fields its own way: `ß` became `SS` and doubled a field, `²` passed `isdigit`, `é` was
refused by some screens only.  The session asks `foreign_character` once per Enter.
"""

from __future__ import annotations

import re

from ..cc.base import Refusal
from .screen import Screen

__all__ = ["INVALID_CHARACTER", "foreign_character"]


INVALID_CHARACTER = "INVALID CHARACTER - A-Z, 0-9 AND PUNCTUATION ONLY"
_FOREIGN = re.compile(r"[^ -~]")


def foreign_character(screen: Screen, lines: list[str], offset: int) -> Refusal | None:
    """A refusal when input holds a character an IDRS terminal does not send (beyond
    printable ASCII: é, ß, µ...).  A code page 037 keyboard can type them, but IDRS data
    is upper-case ASCII: `ß` upper-cased to `SS` doubled a field past its width and `é`
    was refused by some screens only.  Checked once, here, for every command code."""
    if _FOREIGN.search("".join(screen.chars)) is None:  # the usual case: one scan in C
        return None
    for row, line in enumerate(lines, start=1):
        found = _FOREIGN.search(line)
        if found is not None:
            shift = 1 + (offset if row == 1 else 0)  # 1-origin; line 1 may start into the row
            blank = line.find(" ", found.start())
            word_end = (blank if blank >= 0 else len(line)) - 1
            # the cursor on the character, the `*` right of the word it is in (not on a
            # character the user typed: `ÉNMOD` lost its N to the mark)
            return Refusal(INVALID_CHARACTER, marks=[(row, found.start() + shift, word_end + shift)])
    for fld in screen.fields.values():
        if fld.name and not fld.protected and _FOREIGN.search(screen.text_of(fld)):
            return Refusal(INVALID_CHARACTER, fields=[fld.name])
    return None  # only in protected text (a display's own): not input
