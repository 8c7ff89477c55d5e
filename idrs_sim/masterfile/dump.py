"""The master file as data (`idrs-sim dump`): the CONTRACT §4 schema, JSON-ready.

`dump(mf)` returns plain dicts, lists, strings, numbers and booleans: amounts as decimal
strings ("13000.00", credits negative), dates ISO, cycles and periods as strings, TINs
dashed.  Ordering is deterministic (employees by IDRS number, entities by TIN, modules by
MFT and period, transactions in posting order, unpostables by sequence number), so two
dumps of the same master file are equal and `load_data(mf, dump(mf))` followed by another
dump gives the same dict (the round trip the tests check).

Beyond the contract's keys a dump carries what a reload needs (docs/masterfile-schema.md):
`time`, transaction `ref`/`reversed_by` and unpostable `txn`
(links by label), `due_cycle`/`posting_cycle` when they differ from `cycle`, `state` and
`cycle_runs`; the audit trail only on request (`audit=True`), and employee `password_hash`
only on request (`hashes=True`, `idrs-sim dump --with-hashes`): CONTRACT §4 says a dump
omits passwords, and a hash is a password an attacker can try guesses against offline.
Loading a dump without hashes gives those employees no password (fixtures._employee_hashes).

Each table is read with one query (Core rows, not ORM objects) and grouped in memory, so a
dump of a large master file costs a few queries, not one per entity.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from ..gcpause import cyclic_gc_paused
from . import acds_data  # Appeals TDC (issue 26)
from . import models as m
from .appeals_fixtures import dump_appeals
from .db import _CLOCK_KEY, MasterFile

__all__ = ["dump", "FORMAT"]

#: Written as `format:` so that a reader can tell a dump from a hand-written fixture.
FORMAT = "idrs-sim-dump/1"

_TWO = Decimal("0.01")


def _money(value: Decimal | None) -> str:
    return f"{(value if value is not None else Decimal(0)).quantize(_TWO)}"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set an optional key only when it says something (not None, not empty)."""
    if value is None or value == [] or value == {}:
        return
    out[key] = value


def dump(mf: MasterFile, tin: str | None = None, *, audit: bool = False, hashes: bool = False,
         session: Session | None = None) -> dict[str, Any]:
    """The master file (or one TIN's accounts) as a dict in the fixture/dump schema.

    `tin` limits entities and ICS cases to that TIN (employees are always included, so the
    dump still loads).  `audit=True` adds the audit trail (for that TIN).  `hashes=True`
    adds each employee's `password_hash`, so that the dump loads with people who can sign on.
    `session`: read inside a unit of work already open (a command handler's), not a new one.
    """
    with (nullcontext(session) if session is not None else mf.reading()) as s, cyclic_gc_paused():
        now = mf.clock.now()
        out: dict[str, Any] = {
            "format": FORMAT,
            "date": now.date().isoformat(),
            "time": now.time().replace(microsecond=0).isoformat(),
            "cycle": mf.clock.cycle,
            "employees": [_employee(e, hashes) for e in s.scalars(select(m.Employee).order_by(m.Employee.idrs))],
            "entities": _entities(s, tin),
            "ics_cases": [_ics(c) for c in s.scalars(_filtered(select(m.IcsCase), m.IcsCase.tin, tin).order_by(m.IcsCase.tin, m.IcsCase.mft, m.IcsCase.period, m.IcsCase.id))],
        }
        out["acds_cases"] = acds_data.dump_cases(s, tin)  # Appeals TDC (issue 26); always, as appeals (CONTRACT §4)
        out["appeals"] = dump_appeals(s, tin)  # Appeals on ACMS (issue 25)
        state = {row.key: row.value for row in s.scalars(select(m.SimState).order_by(m.SimState.key)) if row.key != _CLOCK_KEY}
        _put(out, "state", state)
        _put(out, "cycle_runs", [
            {"cycle": r.cycle, "ran_at": _iso(r.ran_at), "posted": r.posted, "unposted": r.unposted}
            for r in s.scalars(select(m.CycleRun).order_by(m.CycleRun.cycle))
        ])  # fmt: skip
        if audit:
            q = _filtered(select(m.AuditRecord), m.AuditRecord.tin, tin).order_by(m.AuditRecord.at, m.AuditRecord.id)
            out["audit"] = [_audit(a) for a in s.scalars(q)]
    return out


def _filtered(query: Any, column: Any, tin: str | None) -> Any:
    return query.where(column == tin) if tin is not None else query


def _employee(e: m.Employee, hashes: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"idrs": e.idrs, "name": e.name, "roles": list(e.roles or [])}
    _put(out, "unit", e.unit)
    if hashes:
        out["password_hash"] = e.password_hash
    if e.failed_signons:
        out["failed_signons"] = e.failed_signons
    if e.locked:
        out["locked"] = True
    _put(out, "own_tin", e.own_tin)
    _put(out, "related_tins", list(e.related_tins or []))
    acds_data.dump_employee(e, out)  # Appeals TDC (issue 26): series, bears, egain
    return out


