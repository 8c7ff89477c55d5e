"""FTD Alert issuance by the Master File posting run (IRM 5.7.1.2, 5.7.1.3, 5.7.1.9).

Three posting rules (docs/ftd.md §2 explains the model; its numbers are data in
commands/ftd_alerts.yaml):

* ``ftd_filing_requirements`` (130): a posted TC 591 CC 50 on a Form 941 module (or the
  entity) closes the 941 filing requirement (IRM 5.7.1.6, 5.7.1.8: Form 4844).
* ``ftd_alerts`` (900): in the **12th cycle week** of each calendar quarter Master File
  analyses the semiweekly depositors' current-quarter deposits; in the **13th week**
  (March, June, September, December) it issues the alerts: TC 971 AC 046 on the alert
  module; priority A (notice status in each of the two prior quarters) or B (likely to owe)
  go to ICS as an FTD Alert in the group designation hold file (sub code 105); priority C
  (unlikely to owe $5,000 or more) gets the CP 239 soft letter, TC 971 AC 804 MISC
  ``CP239`` in the same cycle, and no ICS case.  A TC 136 not reversed by TC 137 suppresses
  alerts; monthly depositors are never selected.  A new alert systemically closes and
  replaces an open prior-quarter alert.
* ``ftd_alert_bal_due`` (910): a Bal Due or Del Ret arriving for the alert module (module
  status 26 / 03) before the RO requested its assignment closes the alert systemically and
  assigns the Bal Due / Del Ret to the RO (IRM 5.7.1.9).

The week of a cycle within its quarter: cycles 01-13 are the first quarter, 14-26 the
second, 27-39 the third, 40-52 (53) the fourth, so week 13 falls in March, June, September
and December.  Analysis results are kept on the entity (``extra.ftd_analysis``); the
issuance uses them, or -- when the simulation started after the analysis week -- analyses
as of the analysis cycle (transactions posted by then), so deposits that post in the
issuance week never undo an alert.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, or_, select

from ..ics import cases as ics
from ..ics import config
from ..ics.letters import add_quarters
from ..masterfile import derive
from ..masterfile.models import POSTED, Entity, IcsCase, SimState, TaxModule, Transaction
from . import calendar as cal
from .context import CycleContext, rule
from .preload import id_set, load_accounts

__all__ = [
    "Selection",
    "quarter_week",
    "alert_period",
    "analysis_cycle_for",
    "is_analysis_cycle",
    "is_issuance_cycle",
    "analyze",
    "suppressed",
    "group_for",
    "ftd_alerts",
    "ftd_filing_requirements",
    "ftd_alert_bal_due",
]

ANALYSIS_KEY = "ftd_analysis"
_STATE_PREFIX = "ftd_analysis."  # SimState: the analysis of that alert period ran (value: cycle)
_STATE_RE = re.compile(r"\b([A-Z]{2})\s+\d{5}(?:-\d{4})?\s*$")
ZERO = Decimal("0.00")
FORM_OF_MFT = {"01": "941"}


# --- calendar (IRM 5.7.1.3) ----------------------------------------------------------------------


def quarter_week(cycle: str) -> tuple[int, int]:
    """(calendar quarter 1-4, week of the cycle within it 1-13, 14 for a cycle 53)."""
    week = cal.cycle_week(cycle)
    per = config.model().weeks_per_quarter
    q = min((week - 1) // per, 3)
    return q + 1, week - q * per


def alert_period(cycle: str) -> str:
    """The tax period (quarter ending month) a cycle's alerts are for: 202426 -> 202406."""
    q, _ = quarter_week(cycle)
    return f"{cal.cycle_year(cycle):04d}{3 * q:02d}"


def is_analysis_cycle(cycle: str) -> bool:
    return quarter_week(cycle)[1] == config.model().analysis_week


def is_issuance_cycle(cycle: str) -> bool:
    return quarter_week(cycle)[1] == config.model().issuance_week


