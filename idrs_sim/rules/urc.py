"""What the posting run does with a UPRES resolution (Unpostable Resolution Code) whose
release cycle has come -- IRM 25.25.6.5.1.1, tpp-rules §3 and §6.1.  Pure: the posting
rule (`posting.unpostables.release_resolutions`) reads the cases and applies the effect.

    URC 0        the return posts as filed
    URC 6 / 6B   posts (on the corrected TIN of field 29 when it has one; 6B makes the
                 entity when the TIN has none); CCC 1 freezes its refund (-R, non-RIVO);
                 CCC 3 moves it to MFT 32 as TC 976 (unpostable again in cycles 47-52)
    URC D, 1, 2, 8   the document is removed
    URC 5, A     accepted by UPRES, no master-file meaning in our sources: the case closes
    other        not valid here: the case reopens
A case whose document is no longer on the GUF closes with no action (a fixture's
historical case whose return long posted must never post again).

Who may resolve a case at all: `resolver_roles` (tables/input_values.yaml
`unpostable_resolvers`; UP 147 is Submission Processing's, IRM 25.25.6.5.1.2.5); which
URCs a non-TPP assistor may key on a TPP UP 126 RC 0: `non_tpp_refusal`; the release
cycle a pending TC 971 AC 850 needs: `ac850_release_refusal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from ..posting import calendar
from . import tables
from .account import PENDING, Txn

__all__ = ["ACCOUNTS", "CLOSE", "DELETE", "MARK_RELEASED", "POST", "REOPEN", "Resolution", "ac850_release_refusal",
           "non_tpp_refusal", "resolve", "resolver_roles", "urc_refusal"]

BYPASS = "bypass_upc"  # the document's `extra` key listing the unpostable codes it passed

MARK_RELEASED = "released"  # already closed: only marked as acted on
CLOSE = "close"  # the case closes, the document stays
DELETE = "delete"  # the document is removed, the case closes
REOPEN = "reopen"  # the URC is cleared, the case stays open
POST = "post"  # the document is due again this cycle, the case closes
ACCOUNTS = "accounts"  # a corrected TIN or an MFT 32 move: needs the accounts themselves

_DELETES = ("D", "1", "2", "8")
_NO_ACTION = ("5", "A")
_POSTS = ("0", "6", "6B")


def resolver_roles(upc: int | None) -> list[str] | None:
    """The roles that may resolve (UPRES) or take (UPASGR) a case of unpostable code `upc`;
    None: any employee (tables/input_values.yaml `unpostable_resolvers`)."""
    table = tables.input_values().get("unpostable_resolvers") or {}
    rule = table.get(upc) or table.get(str(upc)) or {}
    roles = rule.get("roles")
    return list(roles) if roles else None


def urc_refusal(urc: str, upc: int | None) -> str | None:
    """Why `urc` may not close a case of unpostable code `upc`, or None when it may
    (tables/input_values.yaml `unpostable_urcs`: UP 126 takes URC 0, 6, 6B, D)."""
    table = tables.input_values().get("unpostable_urcs") or {}
    rule = table.get(upc) or table.get(str(upc)) or {}
    allowed = [str(u) for u in rule.get("urcs") or []]
    if not allowed or urc in allowed:
        return None
    listed = ", ".join(allowed[:-1]) + f" OR {allowed[-1]}" if len(allowed) > 1 else allowed[0]
    return f"URC {urc} NOT VALID FOR UPC {upc} - USE URC {listed}"


#: The non-TPP assistor (IRM 25.25.6.6) and the roles that work a TPP UP 126 RC 0 on every path.
NON_TPP_ROLE = "non-tpp-assistor"
_TPP_WORKERS = frozenset({"tpp-assistor", "rivo-examiner", "instructor"})


def non_tpp_refusal(roles: Iterable[str] | None, upc: int | None, reason: int | None, urc: str,
                    ccc: str | None, corrected_tin: str | None) -> str | None:
    """Why a non-TPP assistor may not key `urc` on a TPP UP 126 RC 0, or None (decision
    TPP-43).  The non-TPP assistor transfers a caller who can authenticate to the TPP line
    (IRM 25.25.6.6.1 (3) box 2; material change (81)) and resolves the UP 126 only when the
    return is identity theft: URC D (25.25.6.6.3.1 (4) boxes 2 and 5) or the move to MFT 32,
    URC 6 CCC 3 (25.25.6.6.3.1 (4) box 1 via 25.25.6.7, decision TPP-6).  URC 0 (the valid
    return), URC 6 with CCC 1 or a corrected TIN and URC 6B are the TPP assistor's."""
    mine = set(roles or [])
    if upc != 126 or (reason or 0) != 0 or NON_TPP_ROLE not in mine or mine & _TPP_WORKERS:
        return None
    if urc == "D" or (urc == "6" and "3" in (ccc or "") and not corrected_tin):
        return None
    return f"URC {urc}{' CCC ' + ccc if ccc else ''} NOT FOR NON-TPP ASSISTOR - TRANSFER CALLER TO THE TPP LINE"