def _group(rows: Iterable[Any], key: str) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _entities(s: Session, tin: str | None) -> list[dict[str, Any]]:
    et = m.Entity.__table__
    ents = list(s.execute(_filtered(select(et), et.c.tin, tin).order_by(et.c.tin)))
    if not ents:
        return []
    ids = [e.id for e in ents]

    def rows(model: type, order: Any) -> list[Any]:
        # Core rows, not ORM objects: a large dump reads millions of them (attribute names
        # are the column names, so the emitters below read both alike).
        table = model.__table__  # type: ignore[attr-defined]
        q = select(table).order_by(table.c[order.key])
        if tin is not None:
            q = q.where(table.c.entity_id.in_(ids))
        return list(s.execute(q))

    modules = _group(rows(m.TaxModule, m.TaxModule.id), "entity_id")
    txns = _group(rows(m.Transaction, m.Transaction.id), "entity_id")
    ups = _group(rows(m.Unpostable, m.Unpostable.seq), "entity_id")
    controls = _group(rows(m.ControlBase, m.ControlBase.id), "entity_id")
    history = _group(rows(m.HistoryItem, m.HistoryItem.id), "entity_id")
    notes = _group(rows(m.Note, m.Note.id), "entity_id")
    letters = _group(rows(m.Letter, m.Letter.id), "entity_id")
    uh = m.UnpostableHistory.__table__
    up_q = select(uh).order_by(uh.c.id)
    if tin is not None:
        up_q = up_q.where(uh.c.case_id.in_([u.id for lst in ups.values() for u in lst]))
    up_history = _group(s.execute(up_q), "case_id")
    return [
        _entity(e, modules[e.id], txns[e.id], ups[e.id], controls[e.id], history[e.id], notes[e.id], letters[e.id], up_history)
        for e in ents
    ]


def _entity(
    e: Row,
    modules: list[Row],
    txns: list[Row],
    ups: list[Row],
    controls: list[Row],
    history: list[Row],
    notes: list[Row],
    letters: list[Row],
    up_history: dict[int, list[Row]],
) -> dict[str, Any]:
    modules = sorted(modules, key=lambda mod: (mod.mft, mod.period))
    by_module: dict[int | None, list[Row]] = _group(txns, "module_id")
    # Labels for links: position in the entity's transactions as dumped (entity level first,
    # then module by module), so a reload (which inserts in that order) gives the same labels.
    ordered = list(by_module.get(None, []))
    for mod in modules:
        ordered.extend(by_module.get(mod.id, []))
    wanted = {t.reversed_by_id for t in txns if t.reversed_by_id is not None} | {u.txn_id for u in ups if u.txn_id is not None}
    refs = {t.id: f"T{i}" for i, t in enumerate(ordered, 1) if t.id in wanted}

    ctl_history = _group((h for h in history if h.control_id is not None), "control_id")
    loose_history = _group((h for h in history if h.control_id is None), "module_id")
    ups_by_module = _group(ups, "module_id")
    ctl_by_module = _group(controls, "module_id")
    notes_by_module = _group(notes, "module_id")

    def level(out: dict[str, Any], module_id: int | None, contract: tuple[str, ...]) -> None:
        """The lists of one level; those in `contract` (CONTRACT §4's keys of that level) are
        written even when empty, so a reader can index them; the others only when set."""
        lists = {
            "transactions": [_txn(t, refs) for t in by_module.get(module_id, [])],
            "unpostables": [_unpostable(u, refs, up_history.get(u.id, [])) for u in ups_by_module.get(module_id, [])],
            "controls": [_control(c, ctl_history.get(c.id, [])) for c in ctl_by_module.get(module_id, [])],
            "notes": [_note(n) for n in notes_by_module.get(module_id, [])],
            "history": [_history(h) for h in loose_history.get(module_id, [])],
        }
        for key, value in lists.items():
            if key in contract:
                out[key] = value
            else:
                _put(out, key, value)

    out: dict[str, Any] = {
        "tin": e.tin,
        "tin_type": e.tin_type,
        "file": e.file,
        "established": bool(e.established),
        "name_control": e.name_control,
        "name": list(e.name_lines or []),
        "address": list(e.address or []),
    }
    if e.file == "BMF":  # CONTRACT §4: "BMF only"
        out["depositor"] = e.depositor
    _put(out, "filing_requirements", e.filing_requirements)
    out["poa"] = list(e.poa or [])
    out["information_returns"] = list(e.information_returns or [])
    _put(out, "extra", e.extra)
    level(out, None, _ENTITY_LISTS)
    out["letters"] = [_letter(x) for x in letters]
    mods = []
    for mod in modules:
        mo: dict[str, Any] = {"mft": mod.mft, "period": mod.period, "status": mod.status}
        _put(mo, "stop_notice_weeks", mod.stop_notice_weeks)
        _put(mo, "stop_notice_until", mod.stop_notice_until)
        level(mo, mod.id, _MODULE_LISTS)
        mods.append(mo)
    out["modules"] = mods
    return out


