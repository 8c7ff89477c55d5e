"""Screen maps: pictures of 24x80 screens, read from `screens/*.map`, filled with data.

A map file looks like the screen it describes, so a trainer can read it without Python:

    # comment lines before the first `---` are ignored
    ---
    FRM77 {tin        } {m} {period}
    TC>[tc ]  TC971/151>[ac ]  MISC>[misc                  ]
    ---
    m = mft
    tc = TC numeric
    ac = TC971/151 numeric
    list = 8-22
    command = yes

Between the two `---` lines is the picture, row 1 first.  In it:

* ``{name   }`` is an output slot: the braces and everything between them are the
  slot's width; the value is written left-justified (``right`` in the legend
  right-justifies it) and clipped.
* ``[name  ]`` is an input (unprotected) field: the ``[`` is the field's attribute
  position and shows as a blank, the data runs to just before ``]``, and ``]`` is the
  protected attribute that ends it.
* Everything else is literal, protected text.

After the picture comes the legend: ``key = NAME [numeric] [hidden] [right]
[intensified]`` renames a slot whose key is too short to say it (input fields are
named by their IDRS label, e.g. ``TC971/151``, so the host reads them back by label);
``list = R1-R2`` says which rows carry the list lines of a paged display (the last of
them is kept for the "CONTINUED" literal); ``command = no`` turns off the command line.

Row 1 is the command line: an unprotected field over columns 1-79 where the user
overtypes the next command, as on IDRS.  Row 24 is the message line (protected,
intensified).  The map's row-1 slots are written into the command line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import overload

from ..resources import data_dir
from .screen import COLS, ROWS, SIZE, Field, Screen, address

_SLOT = re.compile(r"\{([^{}]*)\}|\[([^\[\]]*)\]")
_FLAGS = {"numeric", "hidden", "right", "intensified"}


class MapError(ValueError):
    """A screen map file that cannot be read; names the file and line."""


@dataclass(frozen=True)
class Slot:
    name: str
    row: int  # 1-origin
    col: int  # 1-origin first data column
    width: int
    is_input: bool
    numeric: bool = False
    hidden: bool = False
    right: bool = False
    intensified: bool = False


@dataclass
class ScreenMap:
    """A parsed map: literal picture text, slots, the list rows and the command-line flag."""

    name: str
    literal: list[str]
    slots: list[Slot]
    list_rows: tuple[int, int] | None = None
    command_line: bool = True
    source: str = ""

    @property
    def list_capacity(self) -> int:
        """How many list lines one page holds (the last list row carries CONTINUED)."""
        if not self.list_rows:
            return 0
        return self.list_rows[1] - self.list_rows[0]

    @cached_property
    def _picture(self) -> tuple[str, ...]:
        """The literal text as a 1920-position buffer (built once; every render copies it)."""
        chars = [" "] * SIZE
        for r, text in enumerate(self.literal, start=1):
            if text:
                base = address(r, 1)
                clipped = text[:COLS]
                chars[base : base + len(clipped)] = clipped
        return tuple(chars)

    def slot(self, name: str) -> Slot | None:
        for s in self.slots:
            if s.name == name:
                return s
        return None

    # ---- filling -------------------------------------------------------
    def render(
        self,
        values: Mapping[str, object] | None = None,
        lines: list[str] | None = None,
        continued: str | None = None,
        message: str = "",
    ) -> Screen:
        """One screen: literal text, slot values, list lines, the CONTINUED literal and line 24."""
        values = values or {}
        scr = Screen(chars=list(self._picture))
        if self.command_line:
            scr.add_field(Field(SIZE - 1, name="COMMAND"))  # data from row 1 col 1
            scr.add_field(Field(address(1, COLS), protected=True))
        else:
            scr.add_field(Field(SIZE - 1, protected=True))
        scr.add_field(Field(address(ROWS - 1, COLS), protected=True, intensified=True, name="MESSAGE"))
        for s in self.slots:
            value = values.get(s.name)
            text = "" if value is None else str(value)
            text = text.rjust(s.width) if s.right else text
            text = text[: s.width]
            if s.is_input:
                scr.add_input(s.row, s.col, s.width, name=s.name, value=text, numeric=s.numeric, hidden=s.hidden,
                              intensified=s.intensified)
            else:
                base = address(s.row, s.col)
                scr.chars[base : base + s.width] = text.ljust(s.width)
        if self.list_rows and lines:
            first, last = self.list_rows
            for i, line in enumerate(lines[: self.list_capacity]):
                _write_row(scr, first + i, line)
        if continued and self.list_rows:
            _write_row(scr, self.list_rows[1], continued)
        _write_row(scr, ROWS, message)
        first_input = next((f for f in scr.input_fields() if f.name != "COMMAND"), None)
        scr.cursor = (first_input.addr + 1) % SIZE if first_input else _after_command(scr)
        return scr

    def pages(
        self,
        values: dict[str, object],
        lines: list[str],
        continued: str,
        message: str = "",
    ) -> Pages:
        """Split list lines over as many screens as they need (PF8 forward, PF7 back).

        Each screen is drawn when first shown: most displays are read on their first
        page, and drawing every page up front was a tenth of a long TXMOD's Enter key.
        """
        return Pages(self, values, lines, continued, message)


class Pages(Sequence[Screen]):
    """The screens of one display, drawn on first use and kept."""

    def __init__(self, smap: ScreenMap, values: dict[str, object], lines: list[str], continued: str,
                 message: str) -> None:
        self._map, self._values, self._lines, self._continued, self._message = smap, values, lines, continued, message
        cap = smap.list_capacity
        self._cap = cap if cap and len(lines) > cap else 0
        self._starts = page_starts(lines, self._cap) if self._cap else [0]
        self._drawn: dict[int, Screen] = {}

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> Screen: ...
    @overload
    def __getitem__(self, index: slice) -> list[Screen]: ...

    def __getitem__(self, index: int | slice) -> Screen | list[Screen]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        if index not in self._drawn:
            self._drawn[index] = self._draw(index, n)
        return self._drawn[index]

    def _draw(self, index: int, n: int) -> Screen:
        if not self._cap:  # one page: a paged map still says so (PAGE>001/001)
            values = {"page": "001/001", **self._values} if self._map.list_rows else self._values
            return self._map.render(values, self._lines, None, self._message)
        end = self._starts[index + 1] if index < n - 1 else len(self._lines)
        chunk = self._lines[self._starts[index] : end]
        more = self._continued if index < n - 1 else None
        page_values = dict(self._values, page=f"{index + 1:03d}/{n:03d}")
        return self._map.render(page_values, chunk, more, self._message)


def is_heading(line: str) -> bool:
    """A section heading in a display's list lines: ``--- POSTED TRANSACTIONS ---``."""
    text = line.strip()
    return len(text) > 6 and text.startswith("--- ") and text.endswith(" ---")


