"""TC 971/972 MISC formats: one statement of what the IRM fixes for an action code's MISC.

The regular expressions live in the `action_codes` table of tables/codes.yaml (`misc` for
the TC 971, `reversal_misc` for the TC 972); the FRM77 screen (idrs_sim.cc.validate) and the
fixture linter both read them through here.  tables/misc_rules.yaml adds only what the
input screen alone checks (required, literals, account checks) and names no pattern the
codes table already gives (AC 111: the 14-digit DLN of the return, IRM 25.25.6.7).
"""

from __future__ import annotations

import re
from functools import cache

from . import tables

__all__ = ["DLN_MISC_ACS", "MISC_REQUIRED_ACS", "RETURN_REVERSAL_ACS", "dln_fits", "file_refusal", "files_with_refusal",
           "leading_dln", "misc_pattern", "reversal_dln"]

#: TC 971 action codes whose MISC the IRM requires: AC 111 (the DLN of the return moved,
#: IRM 25.25.6.7), AC 124 (the DLN held, 25.25.6.1.7), AC 129 (25.25.6.5.1.2), AC 505 (the
#: breach tracking number, IRM 10.5.4.5).
MISC_REQUIRED_ACS = (111, 124, 129, 505)
#: TC 971 action codes whose MISC begins with the DLN of a return (checked as a DLN).
DLN_MISC_ACS = (52, 111, 124, 129)
_LEADING_DLN = re.compile(r"^(\d{14})")
#: TC 972 action codes whose reversal is tied to the return in question: the TC 972 names
#: its TC 971 by the return's DLN -- AC 121 / AC 124 by the 14-digit DLN (IRM 25.25.6.5.1.1
#: (5): "the DLN in the MISC field of the TC 971 AC 124 matches the DLN of the return in
#: question"), AC 129 by its last six digits (the MISC table of 25.25.6.5.1.2 (4)).  A TC 972
#: of one of them whose MISC names no DLN is unambiguous only while the open markers all
#: carry one DLN; a DLN it names must fit the marker (FRM77 refuses, posting unposts).
RETURN_REVERSAL_ACS = (121, 124, 129)
#: The six digits that open the AC 129 reversal formats (`NNNNNN_NONIDT`, `NNNNNN IDT 1040X`).
_LAST_SIX = re.compile(r"^(\d{6})(?:_|\s)")


@cache
def _action_codes() -> dict[int, dict[str, object]]:
    return {int(k): dict(v or {}) for k, v in (tables.codes().get("action_codes") or {}).items()}


def misc_pattern(tc: int, ac: int) -> str | None:
    """The regular expression the MISC of TC `tc` (971/972) with `ac` must match, if the IRM fixes one."""
    info = _action_codes().get(ac) or {}
    value = info.get("misc") if tc == 971 else info.get("reversal_misc") if tc == 972 else None
    return str(value) if value else None


def leading_dln(misc: str) -> str | None:
    """The 14 digits a DLN-carrying MISC starts with, else None."""
    found = _LEADING_DLN.match(misc)
    return found.group(1) if found else None


def reversal_dln(misc: str | None) -> str | None:
    """The DLN a TC 972 MISC names, as far as it names it: the 14 digits it starts with, or
    the six of the AC 129 formats (the last six digits of the return DLN,
    `tables/misc_rules.yaml`); None when it names none (blank, a reason literal)."""
    text = (misc or "").strip()
    return leading_dln(text) or (found.group(1) if (found := _LAST_SIX.match(text)) else None)


def dln_fits(named: str, dln: str | None) -> bool:
    """Whether the DLN `dln` (digits) is the one `named` by a reversal (`reversal_dln`): the
    same 14 digits, or ending in the six."""
    if not dln:
        return False
    return dln == named if len(named) == 14 else dln.endswith(named)


@cache
def _entity_files() -> dict[tuple[int, int], tuple[str, ...]]:
    """(TC, AC) -> the master files whose entities may carry it (`files` in
    tables/misc_rules.yaml: AC 505 on an individual's entity only)."""
    found: dict[tuple[int, int], tuple[str, ...]] = {}
    for ac, by_tc in (tables.misc_rules().get("action_codes") or {}).items():
        for tc, rule in (by_tc or {}).items():
            if isinstance(rule, dict) and rule.get("files") and str(tc) in ("971", "972"):
                found[(int(tc), int(ac))] = tuple(rule["files"])
    return found


def file_refusal(tc: int, ac: int | None, file: str) -> str | None:
    """Why TC `tc` AC `ac` may not be on an entity of master file `file`, or None.
    FRM77 refuses the input with it; the posting run unposts a pending one that got past
    the screen (a fixture, a dump) with it as the case's remarks."""
    files = _entity_files().get((tc, ac or 0))
    if files and file not in files:
        return f"TC {tc} AC {ac:03d} NOT VALID ON A {file} ENTITY"
    return None


def files_with_refusal() -> dict[tuple[int, int], tuple[str, ...]]:
    """Every (TC, AC) that names its master files, with them (the posting run's query)."""
    return dict(_entity_files())
