"""Replay scripts (CONTRACT §2): every action and expectation, exit codes 0/1/2, reports."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from idrs_sim import replay
from idrs_sim.posting import calendar
from idrs_sim.replay import SPECS, Options, compile_script
from idrs_sim.replay.parse import ACTION_NAMES
from idrs_sim.simulator import Simulator

ROOT = Path(__file__).resolve().parents[1]
TRAINEE = "1485012345"
EMP = (6, 23)  # sign-on screen: first position of the EMPLOYEE NUMBER field
SIGNON_DATE = "06/17/2024"


@pytest.fixture(scope="module")
def passwords() -> dict[str, str]:
    with Simulator() as sim:
        return dict(sim.passwords)


def run_script(tmp_path: Path, text: str, name: str = "t.txt", **opts: object) -> tuple[int, str, str]:
    """Write a script and replay it in-process; (exit code, stdout, stderr)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = replay.run([path], Options(**opts), out, err)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "idrs_sim.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)


# ---- the action table is the contract's ------------------------------------------------
def test_every_contract_action_has_a_driver_method() -> None:
    contract = {"String", "Enter", "Clear", "Tab", "BackTab", "Home", "Newline", "EraseEOF", "EraseInput",
                "Reset", "PF", "PA", "MoveCursor1", "Date", "Load", "SignOn", "Cycle", "Fill", "Snap",
                "Expect", "ExpectNot", "ExpectLine", "ExpectAt", "ExpectMatch"}
    assert {s.name for s in SPECS.values()} == contract
    assert set(ACTION_NAMES) == contract  # the parser knows the same actions
    for spec in SPECS.values():
        assert callable(getattr(replay.Driver, spec.method))


def test_action_names_are_case_insensitive(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        SIGNON(1485012345)
        expectline(24, "SIGN-ON COMPLETED")
        cLeAr
        EXPECTNOT("SIGN-ON")
    """)
    assert code == 0, out


# ---- keys ------------------------------------------------------------------------------
def test_signon_default_password_and_clear(tmp_path: Path) -> None:
    code, out, err = run_script(tmp_path, f"""\
        # the fixture's password is used when none is given
        SignOn({TRAINEE})
        ExpectLine(24, "SIGN-ON COMPLETED")
        ExpectMatch(24, "SIGN-ON COMPLETED - .* {TRAINEE}")
        Clear
        ExpectNot("SIGN-ON")
    """)
    assert (code, err) == (0, ""), out
    assert "PASS" in out


def test_signon_with_explicit_password(tmp_path: Path, passwords: dict[str, str]) -> None:
    code, out, _ = run_script(tmp_path, f"""\
        SignOn({TRAINEE}, "{passwords[TRAINEE]}")
        ExpectLine(24, "SIGN-ON COMPLETED")
    """)
    assert code == 0, out


def test_failed_signon_and_lockout(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, f"""\
        SignOn({TRAINEE}, "WRONG1")
        ExpectLine(24, "INVALID PASSWORD - 2 ATTEMPTS REMAINING")
        SignOn({TRAINEE}, "WRONG2")
        ExpectLine(24, "INVALID PASSWORD - 1 ATTEMPT REMAINING")
        SignOn({TRAINEE}, "WRONG3")
        ExpectLine(24, "NOW LOCKED")
        SignOn({TRAINEE})
        ExpectLine(24, "EMPLOYEE NUMBER LOCKED")
    """)
    assert code == 0, out


def test_string_movecursor_expectat(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        MoveCursor1(6, 23)
        String("1485")
        ExpectAt(6, 23, "1485")
        ExpectAt(6, 6, "EMPLOYEE NUMBER>")
    """)
    assert code == 0, out


def test_tab_backtab_home_newline(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        # Tab twice from the employee field comes back to it (two input fields)
        MoveCursor1(6, 23)
        Tab
        Tab
        String("11")
        ExpectAt(6, 23, "11")
        # Newline from row 6 goes to the password field on row 7; BackTab returns
        MoveCursor1(6, 30)
        Newline
        BackTab
        String("22")
        ExpectAt(6, 23, "22")
        # Home: the first input field
        MoveCursor1(1, 1)
        Home
        String("33")
        ExpectAt(6, 23, "33")
    """)
    assert code == 0, out


def test_erase_eof_and_erase_input(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        MoveCursor1(6, 23)
        String("123456")
        MoveCursor1(6, 26)
        EraseEOF
        ExpectAt(6, 23, "123 ")
        EraseInput
        ExpectAt(6, 23, "   ")
        String("9")
        ExpectAt(6, 23, "9")
    """)
    assert code == 0, out


