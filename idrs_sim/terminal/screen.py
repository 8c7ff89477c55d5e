"""The 3270 presentation space: a 24x80 buffer of characters and field attributes.

A 3270 screen is a flat buffer of 1920 positions.  A *field* starts at an attribute
position (which shows as a blank and cannot be typed on) and runs up to the next
attribute position, wrapping from the last position to the first.  A screen with no
attribute positions at all is *unformatted*: every position can be typed on, as on
IDRS after Clear.

This module knows nothing of keys or IDRS; `terminal.Terminal` edits a `Screen`, the
host builds them, and every front end (TUI, TN3270, text renderer) draws them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from dataclasses import field as dc_field

ROWS = 24
COLS = 80
SIZE = ROWS * COLS
MESSAGE_ROW = 24  # 1-origin: line 24 carries IDRS messages


def address(row: int, col: int) -> int:
    """Buffer address of a 1-origin (row, col)."""
    if not (1 <= row <= ROWS and 1 <= col <= COLS):
        raise ValueError(f"position {row},{col} is off the 24x80 screen")
    return (row - 1) * COLS + (col - 1)


def position(addr: int) -> tuple[int, int]:
    """1-origin (row, col) of a buffer address."""
    addr %= SIZE
    return addr // COLS + 1, addr % COLS + 1


@dataclass
class Field:
    """One field attribute, stored at buffer address `addr`.

    The attribute bits follow the 3270 field attribute byte: protected (0x20),
    numeric (0x10), display intensity (0x08 intensified, 0x0C non-display) and the
    modified data tag (0x01).  `name` is ours: the screen map's name for the field, so
    the host can read input back by name; it never travels over TN3270.
    """

    addr: int
    protected: bool = False
    numeric: bool = False
    intensified: bool = False
    hidden: bool = False
    modified: bool = False
    name: str | None = None
    # Extended highlighting (3270 SFE type 0x41): None = the front end's convention
    # (input fields underlined), "normal" = none, or "underscore", "reverse", "blink".
    highlight: str | None = None

    def attribute_bits(self) -> int:
        """The 6 meaningful bits of the 3270 attribute byte (before graphic conversion)."""
        bits = 0
        if self.protected:
            bits |= 0x20
        if self.numeric:
            bits |= 0x10
        if self.hidden:
            bits |= 0x0C
        elif self.intensified:
            bits |= 0x08
        if self.modified:
            bits |= 0x01
        return bits

    @classmethod
    def from_bits(cls, addr: int, bits: int, name: str | None = None) -> Field:
        display = bits & 0x0C
        return cls(
            addr=addr,
            protected=bool(bits & 0x20),
            numeric=bool(bits & 0x10),
            intensified=display == 0x08,
            hidden=display == 0x0C,
            modified=bool(bits & 0x01),
            name=name,
        )

    @property
    def skip(self) -> bool:
        """Protected and numeric together: an auto-skip field."""
        return self.protected and self.numeric

    @property
    def underlined(self) -> bool:
        """Whether front ends underline the field: input fields are, unless the host said otherwise."""
        if self.highlight is None:
            return not self.protected
        return self.highlight == "underscore"


def _clone(fld: Field) -> Field:
    """A shallow copy of a field (what `dataclasses.replace(fld)` gives, four times faster:
    screens are copied several times per AID key)."""
    new = object.__new__(Field)
    new.__dict__.update(fld.__dict__)
    return new


@dataclass
class Screen:
    """A 24x80 buffer with its fields and cursor.

    `chars` holds one character per position; attribute positions hold a blank.
    `fields` maps attribute addresses to `Field`.  Build screens with the `put`,
    `add_input` and `add_protected` helpers or from a screen map (`idrs_sim.terminal.screenmap`).
    """

    chars: list[str] = dc_field(default_factory=lambda: [" "] * SIZE)
    fields: dict[int, Field] = dc_field(default_factory=dict)
    cursor: int = 0

    # ---- construction -------------------------------------------------
    @classmethod
    def unformatted(cls, text: str = "", cursor: int = 0) -> Screen:
        """An unformatted screen (no fields), optionally with text from row 1."""
        scr = cls(cursor=cursor)
        for i, ch in enumerate(text[:SIZE]):
            scr.chars[i] = ch
        return scr

    def copy(self) -> Screen:
        return Screen(list(self.chars), {a: _clone(f) for a, f in self.fields.items()}, self.cursor)

    def put(self, row: int, col: int, text: str) -> None:
        """Write text at (row, col), clipped at the end of the row; attributes are kept."""
        start = address(row, col)
        for i, ch in enumerate(text[: COLS - col + 1]):
            a = start + i
            if a not in self.fields:
                self.chars[a] = ch

    def add_field(self, fld: Field) -> Field:
        self.fields[fld.addr] = fld
        self.chars[fld.addr] = " "
        return fld

    def add_input(
        self,
        row: int,
        col: int,
        length: int,
        name: str | None = None,
        value: str = "",
        numeric: bool = False,
        hidden: bool = False,
        intensified: bool = False,
    ) -> Field:
        """Add an unprotected field whose data starts at (row, col).

        Its attribute goes one position before (row, col) and, unless another attribute
        is already there, a protected stopper goes right after its last position, so the
        text that follows stays protected.  The stopper is deliberately not auto-skip:
        s3270 4.1 (Debian's) misplaces the cursor on auto-skip (x3270 issue #28), and
        every front end must behave the same, so a full field is left with Tab.
        """
        start = address(row, col)
        attr = (start - 1) % SIZE
        fld = self.add_field(Field(attr, numeric=numeric, hidden=hidden, intensified=intensified, name=name))
        stop = (start + length) % SIZE
        if stop not in self.fields:
            self.add_field(Field(stop, protected=True))
        self.set_text(fld, value)
        return fld

    def add_protected(self, row: int, col: int, length: int, intensified: bool = False, name: str | None = None) -> Field:
        """Protect `length` positions from (row, col) (its attribute goes one before)."""
        start = address(row, col)
        fld = self.add_field(Field((start - 1) % SIZE, protected=True, intensified=intensified, name=name))
        stop = (start + length) % SIZE
        if stop not in self.fields:
            self.add_field(Field(stop, protected=True))
        return fld

    # ---- queries --------------------------------------------------------
    @property
    def formatted(self) -> bool:
        return bool(self.fields)

    def sorted_fields(self) -> list[Field]:
        return [self.fields[a] for a in sorted(self.fields)]

    def field_at(self, addr: int) -> Field | None:
        """The field that position `addr` belongs to (None on an unformatted screen)."""
        if not self.fields:
            return None
        addr %= SIZE
        best = None
        for a in self.fields:
            if a <= addr and (best is None or a > best):
                best = a
        if best is None:  # wraps: the last attribute on the screen owns the top
            best = max(self.fields)
        return self.fields[best]

    def data_span(self, fld: Field) -> tuple[int, int]:
        """(first address, length) of a field's data: from after its attribute to the next
        attribute, wrapping at the end of the buffer.  Why not walk the cells: the cleared
        screen is one field of 1,919 positions, read several times on every AID key."""
        start = (fld.addr + 1) % SIZE
        attrs = sorted(self.fields)
        if not attrs:
            return start, SIZE
        i = bisect_left(attrs, start)
        nxt = attrs[i] if i < len(attrs) else attrs[0] + SIZE
        return start, min(nxt - start, SIZE)

    def data_addresses(self, fld: Field) -> list[int]:
        """Buffer addresses of a field's data, from after its attribute to the next attribute."""
        start, length = self.data_span(fld)
        if start + length <= SIZE:
            return list(range(start, start + length))
        return [(start + k) % SIZE for k in range(length)]

    def _data(self, fld: Field) -> str:
        start, length = self.data_span(fld)
        end = start + length
        if end <= SIZE:
            return "".join(self.chars[start:end])
        return "".join(self.chars[start:]) + "".join(self.chars[: end - SIZE])

    def text_of(self, fld: Field) -> str:
        """A field's data with trailing blanks and nulls removed."""
        return self._data(fld).replace("\0", " ").rstrip()

    def set_text(self, fld: Field, text: str) -> None:
        """Replace a field's data (padded with blanks, clipped to the field)."""
        start, length = self.data_span(fld)
        padded = text[:length].ljust(length)
        end = start + length
        if end <= SIZE:
            self.chars[start:end] = list(padded)
        else:
            self.chars[start:] = list(padded[: SIZE - start])
            self.chars[: end - SIZE] = list(padded[SIZE - start :])

    def field_named(self, name: str) -> Field | None:
        for f in self.fields.values():
            if f.name == name:
                return f
        return None

    def input_fields(self) -> list[Field]:
        return [f for f in self.sorted_fields() if not f.protected]

    def values(self) -> dict[str, str]:
        """The text of every named field, by name."""
        return {f.name: self.text_of(f) for f in self.fields.values() if f.name}

    def is_attribute(self, addr: int) -> bool:
        return addr % SIZE in self.fields

    # ---- text -----------------------------------------------------------
    def visible_char(self, addr: int) -> str:
        if addr in self.fields:
            return " "
        fld = self.field_at(addr)
        if fld is not None and fld.hidden:
            return " "
        ch = self.chars[addr]
        return " " if ch == "\0" else ch

    def row_text(self, row: int) -> str:
        """One row as shown: attribute positions, nulls and hidden fields' data are blank.

        Same result as `visible_char` position by position, but the field in force is
        looked up once per row and then carried along (the host reads the command
        lines of an unformatted screen on every Enter: 23 rows of 80 positions).
        """
        start = address(row, 1)
        chars = self.chars[start : start + COLS]
        fields = self.fields
        if not fields:
            return "".join(chars).replace("\0", " ")
        current = self.field_at(start)
        hidden = current is not None and current.hidden
        out = chars
        for i in range(COLS):
            fld = fields.get(start + i)
            if fld is not None:
                hidden = fld.hidden
                out[i] = " "
            elif hidden or out[i] == "\0":
                out[i] = " "
        return "".join(out)

    def lines(self) -> list[str]:
        """The 24 lines of 80 characters as a person sees them (hidden fields blank)."""
        return [self.row_text(r) for r in range(1, ROWS + 1)]

    def text(self) -> str:
        return "\n".join(self.lines())

    @property
    def message(self) -> str:
        """Line 24, the IDRS message line."""
        return self.row_text(MESSAGE_ROW).rstrip()