#: The lists CONTRACT §4 names at each level: always written, `[]` when empty.
_ENTITY_LISTS = ("transactions",)
_MODULE_LISTS = ("transactions", "unpostables", "controls", "notes")


def _txn(t: Row, refs: dict[int, str]) -> dict[str, Any]:
    posted_like = t.status in (m.POSTED, m.UNPOSTABLE)
    extra = dict(t.extra or {})
    unmatched = bool(extra.pop("reversed", False))
    out: dict[str, Any] = {}
    if t.id in refs:
        out["ref"] = refs[t.id]
    out.update(
        {
            "tc": t.tc,
            "ac": t.ac,
            "amount": _money(t.amount),
            "date": _iso(t.trans_date),
            "misc": t.misc,
            "secondary_date": _iso(t.secondary_date),
            "dln": t.dln,
            "status": t.status,
            "cycle": t.posting_cycle if posted_like else t.due_cycle,
            "reversed": t.reversed_by_id is not None or unmatched,
        }
    )
    if t.reversed_by_id is not None:
        out["reversed_by"] = refs.get(t.reversed_by_id)
    elif unmatched:
        out["reversed_by"] = None  # reversed, reversal not on file
    _put(out, "due_cycle", t.due_cycle if posted_like else None)
    _put(out, "posting_cycle", None if posted_like else t.posting_cycle)
    _put(out, "input_date", _iso(t.input_date))
    _put(out, "input_cycle", t.input_cycle)
    if t.post_delay:
        out["post_delay"] = t.post_delay
    _put(out, "idrs", t.input_idrs)
    # CONTRACT §4: "TC 846 (refund issued) carries refund_method"; a return carries its document.
    if t.tc == 846:
        out["refund_method"] = t.refund_method
    else:
        _put(out, "refund_method", t.refund_method)
    if t.tc == 150:
        out["document"] = t.document
    else:
        _put(out, "document", t.document)
    _put(out, "extra", extra)
    return out


def _unpostable(u: Row, refs: dict[int, str], history: list[Row]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "seq": u.seq,
        "code": u.upc,
        "reason": u.reason,
        "dln": u.dln,
        "status": u.status,
        "assigned": u.assigned,
        "urc": u.urc,
        "release_cycle": u.release_cycle,
    }
    _put(out, "ccc", u.ccc)
    _put(out, "corrected_tin", u.corrected_tin)
    _put(out, "remarks", u.remarks)
    _put(out, "original_cycle", u.original_cycle)
    _put(out, "status_date", _iso(u.status_date))
    _put(out, "resolved_by", u.resolved_by)
    _put(out, "resolved_date", _iso(u.resolved_date))
    out["released"] = bool(u.released)
    if u.txn_id is not None and u.txn_id in refs:
        out["txn"] = refs[u.txn_id]
    out["document"] = u.document
    _put(out, "history", [{"date": _iso(h.date), "idrs": h.idrs, "text": h.text} for h in history])
    return out


def _control(c: Row, history: list[Row]) -> dict[str, Any]:
    out: dict[str, Any] = {"category": c.category, "status": c.status, "activity": c.activity, "idrs": c.idrs}
    _put(out, "received_date", _iso(c.received_date))
    _put(out, "opened_date", _iso(c.opened_date))
    _put(out, "status_date", _iso(c.status_date))
    _put(out, "closed_date", _iso(c.closed_date))
    _put(out, "opened_by", c.opened_by)
    _put(out, "history", [_history(h) for h in history])
    return out


def _history(h: Row) -> dict[str, Any]:
    out: dict[str, Any] = {"date": _iso(h.date), "activity": h.activity}
    _put(out, "idrs", h.idrs)
    _put(out, "text", h.text)
    return out


def _letter(x: Row) -> dict[str, Any]:
    out: dict[str, Any] = {"letter": x.letter, "period": x.period, "date": _iso(x.date), "idrs": x.idrs}
    _put(out, "paragraphs", x.paragraphs)
    _put(out, "return_address_code", x.return_address_code)
    _put(out, "signature_code", x.signature_code)
    if not x.on_idrs:
        out["on_idrs"] = False
    return out


def _note(n: Row) -> dict[str, Any]:
    out: dict[str, Any] = {"system": n.system}
    _put(out, "issue", n.issue)
    out.update({"text": n.text, "idrs": n.idrs, "date": _iso(n.date)})
    return out


def _ics(c: m.IcsCase) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tin": c.tin,
        "mft": c.mft,
        "period": c.period,
        "kind": c.kind,
        "priority": c.priority,
        "sub_code": c.sub_code,
        "status": c.status,
        "assigned": c.assigned,
        "opened": _iso(c.opened),
        "closing_code": c.closing_code,
        "history": list(c.history or []),
    }
    _put(out, "assigned_date", _iso(c.assigned_date))
    _put(out, "closed", _iso(c.closed))
    _put(out, "extra", c.extra)
    return out


def _audit(a: m.AuditRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"at": _iso(a.at)}
    for key in ("idrs", "terminal", "aid", "command", "tin", "mft", "period", "outcome"):
        _put(out, key, getattr(a, key))
    if a.violation:
        out["violation"] = True
    return out
