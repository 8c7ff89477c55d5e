"""Derived account state of the live master file: freezes, balance, module status, open
TPP issues, pending items -- the ORM face of the rules layer.

Nothing here is stored.  The design rule is "master file as the single source of
truth": a freeze, a balance or a status is recomputed from the transactions every time
it is asked for, so a posting, a reversal or a fixture edit can never leave a stale
flag behind.  The rules themselves are stated once in `idrs_sim.rules` (codes, freezes,
status, tpp), over an account protocol the ORM rows satisfy; this module only hands them
a module's or an entity's rows.  The posting run uses the same functions to decide
refund holds, so what TXMOD shows and what the run does cannot drift apart.

Conventions (documented in docs/posting.md):

* Amounts are stored as magnitudes; the sign comes from tables/codes.yaml `balance`
  (`idrs_sim.rules.codes`: debits +, credits -).  A credit stored with a minus sign is read
  the same way (we take `abs(amount)`).
* "Posting order" of two transactions is (posting_cycle, id): a TC 290 releases a
  marker only when it posted after it in that order.
* Only `posted` transactions make freezes and balances; `pending` ones show as PN/RS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..rules import codes as _codes
from ..rules import freezes as _freezes
from ..rules import status as _status
from ..rules import tpp as _tpp
from ..rules.account import order_key, posted, unreversed
from ..rules.freezes import Freeze
from ..rules.tpp import (
    TppIssue,
    ac052_matches,
    dln_digits,
    is_tpp_hold_marker,
    marker_dln,
    marker_has_tr,
    misc_dln,
)
from .models import PENDING, UNPOSTABLE, Entity, TaxModule, Transaction

__all__ = [
    "ZERO",
    "Freeze",
    "PendingItem",
    "TppIssue",
    "ac052_matches",
    "balance",
    "dln_digits",
    "entity_freeze_details",
    "entity_freezes",
    "freeze_details",
    "freezes",
    "is_rivo_freeze",
    "is_tpp_hold_marker",
    "marker_dln",
    "marker_has_tr",
    "misc_dln",
    "module_status",
    "open_tpp_issue",
    "order_key",
    "pending_items",
    "posted",
    "refund_hold",
    "signed_amount",
    "tc136_in_effect",
    "unreversed",
]

ZERO = Decimal("0.00")


def signed_amount(t: Transaction) -> Decimal:
    """The transaction's effect on the module balance (debit +, credit -)."""
    return _codes.signed(t.tc, t.amount or 0)


def balance(module: TaxModule) -> Decimal:
    """Module balance from posted transactions (positive = balance due, negative = credit)."""
    return _status.balance(module.transactions)


def freeze_details(module: TaxModule, today: dt.date | None = None) -> list[Freeze]:
    """Module freezes, each with its source (`idrs_sim.rules.freezes.module_freezes`).

    `today` is accepted for symmetry with `entity_freeze_details` (module freezes
    modelled here do not expire by date).
    """
    return _freezes.module_freezes(module.transactions, module.mft)


def freezes(module: TaxModule, today: dt.date | None = None) -> list[str]:
    """Freeze codes on a module, without duplicates, in display order."""
    return _freezes.codes_of(freeze_details(module, today))


def entity_freeze_details(entity: Entity, today: dt.date | None = None) -> list[Freeze]:
    """Entity freezes (ENMOD): -V bankruptcy, -O / -S disaster (IRM 25.25.6.1.7.2)."""
    return _freezes.entity_freezes(entity.entity_transactions, today)


def entity_freezes(entity: Entity, today: dt.date | None = None) -> list[str]:
    return _freezes.codes_of(entity_freeze_details(entity, today))


def is_rivo_freeze(module: TaxModule, code: str) -> bool:
    """True if `code` is on the module and comes from RIVO (TC 290 .00 releases it).

    Non-RIVO freezes (-A, -E, -L, non-RIVO -R/P-...) stay after a TC 290 .00
    (tpp-rules §2.4, §9.11; IRM 25.25.6.5.1.2.1 box 2).
    """
    return any(f.code == code and f.rivo for f in freeze_details(module))


def refund_hold(module: TaxModule, today: dt.date | None = None) -> str | None:
    """The freeze that holds this module's refund (module first, then entity), or None."""
    return _freezes.refund_hold(module.transactions, module.mft, module.entity.entity_transactions, today)


def tc136_in_effect(entity: Entity, module: TaxModule | None = None) -> bool:
    """A posted TC 136 not reversed by TC 137 (entity level, or on `module`) stops FTD alerts."""
    txns = list(entity.entity_transactions) + (list(module.transactions) if module is not None else [])
    return _freezes.tc136_in_effect(txns)


def module_status(module: TaxModule) -> str:
    """The stored status if a scenario set one, else one derived from the postings
    (`idrs_sim.rules.status.module_status`)."""
    entity_txns = module.entity.entity_transactions if module.entity else []
    return _status.module_status(module.status, module.mft, module.transactions, entity_txns)


def open_tpp_issue(entity: Entity) -> list[TppIssue]:
    """Every unresolved TPP issue on the entity; empty list = none (`idrs_sim.rules.tpp.open_issues`)."""
    return _tpp.open_issues(entity.modules)


# --- pending items (TXMOD) ----------------------------------------------------------------


@dataclass(frozen=True)
class PendingItem:
    """A line of TXMOD's pending section."""

    code: str  # PN pending, RS resequenced, UP unpostable ("U126 0")
    tc: int
    ac: int | None
    amount: Decimal
    cycle: str | None  # due cycle (PN/RS) or the cycle it went unpostable (UP)
    upc: int | None
    reason: int | None
    txn_id: int

    @property
    def label(self) -> str:
        return f"U{self.upc} {self.reason}" if self.code == "UP" else self.code


def pending_items(obj: TaxModule | Entity) -> list[PendingItem]:
    """Pending, resequenced and unposted items of a module (or of the entity itself)."""
    if isinstance(obj, Entity):
        txns = obj.entity_transactions
        cases = [u for u in obj.unpostables if u.module_id is None]
    else:
        txns = list(obj.transactions)
        cases = list(obj.unpostables)
    by_txn = {u.txn_id: u for u in cases if not u.released}
    out: list[PendingItem] = []
    for t in txns:
        amount = Decimal(t.amount or 0)
        if t.status == PENDING:
            code = "RS" if (t.extra or {}).get("resequenced_052") else "PN"
            out.append(PendingItem(code, t.tc, t.ac, amount, t.due_cycle, None, None, t.id))
        elif t.status == UNPOSTABLE and t.id in by_txn:
            u = by_txn[t.id]
            out.append(PendingItem("UP", t.tc, t.ac, amount, u.original_cycle, u.upc, u.reason, t.id))
    return out
