"""The `idrs-sim` command line (CONTRACT §1): help, one-line usage errors, every subcommand."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from idrs_sim import cli
from idrs_sim.posting import calendar
from idrs_sim.simulator import Simulator

ROOT = Path(__file__).resolve().parents[1]
TRAINEE = "1485012345"


def run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "idrs_sim.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=timeout)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """Assert exit 2 with exactly one line on stderr and no traceback; that line."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.strip()


# ---- help ------------------------------------------------------------------------------------
def test_main_help_lists_every_command() -> None:
    done = run("--help")
    assert done.returncode == 0
    for word in ("replay", "dump", "cycle", "fixtures", "serve", "audit", "--db", "--fixture", "--date",
                 "training", "Ctrl+K"):
        assert word in done.stdout, word


def test_replay_help_documents_the_script_language() -> None:
    done = run("replay", "--help")
    assert done.returncode == 0
    for word in ("String(", "Enter", "Clear", "Tab", "BackTab", "Home", "Newline", "EraseEOF", "EraseInput",
                 "Reset", "PF(n)", "PA(n)", "MoveCursor1(", "Date(", "Load(", "SignOn(", "Cycle", "Fill(",
                 "Snap", "Expect(", "ExpectNot(", "ExpectLine(", "ExpectAt(", "ExpectMatch(", "--trace",
                 "--db", "--fixture", "--date", "exit status: 0", "1 an expectation failed", "2 script"):
        assert word in done.stdout, word


@pytest.mark.parametrize("command", ["dump", "cycle", "serve", "audit", "fixtures"])
def test_every_subcommand_has_help(command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0 and "usage: idrs-sim " + command in done.stdout


def test_main_returns_instead_of_exiting() -> None:
    assert cli.main(["--help"]) == 0


# ---- usage errors: one line, exit 2 ----------------------------------------------------------
@pytest.mark.parametrize("args, says", [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["dump", "--bogus"], "unrecognized arguments: --bogus (see 'idrs-sim dump --help')"),
    (["replay"], "the following arguments are required: SCRIPT"),
    (["fixtures"], "required: ACTION"),
    (["cycle", "--count", "0"], "0 is not 1 or more"),
    (["cycle", "--count", "x"], "not a whole number"),
    (["serve", "--port", "70000"], "not a port number"),
    (["dump", "--date", "2024-13-01"], "unrecognized arguments"),  # dump has no --date
    (["replay", "x.txt", "--date", "2024-13-01"], "bad date '2024-13-01'"),
    (["nosuchcommand"], "invalid choice: 'nosuchcommand'"),
    # review of 2026-12-08: a mistyped employee number silently matched no record
    (["audit", "--employee", "abc"], "'abc': an IDRS (employee) number has 10 digits"),
    (["replay", "x.txt", "--date", "2024-06-17", "y.txt", "--bogus"], "unrecognized arguments: y.txt --bogus"),
])
def test_usage_errors(args: list[str], says: str) -> None:
    assert says in one_line_error(run(*args))


@pytest.mark.parametrize("args, says", [
    (["dump", "--fixture", "nope"], "no fixture 'nope'"),
    (["dump", "--db", "notaurl"], "cannot open database 'notaurl'"),
    (["dump", "--db", "sqlite:////no/such/dir/x.db"], "no database at /no/such/dir/x.db"),
    (["cycle", "--db", "sqlite:////no/such/dir/x.db"], "cannot open database"),
    (["audit", "--db", "nosuchdriver://x"], "cannot open database"),
    (["dump", "--tin", "400-00-9999"], "no entity with TIN 400-00-9999"),
    (["dump", "--tin", "garbage"], "--tin 'garbage': a TIN is NNN-NN-NNNN or NN-NNNNNNN"),
])
def test_set_up_errors_are_one_line(args: list[str], says: str) -> None:
    assert says in one_line_error(run(*args))


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    one_line_error(run("dump", "--db", f"sqlite:///{junk}"))


@pytest.mark.parametrize("args", [["dump"], ["cycle"], ["dump", "--fixture", "training"],
                                  ["replay", str(ROOT / "examples" / "signon.txt")]])
