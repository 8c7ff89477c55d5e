"""The in-process 3270 terminal: editing keys, keyboard locks, AID events, Fill, rendering."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idrs_sim.terminal.aid import Aid, AidEvent
from idrs_sim.terminal.render import CURSOR_MARK, render_text, render_with_cursor
from idrs_sim.terminal.screen import COLS, ROWS, SIZE, Screen, address
from idrs_sim.terminal.terminal import (
    LOCK_NUM,
    LOCK_PROT,
    LOCK_SYSTEM,
    TERMINAL_ERROR,
    Status,
    Terminal,
)

# Field data positions of the sample form (1-origin row, col) and their lengths.
TIN = (1, 7, 9)
NAME = (2, 8, 10)
CODE = (3, 8, 3)


def form() -> Screen:
    """A small IDRS-like form: three labelled input fields, the rest protected."""
    scr = Screen()
    scr.add_protected(1, 2, 4)
    scr.put(1, 2, "TIN>")
    scr.add_input(*TIN, name="tin", numeric=True)
    scr.add_protected(2, 2, 5)
    scr.put(2, 2, "NAME>")
    scr.add_input(*NAME, name="name")
    scr.add_protected(3, 2, 5)
    scr.put(3, 2, "CODE>")
    scr.add_input(*CODE, name="code")
    scr.put(5, 2, "SSNTIN> glued label, not a TIN> label")
    scr.cursor = address(TIN[0], TIN[1])
    for row, col, length in (TIN, NAME, CODE):  # auto-skip stoppers: a full field moves on
        scr.fields[address(row, col) + length].numeric = True
    return scr


def test_a_plain_protected_stopper_does_not_auto_skip() -> None:
    """Without auto-skip (the IDRS maps' stoppers) a full field leaves the cursor just past
    the attribute (x3270 never leaves it on an attribute byte), and the next character is
    refused, as on a 3270 and in s3270 (tests/test_tn3270_s3270.py compares the two)."""
    scr = Screen()
    scr.add_input(1, 7, 3, name="a")
    scr.add_input(2, 7, 3, name="b")
    scr.cursor = address(1, 7)
    term = Terminal(FakeHost(first=lambda: scr))
    assert term.type_text("ABC")
    assert term.cursor == address(1, 11)
    assert not term.type_text("D")
    assert term.keyboard == "X PROT"


class FakeHost:
    """Records every AID event; answers with `answer(event)` (the same form by default)."""

    def __init__(self, first: Callable[[], Screen] = form, answer: Callable[[AidEvent], object] | None = None) -> None:
        self.first = first
        self.answer = answer or (lambda event: Screen.unformatted() if event.aid is Aid.CLEAR else form())
        self.events: list[AidEvent] = []
        self.terminal: Terminal | None = None
        self.locks_seen: list[str | None] = []

    def first_screen(self) -> Screen:
        return self.first()

    def handle(self, event: AidEvent) -> Screen:
        self.events.append(event)
        if self.terminal is not None:
            self.locks_seen.append(self.terminal.keyboard)
        return self.answer(event)  # type: ignore[return-value]


def at(row: int, col: int) -> int:
    return address(row, col)


def field(term: Terminal, name: str):
    fld = term.screen.field_named(name)
    assert fld is not None
    return fld


@pytest.fixture
def host() -> FakeHost:
    return FakeHost()


@pytest.fixture
def term(host: FakeHost) -> Terminal:
    t = Terminal(host)
    host.terminal = t
    return t


def unformatted_terminal(text: str = "") -> Terminal:
    return Terminal(FakeHost(first=lambda: Screen.unformatted(text), answer=lambda e: Screen.unformatted()))


# ---- start --------------------------------------------------------------------------
def test_shows_first_screen_with_its_cursor(term: Terminal) -> None:
    assert term.screen.row_text(1).startswith(" TIN>")
    assert term.cursor == at(1, 7)
    assert term.keyboard is None and term.insert_mode is False


def test_status_reports_operator_area(term: Terminal) -> None:
    assert term.status() == Status(keyboard=None, insert=False, row=1, col=7, formatted=True)
    term.toggle_insert()
    term.move_cursor(2, 1)
    term.type_text("X")
    status = term.status()
    assert status.keyboard == LOCK_PROT and status.insert
    assert status.line().startswith("X PROT") and "INSERT" in status.line() and status.line().endswith("002/001")


# ---- typing ---------------------------------------------------------------------------
def test_overwrite_typing_sets_text_mdt_and_cursor(term: Terminal) -> None:
    assert term.type_text("1234")
    assert term.screen.text_of(field(term, "tin")) == "1234"
    assert field(term, "tin").modified
    assert not field(term, "name").modified
    assert term.cursor == at(1, 11)
    term.move_cursor(1, 8)
    term.type_text("9")
    assert term.screen.text_of(field(term, "tin")) == "1934"


def test_filling_a_field_auto_advances_to_next_input_field(term: Terminal) -> None:
    assert term.type_text("123456789")
    assert term.cursor == at(2, 8)
    term.type_text("AB")
    assert term.screen.text_of(field(term, "name")) == "AB"


def test_auto_advance_from_last_field_wraps_to_first(term: Terminal) -> None:
    term.move_cursor(3, 8)
    term.type_text("XYZ")
    assert term.cursor == at(1, 7)


def test_typing_flows_over_field_boundary(term: Terminal) -> None:
    term.move_cursor(2, 16)
    assert term.type_text("ABCD")
    assert term.screen.text_of(field(term, "name")) == " " * 8 + "AB"
    assert term.screen.text_of(field(term, "code")) == "CD"


def test_insert_mode_shifts_right(term: Terminal) -> None:
    term.move_cursor(2, 8)
    term.type_text("ACD")
    term.move_cursor(2, 9)
    term.toggle_insert()
    assert term.type_text("B")
    assert term.screen.text_of(field(term, "name")) == "ABCD"
    assert term.cursor == at(2, 10)


def test_insert_into_full_field_is_refused_and_locks(term: Terminal) -> None:
    term.move_cursor(3, 8)
    term.type_text("XYZ")
    term.move_cursor(3, 8)
    term.toggle_insert()
    assert term.type_text("Q") is False
    assert term.keyboard == LOCK_PROT
    assert term.screen.text_of(field(term, "code")) == "XYZ"
    assert term.reset()
    assert term.keyboard is None and term.insert_mode is False
    assert term.type_text("Q")
    assert term.screen.text_of(field(term, "code")) == "QYZ"


def test_insert_fills_the_last_blank_then_advances(term: Terminal) -> None:
    term.move_cursor(3, 8)
    term.type_text("YZ")
    term.move_cursor(3, 8)
    term.toggle_insert()
    assert term.type_text("X")
    assert term.screen.text_of(field(term, "code")) == "XYZ"


@pytest.mark.parametrize("row,col", [(1, 2), (1, 6), (4, 40), (24, 80)])
def test_typing_on_protected_or_attribute_inhibits_until_reset(term: Terminal, row: int, col: int) -> None:
    before = term.screen.text()
    term.move_cursor(row, col)
    assert term.type_text("A") is False
    assert term.keyboard == LOCK_PROT
    assert term.screen.text() == before
    assert term.type_text("B") is False
    assert term.reset() and term.keyboard is None


def test_typing_stops_at_the_lock(term: Terminal) -> None:
    term.move_cursor(3, 10)
    assert term.type_text("Z12X3") is False  # Z fills CODE, 1 and 2 go to TIN, X locks
    assert term.keyboard == LOCK_NUM
    assert term.screen.values() == {"tin": "12", "name": "", "code": "  Z"}
    assert term.cursor == at(1, 9)


def test_numeric_field_accepts_digits_and_punctuation(term: Terminal) -> None:
    assert term.type_text("1.2-3, 4")
    assert term.screen.text_of(field(term, "tin")) == "1.2-3, 4"


def test_numeric_field_refuses_letters_until_reset(term: Terminal) -> None:
    assert term.type_text("12A3") is False
    assert term.keyboard == LOCK_NUM
    assert term.screen.text_of(field(term, "tin")) == "12"
    assert term.cursor == at(1, 9)
    term.reset()
    assert term.type_text("3")
    assert term.screen.text_of(field(term, "tin")) == "123"


def test_untypeable_characters_stop_typing_without_lock(term: Terminal) -> None:
    term.move_cursor(2, 8)
    assert term.type_text("É")  # in code page 037
    assert term.type_text("A中B") is False
    assert term.keyboard is None
    assert term.screen.text_of(field(term, "name")) == "ÉA"
    assert term.type_text("\n") is False
    assert term.type_text("") is True


def test_hidden_field_takes_input_but_is_not_shown() -> None:
    scr = Screen()
    scr.add_protected(1, 2, 9)
    scr.put(1, 2, "PASSWORD>")
    scr.add_input(1, 12, 8, name="pw", hidden=True)
    scr.cursor = at(1, 12)
    term = Terminal(FakeHost(first=lambda: scr))
    assert term.type_text("SECRET")
    assert term.field_value("PASSWORD") == "SECRET"
    assert "SECRET" not in render_text(term.screen)
    assert term.read_event(Aid.ENTER).modified == {at(1, 11): "SECRET"}


def test_unformatted_typing_flows_across_rows_and_wraps() -> None:
    term = unformatted_terminal()
    term.move_cursor(1, 79)
    assert term.type_text("ABCD")
    assert term.screen.row_text(1).endswith("AB")
    assert term.screen.row_text(2).startswith("CD")
    term.move_cursor(24, 80)
    term.type_text("YZ")
    assert term.screen.row_text(24)[-1] == "Y"
    assert term.screen.chars[0] == "Z"
    assert term.cursor == 1


# ---- AID keys ---------------------------------------------------------------------------
def test_enter_sends_cursor_and_modified_fields_only(term: Terminal, host: FakeHost) -> None:
    term.type_text("123456789")
    term.type_text("SMITH")
    assert term.enter()
    (event,) = host.events
    assert event.aid is Aid.ENTER
    assert event.cursor == at(2, 13)
    assert event.modified == {at(1, 6): "123456789", at(2, 7): "SMITH"}
    assert event.unformatted is None


def test_host_set_mdt_is_sent_even_if_untouched(host: FakeHost) -> None:
    def first() -> Screen:
        scr = form()
        scr.field_named("code").modified = True
        scr.set_text(scr.field_named("code"), "ABC")
        return scr

    host.first = first
    term = Terminal(host)
    term.enter()
    assert host.events[0].modified == {at(3, 7): "ABC"}


@pytest.mark.parametrize("n", range(1, 25))
def test_every_pf_key_reaches_host_with_data(term: Terminal, host: FakeHost, n: int) -> None:
    term.move_cursor(3, 8)
    term.type_text("AB")
    assert term.pf(n)
    (event,) = host.events
    assert event.aid is Aid.pf(n)
    assert event.cursor == at(3, 10)
    assert event.modified == {at(3, 7): "AB"}


@pytest.mark.parametrize("n", [1, 2, 3])
def test_pa_keys_are_short_reads(term: Terminal, host: FakeHost, n: int) -> None:
    term.move_cursor(3, 8)
    term.type_text("AB")
    assert term.pa(n)
    (event,) = host.events
    assert event == AidEvent(Aid.pa(n), at(3, 10))


@pytest.mark.parametrize("key", list(Aid))
def test_generic_aid_accepts_enum_and_name(key: Aid) -> None:
    host = FakeHost()
    term = Terminal(host)
    assert term.aid(key)
    assert term.aid(key.value)
    assert [e.aid for e in host.events] == [key, key]


def test_bad_pf_pa_numbers_are_errors(term: Terminal) -> None:
    with pytest.raises(ValueError):
        term.pf(25)
    with pytest.raises(ValueError):
        term.pa(0)
    with pytest.raises(ValueError):
        term.aid("PF99")


def test_clear_blanks_locally_and_sends_short_read(term: Terminal, host: FakeHost) -> None:
    seen: list[str] = []

    def answer(event: AidEvent) -> Screen:
        seen.append(term.screen.text())  # what the terminal showed while the host worked
        return Screen.unformatted()

    host.answer = answer
    term.type_text("123")
    assert term.clear()
    assert host.events == [AidEvent(Aid.CLEAR, 0)]
    assert seen[0].strip() == ""
    assert not term.screen.formatted
    assert term.cursor == 0
    assert term.screen.text().strip() == ""


def test_unformatted_aid_sends_whole_buffer() -> None:
    host = FakeHost(first=Screen.unformatted, answer=lambda e: Screen.unformatted())
    term = Terminal(host)
    term.type_text("TXMOD 123456789")
    term.enter()
    (event,) = host.events
    assert event.modified == {}
    assert event.unformatted is not None and len(event.unformatted) == SIZE
    assert event.unformatted.startswith("TXMOD 123456789 ")
    assert event.cursor == 15


def test_keyboard_shows_system_lock_while_host_works(term: Terminal, host: FakeHost) -> None:
    term.enter()
    assert host.locks_seen == [LOCK_SYSTEM]
    assert term.keyboard is None


def test_host_answer_replaces_screen_and_is_not_edited_in_place(term: Terminal, host: FakeHost) -> None:
    answer = Screen.unformatted("REQUEST COMPLETED", cursor=at(2, 1))
    host.answer = lambda e: answer
    term.enter()
    assert term.screen.row_text(1).startswith("REQUEST COMPLETED")
    assert term.cursor == at(2, 1)
    term.type_text("XX")
    assert answer.row_text(2).strip() == ""


def test_insert_mode_survives_an_aid(term: Terminal) -> None:
    term.toggle_insert()
    term.enter()
    assert term.insert_mode


def test_locked_keyboard_refuses_every_key_but_reset(term: Terminal, host: FakeHost) -> None:
    term.move_cursor(1, 1)
    term.type_text("A")
    assert term.keyboard == LOCK_PROT
    cursor, text = term.cursor, term.screen.text()
    refused = [
        term.enter, term.clear, lambda: term.pf(1), lambda: term.pa(1), lambda: term.aid(Aid.PF3),
        term.tab, term.backtab, term.home, term.newline, term.erase_eof, term.erase_input,
        term.backspace, term.delete, term.toggle_insert, term.cursor_up, term.cursor_down,
        term.cursor_left, term.cursor_right, lambda: term.move_cursor(2, 8),
        lambda: term.type_text("1"), lambda: term.fill("NAME", "X"),
    ]
    for key in refused:
        assert key() is False
    assert host.events == []
    assert (term.cursor, term.screen.text(), term.insert_mode) == (cursor, text, False)
    assert term.keyboard == LOCK_PROT
    assert term.reset()
    assert term.enter()


# ---- host failures ------------------------------------------------------------------------
def test_host_exception_becomes_line_24_message(term: Terminal, host: FakeHost, caplog) -> None:
    def boom(event: AidEvent) -> Screen:
        raise RuntimeError("database is gone")

    host.answer = boom
    term.type_text("123")
    with caplog.at_level(logging.ERROR):
        assert term.enter() is False
    assert term.screen.message == TERMINAL_ERROR
    assert term.screen.text_of(field(term, "tin")) == "123"
    assert term.cursor == at(1, 10)
    assert term.keyboard is None
    assert isinstance(term.last_error, RuntimeError)
    assert "database is gone" in caplog.text
    host.answer = lambda e: form()
    assert term.enter() and term.last_error is None
    assert term.screen.message == ""


@pytest.mark.parametrize("bad", [None, "screen", Screen(chars=[" "] * 10), Screen(cursor="x")])  # type: ignore[arg-type]
def test_host_answering_garbage_is_an_error_screen(term: Terminal, host: FakeHost, bad: object) -> None:
    host.answer = lambda e: bad
    assert term.enter() is False
    assert term.screen.message == TERMINAL_ERROR
    assert len(term.screen.chars) == SIZE


def test_clear_with_failing_host_keeps_blank_screen_with_message(term: Terminal, host: FakeHost) -> None:
    host.answer = lambda e: 1 / 0
    assert term.clear() is False
    assert not term.screen.formatted
    assert term.screen.message == TERMINAL_ERROR


def test_failing_first_screen_shows_message() -> None:
    def first() -> Screen:
        raise OSError("no master file")

    term = Terminal(FakeHost(first=first))
    assert term.screen.message == TERMINAL_ERROR
    assert isinstance(term.last_error, OSError)


# ---- movement --------------------------------------------------------------------------------
def test_tab_visits_input_fields_and_wraps(term: Terminal) -> None:
    stops = []
    for _ in range(4):
        term.tab()
        stops.append(term.cursor)
    assert stops == [at(2, 8), at(3, 8), at(1, 7), at(2, 8)]


def test_tab_from_middle_of_field_goes_to_next_field(term: Terminal) -> None:
    term.move_cursor(2, 12)
    term.tab()
    assert term.cursor == at(3, 8)


def test_backtab_goes_to_field_start_then_previous_and_wraps(term: Terminal) -> None:
    term.move_cursor(2, 12)
    term.backtab()
    assert term.cursor == at(2, 8)
    term.backtab()
    assert term.cursor == at(1, 7)
    term.backtab()
    assert term.cursor == at(3, 8)
    term.move_cursor(10, 1)
    term.backtab()
    assert term.cursor == at(3, 8)


def test_tab_without_input_fields_goes_home_to_zero() -> None:
    scr = Screen()
    scr.add_protected(1, 2, 10)
    term = Terminal(FakeHost(first=lambda: scr))
    term.move_cursor(5, 5)
    term.tab()
    assert term.cursor == 0
    term.move_cursor(5, 5)
    term.backtab()
    assert term.cursor == 0
    term.move_cursor(5, 5)
    term.home()
    assert term.cursor == 0


def test_tab_and_home_on_unformatted_screen_go_to_zero() -> None:
    term = unformatted_terminal()
    for key in (term.tab, term.backtab, term.home):
        term.move_cursor(7, 7)
        key()
        assert term.cursor == 0


def test_home_goes_to_first_input_field(term: Terminal) -> None:
    term.move_cursor(20, 20)
    assert term.home()
    assert term.cursor == at(1, 7)


def test_home_finds_a_field_whose_attribute_is_the_last_buffer_position() -> None:
    """As x3270: a field at row 1 column 1 has its attribute byte at (24,80), and Home goes
    to it (FRM77's line 1; a review found the model at TC> and s3270 at (1,1))."""
    scr = Screen()
    scr.add_input(1, 1, 40, name="line1")
    scr.add_input(4, 5, 3, name="tc")
    term = Terminal(FakeHost(first=lambda: scr))
    term.move_cursor(4, 6)
    assert term.home()
    assert term.cursor == 0


def test_newline_goes_to_first_input_at_or_after_next_row(term: Terminal) -> None:
    term.move_cursor(1, 50)
    term.newline()
    assert term.cursor == at(2, 8)
    term.newline()
    assert term.cursor == at(3, 8)
    term.newline()  # no input after row 4: wraps to the first field
    assert term.cursor == at(1, 7)


def test_newline_lands_on_row_start_inside_an_input_field() -> None:
    scr = Screen()
    scr.add_protected(1, 2, 3)
    scr.add_input(1, 70, 20, name="long")  # runs on to row 2, col 9
    scr.add_input(3, 2, 5, name="attr_at_col_1")
    term = Terminal(FakeHost(first=lambda: scr))
    term.move_cursor(1, 1)
    term.newline()
    assert term.cursor == at(2, 1)
    term.newline()
    assert term.cursor == at(3, 2)


def test_newline_on_unformatted_screen_and_from_last_row() -> None:
    term = unformatted_terminal()
    term.move_cursor(4, 30)
    term.newline()
    assert term.cursor == at(5, 1)
    term.move_cursor(24, 30)
    term.newline()
    assert term.cursor == 0


@pytest.mark.parametrize(
    "start,key,expected",
    [
        ((1, 1), "cursor_left", (24, 80)),
        ((24, 80), "cursor_right", (1, 1)),
        ((1, 5), "cursor_up", (24, 5)),
        ((24, 5), "cursor_down", (1, 5)),
        ((3, 1), "cursor_left", (2, 80)),
        ((2, 80), "cursor_right", (3, 1)),
        ((10, 10), "cursor_up", (9, 10)),
        ((10, 10), "cursor_down", (11, 10)),
    ],
)
def test_cursor_arrows_wrap(term: Terminal, start, key: str, expected) -> None:
    term.move_cursor(*start)
    assert getattr(term, key)()
    assert term.cursor == at(*expected)


def test_move_cursor_is_one_origin_and_checked(term: Terminal) -> None:
    term.move_cursor(1, 1)
    assert term.cursor == 0
    term.move_cursor(24, 80)
    assert term.cursor == SIZE - 1
    for bad in [(0, 1), (1, 0), (25, 1), (1, 81)]:
        with pytest.raises(ValueError):
            term.move_cursor(*bad)


# ---- erasing -----------------------------------------------------------------------------------
def test_erase_eof_clears_rest_of_field(term: Terminal) -> None:
    term.move_cursor(2, 8)
    term.type_text("ABCDEFGHIJ")
    field(term, "name").modified = False
    term.move_cursor(2, 11)
    assert term.erase_eof()
    assert term.screen.text_of(field(term, "name")) == "ABC"
    assert field(term, "name").modified
    assert term.cursor == at(2, 11)
    assert term.screen.row_text(3).startswith(" CODE>")


def test_erase_eof_on_protected_locks(term: Terminal) -> None:
    term.move_cursor(2, 3)
    assert term.erase_eof() is False
    assert term.keyboard == LOCK_PROT
    assert term.screen.row_text(2).startswith(" NAME>")


def test_erase_eof_unformatted_clears_to_end_of_screen() -> None:
    term = unformatted_terminal("X" * SIZE)
    term.move_cursor(2, 41)
    term.erase_eof()
    assert term.screen.row_text(1) == "X" * COLS
    assert term.screen.row_text(2) == "X" * 40 + " " * 40
    assert all(term.screen.row_text(r).strip() == "" for r in range(3, ROWS + 1))


def test_erase_input_clears_unprotected_fields_and_mdts(term: Terminal) -> None:
    term.type_text("123456789")
    term.type_text("SMITH")
    term.move_cursor(12, 12)
    assert term.erase_input()
    assert term.screen.values() == {"tin": "", "name": "", "code": ""}
    assert not any(f.modified for f in term.screen.fields.values())
    assert term.cursor == at(1, 7)
    assert term.screen.row_text(1).startswith(" TIN>")


def test_erase_input_unformatted_clears_everything() -> None:
    term = unformatted_terminal("HELLO")
    term.move_cursor(3, 3)
    term.erase_input()
    assert term.screen.text().strip() == ""
    assert term.cursor == 0


def test_delete_pulls_rest_of_field_left(term: Terminal) -> None:
    term.move_cursor(2, 8)
    term.type_text("ABXCD")
    term.move_cursor(2, 10)
    assert term.delete()
    assert term.screen.text_of(field(term, "name")) == "ABCD"
    assert term.cursor == at(2, 10)
    assert term.screen.is_attribute(at(2, 18))


def test_delete_at_last_position_blanks_it(term: Terminal) -> None:
    term.move_cursor(3, 8)
    term.type_text("XYZ")
    term.move_cursor(3, 10)
    term.delete()
    assert term.screen.text_of(field(term, "code")) == "XY"


def test_backspace_erases_left_and_stops_at_field_start(term: Terminal) -> None:
    term.move_cursor(2, 8)
    term.type_text("ABC")
    term.move_cursor(2, 9)
    assert term.backspace()
    assert term.screen.text_of(field(term, "name")) == "BC"
    assert term.cursor == at(2, 8)
    assert term.backspace() is False
    assert term.keyboard is None
    assert term.screen.text_of(field(term, "name")) == "BC"


def test_backspace_and_delete_on_protected_lock(term: Terminal) -> None:
    term.move_cursor(5, 5)
    assert term.delete() is False
    assert term.keyboard == LOCK_PROT
    term.reset()
    assert term.backspace() is False
    assert term.keyboard == LOCK_PROT


def test_unformatted_backspace_delete_and_insert_work_within_the_row() -> None:
    term = unformatted_terminal("ABCD")
    term.move_cursor(1, 3)
    assert term.backspace()
    assert term.screen.row_text(1).startswith("ACD ")
    term.toggle_insert()
    term.type_text("B")
    assert term.screen.row_text(1).startswith("ABCD ")
    term.move_cursor(1, 1)
    term.delete()
    assert term.screen.row_text(1).startswith("BCD ")
    term.move_cursor(1, 1)
    assert term.backspace() is False


# ---- Fill ------------------------------------------------------------------------------------------
def test_fill_erases_and_types_into_labelled_field(term: Terminal) -> None:
    term.move_cursor(2, 8)
    term.type_text("OLDNAMEXYZ")
    assert term.fill("NAME", "JONES")
    assert term.screen.text_of(field(term, "name")) == "JONES"
    assert term.field_value("NAME") == "JONES"
    assert term.cursor == at(2, 13)
    assert term.fill("TIN>", "123456789")  # a trailing '>' in the label is tolerated
    assert term.field_value("TIN") == "123456789"


def test_fill_finds_field_on_a_later_row() -> None:
    scr = Screen()
    scr.add_protected(1, 2, 40)
    scr.put(1, 2, "ENTER THE TAX PERIOD BELOW  PERIOD>")
    scr.add_input(2, 10, 6, name="period")
    term = Terminal(FakeHost(first=lambda: scr))
    term.fill("PERIOD", "202312")
    assert term.screen.values()["period"] == "202312"


def test_fill_unknown_label_is_lookup_error(term: Terminal) -> None:
    with pytest.raises(LookupError, match="ADDRESS>"):
        term.fill("ADDRESS", "X")
    with pytest.raises(LookupError):
        term.field_value("ADDRESS")


def test_fill_label_without_following_field_is_lookup_error(term: Terminal) -> None:
    with pytest.raises(LookupError, match="no input field after"):
        term.fill("SSNTIN", "1")  # protected text on row 5, no input field after it


def test_fill_label_must_not_be_glued_to_a_word() -> None:
    scr = Screen()
    scr.add_protected(1, 2, 7)
    scr.put(1, 2, "SSNTIN>")
    scr.add_input(1, 10, 9)
    term = Terminal(FakeHost(first=lambda: scr))
    with pytest.raises(LookupError, match="no protected text 'TIN>'"):
        term.fill("TIN", "1")
    assert term.fill("SSNTIN", "1")


def test_fill_needs_the_field_right_after_the_label() -> None:
    """CONTRACT §2: the field that follows `LABEL>`; a label shown with its value as protected
    text (`MFT>30`) has none, and the next label's field is not it (found by a review: Fill
    typed into `TC>`)."""
    scr = Screen()
    scr.add_protected(1, 2, 30)
    scr.put(1, 2, "MFT>30  TXPRD>202312")
    scr.add_protected(2, 2, 3)
    scr.put(2, 2, "TC>")
    scr.add_input(2, 6, 3, name="tc")
    term = Terminal(FakeHost(first=lambda: scr))
    with pytest.raises(LookupError, match="no input field after the protected text 'MFT>'"):
        term.fill("MFT", "505")
    assert term.screen.values()["tc"] == ""
    term.fill("TC", "971")
    assert term.screen.values()["tc"] == "971"


def test_fill_label_is_not_the_tail_of_a_compound_label() -> None:
    scr = Screen()
    scr.add_protected(1, 2, 9)
    scr.put(1, 2, "TRANS-DT>")
    scr.add_input(1, 12, 8, name="trans")
    term = Terminal(FakeHost(first=lambda: scr))
    with pytest.raises(LookupError, match="no protected text 'DT>'"):
        term.fill("DT", "01012024")
    term.fill("TRANS-DT", "01012024")
    assert term.screen.values()["trans"] == "01012024"


def test_fill_does_not_match_label_typed_into_an_input_field(term: Terminal) -> None:
    term.move_cursor(2, 8)
    term.type_text("ZIP>")
    with pytest.raises(LookupError):
        term.fill("ZIP", "1")


def test_fill_on_unformatted_screen_is_lookup_error() -> None:
    term = unformatted_terminal("NAME> ")
    with pytest.raises(LookupError):
        term.fill("NAME", "X")


def test_fill_value_too_long_is_value_error(term: Terminal) -> None:
    with pytest.raises(ValueError, match="longer than the field"):
        term.fill("CODE", "ABCD")
    assert term.field_value("CODE") == ""


def test_fill_into_numeric_field_with_letters_locks(term: Terminal) -> None:
    assert term.fill("TIN", "12X") is False
    assert term.keyboard == LOCK_NUM


# ---- rendering ------------------------------------------------------------------------------------
def test_render_text_is_24_lines_of_80(term: Terminal) -> None:
    lines = render_text(term.screen).split("\n")
    assert len(lines) == ROWS and all(len(line) == COLS for line in lines)
    assert lines[0].startswith(" TIN>")


def test_render_text_can_mark_cursor(term: Terminal) -> None:
    term.move_cursor(4, 10)
    lines = render_text(term.screen, cursor=True).split("\n")
    assert lines[3][9] == CURSOR_MARK
    assert len(lines[3]) == COLS
    assert render_text(term.screen).split("\n")[3][9] == " "


def test_render_with_cursor_has_ruler_row_numbers_and_caret(term: Terminal) -> None:
    term.move_cursor(2, 8)
    out = render_with_cursor(term.screen).split("\n")
    assert out[0].rstrip("|").endswith("8") and "1" in out[0]
    assert out[1] == "  |" + "1234567890" * 8 + "|"
    assert out[2].startswith("01| TIN>")
    assert out[3].startswith("02| NAME>")
    caret = out[4]
    assert caret.index("^") == out[3].index("|") + 8
    assert "02,008" in caret
    assert len(out) == 2 + ROWS + 1


# ---- anything goes ------------------------------------------------------------------------------------
KEYS = [
    "enter", "clear", "tab", "backtab", "home", "newline", "erase_eof", "erase_input",
    "backspace", "delete", "toggle_insert", "reset", "cursor_up", "cursor_down",
    "cursor_left", "cursor_right",
]

actions = st.one_of(
    st.tuples(st.sampled_from(KEYS)),
    st.tuples(st.just("type_text"), st.text(st.characters(codec="cp037"), max_size=30) | st.text(max_size=10)),
    st.tuples(st.just("pf"), st.integers(1, 24)),
    st.tuples(st.just("pa"), st.integers(1, 3)),
    st.tuples(st.just("aid"), st.sampled_from(list(Aid))),
    st.tuples(st.just("move_cursor"), st.integers(1, ROWS), st.integers(1, COLS)),
    st.tuples(st.just("fill"), st.sampled_from(["TIN", "NAME", "CODE", "NOPE"]), st.text(max_size=12)),
    st.tuples(st.just("field_value"), st.sampled_from(["TIN", "NAME", "NOPE"])),
)


def random_answer(kind: str) -> Callable[[AidEvent], object]:
    """Hosts of every temper: forms, unformatted screens, failures."""
    def answer(event: AidEvent) -> object:
        if kind == "raise":
            raise RuntimeError("host bug")
        if kind == "unformatted" or event.aid is Aid.CLEAR:
            return Screen.unformatted("ENTER COMMAND")
        return form()
    return answer


@settings(max_examples=200, deadline=None)
@given(
    script=st.lists(actions, max_size=40),
    kind=st.sampled_from(["form", "unformatted", "raise"]),
)
def test_random_key_sequences_never_raise(script, kind: str) -> None:
    logging.getLogger("idrs_sim.terminal.terminal").disabled = True
    try:
        term = Terminal(FakeHost(answer=random_answer(kind)))
        for name, *args in script:
            try:
                result = getattr(term, name)(*args)
            except (LookupError, ValueError):
                assert name in ("fill", "field_value")
                continue
            assert result is None or isinstance(result, (bool, str))
            assert len(term.screen.chars) == SIZE
            assert all(isinstance(c, str) and len(c) == 1 for c in term.screen.chars)
            assert 0 <= term.cursor < SIZE
            assert term.keyboard in (None, LOCK_PROT, LOCK_NUM)
        lines = render_text(term.screen, cursor=True).split("\n")
        assert len(lines) == ROWS and all(len(line) == COLS for line in lines)
        assert len(render_with_cursor(term.screen).split("\n")) == 2 + ROWS + 1
    finally:
        logging.getLogger("idrs_sim.terminal.terminal").disabled = False
