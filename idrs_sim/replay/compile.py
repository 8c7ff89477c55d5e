"""A replay script checked before anything runs: each parsed action (`replay.parse`) mapped
onto its `Driver` method, with its arguments converted and range-checked.

Why before: a script that would stop at line 40 on a bad argument is a usage error at
once, before its first key changes a master file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..simulator import SimulatorError, parse_date
from ..terminal.screen import COLS
from .actions import ScriptProblem, _check_position, _compile, _q


# ---- the script language: names and argument kinds --------------------------------
@dataclass(frozen=True)
class Spec:
    """How a script action maps onto a Driver method; `forms` lists accepted argument kinds.

    Kinds: ``s`` text, ``i`` whole number, ``d`` date, ``n`` employee number, ``p`` fixture
    name or path.
    """

    name: str
    method: str
    forms: tuple[str, ...]


SPECS: dict[str, Spec] = {s.name.lower(): s for s in (
    Spec("String", "string", ("s",)),
    Spec("Enter", "enter", ("",)),
    Spec("Clear", "clear", ("",)),
    Spec("Tab", "tab", ("",)),
    Spec("BackTab", "backtab", ("",)),
    Spec("Home", "home", ("",)),
    Spec("Newline", "newline", ("",)),
    Spec("EraseEOF", "erase_eof", ("",)),
    Spec("EraseInput", "erase_input", ("",)),
    Spec("Reset", "reset", ("",)),
    Spec("PF", "pf", ("i",)),
    Spec("PA", "pa", ("i",)),
    Spec("MoveCursor1", "move_cursor", ("ii",)),
    Spec("Date", "date", ("d",)),
    Spec("Load", "load", ("p",)),
    Spec("SignOn", "sign_on", ("n", "ns")),
    Spec("Cycle", "cycle", ("", "i")),
    Spec("Fill", "fill", ("ss",)),
    Spec("Snap", "snap", ("",)),
    Spec("Expect", "expect", ("s",)),
    Spec("ExpectNot", "expect_not", ("s",)),
    Spec("ExpectLine", "expect_line", ("is",)),
    Spec("ExpectAt", "expect_at", ("iis",)),
    Spec("ExpectMatch", "expect_match", ("is",)),
)}


@dataclass(frozen=True)
class Step:
    """One checked script line, ready to run."""

    spec: Spec
    args: tuple[Any, ...]
    line: int
    source: str


def compile_script(text: str, filename: str) -> list[Step]:
    """Parse and check a whole script before anything runs; ScriptProblem on the first error."""
    from .parse import ScriptError, parse_script_cached

    try:
        actions = parse_script_cached(text, filename)
    except ScriptError as exc:
        raise ScriptProblem(str(exc).strip() or f"{filename}: cannot parse the script") from None
    source_lines = text.splitlines()
    steps = []
    for action in actions:
        line = int(getattr(action, "line", 0) or 0)
        source = getattr(action, "source", "") or (
            source_lines[line - 1].strip() if 0 < line <= len(source_lines) else str(action.name))
        where = f"{filename}:{line}"
        spec = SPECS.get(str(action.name).lower())
        if spec is None:
            raise ScriptProblem(f"{where}: unknown action {action.name!r}")
        args = _check_args(spec, list(getattr(action, "args", ()) or ()), where)
        steps.append(Step(spec, args, line, source))
    return steps


def _check_args(spec: Spec, args: list[Any], where: str) -> tuple[Any, ...]:
    forms = [f for f in spec.forms if len(f) == len(args)]
    if not forms:
        counts = " or ".join(str(len(f)) for f in spec.forms)
        raise ScriptProblem(f"{where}: {spec.name} takes {counts} argument{'s' if counts != '1' else ''}, not {len(args)}")
    out = []
    for kind, value in zip(forms[0], args):
        out.append(_coerce(kind, value, spec.name, where))
    values = tuple(out)
    _check_values(spec, values, where)
    return values


def _coerce(kind: str, value: Any, name: str, where: str) -> Any:
    if kind == "i":
        if isinstance(value, bool):
            raise ScriptProblem(f"{where}: {name}: expected a number, got {value!r}")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise ScriptProblem(f"{where}: {name}: expected a number, got {_q(text)}")
    if kind == "d":
        try:
            return parse_date(value if isinstance(value, dt.date) else str(value))
        except SimulatorError as exc:
            raise ScriptProblem(f"{where}: {name}: {exc}") from None
    if kind == "n":
        text = str(value).strip()
        if not text:
            raise ScriptProblem(f"{where}: {name}: the employee number is empty")
        return text
    return str(value)


def _check_values(spec: Spec, args: tuple[Any, ...], where: str) -> None:
    """Range checks that need no screen, so a bad script stops before its first key."""
    try:
        if spec.name == "PF" and not 1 <= args[0] <= 24:
            raise ScriptProblem(f"PF({args[0]}): PF keys run from 1 to 24")
        if spec.name == "PA" and not 1 <= args[0] <= 3:
            raise ScriptProblem(f"PA({args[0]}): PA keys run from 1 to 3")
        if spec.name == "Cycle" and args and args[0] < 1:
            raise ScriptProblem(f"Cycle({args[0]}): the count must be 1 or more")
        if spec.name == "MoveCursor1":
            _check_position(args[0], args[1], spec.name)
        if spec.name in ("ExpectLine", "ExpectMatch"):
            _check_position(args[0], 1, spec.name)
        if spec.name == "ExpectAt":
            _check_position(args[0], args[1], spec.name)
            if args[1] - 1 + len(args[2]) > COLS:
                raise ScriptProblem(f"ExpectAt: {_q(args[2])} at column {args[1]} runs past column {COLS}")
        if spec.name == "ExpectMatch":
            _compile(args[1])
    except ScriptProblem as exc:
        raise ScriptProblem(f"{where}: {exc}") from None


__all__ = ["SPECS", "Spec", "Step", "compile_script"]
