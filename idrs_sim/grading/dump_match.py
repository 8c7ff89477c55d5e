"""Reading an answer key's target in a dump: the entity, module or unpostable cases it names,
and answer-key values compared as the dump writes them (amounts as decimals, dicts as subsets).

Shared by every check kind of `idrs_sim.grading.checks`.  Pure: dicts in, values out; a
target that is not there raises `Missed` with what was looked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..digits import is_digits
from .missed import Missed

__all__ = ["all_notes", "brief", "cases", "count", "entity", "holder", "matching", "module", "same"]

Dump = Mapping[str, Any]


def entity(d: Dump, tin: str) -> Mapping[str, Any]:
    for e in d.get("entities") or []:
        if e.get("tin") == tin:
            return e
    raise Missed(f"no entity {tin}")


def module(d: Dump, tin: str, mft: str, period: str) -> Mapping[str, Any] | None:
    for m in entity(d, tin).get("modules") or []:
        if m.get("mft") == mft and m.get("period") == period:
            return m
    return None


def holder(d: Dump, spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """The module named by tin/mft/period, or the entity itself (entity-level lists)."""
    tin = spec["tin"]
    if spec.get("mft") is None:
        return entity(d, tin)
    mod = module(d, tin, str(spec["mft"]), str(spec["period"]))
    if mod is None:
        raise Missed(f"{tin} has no module MFT {spec['mft']} {spec['period']}")
    return mod


def all_notes(ent: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = list(ent.get("notes") or [])
    for m in ent.get("modules") or []:
        out += m.get("notes") or []
    return out


def cases(d: Dump, tin: str | None = None) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for e in d.get("entities") or []:
        if tin is not None and e.get("tin") != tin:
            continue
        out += e.get("unpostables") or []
        for m in e.get("modules") or []:
            out += m.get("unpostables") or []
    return out


def same(want: Any, got: Any) -> bool:
    """Answer-key values compare as the dump writes them (amounts as decimals, dicts as subsets)."""
    if isinstance(want, Mapping):
        return isinstance(got, Mapping) and all(same(v, got.get(k)) for k, v in want.items())
    if isinstance(want, dt.date):
        want = want.isoformat()
    if isinstance(want, bool):
        return got in (None, True, False) and bool(got) is want  # a dump leaves out a false flag
    if want is None or isinstance(got, bool):
        return want is got or (want is None and got in (None, "", []))
    if isinstance(want, int | float) and not isinstance(want, bool):
        want = str(want)
    if isinstance(want, str) and isinstance(got, str | int | float):
        try:
            return Decimal(want) == Decimal(str(got)) if numeric(want) and numeric(str(got)) else want == str(got)
        except InvalidOperation:
            return want == str(got)
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(same(a, b) for a, b in zip(want, got))
    return bool(want == got)


def numeric(text: str) -> bool:
    return is_digits(text.replace(".", "", 1).replace("-", "", 1)) and "." in text


def matching(rows: Iterable[Mapping[str, Any]], where: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in rows if all(same(v, r.get(k)) for k, v in where.items())]


def brief(rows: Iterable[Mapping[str, Any]], keys: tuple[str, ...]) -> str:
    shown = [" ".join(f"{k}={r.get(k)}" for k in keys if r.get(k) not in (None, "", False)) for r in rows]
    return "; ".join(shown) if shown else "none"


def count(spec: Mapping[str, Any], found: list[Mapping[str, Any]], keys: tuple[str, ...]) -> None:
    want = spec.get("count", 1)
    at_least = spec.get("at_least")
    if at_least is not None:
        if len(found) < int(at_least):
            raise Missed(f"{len(found)} found, at least {at_least} expected: {brief(found, keys)}")
        return
    if len(found) != int(want):
        raise Missed(f"{len(found)} found, {want} expected: {brief(found, keys)}")
