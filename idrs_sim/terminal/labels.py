"""Finding an input field by its label: the protected text ``LABEL>`` before it, as IDRS
screens show (replay `Fill`, `Terminal.fill`, `Terminal.field_value`).
"""

from __future__ import annotations

from .navigation import has_data
from .screen import Field, Screen, address


def find_labelled_field(screen: Screen, label: str) -> Field:
    """The first unprotected field whose data starts after the protected text ``LABEL>``."""
    needle = label if label.endswith(">") else label + ">"
    found_text = False
    for row, line in enumerate(screen.lines(), start=1):
        for col in _occurrences(line, needle):
            start = address(row, col + 1)
            if not _is_protected_text(screen, start, len(needle)):
                continue
            found_text = True
            fld = _first_input_from(screen, start + len(needle))
            if fld is not None:
                return fld
    if not found_text:
        raise LookupError(f"no protected text {needle!r} on the screen")
    raise LookupError(f"no input field after the protected text {needle!r}")


def _is_protected_text(screen: Screen, start: int, length: int) -> bool:
    for a in range(start, start + length):
        fld = screen.field_at(a)
        if fld is None or not fld.protected or screen.is_attribute(a):
            return False
    return True


def _first_input_from(screen: Screen, start: int) -> Field | None:
    """The input field that follows the label ending at `start`: nothing visible lies between
    them (blanks and attribute bytes only, on the same line or further down).  A field after
    other text belongs to another label: `MFT>30` shown as protected text has no field, and
    `Fill("MFT")` must not type into the `TC>` field after it."""
    for fld in screen.input_fields():
        if fld.addr + 1 < start or not has_data(screen, fld.addr):
            continue
        if any(screen.visible_char(a).strip() for a in range(start, fld.addr)):
            return None
        return fld
    return None


#: A label starts a word: not glued to a letter or digit, nor the tail of a compound label
#: (`DT>` is not `TRANS-DT>`, `151>` is not `TC971/151>`).
_GLUE = ("-", "/")


def _occurrences(line: str, needle: str) -> list[int]:
    """0-origin columns where `needle` starts as a word (not glued to a letter, a digit, or
    the hyphen or slash of a compound label)."""
    cols = []
    col = line.find(needle)
    while col >= 0:
        if col == 0 or not (line[col - 1].isalnum() or line[col - 1] in _GLUE):
            cols.append(col)
        col = line.find(needle, col + 1)
    return cols
