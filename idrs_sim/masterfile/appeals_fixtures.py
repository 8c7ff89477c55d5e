"""Appeals in fixtures and dumps (`appeals:`, CONTRACT section 5): validate, insert, dump.

    appeals:
      - id: "OIC-2501"            # the ACMS appeal id (APPEAL> on the ACMS codes)
        tin: "400-00-2501"
        type: OIC                 # OIC | TFRP | CDP | EH
        cdp: false                # true: part of a CDP / equivalent hearing case (no MI for an OIC; a TFRP still gets its MI)
        status: open              # open (under Appeals consideration) | closed
        ate: "0810000101"
        atm: "0810000100"
        received: 2024-03-04      # received in Appeals
        closed: null
        submitted: null           # submitted by the ATE for closing approval
        request_received: 2024-06-17   # the written mediation request, when one came
        intake: COMPLETE          # COMPLETE | PREMATURE | INCOMPLETE
        car: [{code: MI, date: 2024-06-17, idrs: "0810000101", text: "..."}]
        pam: {state: OPEN, opened: 2024-06-17, opened_by: ..., perfect_due, mediator, approved,
              assigned, closed, closed_by, status, reason, result}
        docs: [{kind: AD-APPROVAL, date: 2024-06-20, idrs: "0810000300", text: "..."}]

`fixtures.py` calls `validate_appeal` for each item, `insert_appeals` after the entities
and `dump.py` calls `dump_appeals`; nothing else in those modules knows about Appeals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..rules import appeals_pam as pam_rules
from .appeals_models import Appeal, AppealDoc, CaseAction, PamRequest

if TYPE_CHECKING:
    from .fixture_validate import _Validator

APPEAL_KEYS = {
    "id", "tin", "type", "cdp", "status", "ate", "atm", "received", "closed", "submitted",
    "request_received", "intake", "car", "pam", "docs",
}  # fmt: skip
CAR_KEYS = {"code", "date", "idrs", "text"}
DOC_KEYS = {"kind", "date", "idrs", "text"}
PAM_KEYS = {
    "state", "opened", "opened_by", "perfect_due", "mediator", "approved", "assigned", "closed",
    "closed_by", "status", "reason", "result",
}  # fmt: skip
PAM_STATUSES = ("DENIED", "WITHDRAWN", "MEDIATED")


def _roles_of(v: _Validator, idrs: str) -> list[str] | None:
    for e in v.rows.employees:
        if e["idrs"] == idrs:
            return list(e.get("roles") or [])
    return None


def _employee_lint(v: _Validator, node: dict, key: str, role: str) -> str | None:
    idrs = v.idrs(node, key)
    if idrs is not None:
        roles = _roles_of(v, idrs)
        if roles is None:
            v.lint(node, key, f"{key}: {idrs} is not an employee of this master file")
        elif role not in roles:
            v.lint(node, key, f"{key}: employee {idrs} does not have the {role} role")
    return idrs


def validate_appeal(v: _Validator, node: dict, seen: dict[str, Any]) -> None:
    """Check one `appeals:` item and add its row (with `_car`, `_docs`, `_pam`) to v.rows."""
    v.keys(node, APPEAL_KEYS, "appeal")
    number = v.text(node, "id", 16, required=True, upper=True)
    tin = v.tin(node, "tin", required=True)
    kind = v.text(node, "type", 4, required=True, upper=True)
    if kind is not None and kind not in pam_rules.APPEAL_TYPES:
        v.err(node, "type", f"type: {kind!r} must be one of {', '.join(pam_rules.APPEAL_TYPES)}")
    status = v.text(node, "status") or "open"
    if status not in ("open", "closed"):
        v.err(node, "status", f"status: {status!r} must be open or closed")
    intake = v.text(node, "intake", 10, upper=True)
    if intake is not None and intake not in pam_rules.INTAKES:
        v.err(node, "intake", f"intake: {intake!r} must be one of {', '.join(pam_rules.INTAKES)}")
    if number is not None:
        if number in seen:
            v.err(node, "id", f"appeal {number} is listed twice")
        seen[number] = True
    if tin is not None and tin not in v._tins:
        v.lint(node, "tin", f"appeal for {tin}, which has no entity in this master file")
    row: dict[str, Any] = {
        "number": number,
        "tin": tin,
        "type": kind,
        "cdp": v.boolean(node, "cdp", False),
        "status": status,
        "ate": _employee_lint(v, node, "ate", "ate"),
        "atm": _employee_lint(v, node, "atm", "atm"),
        "received": v.date(node, "received"),
        "closed": v.date(node, "closed"),
        "submitted": v.date(node, "submitted"),
        "request_received": v.date(node, "request_received"),
        "intake": intake if intake is not None else (pam_rules.COMPLETE if node.get("request_received") else None),
    }
    if status == "closed" and row["closed"] is None:
        v.lint(node, "status", "a closed appeal needs its closed: date")
    car = []
    for item in v.items(node, "car", "case action record entry"):
        v.keys(item, CAR_KEYS, "case action record entry")
        code, day = v.text(item, "code", 4, required=True, upper=True), v.date(item, "date", required=True)
        if code is not None and day is not None:
            car.append({"code": code, "date": day, "idrs": v.idrs(item, "idrs"), "text": v.text(item, "text", 80)})
    docs = []
    for item in v.items(node, "docs", "document"):
        v.keys(item, DOC_KEYS, "document")
        dkind, day = v.text(item, "kind", 16, required=True, upper=True), v.date(item, "date", required=True)
        if dkind is not None and dkind not in pam_rules.DOC_KINDS and dkind not in pam_rules.LETTER_DOCS:
            v.err(item, "kind", f"kind: {dkind!r} is not a document kind ({', '.join(pam_rules.DOC_KINDS)}, L5557, L5558, L5559)")
        elif dkind is not None and day is not None:
            docs.append({"kind": dkind, "date": day, "idrs": v.idrs(item, "idrs"), "text": v.text(item, "text", 80)})
    pam = _pam(v, node, row, car)
    if None in (number, tin, kind):
        return
    row["_car"], row["_docs"], row["_pam"] = car, docs, pam
    v.rows.appeals.append(row)


def _pam(v: _Validator, node: dict, row: dict[str, Any], car: list[dict[str, Any]]) -> dict[str, Any] | None:
    raw = node.get("pam")
    if raw is None:
        if any(c["code"] == "MI" for c in car):
            v.lint(node, "car", "an MI entry opens a PAM support request: pam: is missing")
        return None
    if not v.mapping(raw, node, "pam", "pam:"):
        return None
    v.keys(raw, PAM_KEYS, "PAM support request")
    state = v.text(raw, "state", 10, upper=True) or pam_rules.OPEN
    if state not in pam_rules.STATES:
        v.err(raw, "state", f"state: {state!r} must be one of {', '.join(pam_rules.STATES)}")
    pstatus = v.text(raw, "status", 10, upper=True)
    if pstatus is not None and pstatus not in PAM_STATUSES:
        v.err(raw, "status", f"status: {pstatus!r} must be one of {', '.join(PAM_STATUSES)}")
    out = {
        "state": state,
        "opened": v.date(raw, "opened", required=True),
        "opened_by": v.idrs(raw, "opened_by"),
        "perfect_due": v.date(raw, "perfect_due"),
        "mediator": _employee_lint(v, raw, "mediator", "mediator"),
        "approved": v.date(raw, "approved"),
        "assigned": v.date(raw, "assigned"),
        "closed": v.date(raw, "closed"),
        "closed_by": v.idrs(raw, "closed_by"),
        "status": pstatus,
        "reason": v.text(raw, "reason", 60, upper=True),
        "result": v.text(raw, "result", 60, upper=True),
    }
    if out["reason"] is not None and out["reason"] not in pam_rules.DENIAL_REASONS:
        v.lint(raw, "reason", f"reason: {out['reason']!r} is not one of the two denial reasons")
    if out["result"] is not None and out["result"] not in pam_rules.RESULTS:
        v.lint(raw, "result", f"result: {out['result']!r} is not one of the five mediation results")
    if pam_rules.is_cdp(_Row(row)):
        v.lint(node, "pam", "no PAM support request for an OIC in a CDP or EH case (no MI)")
    if not any(c["code"] == "MI" for c in car):
        v.lint(node, "pam", "a PAM support request is opened by an MI entry in car:")
    if state == pam_rules.CLOSED and not any(c["code"] == "MO" for c in car):
        v.lint(raw, "state", "a closed PAM support request has its MO entry in car:")
    if state == pam_rules.CLOSED and out["closed"] is None:
        v.lint(raw, "state", "a closed PAM support request needs closed: (the date)")
    return out if out["opened"] is not None else None


class _Row:
    """A row dict read as an appeal by the pure rules."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.type = row.get("type") or ""
        self.cdp = bool(row.get("cdp"))
        self.status = row.get("status") or "open"
        self.request_received = row.get("request_received")
        self.submitted = row.get("submitted")


