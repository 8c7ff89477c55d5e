"""ACTON: open, update and close control bases; add history items (IRM 2.3.12, 2.4.20).

Typed the way IRM 25.25.6 prints it, on a cleared screen::

    ACTON 400-00-1001 30 202312
    C#,CRTTY,A,MISC
    1483145470,*

Line 2 is ``C#,ACTIVITY,STATUS,CATEGORY`` (``CXX`` works too), line 3 the assignee
``IDRS-NUMBER,*`` (or ``*,IDRS-NUMBER``).  The ACTON screen offers the same elements as
fields (CATEGORY>, ACTIVITY>, STATUS>, ASSIGN-TO>) for terminals that cannot clear.

Decisions (docs/input-codes.md):

* statuses A (assigned/open), B (background), C (closed), M (monitor), S (suspense);
* an open (not C) control base of the same category on the same module (or on the
  entity, for ``ACTON TIN``) is *updated*: new activity, status and assignee; status C
  closes it.  Otherwise a new control base is opened (a closed one when status is C);
* a module not on IDRS gets a dummy module, as ACTON creates one on IDRS (IRM 21.5.8);
* a history item: ``HIST>text`` on line 1, or a later line ``H,TEXT``; its activity is
  the first word (10 characters at most).  With a control line in the same ACTON the
  history item belongs to that control base.  History items are never changed;
* ACTON on a module may precede REQ54 (IRM 2.4.16) when it did a control base action.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ..commands import handles
from ..masterfile.models import ControlBase, Entity, HistoryItem, TaxModule
from ..rules import control_bases, tpp_inputs
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .display import control_and_history_lines, tin_display
from .input_account import target_entity
from .research import mark, refuse
from .research_elements import new_module_problem

STATUSES = ("A", "B", "C", "M", "S")
INVALID_STATUS = "INVALID STATUS - A, B, C, M OR S"
INVALID_CATEGORY = "INVALID CATEGORY CODE"
INVALID_ACTIVITY = "INVALID ACTIVITY CODE"
INVALID_IDRS = "INVALID IDRS NUMBER"
CONTROL_INCOMPLETE = "CATEGORY, ACTIVITY, STATUS AND IDRS NUMBER REQUIRED"
NOTHING_TO_DO = "CONTROL BASE OR HISTORY ITEM REQUIRED"

_FIELDS = ("CATEGORY", "ACTIVITY", "STATUS", "ASSIGN-TO", "HIST", "RCVD-DT")


def _module(ctx: Context, ent: Entity, create: bool) -> TaxModule | None | Refusal:
    """The typed module; a dummy module when it is not on IDRS yet (IRM 21.5.8), made only
    when a control or history item goes on it (`create`): showing the screen writes nothing.
    The MFT must be one of the entity's file and the period fit it and not be a later year
    (a sweep found MFT 99, MFT 01 on an SSN and 2099 made into modules)."""
    mft, period = ctx.cmd.mft, ctx.cmd.period
    if mft is None and period is None:
        return None
    problem = new_module_problem(ctx, ent)
    if problem is not None:
        return refuse(ctx, *problem)
    assert mft is not None and period is not None
    module = ent.module(mft, period)
    if module is None:
        module = TaxModule(mft=mft, period=period, entity_id=ent.id)  # not in the session: shown only
        if create:
            module.entity = ent
            ctx.db.add(module)
            ctx.db.flush()
    return module


def _history_text(ctx: Context) -> str:
    """`HIST>text`, else the text of a later line `H,TEXT`."""
    typed = ctx.value("HIST")
    if typed:
        return typed
    for line in getattr(ctx.cmd, "text", None) or []:
        m = re.match(r"\s*H,(.+)$", line)
        if m:
            return m.group(1).strip()
    return ""


def _lines(ctx: Context, ent: Entity, module: TaxModule | None) -> list[str]:
    if module is not None and module.id is None:  # a module not on IDRS yet: nothing on it
        return control_and_history_lines([], [])
    controls = [c for c in ent.controls if c.module_id == (module.id if module else None)]
    stmt = select(HistoryItem).where(HistoryItem.entity_id == ent.id)
    stmt = stmt.where(HistoryItem.module_id == module.id) if module else stmt.where(HistoryItem.module_id.is_(None))
    history = list(ctx.db.scalars(stmt.order_by(HistoryItem.date, HistoryItem.id)))
    return control_and_history_lines(controls, history)


def _values(ctx: Context, ent: Entity, module: TaxModule | None, status: str = "") -> dict[str, Any]:
    parts = [ent.tin] + ([module.mft, module.period] if module else [])
    return {
        "cmd": " ".join(["ACTON", *parts]),
        "tinx": tin_display(ent),
        "name1": (ent.name_lines or [""])[0],
        "level": f"MFT>{module.mft} TXPRD>{module.period}" if module else "ENTITY CONTROL",
        "cycle": ctx.cycle,
        "status": status,
        **{f: "" for f in _FIELDS},
    }


@handles("ACTON")
def acton(ctx: Context) -> Display | Refusal:
    """Apply the control-base line and/or history item; show the module's controls."""
    ent = target_entity(ctx, need_established=False)
    if isinstance(ent, Refusal):
        return ent
    control = dict(ctx.cmd.control or {})
    from_fields = not control
    if from_fields:
        control = {k: ctx.value(f).upper() for k, f in
                   (("category", "CATEGORY"), ("activity", "ACTIVITY"), ("status", "STATUS"), ("idrs", "ASSIGN-TO"))
                   if ctx.value(f)}
    hist = _history_text(ctx)
    module = _module(ctx, ent, create=bool(control or hist))
    if isinstance(module, Refusal):
        return module
    # RCVD-DT is checked whenever typed: a history item alone does not hide a bad one.
    received, bad_date = v.check_date("RCVD-DT", ctx.value("RCVD-DT"), ctx.today)
    if bad_date is not None:
        ctx.outcome = f"{bad_date.message}: ACTON {ent.tin}"
        if "RCVD-DT" in ctx.screen_values:
            return Refusal(bad_date.message, fields=["RCVD-DT"])
        return Refusal(bad_date.message, marks=[mark(ctx, "RCVD-DT>", fallback="end")])
    if not control and not hist:
        if any(f in ctx.screen_values for f in _FIELDS):
            ctx.outcome = f"{NOTHING_TO_DO}: ACTON {ent.tin}"
            return Refusal(NOTHING_TO_DO, fields=["CATEGORY"])
        ctx.outcome = f"ACTON SCREEN DISPLAYED {ent.tin}"
        return Display("acton", _values(ctx, ent, module), _lines(ctx, ent, module))

    cb: ControlBase | None = None
    did = []
    if control:
        problem = _check_control(ctx, control, from_fields)
        if problem is not None:
            return problem
        cb, verb = _apply(ctx, ent, module, control, received)
        did.append(f"{verb} {cb.category} {cb.activity} {cb.status} {cb.idrs}")
        if module is not None:
            ctx.state.last_module = (ent.tin, module.mft, module.period)
    if hist:
        activity = re.split(r"\s+", hist.strip())[0][:10].upper()
        item = HistoryItem(entity_id=ent.id, module_id=module.id if module else None,
                           control_id=cb.id if cb is not None else None, date=ctx.today, idrs=ctx.idrs,
                           activity=activity, text=hist[:80])
        ctx.db.add(item)
        ctx.db.flush()
        did.append(f"HISTORY {hist[:30]}")
    where = f"{module.mft} {module.period}" if module else "ENTITY"
    ctx.outcome = f"ACTON {ent.tin} {where} " + "; ".join(did)
    ctx.outcome = ctx.outcome[:80]
    return Display("acton", _values(ctx, ent, module, "; ".join(did)), _lines(ctx, ent, module),
                   message=REQUEST_COMPLETED)