def test_another_applications_database_is_refused_untouched(tmp_path: Path, args: list[str]) -> None:
    """Never rewrite a user's database unasked: a database with tables, none of them ours, is
    refused before anything is written (found by a review: dump filled it with our schema and
    the training master file, exit 0)."""
    import sqlite3

    theirs = tmp_path / "theirs.db"
    con = sqlite3.connect(theirs)
    con.execute("CREATE TABLE employee (id INTEGER PRIMARY KEY, who TEXT)")
    con.execute("INSERT INTO employee (who) VALUES ('somebody')")
    con.commit()
    con.close()
    before = theirs.read_bytes()
    line = one_line_error(run("--db", f"sqlite:///{theirs}", *args))
    assert "not an idrs-sim master file (it holds other tables: employee); nothing was changed" in line
    assert theirs.read_bytes() == before


def test_a_database_password_is_not_echoed() -> None:
    line = one_line_error(run("dump", "--db", "postgresql+psycopg://user:s3cret@127.0.0.1:1/x"))
    assert "s3cret" not in line and "user:***@127.0.0.1" in line


# ---- dump ---------------------------------------------------------------------------------------
def test_dump_prints_the_master_file_as_json() -> None:
    done = run("dump")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["cycle"] and data["date"]
    assert any(e["idrs"] == TRAINEE for e in data["employees"])
    assert all("password" not in e for e in data["employees"])
    assert data["entities"], "the training master file has accounts"


def test_dump_one_tin() -> None:
    with Simulator() as sim:
        tin = sim.dump()["entities"][0]["tin"]
    data = json.loads(run("dump", "--tin", tin).stdout)
    assert [e["tin"] for e in data["entities"]] == [tin]


def test_dump_of_a_dump_reloads(tmp_path: Path) -> None:
    first = run("dump")
    path = tmp_path / "snap.json"
    path.write_text(first.stdout)
    again = run("dump", "--fixture", str(path))
    assert again.returncode == 0, again.stderr
    a, b = json.loads(first.stdout), json.loads(again.stdout)
    assert a["entities"] == b["entities"] and a["cycle"] == b["cycle"]


# ---- cycle ----------------------------------------------------------------------------------------
def test_cycle_on_a_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'class.db'}"
    with Simulator(url) as sim:  # creates the file from the training fixture
        start = sim.clock.cycle
    done = run("cycle", "--db", url, "--count", "2")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"CYCLE {calendar.add_cycles(start, 1)}")
    assert any(ln.startswith(f"CYCLE {calendar.add_cycles(start, 2)}") for ln in lines)
    assert json.loads(run("dump", "--db", url).stdout)["cycle"] == calendar.add_cycles(start, 2)
    # the clock persisted: the next run goes on from there
    assert run("cycle", "--db", url).stdout.startswith(f"CYCLE {calendar.add_cycles(start, 3)}")


def test_a_cycle_count_past_the_calendar_is_refused_before_anything_posts(tmp_path: Path) -> None:
    """Found by a review: --count 100000 committed cycles to the end of the calendar (2199),
    then stopped; now refused before the first one."""
    db = f"sqlite:///{tmp_path / 'end.db'}"
    line = one_line_error(run("--date", "2199-10-01", "--db", db, "cycle", "--count", "100000"))
    assert line.endswith("cycle count 100000 is too many: the simulated posting calendar ends in 2199, "
                         "at most 11 more from cycle 219940; nothing was posted")
    with Simulator(db) as sim:
        assert sim.clock.cycle == "219940"
    assert run("--db", db, "cycle", "--count", "11").returncode == 0


def test_cycle_in_memory_warns_and_works() -> None:
    done = run("cycle")
    assert done.returncode == 0
    assert "nothing is kept" in done.stderr
    assert done.stdout.startswith("CYCLE ")


def test_format_report_lists_what_posted_and_unposted() -> None:
    from idrs_sim.posting import CycleReport

    report = CycleReport(cycle="202426", posted=[("400-00-1001", "30", "202312", 971, 124)],
                         unposted=[("400-00-1001", "30", "202312", 150, 126, 0)])
    text = cli.format_report(report)
    assert "CYCLE 202426" in text
    assert "POSTED      400-00-1001 30 202312  TC 971 AC 124" in text
    assert "UNPOSTABLE  400-00-1001 30 202312  TC 150  UPC 126 RC 0" in text


# ---- fixtures check ------------------------------------------------------------------------------
def test_fixtures_check_shipped_fixtures_are_clean() -> None:
    done = run("fixtures", "check")
    assert done.returncode == 0, done.stdout
    assert "no problems" in done.stderr