def analysis_cycle_for(cycle: str) -> str:
    """The analysis cycle (12th week) of the quarter of `cycle`."""
    return cal.add_cycles(cycle, config.model().analysis_week - quarter_week(cycle)[1])


# --- the selection model (IRM 5.7.1.2) -------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """One taxpayer the model selected for the alert quarter `period`."""

    entity_id: int
    tin: str
    period: str
    priority: str
    current: Decimal
    baseline: Decimal
    reason: str

    def as_json(self, cycle: str) -> dict[str, Any]:
        return {"period": self.period, "cycle": cycle, "priority": self.priority, "current": f"{self.current:.2f}",
                "baseline": f"{self.baseline:.2f}", "reason": self.reason}


def _override(entity: Entity, period: str) -> str | None:
    forced = (entity.extra or {}).get(config.model().override_key)
    if isinstance(forced, dict):
        value = forced.get(period)
        return str(value).strip().upper() if value is not None else None
    return None


def _fr_closed(entity: Entity, mft: str) -> bool:
    fr = entity.filing_requirements or {}
    form = FORM_OF_MFT.get(mft, mft)
    if not isinstance(fr, dict) or form not in {str(k) for k in fr}:
        return False
    value = next(v for k, v in fr.items() if str(k) == form)
    return value in config.model().closed_filing_requirements or str(value) in {
        str(x) for x in config.model().closed_filing_requirements if x is not None}


def suppressed(entity: Entity, mft: str, period: str) -> str | None:
    """Why no alert may issue for this module now, or None (hard rules, not the model)."""
    m = config.model()
    if entity.file != "BMF" or entity.depositor != m.depositor:
        return "NOT A SEMIWEEKLY DEPOSITOR"
    module = entity.module(mft, period)
    if derive.tc136_in_effect(entity, module):
        return "TC 136 IN EFFECT"
    if _fr_closed(entity, mft):
        return "941 FILING REQUIREMENT CLOSED"
    if module is not None:
        live = derive.unreversed(module.transactions)
        if any(t.tc in (590, 591) for t in live):
            return "TC 590/591 ON THE ALERT MODULE"
        if any(t.tc == 971 and t.ac == 46 for t in live):
            return "ALERT ALREADY ISSUED"
    return None


def _priority(entity: Entity, period: str, shortfall: Decimal) -> tuple[str, str]:
    m = config.model()
    prior = [add_quarters(period, -1), add_quarters(period, -2)]
    in_notice = [any(derive.module_status(x) in m.notice_statuses for x in entity.modules if x.period == p)
                 for p in prior]
    if all(in_notice):
        return "A", f"NOTICE STATUS IN {prior[1]} AND {prior[0]}"
    if shortfall < m.soft_letter_max_owed:
        return "C", f"PROJECTED SHORTFALL {shortfall:,.2f} UNDER {m.soft_letter_max_owed:,.2f}"
    return "B", f"PROJECTED SHORTFALL {shortfall:,.2f}"


