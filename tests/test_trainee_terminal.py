"""Where the cursor and the `*` go, so a trainee is never left guessing (issue 23)."""

from __future__ import annotations

from idrs_sim.terminal.screen import SIZE, address
from idrs_sim.terminal.session import cleared_screen
from idrs_sim.testing import IdrsTest

TRAINEE = "1485012345"


def test_after_a_wrong_password_the_cursor_is_back_on_the_employee_number() -> None:
    with IdrsTest() as sim:
        t = sim.terminal
        t.type_text(TRAINEE)
        t.tab()
        t.type_text("wrong")
        t.enter()
        assert sim.message.startswith("INVALID PASSWORD - 2 ATTEMPTS REMAINING")
        assert (t.status().row, t.status().col) == (6, 23)  # EMPLOYEE NUMBER>, its first position
        assert sim.field("EMPLOYEE NUMBER") == TRAINEE  # kept
        assert t.screen.text_of(t.screen.field_named("PASSWORD")) == ""  # cleared
        assert sim.line(7)[5:].rstrip().endswith("*")  # the bad field is marked
        # what a trainee does next: number, Tab, password, Enter
        assert t.type_text(TRAINEE) and t.tab() and t.type_text("train123")
        assert t.keyboard is None
        t.enter()
        assert sim.message.startswith("SIGN-ON COMPLETED")


def test_the_cleared_screen_is_one_input_field_with_the_cursor_in_it() -> None:
    scr = cleared_screen("SIGN-ON COMPLETED")
    cmd, msg = scr.field_named("COMMAND"), scr.field_named("MESSAGE")
    assert cmd is not None and msg is not None
    assert cmd.addr == 0 and not cmd.protected and not cmd.underlined
    assert msg.addr == address(23, 80) and msg.protected
    assert scr.cursor == 1 and scr.field_at(scr.cursor) is cmd  # formatted, cursor not at 0
    assert len(scr.data_addresses(cmd)) == address(23, 80) - 1
    assert scr.message == "SIGN-ON COMPLETED"


def test_commands_typed_on_the_cleared_screen_run_and_multi_line_input_too() -> None:
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE)
        assert (sim.status().row, sim.status().col) == (1, 2)
        sim.string("ENMOD 400-00-1001").enter()
        sim.expect("JOHN A SMITH")
        assert sim.line(1).startswith("ENMOD 400-00-1001")  # the display echoes from column 1
        assert (sim.status().row, sim.status().col) == (1, 18)  # right after the echo
        assert sim.terminal.cursor not in (0, SIZE)
        sim.clear().string("TXMODA400-00-1001 30 202312").enter()  # the IDRS column layout
        assert "PAGE>001" in sim.line(2)


def test_a_refused_code_keeps_its_definer_and_the_star_goes_after_it() -> None:
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE)  # a TPP assistor: UPREVE is for leads and managers
        sim.command("UPREVE 000000101")
        assert sim.message.strip() == "UNAUTHORIZED COMMAND CODE"
        assert sim.line(1)[1:].startswith("UPREVE*000000101")
        assert (sim.status().row, sim.status().col) == (1, 2)  # on the code


def test_a_star_over_a_typed_comma_gives_the_comma_back() -> None:
    with IdrsTest() as sim:
        sim.sign_on(TRAINEE)
        sim.clear().string("ACTON 400-00-1001 30 202312").newline().string("C#,CRTTY,X,MISC")
        sim.newline().string("1483145470,*").enter()
        assert sim.message == "INVALID STATUS - A, B, C, M OR S"
        assert sim.line(2).startswith("C#,CRTTY,X*MISC")
        # correct the status only, press Enter: the comma is back under the `*`
        sim.move_cursor(2, 10).string("A").enter()
        assert sim.message == "REQUEST COMPLETED", sim.rendered()