def _check_control(ctx: Context, c: dict[str, str], from_fields: bool) -> Refusal | None:
    """Status, category, activity and IDRS number of a control line or the screen fields."""
    checks = (
        ("status", "STATUS", lambda x: x in STATUSES, INVALID_STATUS),
        ("category", "CATEGORY", lambda x: re.fullmatch(r"[A-Z0-9]{4}", x) is not None, INVALID_CATEGORY),
        ("activity", "ACTIVITY", lambda x: re.fullmatch(r"[A-Z0-9][A-Z0-9_#/.-]{0,9}", x) is not None,
         INVALID_ACTIVITY),
        ("idrs", "ASSIGN-TO", lambda x: re.fullmatch(r"[0-9]{10}", x) is not None, INVALID_IDRS),
    )
    bad_fields: list[str] = []
    message = ""
    for key, label, ok, literal in checks:
        value = c.get(key, "")
        if not value:
            bad_fields.append(label)
            message = message or CONTROL_INCOMPLETE
        elif not ok(value):
            bad_fields.append(label)
            message = message or literal
    if not bad_fields and (message := tpp_inputs.control_category_problem(c.get("category", "")) or ""):
        bad_fields.append("CATEGORY")
    if not bad_fields and (wrong := control_bases.prescribed_control_problem(
            c["activity"], c["status"], c["category"], c["idrs"])):
        message, bad_fields = wrong
    if not bad_fields:
        return None
    ctx.outcome = f"{message}: ACTON {ctx.cmd.tin or ''}"
    if from_fields:
        return Refusal(message, fields=bad_fields)
    span_of = {"STATUS": "control.status", "CATEGORY": "control.category", "ACTIVITY": "control.activity",
               "ASSIGN-TO": "control.idrs"}
    return Refusal(message, marks=[mark(ctx, span_of[f], fallback="end") for f in bad_fields])


def _apply(ctx: Context, ent: Entity, module: TaxModule | None, c: dict[str, str],
           received: Any) -> tuple[ControlBase, str]:
    """Update the open control of that category on the module/entity, or open a new one."""
    mod_id = module.id if module else None
    open_same = [cb for cb in ent.controls
                 if cb.module_id == mod_id and cb.category == c["category"] and cb.status != "C"]
    today = ctx.today
    if open_same:
        cb = open_same[-1]
        cb.activity = c["activity"]
        cb.status = c["status"]
        cb.idrs = c["idrs"]
        cb.status_date = today
        if received:
            cb.received_date = received
        if c["status"] == "C":
            cb.closed_date = today
            return cb, "CLOSED"
        return cb, "UPDATED"
    cb = ControlBase(
        entity=ent, module=module, category=c["category"], status=c["status"], activity=c["activity"],
        idrs=c["idrs"], received_date=received or today, opened_date=today, status_date=today,
        closed_date=today if c["status"] == "C" else None, opened_by=ctx.idrs,
    )
    ctx.db.add(cb)
    ctx.db.flush()
    return cb, "OPENED" if c["status"] != "C" else "OPENED AND CLOSED"


__all__ = ["acton", "STATUSES"]
