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

The IRM decisions -- the calendar, the model's selection and priority, suppression, what an
alert posts, routing, the Bal Due / Del Ret closure -- are pure functions in
`idrs_sim.rules.ftd_alerts`; this module is their set-based executor: it reads the master
file in a fixed number of statements and writes what the rules decide.  Analysis results
are kept on the entity (``extra.ftd_analysis``); the issuance uses them, or -- when the
simulation started after the analysis week -- analyses as of the analysis cycle
(transactions posted by then), so deposits that post in the issuance week never undo an
alert.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, or_, select

from ..ics import cases as ics
from ..masterfile import derive
from ..masterfile.models import POSTED, Entity, IcsCase, SimState, TaxModule, Transaction
from ..rules import freezes as freeze_rules
from ..rules import ftd_alerts as fa
from ..rules.ftd_alerts import Selection
from .context import CycleContext, rule
from .preload import id_set, load_accounts

__all__ = [
    "analyze",
    "suppressed",
    "ftd_alerts",
    "ftd_filing_requirements",
    "ftd_alert_bal_due",
]

ANALYSIS_KEY = "ftd_analysis"
_STATE_PREFIX = "ftd_analysis."  # SimState: the analysis of that alert period ran (value: cycle)
ZERO = Decimal("0.00")


# --- reading the master file for the model (IRM 5.7.1.2) ------------------------------------------


def suppressed(entity: Entity, mft: str, period: str) -> str | None:
    """Why no alert may issue for this module now, or None (`rules.ftd_alerts.suppression`)."""
    module = entity.module(mft, period)
    return fa.suppression(file=entity.file, depositor=entity.depositor, filing_requirements=entity.filing_requirements,
                          mft=mft, tc136_in_effect=derive.tc136_in_effect(entity, module),
                          module_txns=module.transactions if module is not None else None)


def analyze(session: Any, period: str, as_of: str, keep: list[Any] | None = None) -> list[Selection]:
    """The model's selections for alert quarter `period`, from transactions posted by `as_of`.

    Set-based: one aggregate query over the semiweekly depositors' 941 modules of the
    lookback quarters and the alert quarter; only the selected entities are loaded, with
    their accounts, in a fixed number of statements (`preload.load_accounts`).  `keep`
    receives them, so that the caller finds them in the session.
    """
    m = fa.model()
    lookback = fa.lookback(period)
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
        baseline = fa.baseline(quarters, period)
        current = quarters.get(period, {}).get("deposits", ZERO)
        if eid not in forced_ids and not fa.deposits_reduced(current, baseline):
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
        statuses = {p: [derive.module_status(x) for x in ent.modules if x.period == p]
                    for p in fa.prior_quarters(period)}
        sel = fa.select(ent.id, ent.tin, period, current, baseline, forced=fa.override(ent.extra, period),
                        analysed=ent.id in data, statuses=statuses)
        if sel is not None:
            out.append(sel)
    return out


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
        if t.id not in posted_now:
            continue
        form = fa.closes_filing_requirement(t.module.mft if t.module is not None else None, freeze_rules.closing_code(t))
        if form is None:
            continue
        ent = t.entity
        fr = dict(ent.filing_requirements or {}) if isinstance(ent.filing_requirements, dict) else {}
        fr[form] = "00"
        ent.filing_requirements = fr


def _post(ctx: CycleContext, ent: Entity, module: TaxModule, ac: int, n: int, misc: str | None = None,
          **extra: Any) -> None:
    txn = Transaction(entity=ent, module=module, tc=971, ac=ac, amount=ZERO, trans_date=ctx.run_date,
                      misc=misc, dln=fa.alert_dln(ctx.run_date, n), status=POSTED, input_date=ctx.run_date,
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
    period = fa.alert_period(ctx.cycle)
    m = fa.model()
    if fa.is_analysis_cycle(ctx.cycle):
        for sel in analyze(ctx.session, period, ctx.cycle):
            ent = ctx.session.get(Entity, sel.entity_id)
            if ent is not None:
                ent.extra = {**(ent.extra or {}), ANALYSIS_KEY: sel.as_json(ctx.cycle)}
        ctx.session.merge(SimState(key=_STATE_PREFIX + period, value=ctx.cycle))
        return
    if not fa.is_issuance_cycle(ctx.cycle):
        return
    selections = _stored(ctx, period)
    if selections is None:
        selections = analyze(ctx.session, period, fa.analysis_cycle_for(ctx.cycle), keep=ctx.loaded)
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
        for ac, misc in fa.issuance(sel.priority):
            _post(ctx, ent, module, ac, n, misc, **({"priority": sel.priority} if ac == fa.AC_ALERT else {}))
            n += 1
        if not fa.goes_to_ics(sel.priority):
            ctx.report.alerts.append((ent.tin, m.mft, period, sel.priority, fa.SOFT_LETTER_MISC))
            continue
        group = fa.group_for_address(ent.address)
        ics.new_alert_case(ctx.session, ent, m.mft, period, sel.priority, ctx.run_date, group,
                           sel.as_json(fa.analysis_cycle_for(ctx.cycle)), open_before=open_alerts.get(ent.tin, []))
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
        kind = fa.arrived_kind(status)
        existing = arrived.get((case.tin, case.mft, case.period))
        if existing is not None:
            kind = existing.kind
        if kind is None:
            continue
        if fa.assignment_requested(ics.requested(case, "ASSIGN"), case.mft, case.period):
            continue
        ics.close_case(case, ctx.run_date, None, "Bal Due/Del Ret Received", fa.bal_due_closing_text(kind),
                       systemic=True)
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