def test_reset_pf_pa(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, f"""\
        Reset
        PF(1)
        ExpectLine(24, "ENTER EMPLOYEE NUMBER AND PASSWORD")
        PA(2)
        ExpectLine(24, "ENTER EMPLOYEE NUMBER AND PASSWORD")
        SignOn({TRAINEE})
        PF(24)
        ExpectLine(24, "PF24 KEY NOT ACTIVE")
        PA(1)
        ExpectLine(24, "PA1 KEY NOT ACTIVE")
    """)
    assert code == 0, out


def test_enter_with_unknown_command(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, f"""\
        SignOn({TRAINEE})
        Clear
        String("XYZZY 400-00-1001")
        Enter
        ExpectLine(24, "INVALID COMMAND CODE")
    """)
    assert code == 0, out


# ---- simulator actions ---------------------------------------------------------------
def test_date_changes_the_clock(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        Date(2024-07-01)
        PF(1)
        ExpectLine(9, "DATE 07/01/2024")
    """)
    assert code == 0, out


def test_date_option(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        PF(1)
        ExpectLine(9, "DATE 03/04/2025")
    """, date="2025-03-04")
    assert code == 0, out


def test_cycle_advances_to_the_next_posting_cycle(tmp_path: Path) -> None:
    with Simulator() as sim:
        start = sim.clock.cycle
    one, three = calendar.add_cycles(start, 1), calendar.add_cycles(start, 3)
    code, out, _ = run_script(tmp_path, f"""\
        Cycle
        PF(1)
        ExpectLine(9, "CYCLE {one}")
        Cycle(2)
        PF(1)
        ExpectLine(9, "CYCLE {three}")
    """, trace=True)
    assert code == 0, out
    assert f"CYCLE {one}:" in out  # --trace prints the posting report


def test_load_gives_a_fresh_master_file_and_terminal(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, f"""\
        SignOn({TRAINEE}, "WRONG")
        SignOn({TRAINEE}, "WRONG")
        SignOn({TRAINEE}, "WRONG")
        ExpectLine(24, "NOW LOCKED")
        Load(training)
        ExpectLine(24, "ENTER EMPLOYEE NUMBER AND PASSWORD")
        SignOn({TRAINEE})
        ExpectLine(24, "SIGN-ON COMPLETED")
    """)
    assert code == 0, out