def test_fixtures_check_reports_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("date: 2024-06-17\nemployees:\n  - {idrs: \"12\", name: X, roles: [nobody]}\nentities: []\n")
    done = run("fixtures", "check", str(bad))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines and all(":" in ln for ln in lines)
    assert any(ln.split(":")[0].endswith("bad.yaml") and ln.split(":")[1] == "3" for ln in lines), lines


def test_fixtures_check_lists_every_problem_at_once(tmp_path: Path) -> None:
    """CONTRACT §1: one line per problem.  A bad TIN hid its modules' problems and a bad
    period its transactions' until the next run (found by a review)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "date: 2024-06-17\n"
        "employees: []\n"
        "entities:\n"
        "  - tin: \"400-00-100\"\n"
        "    name: [JOHN]\n"
        "    modules:\n"
        "      - mft: \"30\"\n"
        "        period: \"202313\"\n"
        "        transactions:\n"
        "          - {tc: 150, amount: \"1.00\", date: 2024-03-01, status: weird}\n")
    done = run("fixtures", "check", str(bad))
    assert done.returncode == 1
    said = done.stdout
    assert ":4: tin: '400-00-100' is not a TIN" in said
    assert ":8: period: '202313' is not a tax period" in said
    assert ":10: status: 'weird' must be one of" in said


# ---- audit ------------------------------------------------------------------------------------------
def test_audit_after_a_replay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    script = tmp_path / "s.txt"
    script.write_text(f'SignOn({TRAINEE}, "WRONG")\nSignOn({TRAINEE})\nClear\nString("XYZZY 400-00-1001")\nEnter\n')
    assert run("replay", str(script), "--db", url).returncode == 0
    done = run("audit", "--db", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split()[:3] == ["TIME", "EMPLOYEE", "TERMINAL"]
    assert "SIGN-ON COMPLETED" in done.stdout
    assert "INVALID COMMAND CODE" in done.stdout
    only = run("audit", "--db", url, "--employee", "0000000000")
    assert only.returncode == 0 and only.stdout == "" and "no audit records" in only.stderr
    mine = run("audit", "--db", url, "--employee", TRAINEE)
    assert mine.stdout.count("\n") >= 5  # header + failed sign-on + sign-on + clear + enter
    unax = run("audit", "--db", url, "--unax").stdout.splitlines()
    # the violation, the access behind the UNAX report's NO-CASE flag, then the report itself
    assert "INVALID PASSWORD" in unax[1] and " ! " in unax[1]
    assert "XYZZY" in unax[2] and "[UNAX NO-CASE]" in unax[2] and " ! " in unax[2]
    assert unax[3] == "" and any("NO-CASE  400-00-1001" in ln for ln in unax[4:]) and unax[-1] == "1 UNAX FLAG"


# ---- serve --------------------------------------------------------------------------------------------
def test_serve_prints_listening_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "idrs_sim.cli", "serve", "--port", "0"], cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on 127.0.0.1:"), line + (proc.stderr.read() if proc.stderr else "")
        port = int(line.rsplit(":", 1)[1])
        import socket

        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---- the TUI path ---------------------------------------------------------------------------------------
@pytest.fixture
def a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if stdin and stdout were a terminal (under pytest they are not)."""
    from idrs_sim.subcommands import terminals

    monkeypatch.setattr(terminals, "_has_terminal", lambda: True)