def page_starts(lines: Sequence[str], cap: int) -> list[int]:
    """Where each page of a paged display starts: `cap` lines a page, except that a section
    heading is never left at the foot of a page without its lines.

    A heading keeps the first two lines after it (its column header and first entry, or
    its only line, such as ``NONE``) on its own page; when they do not fit, the page ends
    before the heading and the heading opens the next page.  A page is never left empty.
    """
    starts = [0]
    while len(lines) - starts[-1] > cap:
        start = starts[-1]
        end = start + cap
        for h in range(end - 1, max(start, end - 3) - 1, -1):
            if not is_heading(lines[h]):
                continue
            section_end = next((i for i in range(h + 1, len(lines)) if is_heading(lines[i])), len(lines))
            needs = min(2, section_end - h - 1)
            if h + needs >= end and h > start:
                end = h
            break
        starts.append(end)
    return starts


def _after_command(scr: Screen) -> int:
    """A display without input fields leaves the cursor in the command line right after the
    echoed command (``ENMOD 400-00-1001_``): in an input field and never at address 0, so
    x3270-family tools (s3270 ``Wait(InputField)``, py3270 ``wait_for_field``) see the
    screen as ready for input.  Address 0 only when line 1 is empty."""
    cmd = scr.field_named("COMMAND")
    if cmd is None:
        return 0
    data = scr.data_addresses(cmd)
    typed = [a for a in data if a < COLS and scr.chars[a] not in (" ", "\0")]
    if not typed:
        return 0
    return min(typed[-1] + 1, data[-1])


