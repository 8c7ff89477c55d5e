"""What counts as an unauthorised access, and which accesses the trainer should look at
(IRM 10.5.4.3.4, IRM 10.5.5 UNAX) -- pure, over audit records already read.

The review (`idrs_sim.unax`) reads the audit trail and the employee's assigned work from the
master file and asks these rules; the in-session warning asks `access_kind` the same way, so
the one answer is stated here:

* an *access* is an audit record that names a TIN, made with any command code except the
  simulator's own reporting and review codes (`exempt_codes`, tables/unax.yaml);
* ``SELF``      -- the employee's own TIN, assigned or not;
* ``RELATIVE``  -- a TIN of a listed relative, assigned or not;
* ``NO-CASE``   -- a TIN not connected to the employee's assigned work; IRM 10.5.4.3.4(2):
  such accesses are documented on Form 11377 / 11377-E;
* ``BROWSING``  -- more than `browse_threshold` distinct TINs without a case on one
  simulated day (one flag per employee and day, `tin` None).

One flag per employee, TIN, kind and simulated day.  A flag is `documented` when the
employee filed a Form 11377 (INCID type A) report for that TIN on or after the day of the
access; it is still listed, for the trainer to judge.  A group manager's assigned work
includes the open ICS cases of their group (hold file and inventory, IRM 5.7.1.4).  TINs
are compared by their digits (400-00-1001 is 400001001).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from ..digits import digits_only
from . import tables

__all__ = [
    "BROWSING",
    "KIND_ORDER",
    "NO_CASE",
    "RELATIVE",
    "SELF",
    "Access",
    "Flag",
    "UnaxRules",
    "access_kind",
    "counts_as_access",
    "flags_on_tin",
    "manages_group_work",
    "personal_tins",
    "review",
    "rules",
    "sort_flags",
]

SELF = "SELF"
RELATIVE = "RELATIVE"
NO_CASE = "NO-CASE"
BROWSING = "BROWSING"
KIND_ORDER = {SELF: 0, RELATIVE: 1, NO_CASE: 2, BROWSING: 3}


@dataclass(frozen=True)
class UnaxRules:
    """The thresholds, as data (tables/unax.yaml, key ``unax``)."""

    browse_threshold: int = 5  # BROWSING when MORE than this many unconnected TINs in a day
    exempt_codes: frozenset[str] = frozenset({"UNAXR", "INCID"})


@cache
def rules() -> UnaxRules:
    """The UNAX rules from tables/unax.yaml (defaults when the key is absent)."""
    data: dict[str, Any] = tables.unax().get("unax") or {}
    base = UnaxRules()
    return UnaxRules(
        browse_threshold=int(data.get("browse_threshold", base.browse_threshold)),
        exempt_codes=frozenset(str(c).upper() for c in data.get("exempt_codes", base.exempt_codes)),
    )


class Access(Protocol):
    """One audit record as the rules read it (the ORM `AuditRecord` has these attributes)."""

    @property
    def id(self) -> Any: ...
    @property
    def tin(self) -> str | None: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def command(self) -> str | None: ...


@dataclass(frozen=True)
class Flag:
    """One thing the trainer should look at: who, which TIN, when, what kind, which records."""

    employee: str
    tin: str | None
    at: dt.datetime
    kind: str
    record_ids: tuple[int, ...]
    detail: str = ""
    documented: bool = False  # a Form 11377 (INCID type A) report is on file for it
    tins: tuple[str, ...] = field(default_factory=tuple)  # BROWSING: the accounts counted
    codes: tuple[str, ...] = field(default_factory=tuple)  # the command codes used


def counts_as_access(command: str | None, tin: str | None, rule: UnaxRules | None = None) -> bool:
    """An audit record is an access when it names a TIN and its code is not exempt."""
    exempt = (rule or rules()).exempt_codes
    return bool(digits_only(tin)) and (command or "").upper() not in exempt


def personal_tins(own_tin: str | None, related_tins: Iterable[str] | None) -> tuple[str, set[str]]:
    """The digits of the employee's own TIN and of their listed relatives' TINs."""
    return digits_only(own_tin), {digits_only(t) for t in (related_tins or []) if t}


def manages_group_work(roles: Collection[str] | None, unit: str | None) -> bool:
    """A group manager with a group: the open ICS cases of the group are their work."""
    return "gm" in (roles or []) and bool(unit)


def access_kind(tin: str | None, own: str, related: Collection[str], connected: Collection[str]) -> str | None:
    """The flag one access to `tin` raises (SELF, RELATIVE, NO-CASE), or None; `own`,
    `related` and `connected` are TIN digits (`personal_tins`, the assigned work)."""
    key = digits_only(tin)
    if not key:
        return None
    if key == own:
        return SELF
    if key in related:
        return RELATIVE
    if key not in connected:
        return NO_CASE
    return None


def _detail(kind: str, group: list[Access]) -> str:
    what = {SELF: "EMPLOYEE'S OWN ACCOUNT", RELATIVE: "ACCOUNT OF A LISTED RELATIVE",
            NO_CASE: "NO CASE ASSIGNMENT - DOCUMENT ON FORM 11377 IF INADVERTENT"}[kind]
    return f"{what}: {len(group)} ACCESS{'ES' if len(group) > 1 else ''} ON {group[0].at:%m/%d/%Y}"


def review(
    employee: str,
    accesses: Iterable[Access],
    *,
    own: str,
    related: Collection[str],
    connected: Collection[str],
    form_11377: Mapping[str, Iterable[dt.date]],
    browse_threshold: int,
) -> list[Flag]:
    """The flags of one employee's accesses (oldest first as given): SELF / RELATIVE /
    NO-CASE per TIN and day, BROWSING per day over `browse_threshold` unconnected TINs.
    `form_11377` maps TIN digits to the dates of the employee's Form 11377 reports."""
    groups: dict[tuple[str, str, dt.date], list[Access]] = defaultdict(list)
    unconnected: dict[dt.date, dict[str, list[Access]]] = defaultdict(lambda: defaultdict(list))
    for rec in accesses:
        kind = access_kind(rec.tin, own, related, connected)
        if kind is None:
            continue
        key = digits_only(rec.tin)
        day = rec.at.date()
        groups[(key, kind, day)].append(rec)
        if key not in connected:
            unconnected[day][key].append(rec)
    flags: list[Flag] = []
    for (key, kind, day), group in groups.items():
        first = group[0]
        flags.append(Flag(
            employee=employee,
            tin=first.tin,
            at=first.at,
            kind=kind,
            record_ids=tuple(r.id for r in group),
            detail=_detail(kind, group),
            codes=tuple(dict.fromkeys(r.command or "?" for r in group)),
            documented=any(d >= day for d in form_11377.get(key, ())),
        ))
    for day, accounts in unconnected.items():
        if len(accounts) <= browse_threshold:
            continue
        ordered = sorted(accounts.values(), key=lambda g: (g[0].at, g[0].id))
        flags.append(Flag(
            employee=employee,
            tin=None,
            at=ordered[0][0].at,
            kind=BROWSING,
            record_ids=tuple(sorted(r.id for g in ordered for r in g)),
            detail=f"{len(accounts)} ACCOUNTS WITHOUT A CASE ON {day:%m/%d/%Y} (LIMIT {browse_threshold})",
            tins=tuple(g[0].tin or "" for g in ordered),
        ))
    return flags


def sort_flags(flags: list[Flag]) -> list[Flag]:
    """Oldest first; at one time by employee, kind (SELF, RELATIVE, NO-CASE, BROWSING), TIN."""
    return sorted(flags, key=lambda f: (f.at, f.employee, KIND_ORDER[f.kind], f.tin or ""))


def flags_on_tin(flags: Iterable[Flag], tin: str) -> list[Flag]:
    """The flags about one TIN (by digits): its own flags, and a BROWSING flag that counts it."""
    key = digits_only(tin)
    return [f for f in flags if digits_only(f.tin) == key or key in {digits_only(t) for t in f.tins}]