def test_load_a_path_next_to_the_script(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(textwrap.dedent("""\
        scenario: {title: "one employee", irm: "none", narrative: "test"}
        date: 2025-01-13
        employees:
          - {idrs: "1234567890", name: "A TESTER", roles: [instructor], password: "pw-for-test"}
        entities: []
    """), encoding="utf-8")
    code, out, err = run_script(tmp_path, """\
        Load("mine.yaml")
        PF(1)
        ExpectLine(9, "DATE 01/13/2025")
        SignOn(1234567890)
        ExpectLine(24, "SIGN-ON COMPLETED - A TESTER")
    """)
    assert code == 0, out + err


def test_fill_a_labelled_field(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, f"""\
        Fill("EMPLOYEE NUMBER", "{TRAINEE}")
        ExpectAt(6, 23, "{TRAINEE}")
        Fill("EMPLOYEE NUMBER>", "123")
        ExpectAt(6, 23, "123       ")
    """)
    assert code == 0, out


def test_snap_prints_the_screen(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        MoveCursor1(6, 25)
        Snap
    """)
    assert code == 0
    assert "06|     EMPLOYEE NUMBER>" in out
    assert "^ cursor 06,025" in out


# ---- expectations failing: exit 1 with the report -------------------------------------
@pytest.mark.parametrize("line, why", [
    ('Expect("NO SUCH TEXT")', "not on the screen"),
    ('ExpectNot("EMPLOYEE NUMBER")', "on the screen at line 6"),
    ('ExpectLine(24, "REQUEST COMPLETED")', 'line 24 reads "ENTER EMPLOYEE NUMBER AND PASSWORD"'),
    ('ExpectAt(6, 6, "EMPLOYEE NO")', 'the screen there reads "EMPLOYEE NU"'),
    ('ExpectMatch(24, "^REQUEST")', 'line 24 reads'),
])
def test_failed_expectation_report(tmp_path: Path, line: str, why: str) -> None:
    code, out, err = run_script(tmp_path, f"""\
        # comment line
        MoveCursor1(6, 24)
        {line}
        Expect("never reached")
    """, name="fails.txt")
    assert code == 1
    assert err == ""
    path = str(tmp_path / "fails.txt")
    assert f"{path}:3: {line}" in out  # file, line and the expectation as written
    assert why in out
    assert "^ cursor 06,024" in out  # the cursor is marked
    assert "24|ENTER EMPLOYEE NUMBER AND PASSWORD" in out  # the whole screen, line 24 too
    rows = [ln for ln in out.splitlines() if ln[:2].isdigit() and ln[2:3] == "|"]
    assert len(rows) == 24 and all(len(r) == 84 for r in rows)
    assert "fails.txt:4" not in out  # the script stopped at its first failure
    assert f"FAIL {path} (line 3)" in out


def test_expectations_that_hold(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        Expect("INTEGRATED DATA RETRIEVAL SYSTEM")
        ExpectNot("REQUEST COMPLETED")
        ExpectLine(1, "IDRS")
        ExpectAt(1, 21, "INTEGRATED")
        ExpectMatch(9, "CYCLE [0-9]{6}")
    """)
    assert code == 0, out


# ---- keyboard locks: exit 1 -----------------------------------------------------------
def test_typing_a_letter_in_a_numeric_field_fails(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        MoveCursor1(6, 23)
        String("ABC")
        Enter
    """)
    assert code == 1
    assert ':2: String("ABC")' in out
    assert "keyboard locked (X NUM)" in out
    assert "keyboard X NUM" in out


def test_typing_on_protected_text_fails(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, """\
        MoveCursor1(1, 1)
        String("X")
    """)
    assert code == 1
    assert "keyboard locked (X PROT)" in out


def test_reset_is_what_unlocks(tmp_path: Path) -> None:
    drv = replay.Driver(Simulator(), out=io.StringIO())
    drv.move_cursor(1, 1)
    with pytest.raises(replay.Failure, match=r"X PROT"):
        drv.string("X")
    with pytest.raises(replay.Failure, match=r"Enter: keyboard locked \(X PROT\)"):
        drv.enter()
    drv.reset().move_cursor(*EMP).string("1")
    assert drv.terminal.status().keyboard is None
    drv.sim.close()


# ---- script and usage errors: exit 2, one line on stderr -------------------------------
@pytest.mark.parametrize("text, message", [
    ('Expect("unterminated\n', "unterminated string"),
    ("Frobnicate\n", 'unknown action "Frobnicate"'),
    ("PF(25)\n", "PF takes a number from 1 to 24"),
    ("PF7\n", "write PF(7)"),
    ('ExpectMatch(24, "([")\n', "bad regular expression"),
    ("Date(2024-02-30)\n", "not a calendar date"),
])
def test_script_errors_exit_2_before_anything_runs(tmp_path: Path, text: str, message: str) -> None:
    code, out, err = run_script(tmp_path, 'Snap\n' + text, name="bad.txt")
    assert code == 2
    assert out == ""  # nothing ran, not even the Snap on line 1
    assert err.count("\n") == 1 and message in err
    assert f"{tmp_path / 'bad.txt'}:2:" in err


@pytest.mark.parametrize("text, message", [
    ("Load(no-such-fixture)", "no fixture 'no-such-fixture'"),
    ('Fill("NO SUCH LABEL", "1")', "no protected text 'NO SUCH LABEL>'"),
    ('Fill("EMPLOYEE NUMBER", "12345678901")', "longer than the field"),
    ("SignOn(9999999999)", "gives no password for employee 9999999999"),
])
def test_runtime_script_errors_exit_2(tmp_path: Path, text: str, message: str) -> None:
    code, out, err = run_script(tmp_path, f'Expect("IDRS")\n{text}\nSnap\n', name="bad.txt")
    assert code == 2, out
    assert err.count("\n") == 1 and message in err, err
    assert "bad.txt:2: " in err
    assert "Traceback" not in err


def test_signon_when_already_signed_on_is_a_script_error(tmp_path: Path) -> None:
    code, _, err = run_script(tmp_path, f"SignOn({TRAINEE})\nSignOn({TRAINEE})\n")
    assert code == 2
    assert "not on the sign-on screen" in err


def test_unknown_fixture_option(tmp_path: Path) -> None:
    code, out, err = run_script(tmp_path, "Snap\n", fixture="nope")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no fixture 'nope'" in err


def test_missing_script_file(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert replay.run([tmp_path / "missing.txt"], Options(), out, err) == 2
    assert "cannot read" in err.getvalue() and err.getvalue().count("\n") == 1


# ---- several scripts -------------------------------------------------------------------
def test_several_scripts_each_on_a_fresh_simulator(tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("".join(f'SignOn({TRAINEE}, "BAD")\n' for _ in range(3)) + 'ExpectLine(24, "NOW LOCKED")\n')
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(f'SignOn({TRAINEE})\nExpectLine(24, "SIGN-ON COMPLETED")\n')
    failing = tmp_path / "failing.txt"
    failing.write_text('Expect("NOT THERE")\n')
    out, err = io.StringIO(), io.StringIO()
    assert replay.run([lock, fresh], Options(), out, err) == 0
    assert out.getvalue().count("PASS") == 2
    out = io.StringIO()
    assert replay.run([failing, fresh], Options(), out, err) == 1  # the worst; the second still ran
    assert f"PASS {fresh}" in out.getvalue()


def test_trace_prints_each_action_and_line_24(tmp_path: Path) -> None:
    code, out, _ = run_script(tmp_path, f"SignOn({TRAINEE})  # sign on\nClear\n", name="tr.txt", trace=True)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith(f"tr.txt:1: SignOn({TRAINEE})")
    assert lines[1].startswith("    24|SIGN-ON COMPLETED")
    assert lines[2].endswith("tr.txt:2: Clear")
    assert lines[3] == "    24|"


def test_db_keeps_state_between_scripts_without_fixture(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    lock = tmp_path / "lock.txt"
    lock.write_text("".join(f'SignOn({TRAINEE}, "BAD")\n' for _ in range(3)))
    locked = tmp_path / "locked.txt"
    locked.write_text(f'SignOn({TRAINEE})\nExpectLine(24, "LOCKED")\n')
    out, err = io.StringIO(), io.StringIO()
    assert replay.run([lock, locked], Options(url=url), out, err) == 0, out.getvalue() + err.getvalue()
    # --fixture on a used database is refused (issue #16 item 1): nothing changes
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(f'SignOn({TRAINEE})\nExpectLine(24, "SIGN-ON COMPLETED")\n')
    err = io.StringIO()
    assert replay.run([fresh], Options(url=url, fixture="training"), out, err) == 2
    assert "refused" in err.getvalue() and "reset" in err.getvalue()
    assert replay.run([locked], Options(url=url), out, err) == 0, out.getvalue() + err.getvalue()
    # a reset on purpose refills it (unlocking the employee); the audit trail stays
    from idrs_sim.simulator import Simulator

    with Simulator(url, None) as sim:
        assert sim.reset("training")["employees"] > 0
    err = io.StringIO()
    assert replay.run([fresh], Options(url=url), out, err) == 0, out.getvalue() + err.getvalue()
    from idrs_sim.masterfile.db import MasterFile
    from idrs_sim.masterfile.models import AuditRecord

    mf = MasterFile(url)
    with mf.reading() as db:
        outcomes = [a.outcome or "" for a in db.query(AuditRecord).order_by(AuditRecord.id)]
    mf.dispose()
    assert sum("SIGN-ON REJECTED" in o for o in outcomes) >= 3 and outcomes[-1] == "SIGN-ON COMPLETED"


def test_db_with_fixture_fills_it_once_then_scripts_go_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.db'}"
    lock = tmp_path / "lock.txt"
    lock.write_text("".join(f'SignOn({TRAINEE}, "BAD")\n' for _ in range(3)))
    locked = tmp_path / "locked.txt"
    locked.write_text(f'SignOn({TRAINEE})\nExpectLine(24, "LOCKED")\n')
    out, err = io.StringIO(), io.StringIO()
    assert replay.run([lock, locked], Options(url=url, fixture="training"), out, err) == 0, out.getvalue()


def test_load_in_a_used_database_keeps_the_audit_trail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    code, out, err = run_script(tmp_path, f'SignOn({TRAINEE})\nLoad(training)\nSignOn({TRAINEE})\n', url=url)
    assert code == 0, out + err


def test_compile_script_gives_steps_with_source() -> None:
    steps = compile_script('String("A")  # typed\nCycle\n', "x.txt")
    assert [(s.spec.name, s.args, s.line, s.source) for s in steps] == [
        ("String", ("A",), 1, 'String("A")'), ("Cycle", (1,), 2, "Cycle")]


# ---- through the command line -------------------------------------------------------------
def test_cli_exit_codes(tmp_path: Path) -> None:
    ok = tmp_path / "ok.txt"
    ok.write_text('Expect("IDRS")\n')
    bad = tmp_path / "bad.txt"
    bad.write_text('Expect("NOT THERE")\n')
    broken = tmp_path / "broken.txt"
    broken.write_text("Expect(\n")
    assert cli("replay", str(ok)).returncode == 0
    failed = cli("replay", str(bad))
    assert failed.returncode == 1 and "bad.txt:1" in failed.stdout
    usage = cli("replay", str(broken))
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1 and "Traceback" not in usage.stderr


def test_replay_never_imports_textual(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text(f'SignOn({TRAINEE})\nClear\nString("XYZZY")\nEnter\nSnap\n')
    code = textwrap.dedent(f"""
        import contextlib, io, json, sys
        from idrs_sim import cli
        with contextlib.redirect_stdout(io.StringIO()):
            rc = cli.main(["replay", {str(script)!r}])
        print(json.dumps([rc, sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))]))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    rc, textual_modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert rc == 0, done.stdout + done.stderr
    assert textual_modules == []


