"""Exercises: a procedure script plus its answer key, shipped as data.

An exercise is a procedure (``procedures/<area>/<name>.txt``: fixture, IRM section,
employee, situation, the worked answer as a replay script) whose expected outcome is in
the file beside it, ``<name>.yaml``::

    situation: >                      # optional: the case as the trainee hears it
      John Smith calls: he passed identity verification and wants a paper check ...
    grade_after_cycle: "202426"       # grading posts up to this cycle (on a copy) first
    checks:
      - id: urc-0
        irm: 25.25.6.5.1.1 (5) box 1  # optional: the procedure's IRM by default
        why: Resolve the UP 126 RC 0 with URC 0 and no release cycle.
        unpostable: {seq: "000000101", status: closed, urc: "0", release_cycle: null}

The check kinds are those of `idrs_sim.grading.checks`.  Exercise names are the script
names, with or without their area: ``valid_return_up126_paper_check`` or
``tpp/valid_return_up126_paper_check``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..tools.procedures import Procedure, ProcedureError, procedures_dir, read_procedure
from .checks import Check, CheckError, parse_check

__all__ = ["Exercise", "ExerciseError", "find_exercise", "list_exercises", "read_exercise"]


class ExerciseError(ValueError):
    """An unknown exercise name, or an answer key that does not read."""


@dataclass(frozen=True)
class Exercise:
    name: str  # area/name, e.g. tpp/valid_return_up126_paper_check
    procedure: Procedure
    situation: str
    grade_after_cycle: str | None
    checks: tuple[Check, ...]

    @property
    def short_name(self) -> str:
        return self.procedure.name

    @property
    def fixture(self) -> str:
        return self.procedure.fixture

    @property
    def employee(self) -> str:
        """The IDRS number the procedure signs on with (the trainee's role in it)."""
        return self.procedure.employee.split()[0] if self.procedure.employee else ""

    @property
    def employees(self) -> frozenset[str]:
        """Every IDRS number the procedure signs on as (`SignOn(IDRS)` lines): who may sign on
        in a classroom sandbox of this exercise, beside its trainee (decision GRADE-9)."""
        from ..replay.compile import compile_script  # the replay language, read by its own parser

        steps = compile_script(self.procedure.text, str(self.procedure.path))
        return frozenset(str(step.args[0]) for step in steps if step.spec.method == "sign_on" and step.args)

    @property
    def title(self) -> str:
        return self.procedure.title


def read_exercise(script: Path) -> Exercise:
    """The exercise of a procedure script whose answer key (``.yaml``) stands beside it."""
    key_path = script.with_suffix(".yaml")
    try:
        proc = read_procedure(script)
        raw = yaml.safe_load(key_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, ProcedureError) as exc:
        raise ExerciseError(f"{key_path}: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("checks"), list) or not raw["checks"]:
        raise ExerciseError(f"{key_path}: an answer key needs a non-empty list `checks`")
    unknown = sorted(set(raw) - {"situation", "grade_after_cycle", "checks"})
    if unknown:
        raise ExerciseError(f"{key_path}: unknown key {', '.join(unknown)}")
    checks: list[Check] = []
    for n, item in enumerate(raw["checks"], start=1):
        try:
            checks.append(parse_check(item, default_irm=proc.irm, where=f"{key_path} check {n}"))
        except CheckError as exc:
            raise ExerciseError(str(exc)) from None
    ids = [c.id for c in checks]
    if len(set(ids)) != len(ids):
        raise ExerciseError(f"{key_path}: check ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    area = script.parent.relative_to(procedures_dir()).as_posix()
    after = raw.get("grade_after_cycle")
    return Exercise(name=f"{area}/{proc.name}", procedure=proc,
                    situation=" ".join(str(raw.get("situation") or proc.situation).split()),
                    grade_after_cycle=str(after) if after is not None else None, checks=tuple(checks))


@cache
def _all() -> tuple[Exercise, ...]:
    root = procedures_dir()
    return tuple(read_exercise(p) for p in sorted(root.rglob("*.txt")) if p.with_suffix(".yaml").is_file())


def list_exercises(area: str | None = None) -> list[Exercise]:
    """Every shipped exercise (of one area: ``tpp``, ``appeals``...), sorted by name."""
    return [e for e in _all() if area is None or e.name.startswith(area.rstrip("/") + "/")]


def find_exercise(name: str) -> Exercise:
    """An exercise by name (``tpp/x`` or ``x``), or a path to a procedure script with a key."""
    path = Path(name)
    if path.suffix == ".txt" and path.is_file():
        return read_exercise(path)
    wanted = name.strip().removesuffix(".txt").lower()  # typed on a terminal: upper case
    found = [e for e in _all() if wanted in (e.name, e.short_name)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ExerciseError(f"exercise {name!r} is ambiguous: {', '.join(e.name for e in found)}")
    close = difflib.get_close_matches(wanted, [e.short_name for e in _all()], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'idrs-sim grade --list' lists them"
    raise ExerciseError(f"no exercise {name!r}{hint}")


def answer_key(exercise: Exercise) -> list[dict[str, Any]]:
    """The checks as plain data (for the HTML report and docs)."""
    return [{"id": c.id, "irm": c.irm, "why": c.why, "kind": c.kind} for c in exercise.checks]


_EXPECTATION = ("expect", "snap")


def trainee_keys(script: str) -> str:
    """A procedure script as a trainee works it: the same keys and cycles, no expectations.

    A trainee checks nothing on the screen for the grader; what counts is what the keys left
    on the master file, so grading a replayed (or mutated) script does not stop at a screen.
    """
    keep = [line for line in script.splitlines()
            if not line.strip().lower().startswith(_EXPECTATION)]
    return "\n".join(keep) + "\n"
