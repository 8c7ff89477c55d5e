"""What a TPP assistor inputs, computed from the account (IRM 25.25.6): the TC 971 AC 506
MISC, the TC 972 AC 129 MISC, and whether an identity-theft return moves to MFT 32 or takes
URC D.  Pure functions over dump dicts, like `rules.tpp_advice` (what the assistor *tells*
the caller); the TPP procedures and their tests ask these.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from ..posting import calendar as cal
from . import mft32, tables
from .tpp import ac052_matches
from .tpp_advice import Entity, Module, txns_of

__all__ = [
    "AC506_VICTIM_LITERALS",
    "ac506_literal_refusal",
    "ac506_misc",
    "ac506_victim_literal",
    "ac129_literal",
    "ac129_reversal_misc",
    "assistor_roles",
    "control_category_problem",
    "idt_return_disposition",
]

#: The two TC 971 AC 506 MISC literals IRM 25.25.6.6.3.1 (4) chooses between by the AC 527.
AC506_VICTIM_LITERALS = ("WI AM OTHER", "WI PRP OTHER1")


def ac506_victim_literal(has_527: bool) -> str:
    """IRM 25.25.6.6.3.1 (4): boxes 1-2, an unreversed TC 971 AC 527 on ENMOD -> ``WI AM
    OTHER``; boxes 4-5, none -> ``WI PRP OTHER1``."""
    return "WI AM OTHER" if has_527 else "WI PRP OTHER1"


def ac506_misc(entity: Entity) -> str:
    """TC 971 AC 506 MISC for the identity-theft victim: ``WI AM OTHER`` when ENMOD has an
    unreversed TC 971 AC 527, else ``WI PRP OTHER1`` (IRM 25.25.6.6.3.1 (4))."""
    return ac506_victim_literal(any(not t.get("reversed") for t in txns_of(entity, 971, 527)))


def ac506_literal_refusal(misc: str, has_527: bool, joint_has_527: tuple[bool, ...] = ()) -> str | None:
    """The line-24 literal when an assistor's TC 971 AC 506 MISC is the wrong one of the two
    victim literals, else None.  Only the choice between ``WI AM OTHER`` and ``WI PRP
    OTHER1`` is checked (``WI PRP DDB`` and other literals are not this table's).  For an
    MFJ identity-theft return the caller's literal goes "on both accounts" (IRM
    25.25.6.6.3.1 (4) MFJ bullets), so the spouse's account may carry the literal the AC 527
    of a joint partner (`joint_has_527`) selects."""
    misc = misc.strip().upper()
    if misc not in AC506_VICTIM_LITERALS:
        return None
    if misc in {ac506_victim_literal(h) for h in (has_527, *joint_has_527)}:
        return None
    if has_527:
        return "MISC MUST BE WI AM OTHER - UNREVERSED TC 971 AC 527 ON ENMOD"
    return "MISC MUST BE WI PRP OTHER1 - NO TC 971 AC 527 ON ENMOD"


def assistor_roles() -> frozenset[str]:
    """The roles that input on the assistors' IRM 25.25.6 paths (tables/misc_rules.yaml
    `assistor_roles`): the AC 506 literal choice and the IAT batch tool's hands-off rules
    bind them; other units (RIVO, IDTVA-style roles, PGLD) keep their own literals."""
    return frozenset(str(r) for r in (tables.misc_rules().get("assistor_roles") or ()))


def ac129_literal(marker_misc: str | None, *, taxpayer_filed: bool, ac052_match: bool) -> str:
    """What follows the six DLN digits in the TC 972 AC 129 MISC (IRM 25.25.6.5.1.2 (4)):
    rows 5-6, a ``NNNNNNNNNNNNNN 1040X`` marker: `` NONIDT 1040X`` / `` IDT 1040X`` (no
    underscore); row 1, not filed: ``_IDT``; row 4, BKLD in the marker's MISC:
    ``_NONIDTBKLD``; row 3, an AC 052 with the return's DLN: ``_NONIDT052``; row 2:
    ``_NONIDT``.  FRM77 refuses a literal that does not fit the marker
    (`cc.frm77_account_checks`); the TPP procedures compute the MISC with it."""
    misc = (marker_misc or "").strip().upper()
    if re.match(r"^\d{14} 1040X$", misc):
        return " NONIDT 1040X" if taxpayer_filed else " IDT 1040X"
    if not taxpayer_filed:
        return "_IDT"
    if "BKLD" in misc:
        return "_NONIDTBKLD"
    return "_NONIDT052" if ac052_match else "_NONIDT"


def ac129_reversal_misc(module: Module, *, taxpayer_filed: bool, return_dln: str | None = None) -> str:
    """The TC 972 AC 129 MISC of IRM 25.25.6.5.1.2 (4) from the module's markers: the last
    six digits of the return DLN (of the 1040X DLN for a ``... 1040X`` marker) and
    `ac129_literal`."""
    markers = [t for t in txns_of(module, 971, 129) if not t.get("reversed")]
    if not markers:
        raise ValueError("no unreversed TC 971 AC 129 on the module")
    misc = str(markers[-1].get("misc") or "").upper()
    lead = re.match(r"^\d{14}", misc)
    dln = (lead.group(0) if lead and misc.endswith("1040X") else None) or return_dln or (lead.group(0) if lead else None)
    if dln is None:
        returns = txns_of(module, 150)
        dln = returns[-1].get("dln") if returns else None
    if not dln:
        raise ValueError("no return DLN for the AC 129 reversal")
    six = re.sub(r"\D", "", dln)[-6:]
    ac052 = any(ac052_matches(SimpleNamespace(misc=t.get("misc"), dln=t.get("dln")), dln)
                for t in txns_of(module, 971, 52))
    return six + ac129_literal(misc, taxpayer_filed=taxpayer_filed, ac052_match=ac052)


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


def control_category_problem(category: str) -> str | None:
    """A control base's category for a pilot TPP letter is the letter it stands in for
    (IRM 25.25.6.2.2.1 box 3: 6330C -> 4883, 6331C -> 5071); None when the category is fine."""
    instead = (tables.input_values().get("control_category_instead") or {}).get(category)
    return f"USE CATEGORY {instead} FOR PILOT LETTER {category}C" if instead else None
