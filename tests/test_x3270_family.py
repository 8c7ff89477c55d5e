"""Test engineers' x3270-family tools on the IDRS host, with their standard waits only.

s3270 ``Wait(InputField)``, py3270 ``Emulator.wait_for_field()`` and Robot Framework
Mainframe3270 ``Wait Field Detected`` all wait for the same thing (x3270's CAN_PROCEED):
keyboard unlocked, a *formatted* screen, the cursor not at address 0.  Each must return
after sign-on, after Clear, after a research display and after paging, as on a real host.
Every wait has a timeout, so a screen they cannot see fails the test instead of hanging it.
The skips when s3270 is missing are a local convenience only: CI installs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_tn3270_s3270 import S3270

from idrs_sim.front.tn3270.server import server_in_thread
from idrs_sim.simulator import Simulator

pytestmark = pytest.mark.tn3270
needs_s3270 = pytest.mark.skipif(shutil.which("s3270") is None, reason="s3270 not installed (CI installs it)")

TRAINEE = "1485012345"
TIN = "400-00-1001"
WAIT = 10  # seconds: far beyond any answer of the in-memory host


@pytest.fixture()
def idrs_port() -> Iterator[tuple[int, Simulator]]:
    sim = Simulator(fixture="training")
    try:
        with server_in_thread(lambda conn_id: sim.new_session(conn_id)) as (_, port):
            yield port, sim
    finally:
        sim.close()


# ---- s3270 -------------------------------------------------------------------------------
def _ready(c: S3270) -> tuple[int, int]:
    """Wait(InputField) as a script does; the cursor row and column (1-origin) after it."""
    c.do(f"Wait({WAIT},InputField)", timeout=WAIT + 5)
    assert c.status[0] == "U" and c.status[1] == "F", c.status  # unlocked, formatted
    assert c.status[2] == "U", "the cursor is in an unprotected field"
    return int(c.status[8]) + 1, int(c.status[9]) + 1


@needs_s3270
def test_s3270_wait_inputfield_after_every_screen(idrs_port: tuple[int, Simulator]) -> None:
    port, sim = idrs_port
    c = S3270()
    try:
        c.connect(port)  # S3270.connect already waits for an input field
        assert _ready(c) == (6, 23)  # EMPLOYEE NUMBER>
        for action in (f'String("{TRAINEE}")', "Tab", f'String("{sim.password_for(TRAINEE)}")', "Enter"):
            c.do(action)
        assert _ready(c) == (1, 2)  # the cleared screen after sign-on
        assert c.text(24).startswith("SIGN-ON COMPLETED")

        c.do("Clear")
        assert _ready(c) == (1, 2)
        c.do(f'String("TXMODA {TIN} 30 202312")')
        c.do("Enter")
        row, col = _ready(c)
        assert c.text(1).startswith(f"TXMODA {TIN} 30 202312") and (row, col) == (1, 29)
        assert "PAGE>001/002" in c.text(2)

        c.do("PF(8)")
        assert _ready(c)[0] == 1
        assert "PAGE>002/002" in c.text(2)
        c.do("Clear")
        assert _ready(c) == (1, 2)
        assert c.text(1).strip() == ""
    finally:
        c.close()


@needs_s3270
@pytest.mark.parametrize("args, underlined", [(("3279-2",), True), (("3278-2", "-tn", "IBM-3278-2"), False)])
def test_input_fields_are_underlined_when_the_client_has_extended_attributes(
        idrs_port: tuple[int, Simulator], args: tuple[str, ...], underlined: bool) -> None:
    """SFE with extended highlighting (41=f4, underscore) on input fields for a client that
    said it has extended attributes (terminal type ending -E, s3270's default); plain SF for
    one that did not (``-tn IBM-3278-2``).  The cleared screen is an input area but not a
    form: it is never underlined."""
    port, sim = idrs_port
    c = S3270(*args)
    try:
        c.connect(port)
        buffer = " ".join(c.do("ReadBuffer(Ascii)"))
        assert ("SF(c0=d0,41=f4)" in buffer) is underlined  # EMPLOYEE NUMBER>: numeric input
        assert ("SF(c0=cc,41=f4)" in buffer) is underlined  # PASSWORD>: non-display input
        assert ("41=f4" in buffer) is underlined
        for action in (f'String("{TRAINEE}")', "Tab", f'String("{sim.password_for(TRAINEE)}")', "Enter"):
            c.do(action)
        _ready(c)
        assert "41=f4" not in " ".join(c.do("ReadBuffer(Ascii)"))  # the cleared screen
        c.do(f'String("REQ77 {TIN} 30 202312")')
        c.do("Enter")
        _ready(c)
        assert c.text(24).strip() == "" and "FRM77" in c.text(1)
        buffer = " ".join(c.do("ReadBuffer(Ascii)"))
        assert (buffer.count("41=f4") >= 5) is underlined  # TC, TC971/151, TRANS-DT, ... and line 1
    finally:
        c.close()


# ---- py3270 ------------------------------------------------------------------------------
@needs_s3270
def test_py3270_sign_on_research_page_clear(idrs_port: tuple[int, Simulator]) -> None:
    py3270 = pytest.importorskip("py3270")
    port, sim = idrs_port
    em = py3270.Emulator(timeout=WAIT)
    try:
        em.connect(f"127.0.0.1:{port}")
        em.wait_for_field()
        em.send_string(TRAINEE)
        em.exec_command(b"Tab")
        em.send_string(sim.password_for(TRAINEE))
        em.send_enter()
        em.wait_for_field()
        assert em.string_found(24, 1, "SIGN-ON COMPLETED")

        em.exec_command(b"Clear")
        em.wait_for_field()
        em.send_string(f"TXMODA {TIN} 30 202312")
        em.send_enter()
        em.wait_for_field()
        assert em.string_get(2, 1, 11) == TIN
        assert em.string_found(2, 71, "001/002")

        em.send_pf8()
        em.wait_for_field()
        assert em.string_found(2, 71, "002/002")

        em.exec_command(b"Clear")
        em.wait_for_field()
        assert em.string_get(1, 2, 20).strip() == ""
        em.send_string("SINOF")
        em.send_enter()
        em.wait_for_field()
        assert em.string_found(24, 1, "SIGN-OFF COMPLETED")
    finally:
        em.terminate()


# ---- Robot Framework Mainframe3270 -------------------------------------------------------
ROBOT_SUITE = Path(__file__).with_name("robot") / "idrs_tour.robot"


@needs_s3270
def test_robot_mainframe3270_suite(idrs_port: tuple[int, Simulator], tmp_path: Path) -> None:
    pytest.importorskip("Mainframe3270")
    import robot

    port, sim = idrs_port
    rc = robot.run(
        str(ROBOT_SUITE),
        variable=[f"PORT:{port}", f"EMPLOYEE:{TRAINEE}", f"PASSWORD:{sim.password_for(TRAINEE)}", f"TIN:{TIN}"],
        outputdir=str(tmp_path),
        output="NONE", report="NONE", log="NONE",
        console="quiet",
    )
    assert rc == 0, f"{rc} Robot test(s) failed (run the suite with `robot` to see which)"
