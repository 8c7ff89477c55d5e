"""Helpers that read the master file the way `idrs-sim dump` writes it (plain dicts).

The procedure tests check the outcome of each procedure on the dump, independently of
the screens the scripts already checked: what posted, what was reversed, where the
refund went, which case closed with which URC, which letters, controls and notes exist.
The facts that are IRS rules (a TC's sign, hence a balance) come from `idrs_sim.rules`, so
a sign is stated once; these helpers only find things in the dump.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from idrs_sim.rules import status
from idrs_sim.rules.account import DumpModule

Dump = dict[str, Any]


def entity(d: Dump, tin: str) -> dict[str, Any]:
    for e in d["entities"]:
        if e["tin"] == tin:
            return e
    raise AssertionError(f"{tin} not in the dump")


def module(d: Dump, tin: str, mft: str, period: str) -> dict[str, Any]:
    for m in entity(d, tin).get("modules") or []:
        if m["mft"] == mft and m["period"] == period:
            return m
    raise AssertionError(f"{tin} has no module MFT {mft} {period}")


def has_module(d: Dump, tin: str, mft: str, period: str) -> bool:
    return any(m["mft"] == mft and m["period"] == period for m in entity(d, tin).get("modules") or [])


def txns(holder: dict[str, Any], tc: int | None = None, ac: int | None = None, *, status: str | None = "posted",
         misc: str | None = None) -> list[dict[str, Any]]:
    """Transactions of a module or an entity (its entity-level list), filtered."""
    out = []
    for t in holder.get("transactions") or []:
        if tc is not None and t["tc"] != tc:
            continue
        if ac is not None and t.get("ac") != ac:
            continue
        if status is not None and t.get("status") != status:
            continue
        if misc is not None and (t.get("misc") or "") != misc:
            continue
        out.append(t)
    return out


def one(holder: dict[str, Any], tc: int, ac: int | None = None, **kw: Any) -> dict[str, Any]:
    found = txns(holder, tc, ac, **kw)
    assert len(found) == 1, f"expected one TC {tc}{f' AC {ac}' if ac is not None else ''} {kw}, found {found}"
    return found[0]


def none(holder: dict[str, Any], tc: int, ac: int | None = None, **kw: Any) -> None:
    found = txns(holder, tc, ac, **kw)
    assert not found, f"expected no TC {tc}{f' AC {ac}' if ac is not None else ''} {kw}, found {found}"


def unreversed(holder: dict[str, Any], tc: int, ac: int | None = None) -> list[dict[str, Any]]:
    return [t for t in txns(holder, tc, ac) if not t.get("reversed")]


def case(d: Dump, seq: str) -> dict[str, Any]:
    for e in d["entities"]:
        for u in e.get("unpostables") or []:
            if u["seq"] == seq:
                return u
        for m in e.get("modules") or []:
            for u in m.get("unpostables") or []:
                if u["seq"] == seq:
                    return u
    raise AssertionError(f"no unpostable case {seq}")


def cases(d: Dump, tin: str) -> list[dict[str, Any]]:
    e = entity(d, tin)
    out = list(e.get("unpostables") or [])
    for m in e.get("modules") or []:
        out += m.get("unpostables") or []
    return out


def refunds(mod: dict[str, Any]) -> list[tuple[Decimal, str, str]]:
    """(amount, method, cycle) of every TC 846 on the module."""
    return [(Decimal(t["amount"]), t.get("refund_method") or "", t.get("cycle") or "") for t in txns(mod, 846)]


def balance(mod: dict[str, Any]) -> Decimal:
    """Module balance from posted money, with the one sign table (`idrs_sim.rules.status`,
    signs from commands/codes.yaml): positive = balance due, negative = credit."""
    return status.balance(DumpModule(mod).transactions)


def controls(holder: dict[str, Any], category: str | None = None) -> list[dict[str, Any]]:
    return [c for c in holder.get("controls") or [] if category is None or c["category"] == category]


def letters(ent: dict[str, Any], letter: str | None = None) -> list[dict[str, Any]]:
    return [x for x in ent.get("letters") or [] if letter is None or x["letter"] == letter]


def notes(holder: dict[str, Any]) -> list[dict[str, Any]]:
    return list(holder.get("notes") or [])


def all_notes(ent: dict[str, Any]) -> list[dict[str, Any]]:
    out = notes(ent)
    for m in ent.get("modules") or []:
        out += notes(m)
    return out
