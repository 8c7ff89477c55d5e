"""Transaction codes: what each TC does to a module's balance and which TCs it reverses.

Stated once, read from the `transaction_codes` table of tables/codes.yaml (Document 6209
§8A meanings, docs/decisions.md "Rules layer (issue 18)"): `balance: debit | credit | none`
gives the sign, `reverses: [...]` the reversal pairs.  The balance of a module, its refund,
the fixture linker, the posting run's reversal links and the TPP advice all use this one
table, so a TC added there counts everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from . import tables

__all__ = [
    "REFUND_TCS",
    "RETURN_TCS",
    "ZERO",
    "CodeTable",
    "credit_tcs",
    "debit_tcs",
    "reversal_targets",
    "reversal_tcs",
    "reversible_tcs",
    "sign",
    "signed",
    "signs",
    "table",
]

ZERO = Decimal("0.00")
#: The return on a module: TC 150, or TC 976 (a duplicate / amended return, the MFT 32 copy).
RETURN_TCS = (150, 976)
#: A refund issued: TC 840 (manual) and TC 846 (systemic); they carry the refund method.
REFUND_TCS = (840, 846)
_SIGN_OF = {"debit": 1, "credit": -1, "none": 0}


@dataclass(frozen=True)
class CodeTable:
    """The TC facts of codes.yaml, by TC number."""

    info: dict[int, dict[str, Any]]
    signs: dict[int, int]  # +1 debit, -1 credit; only the money TCs
    reverses: dict[int, tuple[int, ...]]  # reversal TC -> the TCs it reverses


@cache
def table() -> CodeTable:
    """The transaction-code table, read once per process."""
    raw = tables.codes().get("transaction_codes") or {}
    info = {int(k): dict(v or {}) for k, v in raw.items()}
    signs = {tc: _SIGN_OF[str(v.get("balance", "none"))] for tc, v in info.items()}
    return CodeTable(
        info=info,
        signs={tc: s for tc, s in signs.items() if s},
        reverses={tc: tuple(int(x) for x in v["reverses"]) for tc, v in info.items() if v.get("reverses")},
    )


def signs() -> dict[int, int]:
    """TC -> +1 (debit: assessment, money paid out) or -1 (credit: payment, credit, abatement)."""
    return table().signs


def sign(tc: int) -> int:
    """+1 debit, -1 credit, 0 for a TC that does not move the balance (971, 420, 570 ...)."""
    return table().signs.get(tc, 0)


def debit_tcs() -> list[int]:
    return [tc for tc, s in table().signs.items() if s > 0]


def credit_tcs() -> list[int]:
    return [tc for tc, s in table().signs.items() if s < 0]


def signed(tc: int, amount: Any) -> Decimal:
    """The effect of `amount` under `tc` on the balance: amounts are magnitudes (a credit
    stored with a minus sign reads the same), the sign comes from the table."""
    s = sign(tc)
    if not s:
        return ZERO
    return s * abs(Decimal(str(amount)) if amount is not None else ZERO)


def reversal_targets(tc: int) -> tuple[int, ...]:
    """The TCs that `tc` reverses (TC 972 -> 971, TC 807 -> 806, TC 592 -> 590-599 ...)."""
    return table().reverses.get(tc, ())


def reversal_tcs() -> tuple[int, ...]:
    """Every TC that reverses another, in TC order."""
    return tuple(sorted(table().reverses))


def reversible_tcs() -> frozenset[int]:
    """TCs that some other TC reverses (TC 971, 136, 570, 806 ...)."""
    return frozenset(t for targets in table().reverses.values() for t in targets)