def analyze(session: Any, period: str, as_of: str, keep: list[Any] | None = None) -> list[Selection]:
    """The model's selections for alert quarter `period`, from transactions posted by `as_of`.

    Set-based: one aggregate query over the semiweekly depositors' 941 modules of the
    lookback quarters and the alert quarter; only the selected entities are loaded, with
    their accounts, in a fixed number of statements (`preload.load_accounts`).  `keep`
    receives them, so that the caller finds them in the session.
    """
    m = config.model()
    lookback = [add_quarters(period, -i) for i in range(1, m.lookback_quarters + 1)]
    amount = func.sum(func.abs(Transaction.amount))
    rows = session.execute(
        select(TaxModule.entity_id, TaxModule.period, Transaction.tc, amount)
        .join(Transaction, Transaction.module_id == TaxModule.id)
        .join(Entity, Entity.id == TaxModule.entity_id)
        .where(Entity.file == "BMF", Entity.depositor == m.depositor, TaxModule.mft == m.mft,
               TaxModule.period.in_([*lookback, period]), Transaction.status == POSTED,
               Transaction.reversed_by_id.is_(None), Transaction.tc.in_([150, *m.deposit_tcs]),
               or_(Transaction.posting_cycle.is_(None), Transaction.posting_cycle <= as_of))
        .group_by(TaxModule.entity_id, TaxModule.period, Transaction.tc)
    ).all()
    data: dict[int, dict[str, dict[str, Decimal]]] = {}
    for eid, per, tc, total in rows:
        key = "tax" if tc == 150 else "deposits"
        slot = data.setdefault(eid, {}).setdefault(per, {})
        slot[key] = slot.get(key, ZERO) + Decimal(str(total or 0)).quantize(Decimal("0.01"))
    forced_ids = set(session.scalars(
        select(Entity.id).where(Entity.file == "BMF", Entity.depositor == m.depositor,
                                cast(Entity.extra, String).like(f'%"{m.override_key}"%'))))
    candidates: dict[int, tuple[Decimal, Decimal]] = {}
    for eid in set(data) | forced_ids:
        quarters = data.get(eid, {})
        liabilities = [q["tax"] if "tax" in q else q.get("deposits", ZERO)
                       for p, q in quarters.items() if p in lookback and ("tax" in q or q.get("deposits", ZERO) > 0)]
        baseline = (sum(liabilities, ZERO) / len(liabilities)).quantize(Decimal("0.01")) if liabilities else ZERO
        current = quarters.get(period, {}).get("deposits", ZERO)
        if eid not in forced_ids:
            if baseline < m.min_baseline or current >= baseline * m.reduced_ratio:
                continue
        candidates[eid] = (current, baseline)
    if not candidates:
        return []
    accounts = load_accounts(session, id_set(session, "ftd_candidate", candidates), cases=False)
    if keep is not None:
        keep.append(accounts)
    entities = sorted(accounts.values(), key=lambda e: e.tin)
    out: list[Selection] = []
    for ent in entities:
        current, baseline = candidates[ent.id]
        forced = _override(ent, period)
        if forced in ("NONE", "N"):
            continue
        if forced in ("A", "B", "C"):
            out.append(Selection(ent.id, ent.tin, period, forced, current, baseline, "SCENARIO OUTCOME"))
            continue
        if forced is None and ent.id not in data:
            continue
        if baseline < m.min_baseline or current >= baseline * m.reduced_ratio:
            continue
        priority, reason = _priority(ent, period, baseline - current)
        out.append(Selection(ent.id, ent.tin, period, priority, current, baseline, reason))
    return out


def group_for(entity: Entity) -> str:
    """The group designation hold file of the business address's state (routing data)."""
    m = config.model()
    last = (entity.address or [""])[-1] if entity.address else ""
    found = _STATE_RE.search(str(last).upper())
    return m.groups_by_state.get(found.group(1), m.default_group) if found else m.default_group


# --- the rules -------------------------------------------------------------------------------------


@rule("ftd_filing_requirements", 130)
def ftd_filing_requirements(ctx: CycleContext) -> None:
    """A posted TC 591 CC 50 (Form 4844, IRM 5.7.1.6 / 5.7.1.8) closes the entity's Form 941
    filing requirement (filing requirement ``00``); TC 590 CC 50 affects its module only."""
    posted_now = ctx.posted_ids([591])  # only what post_due posted is looked at
    if not posted_now:
        return
    now = (Transaction.posting_cycle == ctx.cycle, Transaction.status == POSTED, Transaction.tc == 591)
    ctx.loaded.append(load_accounts(ctx.session, select(Transaction.entity_id).where(*now), cases=False))
    stmt = select(Transaction).where(*now).order_by(Transaction.id)
    for t in ctx.session.scalars(stmt):
        if t.id not in posted_now or ics.tc_closing_code(t) != 50:
            continue
        mft = t.module.mft if t.module is not None else "01"
        form = FORM_OF_MFT.get(mft)
        if form is None:
            continue
        ent = t.entity
        fr = dict(ent.filing_requirements or {}) if isinstance(ent.filing_requirements, dict) else {}
        fr[form] = "00"
        ent.filing_requirements = fr