def _write_row(scr: Screen, row: int, text: str) -> None:
    """Columns 1-79 of `row` (column 80 may hold an attribute), attribute positions kept."""
    base, end = address(row, 1), address(row, 1) + COLS - 1
    out = list(text[: COLS - 1].ljust(COLS - 1))
    chars = scr.chars
    for a in scr.fields:
        if base <= a < end:
            out[a - base] = chars[a]
    chars[base:end] = out


def parse_map(text: str, name: str, source: str = "") -> ScreenMap:
    """Read a map file's text (see the module docstring for the format)."""
    raw = text.split("\n")
    marks = [i for i, line in enumerate(raw) if line.rstrip() == "---"]
    if len(marks) < 2:
        raise MapError(f"{source or name}: a map needs a picture between two '---' lines")
    picture = raw[marks[0] + 1 : marks[1]]
    legend_lines = raw[marks[1] + 1 :]
    if len(picture) > ROWS:
        raise MapError(f"{source or name}: the picture has {len(picture)} rows; a screen has {ROWS}")
    legend: dict[str, tuple[str, set[str]]] = {}
    list_rows = None
    command_line = True
    for n, line in enumerate(legend_lines, start=marks[1] + 2):
        line = line.split("#", 1)[0].strip() if not line.strip().startswith("#") else ""
        if not line:
            continue
        if "=" not in line:
            raise MapError(f"{source or name}:{n}: legend lines read 'key = NAME [flags]'")
        key, rest = (p.strip() for p in line.split("=", 1))
        if key == "list":
            m = re.fullmatch(r"(\d+)-(\d+)", rest)
            if not m:
                raise MapError(f"{source or name}:{n}: list = FIRST-LAST rows")
            list_rows = (int(m.group(1)), int(m.group(2)))
            continue
        if key == "command":
            command_line = rest.lower() in ("yes", "true", "on")
            continue
        words = rest.split()
        flags = {w.lower() for w in words[1:]}
        if not words or not flags <= _FLAGS:
            raise MapError(f"{source or name}:{n}: unknown legend flag in {rest!r}")
        legend[key] = (words[0], flags)
    literal: list[str] = []
    slots: list[Slot] = []
    for r, line in enumerate(picture, start=1):
        if len(line) > COLS:
            raise MapError(f"{source or name}: picture row {r} is {len(line)} columns wide; a screen has {COLS}")
        out = list(line)
        for m in _SLOT.finditer(line):
            inner = m.group(1) if m.group(1) is not None else m.group(2)
            key = inner.strip().split(" ")[0] if inner.strip() else ""
            if not key:
                raise MapError(f"{source or name}: empty slot on picture row {r}")
            slot_name, flags = legend.get(key, (key, set()))
            is_input = m.group(2) is not None
            if is_input:
                col, width = m.start() + 2, len(inner)
                if m.start() == 0 and r == 1:
                    raise MapError(f"{source or name}: an input field cannot start at row 1 column 1")
            else:
                col, width = m.start() + 1, len(inner) + 2
            slots.append(Slot(slot_name, r, col, width, is_input, "numeric" in flags, "hidden" in flags,
                              "right" in flags, "intensified" in flags))
            for i in range(m.start(), m.end()):
                out[i] = " "
        literal.append("".join(out).rstrip())
    return ScreenMap(name, literal, slots, list_rows, command_line, source)


@cache
def load_map(name: str) -> ScreenMap:
    """The map `screens/<name>.map` (cached: maps are read once per process)."""
    path: Path = data_dir("screens") / f"{name.lower()}.map"
    if not path.is_file():
        raise MapError(f"no screen map named {name!r} ({path})")
    return parse_map(path.read_text(encoding="utf-8"), name.upper(), str(path))
