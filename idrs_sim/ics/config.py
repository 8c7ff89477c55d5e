"""The data of ICS: commands/ics.yaml (closing codes, pick lists, areas).

Read once per process.  Nothing here decides anything: the ICS screens (`idrs_sim.cc.ics`)
and `idrs_sim.ics.cases` do.  The FTD Alert program's own data (calendar, selection model,
routing, FRM49; commands/ftd_alerts.yaml) is read by its rules, `idrs_sim.rules.ftd_alerts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..rules import tables

__all__ = ["ics_data", "ClosingCode", "closing_codes", "closing_code"]


@cache
def ics_data() -> dict[str, Any]:
    """commands/ics.yaml as a mapping (read by the rules layer)."""
    return tables.ics()


@dataclass(frozen=True)
class ClosingCode:
    """One ICS closing option (IRM 5.7.1.9)."""

    n: int
    code: str
    aliases: tuple[str, ...]
    roles: tuple[str, ...]
    analyst_approval: bool


@cache
def closing_codes() -> tuple[ClosingCode, ...]:
    out = []
    for c in ics_data().get("closing_codes") or []:
        out.append(ClosingCode(int(c["n"]), str(c["code"]), tuple(c.get("aliases") or ()),
                               tuple(c.get("roles") or ()), bool(c.get("analyst_approval", False))))
    return tuple(out)


def closing_code(text: str) -> ClosingCode | None:
    """The closing option typed as its number or its name (any case; aliases accepted, A.15 #1/#2)."""
    t = " ".join((text or "").split()).upper()
    for c in closing_codes():
        if t == str(c.n) or t == c.code.upper() or t in (a.upper() for a in c.aliases):
            return c
    return None
