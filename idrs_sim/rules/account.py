"""The small account protocol the rules read: a transaction, an unpostable case, a module.

Two account models exist -- the ORM rows of a live master file (idrs_sim.masterfile.models)
and the dicts `idrs-sim dump` writes (docs/masterfile-schema.md, read by the TPP advice and
grading).  The rules are written once, against the attribute names of the ORM rows; a dump
dict is read through the thin views below (`DumpTxn`, `DumpCase`, `DumpModule`), so both
models give the same freezes, balance, status and TPP issues.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import count
from typing import Any, Protocol

__all__ = [
    "PENDING",
    "POSTED",
    "UNPOSTABLE",
    "Case",
    "DumpCase",
    "DumpModule",
    "DumpTxn",
    "Module",
    "Txn",
    "as_date",
    "dump_module",
    "dump_txns",
    "order_key",
    "posted",
    "posted_after",
    "unreversed",
]

POSTED, PENDING, UNPOSTABLE = "posted", "pending", "unposted"


class Txn(Protocol):
    """One transaction as the rules read it (the ORM `Transaction` has these attributes)."""

    @property
    def id(self) -> Any: ...
    @property
    def tc(self) -> int: ...
    @property
    def ac(self) -> int | None: ...
    @property
    def amount(self) -> Any: ...
    @property
    def status(self) -> str: ...
    @property
    def misc(self) -> str | None: ...
    @property
    def extra(self) -> Any: ...
    @property
    def posting_cycle(self) -> str | None: ...
    @property
    def reversed_by_id(self) -> Any: ...
    @property
    def secondary_date(self) -> dt.date | None: ...


class Case(Protocol):
    """One unpostable case (the ORM `Unpostable`)."""

    @property
    def upc(self) -> int: ...
    @property
    def reason(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def dln(self) -> str | None: ...
    @property
    def seq(self) -> str: ...


class Module(Protocol):
    """One tax module (the ORM `TaxModule`)."""

    @property
    def mft(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def status(self) -> str | None: ...
    @property
    def transactions(self) -> Sequence[Any]: ...
    @property
    def unpostables(self) -> Sequence[Any]: ...


def as_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime or ISO text (a dump, JSON history); None when empty.
    ISO text that is not a date raises ValueError."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class DumpTxn:
    """A dump's transaction dict seen through the `Txn` protocol.

    `id` is the dict's position in the dump (its input order); `reversed_by_id` the position
    of the reversal named by `reversed_by` when it is in the same list, else ``-1``:
    reversed, with no reversal to look at.
    """

    __slots__ = (
        "ac",
        "amount",
        "dln",
        "extra",
        "id",
        "misc",
        "posting_cycle",
        "raw",
        "reversed_by_id",
        "secondary_date",
        "status",
        "tc",
    )

    def __init__(self, raw: Mapping[str, Any], index: int) -> None:
        self.raw = raw
        self.id: int = index
        self.tc: int = int(raw["tc"])
        self.ac: int | None = None if raw.get("ac") is None else int(raw["ac"])
        self.amount = Decimal(str(raw.get("amount") or "0"))
        self.status: str = str(raw.get("status") or POSTED)
        self.misc: str | None = raw.get("misc")
        self.extra: dict[str, Any] = dict(raw.get("extra") or {})
        self.posting_cycle: str | None = raw.get("cycle") if self.status == POSTED else raw.get("posting_cycle")
        self.reversed_by_id: int | None = -1 if raw.get("reversed") else None
        self.secondary_date = as_date(raw.get("secondary_date"))
        self.dln: str | None = raw.get("dln")


class DumpCase:
    """A dump's unpostable dict seen through the `Case` protocol."""

    __slots__ = ("dln", "raw", "reason", "seq", "status", "upc")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.upc = int(raw.get("code") or 0)
        self.reason = int(raw.get("reason") or 0)
        self.status = str(raw.get("status") or "open")
        self.dln: str | None = raw.get("dln")
        self.seq = str(raw.get("seq") or "")


_INDEX = count(1)


def dump_txns(raws: Iterable[Mapping[str, Any]]) -> list[DumpTxn]:
    """Views of a list of dump transactions, in the dump's order (its posting input order)."""
    views = [DumpTxn(t, next(_INDEX)) for t in raws]
    by_ref = {v.raw["ref"]: v.id for v in views if v.raw.get("ref")}
    for v in views:
        if v.reversed_by_id is not None:
            v.reversed_by_id = by_ref.get(v.raw.get("reversed_by"), -1)
    return views


class DumpModule:
    """A dump's module dict seen through the `Module` protocol."""

    __slots__ = ("mft", "period", "raw", "status", "transactions", "unpostables")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.mft = str(raw["mft"])
        self.period = str(raw["period"])
        self.status: str | None = raw.get("status")
        self.transactions = dump_txns(raw.get("transactions") or [])
        self.unpostables = [DumpCase(u) for u in raw.get("unpostables") or []]


def dump_module(raw: Mapping[str, Any]) -> DumpModule:
    return DumpModule(raw)


def posted(txns: Iterable[Any]) -> list[Any]:
    return [t for t in txns if t.status == POSTED]


def unreversed(txns: Iterable[Any]) -> list[Any]:
    return [t for t in txns if t.status == POSTED and t.reversed_by_id is None]


def order_key(t: Txn) -> tuple[str, int]:
    """Posting order: cycle first, then input order (id)."""
    return (t.posting_cycle or "", t.id or 0)


def posted_after(later: Txn, earlier: Txn) -> bool:
    return order_key(later) > order_key(earlier)
