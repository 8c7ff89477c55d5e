"""INCID: the incident report screen (IRM 10.5.4.3) -- a simulator stand-in for the real
reporting channels (OTC's SNIP form, PGLD/IM's PII Breach Reporting Form, CSIRC, SAMC,
TIGTA, Form 11377).  Nothing is sent anywhere: the report is stored as an
`IncidentReport` and the screen tells the trainee whom to notify.

``INCID`` alone shows the blank report (screens/incident.map).  Enter on that screen (or
``INCID`` with ``LABEL>value`` elements typed on the command lines) checks the fields,
routes the report by `idrs_sim.rules.incident.route`, stamps it with the simulated clock,
flags it when made more than one hour after discovery and answers with the routing
screen (screens/incident_route.map).
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..commands import handles
from ..masterfile.incident_models import IncidentReport, ensure_table
from ..rules.incident import ITEMS, KINDS, LABELS, IncidentFacts, Routing, parse_facts, route, timeliness
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .research import mark

BLANK_FORM_MESSAGE = "KEY THE INCIDENT DETAILS AND PRESS ENTER"


def _submitted(ctx: Context) -> bool:
    """True when the INCID fields are on the screen or typed as LABEL>value elements."""
    typed = getattr(ctx.cmd, "fields", None) or {}
    return any(label in ctx.screen_values or label in typed for label in LABELS)


@handles("INCID")
def incid(ctx: Context) -> Display | Refusal:
    """Show the report form, or check, route, time and store a report (IRM 10.5.4.3)."""
    if not _submitted(ctx):
        ctx.outcome = "INCIDENT REPORT FORM"
        return Display("incident", _form_values(ctx), message=BLANK_FORM_MESSAGE)
    now = ctx.now
    facts = parse_facts({label: ctx.value(label) for label in LABELS}, now)
    if isinstance(facts, list):
        on_screen = [e.label for e in facts if e.label in ctx.screen_values]
        marks = [mark(ctx, e.label + ">") for e in facts
                 if e.label not in ctx.screen_values and e.label + ">" in getattr(ctx.cmd, "spans", {})]
        return Refusal(facts[0].message, fields=on_screen, marks=marks)
    routing = route(facts)
    timing = timeliness(facts.discovered_at, now, routing.deadline_minutes)
    ensure_table(ctx.db.connection())
    report = IncidentReport(
        number=_next_number(ctx),
        idrs=ctx.idrs,
        terminal=ctx.terminal,
        reported_at=now,
        discovered_at=facts.discovered_at,
        kind=facts.kind,
        item=facts.item,
        it_asset=facts.it_asset,
        pii=facts.pii,
        sbu=facts.sbu,
        fti=facts.fti,
        no_report=facts.no_report,
        tin=facts.tin,
        description=facts.description,
        path=routing.path,
        offices=routing.offices,
        deadline_minutes=routing.deadline_minutes,
        elapsed_minutes=timing.elapsed_minutes,
        late=timing.late,
    )
    ctx.db.add(report)
    ctx.db.flush()
    ctx.outcome = f"INCIDENT {report.number} {routing.path.upper()}{' LATE' if timing.late else ''}"
    return Display("incident_route", _route_values(report, facts, routing, timing.text()),
                   _route_lines(facts, routing), message=REQUEST_COMPLETED)


def _form_values(ctx: Context) -> dict[str, object]:
    now = ctx.now
    return {"date": f"{now:%m/%d/%Y}", "time": f"{now:%H%M}", "idrs": ctx.idrs}


def _next_number(ctx: Context) -> str:
    """INC + year + day of year + a 3-digit sequence for that day (e.g. INC2024169001)."""
    prefix = f"INC{ctx.now:%Y%j}"
    count = ctx.db.scalar(select(func.count()).select_from(IncidentReport)
                          .where(IncidentReport.number.like(prefix + "%"))) or 0
    return f"{prefix}{count + 1:03d}"


def _route_values(report: IncidentReport, facts: IncidentFacts, routing: Routing, timing: str) -> dict[str, object]:
    item = ITEMS[facts.item] if facts.item != "NONE" else ""
    if facts.it_asset and facts.kind in ("L", "T"):
        item = "IRS IT ASSET OR BYOD DEVICE" + (f" + {ITEMS[facts.item]}" if facts.item != "NONE" else "")
    data = "/".join(n for n, v in (("PII", facts.pii), ("SBU", facts.sbu), ("FTI", facts.fti)) if v) or "NONE"
    return {
        "number": report.number,
        "reported": f"{report.reported_at:%m/%d/%Y %H:%M}",
        "kind": KINDS[facts.kind],
        "discovered": f"{facts.discovered_at:%m/%d/%Y %H:%M}",
        "item": item if facts.kind != "A" else f"TIN ACCESSED {facts.tin}",
        "data": data,
        "class": routing.classification,
        "timely": timing,
    }


def _route_lines(facts: IncidentFacts, routing: Routing) -> list[str]:
    lines = routing.lines()
    if routing.path == "form11377" and facts.tin:
        lines.append(f"  TIN ACCESSED: {facts.tin}")
    return lines
