"""Grading: how long a grade takes, per exercise and for a class (issue 21).

    python -m bench.grading [--trainees 10] [--json]

1. Every shipped exercise is worked as the trainee (its script's keys, no expectations, in
   memory; not timed), then `grade_master_file` is timed on the result: the grade `GRADE`
   and `idrs-sim grade` give when the work has reached the exercise's cycle.
2. One TPP exercise worked without its posting cycle: the grade posts a copy first.
3. A classroom of N trainees (SQLite, in process): each keys `EXER NAME` (timed: a fresh
   sandbox of the exercise's fixture) and works the exercise at the classroom terminal,
   every other one without the instructor's CYCLE; then `GRADE` at a terminal, the
   instructor's `CLASS` twice (the second finds every grade unchanged), and
   `idrs-sim grade --class --html`.

Not in `make bench`'s suite list (run it on its own); figures only, never assertions.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import Result, say

EXERCISE = "tpp/valid_return_up126_paper_check"
INSTRUCTOR = "1485099999"


def _per_exercise(res: Result) -> None:
    from idrs_sim.grading.exercises import list_exercises, trainee_keys
    from idrs_sim.grading.grade import grade_master_file
    from idrs_sim.tools.procedures import run_procedure

    by_area: dict[str, list[float]] = {}
    slowest = ("", 0.0)
    for ex in list_exercises():
        driver = run_procedure(ex.procedure, edit=trainee_keys)
        try:
            t0 = time.perf_counter()
            grade = grade_master_file(driver.sim.mf, ex, ex.employee)
            took = time.perf_counter() - t0
        finally:
            driver.sim.close()
        if not grade.passed:
            res.notes.append(f"{ex.name} did not grade all met")
        by_area.setdefault(ex.name.split("/")[0], []).append(took)
        slowest = max(slowest, (ex.name, took), key=lambda x: x[1])
    every = [t for ts in by_area.values() for t in ts]
    res.figures.update({
        "exercises": len(every), "grade_median_ms": round(statistics.median(every) * 1000, 1),
        "grade_max_ms": round(slowest[1] * 1000, 1), "grade_slowest": slowest[0],
        "grade_all_s": round(sum(every), 2),
        **{f"grade_median_ms_{a}": round(statistics.median(ts) * 1000, 1) for a, ts in sorted(by_area.items())},
    })


def _no_cycle(text: str) -> str:
    return re.sub(r"^Cycle.*\n", "", text, flags=re.MULTILINE)


def _with_posting(res: Result) -> None:
    from idrs_sim.grading.exercises import find_exercise, trainee_keys
    from idrs_sim.grading.grade import grade_master_file
    from idrs_sim.tools.procedures import run_procedure

    ex = find_exercise(EXERCISE)
    driver = run_procedure(ex.procedure, edit=lambda s: _no_cycle(trainee_keys(s)))
    try:
        t0 = time.perf_counter()
        grade = grade_master_file(driver.sim.mf, ex, ex.employee)
        res.figures["grade_posting_copy_s"] = round(time.perf_counter() - t0, 3)
        res.figures["grade_posting_copy_cycles"] = grade.cycles_posted
    finally:
        driver.sim.close()


def _command(t, text: str) -> str:  # type: ignore[no-untyped-def]
    t.clear()
    t.type_text(text)
    t.enter()
    return str(t.screen.message)


def _signon(t, idrs: str) -> None:  # type: ignore[no-untyped-def]
    t.fill("EMPLOYEE NUMBER", idrs)
    t.fill("PASSWORD", "train123")
    t.enter()


def _class(res: Result, trainees: int, tmp: Path) -> None:
    from idrs_sim.classroom import Classroom, trainee_number
    from idrs_sim.classroom.host import ClassroomHost
    from idrs_sim.cli import main
    from idrs_sim.grading.exercises import find_exercise, trainee_keys
    from idrs_sim.replay import Driver, compile_script
    from idrs_sim.terminal.terminal import Terminal

    ex = find_exercise(EXERCISE)
    url = f"sqlite:///{tmp / 'class.db'}"
    with Classroom(url, "training", follow_clock=False, trainees=trainees) as room:
        ins = Terminal(ClassroomHost(room, "I"))
        _signon(ins, INSTRUCTOR)
        exer: list[float] = []
        terms = []
        for n in range(1, trainees + 1):
            t = Terminal(ClassroomHost(room, f"T{n}"))
            _signon(t, trainee_number(n))
            t0 = time.perf_counter()
            _command(t, f"EXER {ex.short_name.upper()}")
            exer.append(time.perf_counter() - t0)
            text = trainee_keys(ex.procedure.text)
            for step in compile_script(text if n % 2 == 0 else _no_cycle(text), EXERCISE):
                method = step.spec.method
                if method in ("load", "date", "sign_on"):
                    continue
                if method == "cycle":
                    _command(ins, f"CYCLE {trainee_number(n)}")
                    continue
                driver = Driver.__new__(Driver)
                driver.terminal, driver.terminal_id, driver._out, driver.base_dir = t, "T", None, None
                getattr(driver, method)(*step.args)
            terms.append(t)
        t0 = time.perf_counter()
        _command(terms[0], "GRADE")
        res.figures["terminal_grade_s"] = round(time.perf_counter() - t0, 3)
        for label in ("class_first_s", "class_again_s"):
            t0 = time.perf_counter()
            _command(ins, "CLASS")
            res.figures[label] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    main(["grade", "--class", "--db", url, "--html", str(tmp / "class.html")])
    res.figures.update({"trainees": trainees, "exer_median_s": round(statistics.median(exer), 2),
                        "grade_class_s": round(time.perf_counter() - t0, 2)})


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(prog="python -m bench.grading")
    ap.add_argument("--trainees", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = Result("grading")
    tmp = Path(tempfile.mkdtemp(prefix="idrs-bench-grade-"))
    try:
        _per_exercise(res)
        _with_posting(res)
        _class(res, args.trainees, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f = res.figures
    say(f"grading: {f['exercises']} exercises, median {f['grade_median_ms']} ms, max {f['grade_max_ms']} ms "
        f"({f['grade_slowest']}), all {f['grade_all_s']} s; with a cycle posted on a copy "
        f"{f['grade_posting_copy_s']} s")
    say(f"class of {f['trainees']}: EXER median {f['exer_median_s']} s; GRADE {f['terminal_grade_s']} s; "
        f"CLASS {f['class_first_s']} s then {f['class_again_s']} s; grade --class --html {f['grade_class_s']} s")
    for note in res.notes:
        say(f"  !! {note}")
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main()