def _dln(run_date: dt.date, n: int) -> str:
    """A systemic Master File DLN (FLC 29, tax class 1, document code 77) for the n-th alert item."""
    return f"29177{run_date.timetuple().tm_yday:03d}{800 + n // 100:03d}{n % 100:02d}{run_date.year % 10}"


def _post(ctx: CycleContext, ent: Entity, module: TaxModule, ac: int, n: int, misc: str | None = None,
          **extra: Any) -> None:
    txn = Transaction(entity=ent, module=module, tc=971, ac=ac, amount=ZERO, trans_date=ctx.run_date,
                      misc=misc, dln=_dln(ctx.run_date, n), status=POSTED, input_date=ctx.run_date,
                      input_cycle=ctx.cycle, due_cycle=ctx.cycle, posting_cycle=ctx.cycle,
                      extra={"generated": "ftd_alert", **extra})
    ctx.session.add(txn)
    ctx.report.posted.append((ent.tin, module.mft, module.period, 971, ac))


def _module(ctx: CycleContext, ent: Entity, mft: str, period: str) -> TaxModule:
    module = ent.module(mft, period)
    if module is None:
        module = TaxModule(entity=ent, mft=mft, period=period)
        ctx.session.add(module)
    return module


def _stored(ctx: CycleContext, period: str) -> list[Selection] | None:
    """The analysis the 12th-week run kept for `period` (None when it did not run here)."""
    if ctx.session.get(SimState, _STATE_PREFIX + period) is None:
        return None
    out: list[Selection] = []
    ents = ctx.session.scalars(select(Entity).where(cast(Entity.extra, String).like(f'%"{ANALYSIS_KEY}"%'))
                               .order_by(Entity.tin))
    for ent in ents:
        a = (ent.extra or {}).get(ANALYSIS_KEY) or {}
        if a.get("period") == period and a.get("priority") in ("A", "B", "C"):
            out.append(Selection(ent.id, ent.tin, period, a["priority"], Decimal(a.get("current", "0")),
                                 Decimal(a.get("baseline", "0")), str(a.get("reason", ""))))
    return out


@rule("ftd_alerts", 900)
def ftd_alerts(ctx: CycleContext) -> None:
    """IRM 5.7.1.2-5.7.1.3: FTD Alert analysis (12th cycle week of the quarter) and issuance
    (13th week): TC 971 AC 046; A/B to the ICS group hold file (sub code 105); C: CP 239,
    TC 971 AC 804 MISC CP239 in the same cycle, no ICS case; TC 136 suppresses; a new alert
    replaces an open prior-quarter alert (IRM 5.7.1.9)."""
    if "BMF" not in ctx.live_files:
        return
    period = alert_period(ctx.cycle)
    m = config.model()
    if is_analysis_cycle(ctx.cycle):
        for sel in analyze(ctx.session, period, ctx.cycle):
            ent = ctx.session.get(Entity, sel.entity_id)
            if ent is not None:
                ent.extra = {**(ent.extra or {}), ANALYSIS_KEY: sel.as_json(ctx.cycle)}
        ctx.session.merge(SimState(key=_STATE_PREFIX + period, value=ctx.cycle))
        return
    if not is_issuance_cycle(ctx.cycle):
        return
    selections = _stored(ctx, period)
    if selections is None:
        selections = analyze(ctx.session, period, analysis_cycle_for(ctx.cycle), keep=ctx.loaded)
    elif selections:
        ctx.loaded.append(load_accounts(ctx.session, id_set(ctx.session, "ftd_candidate",
                                                            [sel.entity_id for sel in selections]), cases=False))
    # The open alerts of every TIN, read once (a new alert replaces an older open one).
    open_alerts: dict[str, list[IcsCase]] = {}
    for old in ctx.session.scalars(select(IcsCase).where(IcsCase.kind == ics.ALERT, IcsCase.status == "open")
                                   .order_by(IcsCase.period, IcsCase.id)):
        open_alerts.setdefault(old.tin, []).append(old)
    n = 0
    for sel in selections:
        ent = ctx.session.get(Entity, sel.entity_id)
        if ent is None or suppressed(ent, m.mft, period):
            continue
        module = _module(ctx, ent, m.mft, period)
        _post(ctx, ent, module, 46, n, priority=sel.priority)
        n += 1
        if sel.priority == "C":
            _post(ctx, ent, module, 804, n, misc="CP239")
            n += 1
            ctx.report.alerts.append((ent.tin, m.mft, period, "C", "CP239"))
            continue
        group = group_for(ent)
        ics.new_alert_case(ctx.session, ent, m.mft, period, sel.priority, ctx.run_date, group,
                           sel.as_json(analysis_cycle_for(ctx.cycle)), open_before=open_alerts.get(ent.tin, []))
        ctx.report.alerts.append((ent.tin, m.mft, period, sel.priority, "ICS"))
    ctx.session.flush()


