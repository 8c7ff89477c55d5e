"""A module's balance and its status, from its posted transactions (Document 6209 §8
status codes, simplified: docs/posting.md "Module status").

Nothing is stored: the balance is the signed sum of the posted money transactions (signs
from `idrs_sim.rules.codes`), the status is derived from the postings unless a scenario
stored one.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from . import codes
from .account import POSTED, Txn, posted, unreversed
from .freezes import in_bankruptcy

__all__ = ["CENT", "balance", "module_status"]

CENT = Decimal("0.01")


def balance(txns: Iterable[Txn]) -> Decimal:
    """Module balance from posted transactions (positive = balance due, negative = credit)."""
    sign = codes.signs().get
    total = Decimal(0)
    for t in txns:
        if t.status == POSTED:
            s = sign(t.tc, 0)
            if s:
                total += s * abs(Decimal(t.amount or 0))
    return total.quantize(CENT)


def module_status(stored: str | None, mft: str, module_txns: Iterable[Txn], entity_txns: Iterable[Txn]) -> str:
    """The stored status if a scenario set one, else a status derived from the postings.

    72 bankruptcy (unreversed TC 520 CC 60-67 on module or entity); 02 no return posted;
    21 balance due after the return (first notice); 12 settled (zero balance after money
    moved: payment, credit or refund); 10 return posted, credit or even balance.
    """
    if stored:
        return stored
    mod = list(module_txns)
    if in_bankruptcy(mod + list(entity_txns)):
        return "72"
    returns = (150, 976) if mft == "32" else (150,)
    if not any(t.tc in returns for t in unreversed(mod)):
        return "02"
    bal = balance(mod)
    if bal > 0:
        return "21"
    signs = codes.signs()
    if bal == 0 and any(signs.get(t.tc, 0) and t.tc != 150 for t in posted(mod)):
        return "12"
    return "10"
