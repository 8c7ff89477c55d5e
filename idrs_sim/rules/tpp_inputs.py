"""What a TPP assistor inputs, computed from the account (IRM 25.25.6): the TC 971 AC 506
MISC, the TC 972 AC 129 MISC, and whether an identity-theft return moves to MFT 32 or takes
URC D.  Pure functions over dump dicts, like `rules.tpp_advice` (what the assistor *tells*
the caller); the TPP procedures and their tests ask these.
"""

from __future__ import annotations

import re

from ..posting import calendar as cal
from . import mft32
from .tpp_advice import Entity, Module, txns_of

__all__ = ["ac506_misc", "ac129_reversal_misc", "idt_return_disposition"]


def ac506_misc(entity: Entity) -> str:
    """TC 971 AC 506 MISC for the identity-theft victim: ``WI AM OTHER`` when ENMOD has an
    unreversed TC 971 AC 527, else ``WI PRP OTHER1`` (IRM 25.25.6.6.3.1 (4))."""
    has_527 = any(not t.get("reversed") for t in txns_of(entity, 971, 527))
    return "WI AM OTHER" if has_527 else "WI PRP OTHER1"


def ac129_reversal_misc(module: Module, *, taxpayer_filed: bool, return_dln: str | None = None) -> str:
    """The TC 972 AC 129 MISC of IRM 25.25.6.5.1.2 (4) from the module's markers.

    Last six digits of the return DLN (of the 1040X DLN for a ``... 1040X`` marker) and:
    ``_IDT`` (not filed), ``_NONIDTBKLD`` (AC 129 MISC with BKLD), ``_NONIDT052`` (an AC
    052 with the return's DLN, not RRPIDT), else ``_NONIDT``; 1040X: `` NONIDT 1040X`` /
    `` IDT 1040X`` (no underscore).
    """
    markers = [t for t in txns_of(module, 971, 129) if not t.get("reversed")]
    if not markers:
        raise ValueError("no unreversed TC 971 AC 129 on the module")
    misc = str(markers[-1].get("misc") or "").upper()
    m1040 = re.match(r"^(\d{14}) 1040X$", misc)
    if m1040:
        return f"{m1040.group(1)[-6:]} {'NONIDT' if taxpayer_filed else 'IDT'} 1040X"
    lead = re.match(r"^\d{14}", misc)
    dln = return_dln or (lead.group(0) if lead else None)
    if dln is None:
        returns = txns_of(module, 150)
        dln = returns[-1].get("dln") if returns else None
    if not dln:
        raise ValueError("no return DLN for the AC 129 reversal")
    six = re.sub(r"\D", "", dln)[-6:]
    if not taxpayer_filed:
        return f"{six}_IDT"
    if "BKLD" in misc:
        return f"{six}_NONIDTBKLD"
    for t in txns_of(module, 971, 52):
        tmisc = str(t.get("misc") or "").upper()
        if tmisc != "RRPIDT" and re.sub(r"\D", "", tmisc)[:14] == re.sub(r"\D", "", dln):
            return f"{six}_NONIDT052"
    return f"{six}_NONIDT"


def idt_return_disposition(tax_year: int, cycle: str) -> str:
    """``MFT32`` (TC 971 AC 111) or ``URC D`` for an identity-theft return UP 126 RC 0.

    IRM 25.25.6.6.3.1 (4): cycles 1-46, current or prior tax year (2023 / 2022 in 2024) ->
    move to MFT 32; cycles 47-52 (any year) or TY 2021 and prior -> URC D.
    """
    week = cal.cycle_week(cycle)
    processing_year = cal.cycle_year(cycle)
    if week >= 47:
        return "URC D"
    return "MFT32" if mft32.systemic_move_year(tax_year, processing_year) else "URC D"
