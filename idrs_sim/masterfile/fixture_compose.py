"""Fixtures put together: the code tables as the validator sees them (read through the rules
layer), and `compose`, which follows `include:` and merges the included fixtures.

Part of `idrs_sim.masterfile.fixtures` (read / compose / validate / load / docs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..posting import calendar
from ..rules import codes as tx_codes
from ..rules import tables
from .fixture_read import (
    DATA_SOURCE,
    FixtureError,
    Node,
    NodeList,
    Problem,
    _display,
    _resolved,
    fixture_name,
    read_fixture,
    resolve_fixture,
)

# ---------------------------------------------------------------------------------------
# Code tables (tables/codes.yaml)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Codes:
    """The code tables of tables/codes.yaml, keyed by int (TC, AC, closing code) or str (MFT)."""

    transaction_codes: dict[int, dict[str, Any]]
    action_codes: dict[int, dict[str, Any]]
    closing_codes: dict[int, dict[str, Any]]
    mfts: dict[str, dict[str, Any]]
    unpostable_codes: dict[int, str]
    roles: tuple[str, ...]

    def reversal_targets(self, tc: int) -> tuple[int, ...]:
        """The TCs that `tc` reverses (TC 972 -> 971, TC 137 -> 136...): idrs_sim.rules.codes."""
        return tx_codes.reversal_targets(tc)

    @property
    def reversible(self) -> frozenset[int]:
        """TCs that some other TC reverses (TC 971, 136, 570...)."""
        return tx_codes.reversible_tcs()


@lru_cache(maxsize=4096)
def _cycle_problem(text: str) -> str | None:
    """calendar.validate_cycle, memoised: a large dump repeats the same few hundred cycles."""
    return calendar.validate_cycle(text)


@lru_cache(maxsize=8192)
def _cycle_of(day: dt.date) -> str:
    return calendar.cycle_of(day)


@cache
def codes() -> Codes:
    """The code tables of tables/codes.yaml, read once per process by the rules layer."""
    raw = tables.codes()
    return Codes(
        transaction_codes={int(k): dict(v) for k, v in raw["transaction_codes"].items()},
        action_codes={int(k): dict(v) for k, v in raw["action_codes"].items()},
        closing_codes={int(k): dict(v) for k, v in raw["closing_codes"].items()},
        mfts={f"{int(k):02d}": dict(v) for k, v in raw["mfts"].items()},
        unpostable_codes={int(k): str(v) for k, v in raw["unpostable_codes"].items()},
        roles=tuple(raw["roles"]),
    )


# ---------------------------------------------------------------------------------------
# Composition: include:
# ---------------------------------------------------------------------------------------

TOP_KEYS = {
    "scenario", "include", "date", "time", "cycle", "employees", "entities", "ics_cases",
    "state", "cycle_runs", "audit", "format",
    "acds_cases",  # Appeals TDC (issue 26): idrs_sim/masterfile/acds_data.py
}  # fmt: skip
_LIST_KEYS: tuple[str, ...] = ("employees", "entities", "ics_cases", "cycle_runs", "audit", "acds_cases")
# Appeals on ACMS (issue 25): masterfile/appeals_fixtures.py
TOP_KEYS.add("appeals")
_LIST_KEYS += ("appeals",)


@dataclass
class SourceFile:
    """One file that took part in a composition, with what it contributed (for who_is_who)."""

    path: Path
    name: str
    scenario: dict[str, Any] | None
    tins: list[str]
    idrs: list[str]


@dataclass
class Composition:
    """A fixture with its includes merged: the data to validate, and where each part came from."""

    data: Node
    sources: list[SourceFile]
    problems: list[Problem]
    # Paths that include resolution tried and found missing: the composition also depends
    # on their staying absent (see resolve_fixture).
    missing: list[Path] = field(default_factory=list)
    # resolved path -> text_digest of every file read, as it was read
    digests: dict[str, str] = field(default_factory=dict)


def compose(name_or_path: str | Path) -> Composition:
    """Read a fixture and everything it includes, merged into one mapping.

    Includes load first, in the order listed, each file at most once (so that every scenario
    can include `employees` and training.yaml can include every scenario).  Lists (employees,
    entities, ics_cases...) are concatenated; `date`/`time` of the including file win, else
    the included files' (which must then agree).  Problems (missing include, include cycle,
    syntax errors) are collected, not raised.
    """
    problems: list[Problem] = []
    sources: list[SourceFile] = []
    seen: set[Path] = set()
    merged = Node()
    dates: list[tuple[Any, Any, dict]] = []  # (date, time, document) in load order
    top_dates: list[tuple[Any, Any, dict]] = []
    top_node: list[dict] = []
    missing: list[Path] = []
    digests: dict[str, str] = {}

    def visit(path: Path, stack: tuple[Path, ...]) -> None:
        real = _resolved(path)
        if real in stack:
            chain = " -> ".join(fixture_name(p) for p in (*stack, real))
            problems.append(Problem(_display(path), 0, f"include cycle: {chain}"))
            return
        if real in seen:
            return
        seen.add(real)
        try:
            doc = read_fixture(path, digests)
        except FixtureError as exc:
            problems.extend(exc.problems)
            return
        shown = _display(path)
        if doc is None:
            doc = Node()
            doc.file = shown
        if not isinstance(doc, dict):
            problems.append(Problem(shown, getattr(doc, "line", 1), "a fixture must be a mapping (date:, employees:, entities:...)"))
            return
        includes = doc.get("include") or []
        if isinstance(includes, str):
            includes = [includes]
        if not isinstance(includes, list):
            problems.append(_p(doc, "include", "include: must be a list of fixture names", default_file=shown))
            includes = []
        for item in includes:
            if not isinstance(item, str):
                problems.append(_p(doc, "include", f"include: {item!r} is not a fixture name", default_file=shown))
                continue
            try:
                target = resolve_fixture(item, relative_to=path.parent, missing=missing)
            except FixtureError as exc:
                problems.append(_p(doc, "include", exc.problems[0].message, default_file=shown))
                continue
            visit(target, (*stack, real))
        for key, value in doc.items():
            if key in _LIST_KEYS:
                if not isinstance(value, list):
                    if value is not None:
                        problems.append(_p(doc, key, f"{key}: must be a list", default_file=shown))
                    continue
                bucket = merged.setdefault(key, _child_list(doc, key))
                bucket.extend(value)
            elif key == "state" and isinstance(value, dict):
                merged.setdefault("state", {}).update(value)
            elif key in ("date", "time", "include"):
                continue
            elif key in ("scenario", "cycle", "format"):
                if real == top_real:  # only the top file's own (the others describe themselves)
                    merged[key] = value
                    _copy_key_line(doc, merged, key)
            else:
                merged[key] = value
                _copy_key_line(doc, merged, key)
        if "date" in doc or "time" in doc:
            dates.append((doc.get("date"), doc.get("time"), doc))
            if real == top_real:
                top_dates.append(dates[-1])
        if real == top_real:
            top_node.append(doc)
        entities: list[Any] = doc["entities"] if isinstance(doc.get("entities"), list) else []
        employees: list[Any] = doc["employees"] if isinstance(doc.get("employees"), list) else []
        sources.append(
            SourceFile(
                path=path,
                name=fixture_name(path),
                scenario=doc.get("scenario") if isinstance(doc.get("scenario"), dict) else None,
                tins=[str(e.get("tin")) for e in entities if isinstance(e, dict)],
                idrs=[str(e.get("idrs")) for e in employees if isinstance(e, dict)],
            )
        )

    try:
        top = resolve_fixture(name_or_path, missing=missing)
    except FixtureError as exc:
        return Composition(merged, sources, list(exc.problems), missing, digests)
    top_real = _resolved(top)
    merged.file = _display(top)
    merged.line = 1
    merged.key_lines = {}  # type: ignore[attr-defined]
    visit(top, ())
    if top_dates:
        chosen = top_dates[0]
    elif dates:
        chosen = dates[0]
        for other in dates[1:]:
            if (other[0], other[1]) != (chosen[0], chosen[1]):
                where = top_node[0] if top_node else merged
                problems.append(
                    _p(where, "include" if "include" in where else None,
                       f"included fixtures disagree on the date ({chosen[0]} in {getattr(chosen[2], 'file', '?')},"
                       f" {other[0]} in {getattr(other[2], 'file', '?')}); set date: here", default_file=merged.file)
                )
                break
    else:
        chosen = None
    if chosen is not None:
        for key, value in (("date", chosen[0]), ("time", chosen[1])):
            if value is not None:
                merged[key] = value
                _copy_key_line(chosen[2], merged, key)
    return Composition(merged, sources, problems, missing, digests)


def _child_list(doc: dict, key: str) -> NodeList:
    out = NodeList()
    out.file = getattr(doc, "file", DATA_SOURCE)
    out.line = doc.key_line(key) if isinstance(doc, Node) else 0
    return out


def _copy_key_line(src: dict, dst: Node, key: str) -> None:
    if isinstance(src, Node):
        dst.key_lines[key] = src.key_line(key)  # type: ignore[attr-defined]


def _p(node: Any, key: Any, message: str, lint: bool = False, default_file: str = DATA_SOURCE) -> Problem:
    """A problem at `node[key]` (or at `node` when key is None); plain dicts (JSON) have no lines."""
    file = getattr(node, "file", default_file)
    if isinstance(node, Node):
        line = node.key_line(key) if key is not None else node.line
    else:
        line = getattr(node, "line", 0)
    return Problem(file, line, message, lint)