def insert_appeals(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert validated appeals and their records (one executemany per table)."""
    from .fixtures import _insert_with_ids, _plain

    if not rows:
        return
    ids = _insert_with_ids(session, Appeal, [_plain(r) for r in rows])
    car, docs, pams = [], [], []
    for row, appeal_id in zip(rows, ids):
        car += [{**c, "appeal_id": appeal_id} for c in row["_car"]]
        docs += [{**d, "appeal_id": appeal_id} for d in row["_docs"]]
        if row["_pam"] is not None:
            pams.append({**row["_pam"], "appeal_id": appeal_id})
    _insert_with_ids(session, CaseAction, car)
    _insert_with_ids(session, AppealDoc, docs)
    _insert_with_ids(session, PamRequest, pams)


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def dump_appeals(s: Session, tin: str | None = None) -> list[dict[str, Any]]:
    """The appeals (of one TIN) in the fixture form, by TIN and id."""
    query = select(Appeal).options(selectinload(Appeal.car), selectinload(Appeal.docs), selectinload(Appeal.pam))
    if tin is not None:
        query = query.where(Appeal.tin == tin)
    out = []
    for a in s.scalars(query.order_by(Appeal.tin, Appeal.number)):
        item: dict[str, Any] = {"id": a.number, "tin": a.tin, "type": a.type, "cdp": bool(a.cdp), "status": a.status,
                                "ate": a.ate, "atm": a.atm, "received": _iso(a.received), "closed": _iso(a.closed)}
        for key in ("submitted", "request_received"):
            if getattr(a, key) is not None:
                item[key] = _iso(getattr(a, key))
        if a.intake is not None:
            item["intake"] = a.intake
        item["car"] = [_clean({"code": c.code, "date": _iso(c.date), "idrs": c.idrs, "text": c.text}) for c in a.car]
        if a.pam is not None:
            p = a.pam
            item["pam"] = _clean({k: _iso(getattr(p, k)) if k in ("opened", "perfect_due", "approved", "assigned", "closed")
                                  else getattr(p, k) for k in sorted(PAM_KEYS)})
        item["docs"] = [_clean({"kind": d.kind, "date": _iso(d.date), "idrs": d.idrs, "text": d.text}) for d in a.docs]
        out.append(item)
    return out


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
