"""`idrs-sim grade` as a trainer uses it: a trainee's work on a --db, graded on a copy.

Also the HTML report an instructor keeps, opened in a real headless Chromium (Debian's).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from idrs_sim.cli import main
from idrs_sim.grading.exercises import find_exercise, trainee_keys
from idrs_sim.grading.grade import grade_master_file
from idrs_sim.grading.report import html_report

PARTIAL = """SignOn(1485012345)
String("UPDIS 000000101")
Enter
Clear
String("UPASGR 000000101")
Enter
Fill("URC", "0")
Enter
"""


def _trainee_db(tmp_path: Path, script: str) -> tuple[str, Path]:
    db = tmp_path / "trainee.db"
    path = tmp_path / "work.txt"
    path.write_text(script, encoding="utf-8")
    url = f"sqlite:///{db}"
    assert main(["replay", str(path), "--db", url, "--fixture", "tpp/valid_return_up126"]) == 0
    return url, db


def test_partial_work_grades_missed_checks_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, db = _trainee_db(tmp_path, PARTIAL)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    capsys.readouterr()
    rc = main(["grade", "--db", url, "--trainee", "1485012345", "--exercise", "valid_return_up126_paper_check"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "4/7 CHECKS MET" in out and "graded after posting 1 cycle(s) on a copy" in out
    assert "MET    urc-0-no-release-cycle" in out
    assert "MISSED tc972-ac124-reverses-marker" in out and "IRM 25.25.6.5.1.1 (5) box 1" in out
    assert "MISSED ams-9-weeks" in out
    # grading never changes the trainee's database: the cycle ran on a copy
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_the_worked_procedure_grades_all_met_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exercise = find_exercise("tpp/valid_return_up126_paper_check")
    url, _ = _trainee_db(tmp_path, trainee_keys(exercise.procedure.text).replace(
        "Load(tpp/valid_return_up126)\n", ""))
    capsys.readouterr()
    assert main(["grade", "--db", url, "--trainee", "1485012345", "--exercise", exercise.name]) == 0
    assert "7/7 CHECKS MET" in capsys.readouterr().out


def test_another_employees_commands_are_not_the_trainees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Command checks read the audit trail of the trainee named, not everyone's."""
    url, _ = _trainee_db(tmp_path, 'SignOn(1485022001)\nString("REQ77 400-00-1015 30 202312")\nEnter\n')
    capsys.readouterr()
    args = ["grade", "--db", url, "--exercise", "advice_refund_not_received_refund_issued"]
    main([*args, "--trainee", "1485012345"])
    assert "MET    no-input" in capsys.readouterr().out
    main([*args, "--trainee", "1485022001"])
    assert "MISSED no-input" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["grade", "--trainee", "1485012345"], "no classroom database here"),
    (["grade", "--db", "sqlite:///{tmp}/none.db", "--trainee", "1485012345"], "no database at"),
    (["grade", "--db", "sqlite:///{tmp}/trainee.db", "--trainee", "1"], "has 10 digits"),
    (["grade", "--db", "sqlite:///{tmp}/trainee.db"], "grade needs --trainee"),
    (["grade", "--db", "sqlite:///{tmp}/trainee.db", "--trainee", "1485012345"], "not started on an exercise"),
    (["grade", "--db", "sqlite:///{tmp}/trainee.db", "--trainee", "1485012345", "--exercise", "paper_chek"],
     "no exercise 'paper_chek'"),
])
def test_usage_problems_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str) -> None:
    _trainee_db(tmp_path, PARTIAL)
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)  # no classroom.db here: --db is needed
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "none.db").exists()


def test_list_names_every_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "--list"]) == 0
    out = capsys.readouterr().out
    assert "tpp/valid_return_up126_paper_check" in out and len(out.splitlines()) >= 54


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _two_trainees() -> str:
    exercise = find_exercise("tpp/valid_return_up126_paper_check")
    grades = []
    for trainee, script in (("1485012345", trainee_keys(exercise.procedure.text)),
                            ("1485012346", "Load(tpp/valid_return_up126)\n" + PARTIAL)):
        from idrs_sim.tools.procedures import run_procedure

        driver = run_procedure(exercise.procedure, text=script)
        try:
            grades.append(grade_master_file(driver.sim.mf, exercise, "1485012345"))
        finally:
            driver.sim.close()
        object.__setattr__(grades[-1], "trainee", trainee)  # two sandboxes, shown as two trainees
    return html_report(grades, "Class TPP-101: grade report", "Simulated date 06/21/2024, cycle 202426")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(_two_trainees(), encoding="utf-8")
    profile = tmp_path / "profile"
    dom = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "Class TPP-101: grade report" in dom
    assert dom.count("ALL MET") == 1 and "tc972-ac124-reverses-marker" in dom
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1100,1400",
                    "--hide-scrollbars", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=60, check=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    if Path("docs/img").is_dir() and __import__("os").environ.get("IDRS_SIM_UPDATE_SCREENSHOTS"):
        shutil.copy(shot, "docs/img/grade-report.png")


def test_html_report_is_self_contained() -> None:
    page = _two_trainees()
    assert "<script" not in page and "http://" not in page and "https://" not in page


def test_class_and_trainee_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--class --trainee X` graded the whole class and ignored --trainee (review 2026-12-07)."""
    capsys.readouterr()
    rc = main(["grade", "--class", "--trainee", "1485100001", "--db", f"sqlite:///{tmp_path / 'c.db'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "not both" in err[0]
    assert not (tmp_path / "c.db").exists()