def ac850_release_refusal(urc: str, ccc: str | None, corrected_tin: str | None, release_cycle: str | None,
                          current: str, file: str, module_txns: Iterable[Txn]) -> str | None:
    """Why REL-CYC (field 48) is wrong for a return released onto a module with a TC 971
    AC 850 pending, or None (decision TPP-44).  IRM 25.25.6.5.1.1 (5) box 1: "The release
    cycle must be TWO cycles from the current cycle (i.e., if today's cycle is 202425 the
    release cycle must be 202427, it cannot be left blank or the TC 971 AC 850 will not
    work" -- counted in posting cycles (TPP-22).  Only a release that posts the return on
    this module is held to it: URC 0, or 6 without CCC 3 and without a corrected TIN."""
    if urc not in _POSTS or "3" in (ccc or "") or corrected_tin:
        return None
    if not any(t.tc == 971 and t.ac == 850 and t.status == PENDING for t in module_txns):
        return None
    needed = calendar.add_posting_cycles(current, 2, file)
    if release_cycle == needed:
        return None
    return f"TC 971 AC 850 PENDING - REL-CYC MUST BE {needed} (CURRENT + 2 CYCLES)"


class Resolution(NamedTuple):
    """The effect: its kind, the case-history line, and the keys added to the document's `extra`."""

    kind: str
    text: str | None = None
    extra: dict[str, Any] | None = None


def resolve(urc: str | None, ccc: str | None, *, upc: int, seq: str, cycle: str, on_guf: bool, case_closed: bool,
            corrected_differs: bool, extra: dict[str, Any] | None) -> Resolution:
    """The effect of the resolution `urc`/`ccc` of case `seq` (its code `upc`) in `cycle`.
    `on_guf`: its document is still unpostable; `corrected_differs`: field 29 names a TIN
    other than the document's; `extra`: the document's `extra` now."""
    urc = (urc or "").strip().upper()
    ccc = (ccc or "").strip().upper()
    if not on_guf:
        return Resolution(MARK_RELEASED) if case_closed else Resolution(CLOSE, f"CLOSED URC {urc} - NO DOCUMENT ON GUF")
    if urc in _DELETES:
        return Resolution(DELETE, f"CLOSED URC {urc} - DOCUMENT DELETED", {"deleted_by": f"URC {urc}",
                                                                           "deleted_cycle": cycle})
    if urc in _NO_ACTION:
        return Resolution(CLOSE, f"CLOSED URC {urc} - NO MASTER FILE ACTION")
    if urc not in _POSTS:
        return Resolution(REOPEN, f"URC {urc} NOT VALID - CASE REOPENED")
    if urc.startswith("6") and (corrected_differs or "3" in ccc):
        return Resolution(ACCOUNTS)
    bypass = sorted({*((extra or {}).get(BYPASS) or []), upc})
    changes: dict[str, Any] = {BYPASS: bypass, "released_from": seq}
    if "1" in ccc:
        changes["ccc"] = "1"
    return Resolution(POST, f"CLOSED URC {urc}{' CCC ' + ccc if ccc else ''} REL CYC {cycle}", changes)
