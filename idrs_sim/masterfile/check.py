"""`idrs-sim fixtures check`: every problem in fixture files, one line each, with file and line.

`check_fixtures(paths)` reports what would stop a load (syntax, unknown keys, malformed
dates, cycles or TINs, duplicate TINs, IDRS numbers or unpostable sequence numbers, unknown
roles, missing includes) and the project's data rules that a load tolerates:

* TINs are fictitious: SSNs 400-00-xxxx (ITINs 900-00-xxxx), EINs 99-xxxxxxx;
* DLNs have the structure of idrs-screens-and-codes §8: 14 digits, a campus FLC, the tax
  class of the module's MFT (MFT 30/32 -> 2, MFT 01 -> 1), a Julian day 001-366 or 999
  that is not after the master file date;
* TCs, TC 971/972 action codes and TC 59X closing codes are in tables/codes.yaml and
  post at their level (entity or module); amounts have the TC's sign;
* a reversal (TC 972 AC x, TC 137...) has its original in the same list, a `reversed: true`
  TC 971 has its TC 972, MISC literals have the IRM format (TC 972 AC 129 never blank);
* posted transactions, letters and unpostables are not after the master file date;
* each scenario file says what it is (`scenario: {title, irm, narrative}`).

The CLI prints `str(problem)` for each and exits 1 when the list is not empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from .fixture_read import not_a_fixture_file
from .fixtures import (
    FIXTURE_SUFFIXES,
    Codes,
    FixtureError,
    Problem,
    _display,
    _p,
    _to_decimal,
    codes,
    compose,
    fixtures_dir,
    validate,
)

__all__ = ["Problem", "Codes", "codes", "check_fixtures", "check_file"]


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in FIXTURE_SUFFIXES and p.is_file()))
        else:
            out.append(path)
    return out


def check_fixtures(paths: Iterable[str | Path] = ()) -> list[Problem]:
    """Problems in the given fixture files or directories (default: every shipped fixture).

    Each file is checked as it would load, includes and all; a problem seen through several
    files (an included scenario) is reported once.  Sorted by file and line.
    """
    given = list(paths)
    out: list[Problem] = []
    files = _expand(given) if given else _expand([fixtures_dir()])
    seen: set[tuple[str, int, str]] = set()
    for raw in given:  # a directory without fixtures is a problem, not "check the shipped ones"
        if Path(raw).is_dir() and not _expand([raw]):
            out.append(Problem(_display(Path(raw)), 0, "no fixture files (.yaml, .yml, .json) in this directory"))
    for path in files:
        for problem in check_file(path):
            key = (problem.file, problem.line, problem.message)
            if key not in seen:
                seen.add(key)
                out.append(problem)
    return sorted(out, key=lambda p: (p.file, p.line, p.message))


def check_file(path: str | Path) -> list[Problem]:
    """Every problem (hard and lint) of one fixture file and what it includes."""
    path = Path(path)
    if not path.exists():
        return [Problem(_display(path), 0, "no such fixture file")]
    if not path.is_file() or path.suffix.lower() not in FIXTURE_SUFFIXES:
        return [Problem(_display(path), 0, not_a_fixture_file(path))]
    try:
        comp = compose(path)
    except FixtureError as exc:  # pragma: no cover - compose collects, but be safe
        return list(exc.problems)
    problems = list(comp.problems)
    if problems and not comp.data:
        return problems
    _, found = validate(comp.data, file=comp.data.file)
    problems.extend(found)
    problems.extend(_scenario_rules(comp))
    problems.extend(_module_rules(comp.data, codes(), comp.data.file))
    return problems


def _scenario_rules(comp) -> list[Problem]:  # type: ignore[no-untyped-def]
    """A scenario file (one with taxpayers) under the fixtures tree says what it teaches."""
    out: list[Problem] = []
    for src in comp.sources:
        if not src.tins:
            continue
        if src.scenario is None and _under_fixtures(src.path):
            out.append(Problem(_display(src.path), 1, "scenario: {title, irm, narrative} is missing (each scenario file says what it teaches)", True))
        elif src.scenario is not None:
            for key in ("title", "irm", "narrative"):
                if not src.scenario.get(key):
                    out.append(_p(src.scenario, None, f"scenario: {key} is missing", True))
    return out


def _under_fixtures(path: Path) -> bool:
    try:
        path.resolve().relative_to(fixtures_dir().resolve())
    except ValueError:
        return False
    return True


def _module_rules(data: dict, table: Codes, file: str) -> list[Problem]:
    """Cross-record rules inside a module: AC 124 points at a return there; returns add up."""
    out: list[Problem] = []
    for ent in data.get("entities") or []:
        if not isinstance(ent, dict):
            continue
        for mod in ent.get("modules") or []:
            if not isinstance(mod, dict):
                continue
            txns = [t for t in mod.get("transactions") or [] if isinstance(t, dict)]
            ups = [u for u in mod.get("unpostables") or [] if isinstance(u, dict)]
            dlns = {str(t.get("dln", "")).replace("-", "") for t in txns if t.get("tc") in (150, 976)}
            dlns |= {str(u.get("dln", "")).replace("-", "") for u in ups}
            for t in txns:
                if t.get("tc") == 971 and t.get("ac") == 124 and isinstance(t.get("misc"), str):
                    found = re.match(r"^(\d{14})", t["misc"])
                    if found and found.group(1) not in dlns:
                        out.append(_p(t, "misc", f"TC 971 AC 124 MISC {found.group(1)} matches no return (TC 150 or unpostable DLN) on this module", True, file))
                if isinstance(t.get("document"), dict):
                    out.extend(_document_rules(t["document"], file))
            for u in ups:
                if isinstance(u.get("document"), dict):
                    out.extend(_document_rules(u["document"], file))
    return out


def _document_rules(doc: dict, file: str) -> list[Problem]:
    """A return as filed adds up: refund = withholding + payments + credits - tax (when shown)."""
    values = {k: _to_decimal(doc.get(k)) for k in ("tax", "withholding", "payments", "credits", "refund", "balance_due")}
    if values["tax"] is None or values["withholding"] is None or (values["refund"] is None and values["balance_due"] is None):
        return []
    net = values["withholding"] + (values["payments"] or Decimal(0)) + (values["credits"] or Decimal(0)) - values["tax"]
    refund = values["refund"] or Decimal(0)
    due = values["balance_due"] or Decimal(0)
    if net != refund - due:
        key = "refund" if values["refund"] is not None else "balance_due"
        return [_p(doc, key, f"return does not add up: withholding + payments + credits - tax = {net}, but refund - balance_due = {refund - due}", True, file)]
    return []