@rule("ftd_alert_bal_due", 910)
def ftd_alert_bal_due(ctx: CycleContext) -> None:
    """IRM 5.7.1.9: "If a Bal Due or Del Ret is received for the FTD Alert module, prior to RO
    requesting assignment, the FTD Alert will systemically close and the Bal Due/Del Ret
    module will be assigned to the RO."  Arrival = the alert module in status 26 (Bal Due)
    or 03 (Del Ret), or a Bal Due / Del Ret case on ICS for that module."""
    if "BMF" not in ctx.live_files:
        return
    m = config.model()
    is_alert = (IcsCase.kind == ics.ALERT, IcsCase.status == "open")
    alerts = list(ctx.session.scalars(select(IcsCase).where(*is_alert).order_by(IcsCase.id)))
    if not alerts:
        return
    # The alerts' accounts and the open Bal Due / Del Ret cases, read once (issue 19).
    tins = select(IcsCase.tin).where(*is_alert)
    accounts = load_accounts(ctx.session, select(Entity.id).where(Entity.tin.in_(tins)), cases=False)
    ctx.loaded.append(accounts)
    by_tin = {e.tin: e for e in accounts.values()}
    arrived: dict[tuple[str, str, str], IcsCase] = {}
    for c in ctx.session.scalars(select(IcsCase).where(
            IcsCase.tin.in_(tins), IcsCase.kind.in_(["BAL-DUE", "DEL-RET"]), IcsCase.status == "open")
            .order_by(IcsCase.id.desc())):
        arrived[(c.tin, c.mft, c.period)] = c
    for case in alerts:
        ent = by_tin.get(case.tin)
        if ent is None:
            continue
        module = ent.module(case.mft, case.period)
        status = derive.module_status(module) if module is not None else None
        kind = "BAL-DUE" if status in m.bal_due_statuses else "DEL-RET" if status in m.del_ret_statuses else None
        existing = arrived.get((case.tin, case.mft, case.period))
        if existing is not None:
            kind = existing.kind
        if kind is None:
            continue
        asked = any((r.get("mft"), r.get("period")) == (case.mft, case.period) for r in ics.requested(case, "ASSIGN"))
        if asked:
            continue
        ics.close_case(case, ctx.run_date, None, "Bal Due/Del Ret Received",
                       f"{kind.replace('-', ' ')} RECEIVED FOR THE FTD ALERT MODULE BEFORE ASSIGNMENT WAS REQUESTED "
                       "(IRM 5.7.1.9)", systemic=True)
        if existing is None:
            existing = IcsCase(tin=case.tin, mft=case.mft, period=case.period, kind=kind, status="open",
                               opened=ctx.run_date, history=[], extra={"group": ics.group_of(case)})
            ctx.session.add(existing)
            arrived[(case.tin, case.mft, case.period)] = existing
        if case.assigned and not existing.assigned:
            existing.assigned = case.assigned
            existing.assigned_date = ctx.run_date
        ics.add_history(existing, ctx.run_date, None,
                        f"{kind} MODULE ASSIGNED TO {existing.assigned or 'GROUP HOLD FILE'} - FTD ALERT CLOSED SYSTEMICALLY")
