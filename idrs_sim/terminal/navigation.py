"""Field geometry for the keyboard: where Tab, BackTab and Home go on a 3270 screen, and
the positions from the cursor to the end of its field (insert, delete, Erase EOF).

Pure functions over a `Screen`, in x3270's terms; `terminal.Terminal` moves and edits with them.
"""

from __future__ import annotations

from .screen import COLS, SIZE, Screen


def field_tail(screen: Screen, addr: int, whole_screen: bool) -> list[int]:
    """Addresses from `addr` to the end of its field.

    Unformatted, the "field" ends at the end of the row (insert, delete) or of the
    screen (erase EOF), as in x3270.
    """
    if not screen.formatted:
        end = SIZE if whole_screen else (addr // COLS + 1) * COLS
        return list(range(addr, end))
    out: list[int] = []
    a = addr
    while len(out) < SIZE and not screen.is_attribute(a):
        out.append(a)
        a = (a + 1) % SIZE
    return out


def has_data(screen: Screen, attr: int) -> bool:
    """Whether the field whose attribute is at `attr` has at least one data position."""
    return not screen.is_attribute(attr + 1)


def is_input_attr(screen: Screen, attr: int) -> bool:
    """Whether `attr` is the attribute of an unprotected field with room to type."""
    fld = screen.fields.get(attr % SIZE)
    return fld is not None and not fld.protected and has_data(screen, attr)


def next_input(screen: Screen, addr: int) -> int:
    """First data position of the next unprotected field after `addr`, wrapping; else 0."""
    for step in range(1, SIZE + 1):
        a = (addr + step) % SIZE
        if is_input_attr(screen, a):
            return (a + 1) % SIZE
    return 0


def previous_input(screen: Screen, addr: int) -> int:
    """x3270 BackTab: start of this input field, or of the previous one; else 0."""
    start = (addr - 1) % SIZE
    if screen.is_attribute(start):
        start = (start - 1) % SIZE
    for step in range(SIZE):
        a = (start - step) % SIZE
        if is_input_attr(screen, a):
            return (a + 1) % SIZE
    return 0


def home_address(screen: Screen) -> int:
    """Where Home puts the cursor: the input field whose data comes first from address 0
    (as x3270), or address 0 when unformatted.  The search starts at the last buffer
    position so that a field whose attribute byte is there (its data at address 0, as
    FRM77's line-1 field) counts."""
    return next_input(screen, SIZE - 2) if screen.formatted else 0
