"""Procedure scripts: the IRM's decision tables as replay scripts with a trainer header.

A procedure is a replay script (docs/command-syntax.md §2) under ``procedures/<area>/``
(``procedures/tpp/*.txt`` for IRM 25.25.6) that starts from one fixture, performs the
actions the IRM requires, runs the posting cycles and checks the master file on the
screens.  Its leading comment block is the header trainers read (and
`idrs_sim.tools.catalogue` turns into docs/tpp-procedures.md)::

    # Procedure: Valid return UP 126 RC 0 - refund by paper check
    # IRM: 25.25.6.5.1.1 (5) box 1
    # Fixture: tpp/valid_return_up126
    # Date: 2024-11-18            (optional: the script's Date(), when not the fixture's)
    # Employee: 1485012345 (TPP assistor)
    # Situation: The caller filed the return in question and passed HRA; ...
    #   (a line starting "#   " continues the field above)
    # Actions:
    # - UPDIS 000000101, UPASGR: the case sits with the unpostable team
    # - UPRES URC 0
    # Result:
    # - cycle 202426: the return posts, the refund goes out as a paper check
    # Advice: 9 weeks (idrs_sim.rules.tpp_advice.processing_timeframe)

`Procedure`, `Actions`, `Result` are required; the ``Fixture`` must be the one the
script loads with its first ``Load``.  `run_procedure` runs a script (or a mutated copy
of it, for the acceptance tests) in memory and returns the driver, whose master file the
tests then inspect through `Driver.dump` as ``idrs-sim dump`` would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..replay.actions import Driver, Failure, ScriptProblem
from ..replay.compile import compile_script
from ..resources import data_dir
from ..simulator import Simulator

__all__ = [
    "Procedure",
    "ProcedureError",
    "ProcedureFailure",
    "list_procedures",
    "parse_header",
    "procedures_dir",
    "read_procedure",
    "run_procedure",
]

_FIELDS = ("procedure", "irm", "fixture", "date", "employee", "situation", "actions", "result", "advice")
_LISTS = ("actions", "result")
_REQUIRED = ("procedure", "irm", "fixture", "actions", "result")
_KEY = re.compile(r"^#\s?([A-Za-z]+):\s*(.*)$")
_BULLET = re.compile(r"^#\s*-\s+(.*)$")
_CONT = re.compile(r"^#\s{2,}(\S.*)$")


class ProcedureError(ValueError):
    """A procedure file whose header is incomplete or inconsistent with its script."""


class ProcedureFailure(AssertionError):
    """A step of a procedure script did not hold: names the script line, carries the screen."""

    def __init__(self, where: str, source: str, failure: Failure, line: int = 0,
                 dump: dict[str, Any] | None = None) -> None:
        super().__init__(f"{where}: {source}\n  FAILED: {failure.message}\n{failure.screen}")
        self.where = where
        self.source = source
        self.failure = failure
        self.line = line
        self.dump = dump  # the master file when the step failed (idrs-sim dump form)


@dataclass(frozen=True)
class Procedure:
    """One procedure script and its header (IRM section, fixture, expected actions)."""

    name: str
    area: str
    path: Path
    title: str
    irm: str
    fixture: str
    date: str = ""  # the simulated date the script sets after loading (Date), if any
    employee: str = ""
    situation: str = ""
    actions: tuple[str, ...] = ()
    result: tuple[str, ...] = ()
    advice: str = ""
    text: str = field(default="", repr=False)

    @property
    def irm_section(self) -> str:
        """The IRM section number alone (``25.25.6.5.1.1``), for sorting and grouping."""
        m = re.search(r"\d+(?:\.\d+)+", self.irm)
        return m.group(0) if m else self.irm


def procedures_dir(area: str | None = None) -> Path:
    """``procedures/`` of the checkout (or ``idrs_sim/_data/procedures`` when installed)."""
    root = data_dir("procedures")
    return root / area if area else root


def parse_header(text: str, path: Path) -> Procedure:
    """Read the leading comment block of a procedure script (ProcedureError if incomplete)."""
    values: dict[str, str | list[str]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        key = _KEY.match(line)
        if key and key.group(1).lower() in _FIELDS:
            current = key.group(1).lower()
            rest = key.group(2).strip()
            values[current] = [] if current in _LISTS else rest
            if current in _LISTS and rest:
                raise ProcedureError(f"{path}: {key.group(1)}: the items go on the lines below, one per '# - '")
            continue
        bullet = _BULLET.match(line)
        if bullet and current in _LISTS:
            items = values[current]
            assert isinstance(items, list)
            items.append(bullet.group(1).strip())
            continue
        cont = _CONT.match(line)
        if cont and current is not None:
            if current in _LISTS:
                items = values[current]
                assert isinstance(items, list)
                if not items:
                    raise ProcedureError(f"{path}: a continuation line before the first '# - ' item")
                items[-1] = f"{items[-1]} {cont.group(1).strip()}"
            else:
                values[current] = f"{values[current]} {cont.group(1).strip()}".strip()
            continue
        current = None  # any other comment ends the field
    missing = [k for k in _REQUIRED if not values.get(k)]
    if missing:
        raise ProcedureError(f"{path}: header without {', '.join(k.capitalize() + ':' for k in missing)}")
    load = re.search(r"^\s*Load\(\s*\"?([^\")]+)\"?\s*\)", text, re.MULTILINE | re.IGNORECASE)
    fixture = str(values["fixture"])
    if load is None or load.group(1).strip() != fixture:
        raise ProcedureError(f"{path}: Fixture: {fixture} but the script's first Load is "
                             f"{load.group(1) if load else 'missing'}")

    date = str(values.get("date", ""))
    if date and not re.search(rf"^\s*Date\(\s*\"?{re.escape(date)}\"?\s*\)", text, re.MULTILINE | re.IGNORECASE):
        raise ProcedureError(f"{path}: Date: {date} but the script has no Date({date})")

    def _list(key: str) -> tuple[str, ...]:
        v = values.get(key) or []
        return tuple(v) if isinstance(v, list) else (v,)

    return Procedure(
        name=path.stem, area=path.parent.name, path=path, title=str(values["procedure"]), irm=str(values["irm"]),
        fixture=fixture, date=date, employee=str(values.get("employee", "")), situation=str(values.get("situation", "")),
        actions=_list("actions"), result=_list("result"), advice=str(values.get("advice", "")), text=text,
    )


def read_procedure(path: str | Path) -> Procedure:
    p = Path(path)
    return parse_header(p.read_text(encoding="utf-8"), p)


def list_procedures(area: str = "tpp") -> list[Procedure]:
    """Every procedure of an area, sorted by file name."""
    return [read_procedure(p) for p in sorted(procedures_dir(area).glob("*.txt"))]


def run_procedure(
    procedure: Procedure | str | Path,
    *,
    text: str | None = None,
    edit: Callable[[str], str] | None = None,
    out: TextIO | None = None,
) -> Driver:
    """Run a procedure script in memory; the driver afterwards (its master file is kept).

    `text` replaces the script (or `edit` rewrites it: the acceptance tests leave an action
    out or change it).  A failed expectation or a refused key raises `ProcedureFailure`;
    a script error `ScriptProblem`.  The caller closes the driver's simulator
    (``driver.sim.close()``) when done with it (e.g. after ``driver.dump()``).
    """
    proc = procedure if isinstance(procedure, Procedure) else read_procedure(procedure)
    script = text if text is not None else proc.text
    if edit is not None:
        script = edit(script)
    steps = compile_script(script, str(proc.path))
    sim = Simulator("sqlite://", None)
    driver = Driver(sim, terminal_id="PROC01", out=out, base_dir=proc.path.parent)
    try:
        for step in steps:
            try:
                getattr(driver, step.spec.method)(*step.args)
            except Failure as exc:
                raise ProcedureFailure(f"{proc.path.name}:{step.line}", step.source, exc, step.line,
                                       driver.dump()) from None
    except BaseException:
        sim.close()
        raise
    return driver


def _check(proc: Procedure) -> None:  # pragma: no cover - used by `python -m idrs_sim.tools.procedures`
    try:
        driver = run_procedure(proc)
    except (ProcedureFailure, ScriptProblem) as exc:
        print(f"FAIL {proc.path}: {exc}")
        return
    driver.sim.close()
    print(f"PASS {proc.path}")


if __name__ == "__main__":  # pragma: no cover
    import sys

    for name in sys.argv[1:] or [p.name for p in procedures_dir("tpp").glob("*.txt")]:
        path = Path(name)
        if not path.is_file():
            path = procedures_dir("tpp") / name
        _check(read_procedure(path))
