"""ACDS cases and the employees' TDC fields as data: fixture validation, insert, dump.

CONTRACT §5: fixtures add (and `dump` returns) ``acds_cases: [{id, tin, type, ate, poa,
feature_codes}]`` and employees may carry ``series``, ``bears`` and ``egain``.  A dump also
carries each case's lists (car, carats, letters, uploads, registrations, messages,
notices, requests, stars) so that ``Load(dump)`` gives the same master file back.  The
fixture loader (`idrs_sim.masterfile.fixtures`) calls these functions with its validator
`v` (its `err`, `lint`, `text`, `date`, ... methods), so every problem is reported the
same way, with file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..rules import appeals_tdc as tdc
from .acds_models import ACDS_LISTS, AcdsCase
from .models import Employee

ACDS_KEYS = {"id", "tin", "type", "ate", "poa", "feature_codes", *ACDS_LISTS}
EMPLOYEE_TDC_KEYS = {"series", "bears", "egain"}
_SERIES = re.compile(r"^\d{4}$")
_CASE_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")

# Entry keys of each list: kind ("date", "idrs", "bool", "int", "text"), "!" = required.
_ENTRY: dict[str, dict[str, str]] = {
    "car": {"date": "date!", "idrs": "idrs", "contact": "text", "tdc": "text", "egain": "text", "pub": "text",
            "resolved": "bool", "reason": "text", "note": "text"},
    "carats": {"act": "text!", "sub": "text!", "date": "date!", "idrs": "idrs"},
    "letters": {"letter": "text!", "date": "date!", "idrs": "idrs", "para": "int", "egain": "text", "text": "text"},
    "uploads": {"doc": "text!", "date": "date!", "idrs": "idrs", "signed": "bool", "dated": "bool", "to": "text",
                "letter_date": "date", "stars_id": "text", "by": "text"},
    "registrations": {"who": "text!", "egain": "text!", "consented": "bool", "authenticated": "bool", "date": "date!"},
    "messages": {"from": "text!", "date": "date!", "doc": "text", "text": "text", "idrs": "idrs"},
    "notices": {"to": "text!", "date": "date!", "text": "text!"},
    "requests": {"req": "text!", "who": "text", "date": "date!"},
    "stars": {"id": "text!", "date": "date!", "delivery": "text!", "idrs": "idrs"},
}
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("messages", "from"): ("TP", "POA", "ATE"),
    ("registrations", "who"): tdc.PARTIES,
    ("requests", "req"): ("WITHDRAW", "CASEFILE"),
    ("requests", "who"): tdc.PARTIES,
    ("car", "tdc"): (tdc.DISCUSSED, tdc.NOT_OFFERED),
}


# -- employees ------------------------------------------------------------------------------


def employee_fields(v: Any, node: dict) -> dict[str, Any]:
    """series / bears / egain of one employee (the row columns of the same names)."""
    series = v.text(node, "series", 4)
    if series is not None and not _SERIES.match(series):
        v.err(node, "series", f"series: {series!r} must be a 4-digit job series (quote it: \"0930\")")
        series = None
    egain = v.text(node, "egain", 12, upper=True)
    if egain is not None and not tdc.EGAIN_ID.match(egain):
        v.err(node, "egain", f"egain: {egain!r} must be 4-12 letters or digits")
        egain = None
    return {"series": series, "bears": v.boolean(node, "bears", False), "egain": egain}


def check_employees(v: Any, nodes: list[dict], rows: list[dict[str, Any]]) -> None:
    """Project rules on eGain IDs: unique, permanent, never a badge/IDRS number, only with access."""
    seen: dict[str, str] = {}
    badges = {r["idrs"] for r in rows}
    by_idrs = {str(n.get("idrs")): n for n in nodes}
    for r in rows:
        node, egain = by_idrs.get(r["idrs"], {}), r.get("egain")
        if egain is None:
            continue
        if egain in seen:
            v.err(node, "egain", f"egain: {egain} is already the eGain ID of {seen[egain]} (eGain IDs are unique)")
        seen[egain] = r["idrs"]
        if egain in badges:
            v.err(node, "egain", f"egain: {egain} is an IDRS (badge) number, not an eGain ID")
        access = tdc.egain_access(r["roles"], r.get("series"), r.get("bears", False), egain)
        if not access.has_agent:
            v.lint(node, "egain", f"egain: {r['idrs']} has an eGain ID but no eGain access ({access.reason})")


def dump_employee(e: Employee, out: dict[str, Any]) -> None:
    if e.series:
        out["series"] = e.series
    if e.bears:
        out["bears"] = True
    if e.egain:
        out["egain"] = e.egain


# -- ACDS cases -----------------------------------------------------------------------------


def _entry(v: Any, node: Any, name: str, item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        v.err(node, name, f"{name}: each entry must be a mapping, not {item!r}")
        return None
    spec = _ENTRY[name]
    v.keys(item, set(spec), f"ACDS {name} entry")
    out: dict[str, Any] = {}
    for key, kind in spec.items():
        required = kind.endswith("!")
        kind = kind.rstrip("!")
        if item.get(key) is None:
            if required:
                v.err(item, None, f"ACDS {name} entry: {key}: is required")
            continue
        value: Any
        if kind == "date":
            day = v.date(item, key)
            value = day.isoformat() if day is not None else None
        elif kind == "idrs":
            value = v.idrs(item, key)
        elif kind == "bool":
            value = v.boolean(item, key, False)
        elif kind == "int":
            value = v.integer(item, key, 0, 99)
        else:
            value = v.text(item, key, 1000)
            choices = _CHOICES.get((name, key))
            if value is not None and choices and value not in choices:
                v.err(item, key, f"{key}: {value!r} must be one of {', '.join(choices)}")
        if value is not None:
            out[key] = value
    if name == "carats" and (out.get("act"), out.get("sub")) not in tdc.CARATS_CODES and "act" in out and "sub" in out:
        v.lint(item, "sub", f"CARATS {out['act']}-{out['sub']} is not a code idrs-sim knows "
                            f"({', '.join(a + '-' + s for a, s in tdc.CARATS_CODES)})")
    if name == "letters" and "para" in out:
        expected = tdc.INVITATION_PARAGRAPHS.get(out.get("letter", ""))
        if expected != out["para"]:
            v.lint(item, "para", f"letter {out.get('letter')}: the TDC invitation goes in paragraph {expected}"
                   if expected else f"letter {out.get('letter')} has no TDC invitation paragraph")
        elif "text" in out and tdc.missing_elements(out["text"], out.get("egain", "")):
            v.lint(item, "text", "the invitation paragraph lacks: " + ", ".join(tdc.missing_elements(out["text"], out.get("egain", ""))))
    return out


def acds_case(v: Any, node: dict, seen: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Validate one `acds_cases` item and add its row."""
    v.keys(node, ACDS_KEYS, "ACDS case")
    case_id = v.text(node, "id", 20, required=True, upper=True)
    if case_id is not None and not _CASE_ID.match(case_id):
        v.err(node, "id", f"id: {case_id!r} must be letters, digits and dashes (an Appeals case number)")
        case_id = None
    if case_id is not None:
        if case_id in seen:
            v.err(node, "id", f"ACDS case {case_id} is listed twice")
            case_id = None
        else:
            seen[case_id] = node
    tin = v.tin(node, "tin", required=True)
    if tin is not None and tin not in v._tins:
        v.lint(node, "tin", f"ACDS case for {tin}, which has no entity in this master file")
    ate = v.idrs(node, "ate")
    if ate is not None and ate not in v._idrs:
        v.lint(node, "ate", f"ate: {ate} is not an employee in this master file")
    fcs = node.get("feature_codes") or []
    if not isinstance(fcs, list) or not all(isinstance(f, str) and re.fullmatch(r"[A-Z0-9]{2}", f) for f in fcs):
        v.err(node, "feature_codes", "feature_codes: must be a list of 2-character ACDS feature codes")
        fcs = []
    for fc in fcs:
        if fc not in tdc.FEATURE_CODES:
            v.lint(node, "feature_codes", f"feature code {fc} is not one idrs-sim knows ({', '.join(tdc.FEATURE_CODES)})")
    row: dict[str, Any] = {
        "case_id": case_id, "tin": tin, "type": v.text(node, "type", 20, upper=True), "ate": ate,
        "poa": v.boolean(node, "poa", False), "feature_codes": list(fcs),
    }
    for name in ACDS_LISTS:
        items = node.get(name) or []
        if not isinstance(items, list):
            v.err(node, name, f"{name}: must be a list")
            items = []
        row[name] = [e for e in (_entry(v, node, name, it) for it in items) if e is not None]
    if "DC" in fcs and all(row[n] is not None for n in ("letters", "car")) and tdc.facts(row).invited is None:
        v.lint(node, "feature_codes", "feature code DC without a TDC invitation (a letter with the write-in "
                                      "paragraph or a phone contact TDC DISCUSSED)")
    if case_id is not None and tin is not None:
        rows.append(row)


def insert(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(AcdsCase.__table__.insert(), rows)  # type: ignore[attr-defined]


def dump_cases(s: Session, tin: str | None) -> list[dict[str, Any]]:
    """Every ACDS case (of one TIN), by case number, in the fixture form."""
    q = select(AcdsCase).order_by(AcdsCase.case_id)
    if tin is not None:
        q = q.where(AcdsCase.tin == tin)
    out = []
    for c in s.scalars(q):
        d: dict[str, Any] = {"id": c.case_id, "tin": c.tin}
        if c.type:
            d["type"] = c.type
        if c.ate:
            d["ate"] = c.ate
        d["poa"] = bool(c.poa)
        d["feature_codes"] = list(c.feature_codes or [])
        for name in ACDS_LISTS:
            items = getattr(c, name) or []
            if items:
                d[name] = [dict(e) for e in items]
        out.append(d)
    return out


def iso(day: dt.date) -> str:
    return day.isoformat()
