"""A field's data span (issue 19, command latency): the bisect over attribute addresses gives
exactly what walking the buffer cell by cell gives, for any layout, wrapping included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from idrs_sim.terminal.screen import COLS, ROWS, SIZE, Field, Screen
from idrs_sim.terminal.session_screen import command_lines


def _walked(scr: Screen, fld: Field) -> list[int]:
    """The cell-by-cell definition: after the attribute up to the next one, at most SIZE."""
    addrs: list[int] = []
    a = (fld.addr + 1) % SIZE
    while a not in scr.fields and len(addrs) < SIZE:
        addrs.append(a)
        a = (a + 1) % SIZE
    return addrs


def _screen(attrs: list[int], text: str) -> Screen:
    scr = Screen.unformatted(text)
    for a in attrs:
        scr.add_field(Field(a, name=f"F{a}"))
    return scr


layouts = st.lists(st.integers(0, SIZE - 1), min_size=1, max_size=12, unique=True)
texts = st.text(alphabet="AB \0", max_size=SIZE)


@settings(max_examples=300, deadline=None)
@given(layouts, texts, st.text(alphabet="XYZ ", max_size=SIZE + 5))
def test_span_read_and_write_match_the_cell_walk(attrs: list[int], text: str, typed: str) -> None:
    scr = _screen(attrs, text)
    for fld in list(scr.fields.values()):
        walked = _walked(scr, fld)
        assert scr.data_addresses(fld) == walked
        assert scr.text_of(fld) == "".join(scr.chars[a] for a in walked).replace("\0", " ").rstrip()
        before = list(scr.chars)
        scr.set_text(fld, typed)
        expected = list(before)
        for i, a in enumerate(walked):
            expected[a] = typed[i] if i < len(typed) else " "
        assert scr.chars == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, SIZE - 1), layouts, texts)
def test_command_lines_match_the_cell_walk(cmd_at: int, others: list[int], text: str) -> None:
    scr = _screen([a for a in others if a != cmd_at], text)
    cmd = scr.add_field(Field(cmd_at, name="COMMAND"))
    rows: dict[int, list[str]] = {}
    for a in _walked(scr, cmd):
        if a // COLS < ROWS - 1:
            rows.setdefault(a // COLS, []).append(scr.chars[a])
    lines = ["".join(c).replace("\0", " ").rstrip() for _, c in sorted(rows.items())]
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    start = (cmd.addr + 1) % SIZE
    assert command_lines(scr) == (lines or [""], start if start < COLS else 0)


def test_a_screen_without_attributes_spans_the_whole_buffer() -> None:
    scr = Screen.unformatted("ABC")
    assert scr.data_span(Field(5)) == (6, SIZE)
