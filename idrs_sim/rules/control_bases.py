"""Control bases the IRM prints to the letter: for these activities the status, category
and assignee are part of the instruction, not the employee's choice.

IRM 25.25.6 spells out three (tables/control_bases.yaml): `C#,REQ_FRZRLS,A,FRPI /
1486907202,*` to FRP for a -E freeze release, `C#,CRTTY,A,MISC / 1483145470,*` for RIVO to
correct an UNP 126 shown under the wrong tax year, `C#,HOLD432RV,M,32RV / 1487355555,*` to
monitor a batch-closed return the taxpayer filed.  Opened any other way the control goes to
a unit that does not work it (a review of 2026-12-08 opened HOLD432RV with status A, to the
trainee's own number, under category HOLD: each was REQUEST COMPLETED).
"""

from __future__ import annotations

from typing import NamedTuple

from . import tables

__all__ = ["Prescribed", "prescribed", "prescribed_control_problem"]


class Prescribed(NamedTuple):
    """What the IRM prints for one activity."""

    status: str
    category: str
    idrs: str
    irm: str


def prescribed(activity: str) -> Prescribed | None:
    """The control base the IRM prints for `activity`, if it prints one."""
    row = (tables.control_bases().get("prescribed") or {}).get(activity)
    if not row:
        return None
    return Prescribed(str(row["status"]), str(row["category"]), str(row["idrs"]), str(row.get("irm", "")))


def prescribed_control_problem(activity: str, status: str, category: str, idrs: str) -> tuple[str, list[str]] | None:
    """The refusal of a prescribed control typed otherwise, with the fields that differ
    (STATUS, CATEGORY, ASSIGN-TO), or None.  Closing one (status C) is checked for its
    category only: the unit that works it closes it, under its own number."""
    want = prescribed(activity)
    if want is None:
        return None
    bad = [] if category == want.category else ["CATEGORY"]
    if status != "C":
        bad += [] if status == want.status else ["STATUS"]
        bad += [] if idrs == want.idrs else ["ASSIGN-TO"]
    if not bad:
        return None
    return f"{activity} CONTROL IS STATUS {want.status}, CATEGORY {want.category}, TO {want.idrs}", bad
