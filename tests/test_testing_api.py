"""The pytest API (idrs_sim.testing): the replay actions as methods, AssertionError with the screen."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from idrs_sim.posting import calendar
from idrs_sim.testing import IdrsTest, idrs  # noqa: F401  (the fixture, imported)

ROOT = Path(__file__).resolve().parents[1]
TRAINEE = "1485012345"


def test_fixture_signs_on_and_reads_line_24(idrs: IdrsTest) -> None:
    idrs.sign_on(TRAINEE)
    assert idrs.message.startswith("SIGN-ON COMPLETED")
    idrs.expect_line(24, "SIGN-ON COMPLETED").expect_match(24, rf"{TRAINEE}$")


def test_command_is_clear_type_enter(idrs: IdrsTest) -> None:
    idrs.sign_on(TRAINEE)
    idrs.string("leftover text")
    idrs.command("XYZZY 400-00-1001")
    idrs.expect_line(24, "INVALID COMMAND CODE")
    idrs.expect_at(1, 2, "XYZZY*400-00-1001")  # * right of the unknown code (typed from column 2)
    assert "leftover" not in idrs.screen_text()


def test_screen_text_is_24_by_80(idrs: IdrsTest) -> None:
    lines = idrs.screen_text().split("\n")
    assert len(lines) == 24 and {len(x) for x in lines} == {80}
    assert idrs.line(1).strip() == "INTEGRATED DATA RETRIEVAL SYSTEM - IDRS"


def test_keys_and_fill(idrs: IdrsTest) -> None:
    idrs.fill("EMPLOYEE NUMBER", "12")
    assert idrs.field("EMPLOYEE NUMBER") == "12"
    idrs.home().erase_eof().string("34").tab().backtab().string("5")
    assert idrs.field("EMPLOYEE NUMBER") == "54"
    idrs.erase_input()
    assert idrs.field("EMPLOYEE NUMBER") == ""
    idrs.move_cursor(6, 30).newline()
    assert (idrs.status().row, idrs.status().col) == (7, 16)
    idrs.reset().pf(1).pa(1).clear()
    idrs.expect_line(24, "ENTER EMPLOYEE NUMBER AND PASSWORD")


def test_failed_expectation_is_an_assertion_with_the_screen(idrs: IdrsTest) -> None:
    with pytest.raises(AssertionError) as info:
        idrs.expect("REQUEST COMPLETED")
    text = str(info.value)
    assert text.startswith('Expect("REQUEST COMPLETED"): not on the screen')
    assert "06|     EMPLOYEE NUMBER>" in text and "^ cursor 06,023" in text
    for call in (lambda: idrs.expect_not("IDRS"), lambda: idrs.expect_line(1, "NOPE"),
                 lambda: idrs.expect_at(1, 1, "X"), lambda: idrs.expect_match(24, "^NOPE")):
        with pytest.raises(AssertionError):
            call()


def test_keyboard_lock_is_an_assertion(idrs: IdrsTest) -> None:
    with pytest.raises(AssertionError, match=r"keyboard locked \(X NUM\)"):
        idrs.string("ABC")
    assert idrs.status().keyboard == "X NUM"
    idrs.reset()
    assert idrs.status().keyboard is None


def test_fill_of_a_missing_label_shows_the_screen(idrs: IdrsTest) -> None:
    with pytest.raises(AssertionError, match="no protected text 'URC>'") as info:
        idrs.fill("URC", "0")
    assert "EMPLOYEE NUMBER>" in str(info.value)


def test_sign_on_twice_is_an_assertion(idrs: IdrsTest) -> None:
    idrs.sign_on(TRAINEE)
    with pytest.raises(AssertionError, match="not on the sign-on screen"):
        idrs.sign_on(TRAINEE)


def test_cycle_date_load_dump(idrs: IdrsTest) -> None:
    start = idrs.sim.clock.cycle
    idrs.cycle(2)
    assert idrs.sim.clock.cycle == calendar.add_cycles(start, 2)
    assert idrs.dump()["cycle"] == calendar.add_cycles(start, 2)
    idrs.date("2024-08-01")
    assert idrs.sim.clock.today().isoformat() == "2024-08-01"
    idrs.load("training")
    assert idrs.dump()["cycle"] == start
    tin = idrs.dump()["entities"][0]["tin"]
    assert [e["tin"] for e in idrs.dump(tin=tin)["entities"]] == [tin]


def test_snap_prints_and_returns(capsys: pytest.CaptureFixture[str], idrs: IdrsTest) -> None:
    picture = idrs.snap()
    assert "01|" in picture and picture in capsys.readouterr().out


def test_two_terminals_share_one_master_file() -> None:
    with IdrsTest() as sim:
        for _ in range(3):
            sim.sign_on(TRAINEE, "WRONG")
        sim.expect_line(24, "NOW LOCKED")
        sim.new_terminal("DESK2").sign_on(TRAINEE)
        sim.expect_line(24, "EMPLOYEE NUMBER LOCKED")


def test_plugin_fixture_through_pytest(tmp_path: Path) -> None:
    """`-p idrs_sim.testing` (what the pytest11 entry point does when installed) gives `idrs`."""
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(f"""
        def test_inner(idrs):
            idrs.sign_on("{TRAINEE}")
            idrs.expect_line(24, "SIGN-ON COMPLETED")

        def test_inner_fails(idrs):
            idrs.expect("NOT ON THE SCREEN")
    """))
    # Installed, the pytest11 entry point loads the plugin by itself; from a bare checkout
    # (PYTHONPATH only) `-p idrs_sim.testing` does the same.  Never both: pytest refuses it.
    from importlib.metadata import entry_points

    installed = any(ep.value == "idrs_sim.testing" for ep in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "idrs_sim.testing"]
    done = subprocess.run([sys.executable, "-m", "pytest", *plugin, "-q", "-p", "no:cacheprovider",
                           "test_inner.py"], capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
    assert 'Expect("NOT ON THE SCREEN"): not on the screen' in done.stdout
    assert "^ cursor" in done.stdout