def test_the_tui_without_a_terminal_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`idrs-sim < /dev/null` ran until killed (a sweep found it): no terminal, no key to read."""
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a terminal" in err


def test_no_subcommand_starts_the_tui(monkeypatch: pytest.MonkeyPatch, a_terminal: None) -> None:
    import idrs_sim.front.tui as tui

    seen: dict[str, object] = {}

    def fake_run_tui(sim: Simulator, terminal_id: str = "TUI01") -> int:
        seen["date"] = sim.clock.today().isoformat()
        seen["follows"] = sim.clock.is_following
        return 0

    monkeypatch.setattr(tui, "run_tui", fake_run_tui)
    assert cli.main(["--date", "2025-02-03"]) == 0
    assert seen["date"] == "2025-02-03" and seen["follows"] is True


def test_tui_bad_fixture_is_one_line(capsys: pytest.CaptureFixture[str], a_terminal: None) -> None:
    assert cli.main(["--fixture", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no fixture 'nope'" in err


def test_non_tui_commands_do_not_import_textual() -> None:
    code = ("import sys, contextlib, io\nfrom idrs_sim import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    cli.main(['dump'])\n"
            "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


def test_entry_point_is_declared() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["idrs-sim"] == "idrs_sim.cli:main"
    assert project["entry-points"]["pytest11"]["idrs_sim"] == "idrs_sim.testing"


# ---- serve with a real 3270 client: one master file shared by every connection -------------
def _s3270(port: int, *actions: str) -> str:
    script = "".join(f"{a}\n" for a in (f"Connect(127.0.0.1:{port})", "Wait(10,InputField)", *actions,
                                        "Ascii(23,0,80)", "Disconnect"))
    done = subprocess.run(["s3270"], input=script, capture_output=True, text=True, timeout=60)
    data = [ln[6:] for ln in done.stdout.splitlines() if ln.startswith("data: ")]
    return data[-1].strip() if data else done.stdout


@pytest.mark.tn3270
@pytest.mark.skipif(shutil.which("s3270") is None, reason="s3270 not installed (CI installs it)")
def test_serve_shares_one_master_file_between_connections() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "idrs_sim.cli", "serve", "--port", "0"], cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().rsplit(":", 1)[1])
        # the stopper after a full field is not auto-skip (as in-process): Tab to the password
        sign_on = ['String("1485012345")', "Tab", 'String("{pw}")', "Enter", "Wait(10,Unlock)"]
        assert _s3270(port, *(a.format(pw="train123") for a in sign_on)).startswith("SIGN-ON COMPLETED")
        for _ in range(3):  # three connections, a wrong password each
            said = _s3270(port, *(a.format(pw="WRONG") for a in sign_on))
        assert said == "INVALID PASSWORD - EMPLOYEE NUMBER NOW LOCKED"
        # a fourth connection sees the lock the others left on the shared master file
        said = _s3270(port, *(a.format(pw="train123") for a in sign_on))
        assert said.startswith("EMPLOYEE NUMBER LOCKED")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_read_only_database_is_a_usage_error_for_what_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every key writes an audit record and a cycle posts: a database that takes no writes is
    refused at start (exit 2, one line), not a SYSTEM ERROR at the first key (exit 1)."""
    db = tmp_path / "m.db"
    assert cli.main(["cycle", "--db", f"sqlite:///{db}"]) == 0  # fills it from the training file
    capsys.readouterr()
    ro = f"sqlite:///file:{db}?mode=ro&uri=true"
    script = tmp_path / "s.txt"
    script.write_text('SignOn(1485012345)\nExpect("SIGN-ON COMPLETED")\n')
    assert cli.main(["replay", str(script), "--db", ro]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is read-only" in err[0] and "Traceback" not in err[0]
    assert cli.main(["cycle", "--db", ro]) == 2
    assert "is read-only" in capsys.readouterr().err
    before = db.read_bytes()
    assert cli.main(["dump", "--db", ro]) == 0  # reading needs no writes
    assert cli.main(["audit", "--db", ro]) == 0
    assert db.read_bytes() == before
    assert cli.main(["replay", str(script), "--db", f"sqlite:///{db}"]) == 0


def test_reading_commands_never_create_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`dump` and `audit` only read: a mistyped --db is refused (exit 2), not created and
    filled from the training file (a docs review found a sandbox path typo made one)."""
    typo = tmp_path / "sandbox-7.db"
    for args in (["dump", "--db", f"sqlite:///{typo}"], ["audit", "--db", f"sqlite:///{typo}"],
                 ["dump", "--db", f"sqlite:///file:{typo}?mode=ro&uri=true"]):
        assert cli.main(args) == 2
        assert capsys.readouterr().err.strip() == f"idrs-sim {args[0]}: no database at {typo}"
    assert not typo.exists()
    assert cli.main(["dump", "--db", f"sqlite:///{typo}", "--fixture", "training"]) == 0  # asked for: filled
    assert typo.exists()


def test_no_command_damages_a_database_it_was_not_asked_to_change(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Found by a sweep of bad input: each of these wrote to (or over) the --db file."""
    db = tmp_path / "m.db"
    url = f"sqlite:///{db}"
    assert cli.main(["cycle", "--db", url]) == 0
    capsys.readouterr()
    before = db.read_bytes()
    cases = [
        ["--date", "2024-01-01", "dump", "--db", url],  # the clock saved back behind posted cycles
        ["--date", "2024-01-01", "audit", "--db", url],
        ["cycle", "--db", url, "--report", str(db)],  # the report written over the database
        ["grade", "--db", url, "--trainee", "1485012345", "--exercise", "valid_return_up126_paper_check",
         "--html", str(db)],
        ["cycle", "--db", f"{url}?mode=ro"],  # read-only asked for, and written all the same
        ["grade", "--db", url, "--trainee", "abc", "--exercise", "valid_return_up126_paper_check"],
        ["grade", "--db", url, "--trainee", "9999999999", "--exercise", "valid_return_up126_paper_check"],
    ]
    for args in cases:
        assert cli.main(args) == 2, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "Traceback" not in err[0] and "Error:" not in err[0], (args, err)
        assert db.read_bytes() == before, args
    empty = tmp_path / "empty.db"
    empty.touch()
    assert cli.main(["grade", "--db", f"sqlite:///{empty}", "--trainee", "1485012345"]) == 2
    assert "the file is empty" in capsys.readouterr().err and empty.stat().st_size == 0
    new = tmp_path / "new.db"
    assert cli.main(["dump", "--db", f"sqlite:///{new}", "--fixture", "nosuch"]) == 2
    assert not new.exists()  # the fixture is looked for before the database is made


def test_odd_files_are_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sweep of odd input: each was a hang, a whole-tree check, an OSError name or a
    'no fixture' for a file that is there."""
    noext = tmp_path / "noext"
    noext.write_text("date: 2024-06-17\n")
    cases = [
        (["replay", "/dev/zero"], "a device, not a file"),  # read without end before
        (["replay", ""], "an empty file name"),
        (["replay", str(tmp_path)], "a directory"),
        (["fixtures", "check", ""], "an empty path"),  # checked the whole current directory
        (["dump", "--fixture", str(noext)], "name ends in .yaml, .yml, .json"),
        (["dump", "--fixture", str(tmp_path)], "is a directory"),
        (["dump", "--fixture", ""], "empty: give a value"),
        (["dump", "--tin", ""], "empty: give a value"),
        (["serve", "--host", "", "--port", "0"], "empty: give a value"),  # listened on every interface
        (["classroom", "--trainees", "99999", "--lesson", "training"], "at most 1,000"),
    ]
    for args, says in cases:
        try:
            code = cli.main(args)
        except SystemExit as stop:  # argparse's own refusals
            code = stop.code
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and says in err[0], (args, err)
    big = tmp_path / "big.txt"
    big.write_bytes(b"#" * (5 * 1024 * 1024))
    assert cli.main(["replay", str(big)]) == 2
    assert "longer than 4 MB" in capsys.readouterr().err
    assert cli.main(["fixtures", "check", str(noext)]) == 1 and "noext:0: a fixture file's name ends in" in capsys.readouterr().out


def test_dump_tin_with_or_without_dashes() -> None:
    """As `audit --tin`: 400001001 is 400-00-1001, 992000001 is 99-2000001 (review of 2026-12-08)."""
    for typed, tin in (("400001001", "400-00-1001"), ("992000001", "99-2000001")):
        done = run("dump", "--tin", typed)
        assert done.returncode == 0, done.stderr
        assert [e["tin"] for e in json.loads(done.stdout)["entities"]] == [tin]


def test_replay_takes_scripts_on_both_sides_of_an_option(tmp_path: Path) -> None:
    """`replay a.txt --date D b.txt` (a shell glob around an option) ran neither script."""
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text('SignOn(1485012345)\nString("ENMOD 400-00-1001")\nEnter\nExpect("JOHN A SMITH")\n')
    done = run("replay", str(tmp_path / "a.txt"), "--date", "2024-06-18", str(tmp_path / "b.txt"))
    assert done.returncode == 0, done.stderr
    assert [line.split()[:2] for line in done.stdout.splitlines()] == [["PASS", str(tmp_path / "a.txt")],
                                                                        ["PASS", str(tmp_path / "b.txt")]]


def test_web_help_says_what_it_uses_without_db() -> None:
    done = run("web", "--help")
    assert "temporary directory" in done.stdout and "in memory, not kept" not in done.stdout
