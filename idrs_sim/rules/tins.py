"""What a TIN's form says: which master file it is on, and which digits are never a TIN.

Stated once: UPRES (a corrected TIN on the case's own file), the URC 6B posting that
establishes an entity, the element parser and INCID all read these.
"""

from __future__ import annotations

import re

__all__ = ["NEVER_VALID", "dashed", "dashed_forms", "is_dashed_tin", "is_never_valid", "kind_of"]

#: All zeros and all nines are never a valid TIN (IRM 3.12.21).
NEVER_VALID = frozenset({"000000000", "999999999"})

_EIN_FORM = re.compile(r"[0-9]{2}-[0-9]{7}")
_SSN_TYPED = re.compile(r"^([0-9]{3})-?([0-9]{2})-?([0-9]{4})$")
_EIN_TYPED = re.compile(r"^([0-9]{2})-([0-9]{7})$")
_DASHED = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{2}-[0-9]{7}")


def is_never_valid(tin: str) -> bool:
    """True for a TIN whose nine digits are all zeros or all nines."""
    return tin.replace("-", "") in NEVER_VALID


def kind_of(tin: str) -> tuple[str, str]:
    """(tin_type, file) from the dashed form: NN-NNNNNNN is an EIN on the BMF; NNN-NN-NNNN
    an SSN on the IMF, an ITIN when it starts with 9 (ITINs are typed as SSNs)."""
    if _EIN_FORM.fullmatch(tin):
        return "EIN", "BMF"
    return ("ITIN" if tin.startswith("9") else "SSN"), "IMF"


def is_dashed_tin(tin: str) -> bool:
    """An SSN NNN-NN-NNNN or EIN NN-NNNNNNN, in its dashed form, that can be a TIN."""
    return bool(_DASHED.fullmatch(tin)) and not is_never_valid(tin)


def dashed(digits: str, kind: str) -> str:
    """Nine digits in the dashed form of an SSN (NNN-NN-NNNN; ITINs too) or an EIN (NN-NNNNNNN)."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if kind != "EIN" else f"{digits[:2]}-{digits[2:]}"


def dashed_forms(text: str) -> list[str]:
    """The dashed forms a typed TIN may stand for (9 bare digits: SSN first, then EIN).

    All zeros and all nines are never valid (IRM 3.12.21).  Empty list = not a TIN.
    """
    text = (text or "").strip()
    digits = text.replace("-", "")
    if not re.fullmatch(r"[0-9]{9}", digits) or is_never_valid(digits):
        return []
    if _EIN_TYPED.match(text):
        return [text]
    if _SSN_TYPED.match(text):
        ssn = dashed(digits, "SSN")
        return [ssn] if "-" in text else [ssn, dashed(digits, "EIN")]
    return []
