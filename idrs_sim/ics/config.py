"""The data of ICS: tables/ics_lists.yaml (closing codes, pick lists, areas).

Read once per process.  Nothing here decides anything: the ICS screens (`idrs_sim.cc.ics`),
`idrs_sim.ics.cases` and `idrs_sim.ics.closing` do.  The FTD Alert program's own data (calendar,
selection model, routing, FRM49; tables/ftd_alert_model.yaml) is read by its rules,
`idrs_sim.rules.ftd_alerts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..rules import tables

__all__ = ["ics_data", "ClosingCode", "closing_codes", "closing_code"]


@cache
def ics_data() -> dict[str, Any]:
    """tables/ics_lists.yaml as a mapping (read by the rules layer)."""
    return tables.ics_lists()


@dataclass(frozen=True)
class ClosingCode:
    """One ICS closing option (IRM 5.7.1.9): who may select it and what it needs first."""

    n: int
    code: str
    aliases: tuple[str, ...]
    roles: tuple[str, ...]
    analyst_approval: bool
    #: the checks the case and IDRS must pass, in order (names of idrs_sim.ics.closing.EVIDENCE)
    evidence: tuple[str, ...] = ()
    #: what the closing message tells the user to do next ("" for nothing)
    next_step: str = ""


@cache
def closing_codes() -> tuple[ClosingCode, ...]:
    """The closing options of tables/ics_lists.yaml, in the order ICSCL lists them."""
    out = []
    for c in ics_data().get("closing_codes") or []:
        out.append(ClosingCode(int(c["n"]), str(c["code"]), tuple(c.get("aliases") or ()),
                               tuple(c.get("roles") or ()), bool(c.get("analyst_approval", False)),
                               tuple(str(e) for e in c.get("evidence") or ()), str(c.get("next_step") or "")))
    return tuple(out)


def closing_code(text: str) -> ClosingCode | None:
    """The closing option typed as its number or its name (any case; aliases accepted, A.15 #1/#2)."""
    t = " ".join((text or "").split()).upper()
    for c in closing_codes():
        if t == str(c.n) or t == c.code.upper() or t in (a.upper() for a in c.aliases):
            return c
    return None
