"""Random keys on a signed-on terminal over the training master file never break it.

Whatever a trainee types (any text, any AID, locks, cursor anywhere), no exception
reaches the caller, the host never fails, and the screen stays a 24x80 3270 screen.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idrs_sim.simulator import Simulator
from idrs_sim.terminal.screen import COLS, ROWS, SIZE
from idrs_sim.terminal.terminal import TERMINAL_ERROR, Terminal

TRAINEE = "1485012345"

# Text a trainee might type: command codes, TINs, labels, junk, and characters no 3270 has.
WORDS = ["ENMOD", "IMFOLT", "TXMODA", "UPTIN", "REQ77", "REQ54", "SUMRY", "HELP", "SINOF", "UPDIS",
         "UPRES", "LETER", "AMS", "400-00-1001", "99-2000001", "30", "202312", "TC>", "MISC>", "C#,", "*"]
CODES = ["ENMOD", "IMFOLT", "IMFOLI", "TXMODA", "UPTIN", "UPDIS", "UPRES", "REQ77", "REQ54", "SUMRY", "ACTON",
         "LETER", "AMS", "HELP", "BMFOL", "IRPTR", "CFINK"]
TINS = ["400-00-1001", "400-00-1002", "99-2000001", "400001001", "000-00-0000"]
command_line = st.builds(lambda code, tin, rest: " ".join([code, tin, *rest]), st.sampled_from(CODES),
                         st.sampled_from(TINS), st.lists(st.sampled_from(["30", "01", "202312", "202606", "TC>971",
                                                                           "URC>0", "C#,REQ_FRZRLS,A,FRPI"]),
                                                          max_size=3))
text = st.one_of(st.sampled_from(WORDS), command_line, st.text(max_size=30),
                 st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ->,#*", max_size=40))

key = st.one_of(
    st.tuples(st.just("type_text"), text),
    st.tuples(st.just("command"), command_line),  # Clear, type, Enter: reach the handlers often
    st.tuples(st.sampled_from(["enter", "clear", "tab", "backtab", "home", "newline", "erase_eof", "erase_input",
                               "reset", "delete", "backspace", "toggle_insert", "cursor_up", "cursor_down",
                               "cursor_left", "cursor_right"])),
    st.tuples(st.just("pf"), st.integers(1, 24)),
    st.tuples(st.just("pa"), st.integers(1, 3)),
    st.tuples(st.just("move_cursor"), st.integers(1, ROWS), st.integers(1, COLS)),
)


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


def signed_on(sim: Simulator) -> Terminal:
    term = sim.new_terminal("FUZZ01")
    # sign on by setting the session state: scrypt per example would dominate the run time
    term.host.employee_idrs = TRAINEE  # type: ignore[attr-defined]
    term.clear()
    return term


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(key, max_size=40))
def test_random_keys_never_break_the_terminal(sim: Simulator, keys: list[tuple]) -> None:
    term = signed_on(sim)
    for name, *args in keys:
        if name == "command":
            term.reset()
            result = term.clear() and term.type_text(args[0]) and term.enter()
        else:
            result = getattr(term, name)(*args)
        assert isinstance(result, bool)
        scr = term.screen
        assert len(scr.chars) == SIZE and 0 <= scr.cursor < SIZE
        lines = scr.lines()
        assert len(lines) == ROWS and all(len(line) == COLS for line in lines)
        assert term.last_error is None, f"host failed after {name}{tuple(args)}: {term.last_error!r}"
        assert TERMINAL_ERROR not in scr.message
        assert "SYSTEM ERROR" not in scr.message, f"a handler failed after {name}{tuple(args)}"