# ---- the shipped examples ------------------------------------------------------------------
EXAMPLES = sorted((ROOT / "examples").glob("*.txt"))


def test_the_contract_examples_exist() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"signon.txt", "signon_failed_lockout.txt", "unknown_command.txt", "fill.txt"} <= names


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_clean_through_the_cli(example: Path) -> None:
    done = cli("replay", str(example.relative_to(ROOT)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert f"PASS examples/{example.name}" in done.stdout
    first = example.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#"), "every example starts with a comment saying what it shows"


def test_a_cycle_keeps_the_script_signed_on(tmp_path: Path) -> None:
    """Idle sign-off is for people walking away (real-time clocks); a script's Cycle is not idleness."""
    code, out, _ = run_script(tmp_path, f"""\
        SignOn({TRAINEE})
        Cycle
        Clear
        String("HELP")
        Enter
        ExpectNot("SIGNED OFF AFTER IDLE TIME")
        Expect("COMMAND CODES YOU MAY RUN")
    """)
    assert code == 0, out


def test_a_simulator_defect_is_a_failure_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Simulator, count: int = 1) -> list:
        raise RuntimeError("posting exploded")

    monkeypatch.setattr(Simulator, "cycle", broken)
    code, out, err = run_script(tmp_path, "Cycle\nSnap\n", name="d.txt")
    assert code == 1
    assert "d.txt:1: Cycle" in out and "internal error in the simulator: RuntimeError: posting exploded" in out
    assert "Traceback" not in out


def test_script_error_line_is_file_line_message(tmp_path: Path) -> None:
    code, _, err = run_script(tmp_path, "Snap\nPF(30)\n", name="e.txt")
    assert code == 2
    assert err == f"{tmp_path / 'e.txt'}:2: PF takes a number from 1 to 24\n"


def test_a_report_line_never_carries_control_characters_or_a_whole_huge_line(tmp_path, capsys) -> None:
    """A script's raw escape bytes went to the user's terminal in the failure report, and a
    10,000-character line came back whole (a CLI sweep)."""
    from idrs_sim import cli

    esc = tmp_path / "esc.txt"
    esc.write_bytes(b'String("\x01\x1b[31mX")\n')
    assert cli.main(["replay", str(esc)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31mX" in out
    long = tmp_path / "long.txt"
    long.write_text("A" * 10_000 + "(1)\n")
    assert cli.main(["replay", str(long)]) == 2
    err = capsys.readouterr().err
    assert len(err) < 400 and err.rstrip().endswith("...")
