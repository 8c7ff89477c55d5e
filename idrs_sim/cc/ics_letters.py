"""ICS screen ICSLT: Letters 5857 (with 937 copies), 5664, 725-B with 5427 (IRM 5.7.1.5,
5.7.1.6); which letter may be sent when is the rule `idrs_sim.rules.ftd_letters`.

Shared literals and helpers: `idrs_sim.cc.ics`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..commands import handles
from ..ics import cases as ics
from ..ics.letters import (
    letter_5664_table,
    letter_5857_table,
    poa_for_period,
    table_lines,
)
from ..masterfile.models import Entity, IcsCase, Letter
from ..rules import ftd_letters as letter_rules
from . import validate as v
from .base import Context, Display, Refusal
from .display import money, wrap
from .ics import (
    _blank_form,
    _done,
    _fmt,
    _refuse,
    _submitted,
    _target,
)
from .ics_contact import _letters

__all__ = ["ics_letter"]

# --- letters (IRM 5.7.1.5, 5.7.1.6) ---------------------------------------------------------------------

LETTER_TITLES = letter_rules.LETTER_TITLES
_letter_name = letter_rules.letter_name


def _record_letter(ctx: Context, ent: Entity, case: IcsCase, name: str) -> None:
    ctx.db.add(Letter(entity=ent, letter=name, period=case.period, date=ctx.today, idrs=ctx.idrs, on_idrs=False))


@handles("ICSLT")
def ics_letter(ctx: Context) -> Display | Refusal:
    """Letters 5857 (table from IDRS; copies with 937 to representatives on CFINK), 5664,
    725-B only with 5427 (never in place of 5857) -- IRM 5.7.1.5, 5.7.1.6."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "LETTERS"
    labels = ("LETTER", "MEET", "APPT-DT", "APPT-TM", "WITH")
    if not _submitted(ctx, labels):
        menu = [f"{k:<6} {t}" for k, t in LETTER_TITLES.items() if k != "937"]
        menu += ["", "LETTER 5857 TABLE FROM IDRS:"] + table_lines(letter_5857_table(ent, case.mft, case.period))
        return _blank_form(ctx, ent, case, "ICSLT", "ics_letter", title, labels, menu)
    name = _letter_name(ctx.value("LETTER"))
    with_ = _letter_name(ctx.value("WITH"))
    meet = ctx.value("MEET").upper()
    appt_text, tm_text = ctx.value("APPT-DT"), ctx.value("APPT-TM")
    covering, other = poa_for_period(ent, case.period)
    problem = letter_rules.letter_problem(name, with_, had_contact=ics.initial_contact(case) is not None,
                                          poa_covering=bool(covering), poa_other=bool(other))
    if problem is not None:
        return _refuse(ctx, problem[0], problem[1], case)
    appt: dt.date | None = None
    if appt_text:
        appt = v.parse_mmddyyyy(appt_text)
        if appt is None:
            return _refuse(ctx, "APPT-DT", v.INVALID_DATE, case)
        date_problem = letter_rules.appointment_date_problem(appt, ctx.today)
        if date_problem is not None:
            return _refuse(ctx, "APPT-DT", date_problem, case)
    lines: list[str] = []
    summary = ""
    entry: dict[str, Any] = {"letter": name, "date": ctx.today.isoformat(), "idrs": ctx.idrs}
    if name == "5857":
        problem = letter_rules.appointment_problem(meet, had_5857=bool(_letters(case, "5857")),
                                                   has_date=appt is not None, time_text=tm_text)
        if problem is not None:
            return _refuse(ctx, problem[0], problem[1], case)
        tm = letter_rules.appointment_time(tm_text)
        assert tm is not None and appt is not None
        rows = letter_5857_table(ent, case.mft, case.period)
        kind = "TELEPHONE" if meet == "T" else "IN PERSON"
        summary = f"{kind} {_fmt(appt)} {tm[:2]}:{tm[2:]}"
        entry.update(meet=kind, appointment=f"{appt.isoformat()} {tm[:2]}:{tm[2:]}", summary=summary,
                     table=[{"row": r.label, "period": r.period, "tax": None if r.tax is None else f"{r.tax:.2f}",
                             "deposits": None if r.deposits is None else f"{r.deposits:.2f}",
                             "penalties": None if r.penalties is None else f"{r.penalties:.2f}"} for r in rows],
                     copies=[{"name": p.get("name"), "form": p.get("form"), "caf": p.get("caf")} for p in covering])
        _record_letter(ctx, ent, case, "5857")
        late = letter_rules.late_appointment_warning(appt, ics.contact_due(case),
                                                     initial=ics.initial_contact(case) is None)
        if late is not None:  # IRM 5.7.1.6; decision FTD-R15
            entry["after_contact_due"] = True
            lines += [f"*** {late}", f"*** {letter_rules.LATE_APPOINTMENT_NOTE}"]
        lines += [f"LETTER 5857 {LETTER_TITLES['5857']}  DATE {_fmt(ctx.today)}",
                  f"TO: {(ent.name_lines or [''])[0]}  {' '.join(ent.address or [])}"[:79],
                  f"MEETING TYPE: {kind}{' (INITIAL CONTACT)' if not _letters(case, '5857') else ''}",
                  f"THE REVENUE OFFICER WILL CALL ON {_fmt(appt)} AT {tm[:2]}:{tm[2:]}"]
        lines += table_lines(rows)
        ics.add_history(case, ctx.today, ctx.idrs, f"LETTER 5857 ISSUED - {summary} APPOINTMENT - TABLE: "
                        + "; ".join(f"{r.label} {r.period_end:%m-%d-%Y} DEPOSITS {money(r.deposits) or 'N/A'}"
                                    for r in rows))
        if late is not None:
            ics.add_history(case, ctx.today, ctx.idrs, f"{late} - {letter_rules.LATE_APPOINTMENT_NOTE}")
        for p in covering:
            _record_letter(ctx, ent, case, "937")
            text = (f"COPY OF LETTER 5857 WITH LETTER 937 MAILED TO {p.get('name')} "
                    f"(FORM {p.get('form')}, CAF {p.get('caf')})")
            lines += wrap(text)
            ics.add_history(case, ctx.today, ctx.idrs, text)
        for p in other:
            text = (f"{p.get('name')} (FORM {p.get('form')}) NOT AUTHORIZED FOR {case.period} - VALIDATE "
                    "REPRESENTATION (725-B WITH 5427)")
            lines += wrap(text)
            ics.add_history(case, ctx.today, ctx.idrs, text)
        if any(p.get("form") == "8821" for p in covering):
            lines += wrap("FORM 8821 APPOINTEE MAY RECEIVE INFORMATION ONLY - NO REPRESENTATION OR NEGOTIATION")
    elif name == "5664":
        rows = letter_5664_table(ent, case.mft, case.period)
        summary = f"FIELD VISIT {_fmt(appt)}" if appt else "FIELD CONTACT"
        entry.update(summary=summary, table=[{"row": r.label, "period": r.period,
                                              "tax": None if r.tax is None else f"{r.tax:.2f}",
                                              "deposits": None if r.deposits is None else f"{r.deposits:.2f}",
                                              "penalties": None if r.penalties is None else f"{r.penalties:.2f}"}
                                             for r in rows])
        _record_letter(ctx, ent, case, "5664")
        lines += [f"LETTER 5664 {LETTER_TITLES['5664']}  DATE {_fmt(ctx.today)}  {summary}"]
        lines += table_lines(rows, tax_header="TAX RETURN")
        lines.append("MAY BE LEFT IN A SEALED ENVELOPE ADDRESSED TO THE TAXPAYER AT THE BUSINESS")
        ics.add_history(case, ctx.today, ctx.idrs, f"LETTER 5664 PREPARED - {summary} - TABLE: "
                        + "; ".join(f"{r.label} {r.period_end:%m-%d-%Y} TAX {money(r.tax) or 'N/A'} DEPOSITS "
                                    f"{money(r.deposits) or 'N/A'}" for r in rows))
    elif name == "725-B":
        summary = "WITH LETTER 5427 - REPRESENTATION VALIDATION"
        entry.update(summary=summary, with_="5427")
        _record_letter(ctx, ent, case, "725-B")
        _record_letter(ctx, ent, case, "5427")
        ics.push(case, "letters", {"letter": "5427", "date": ctx.today.isoformat(), "idrs": ctx.idrs,
                                   "summary": "WITH LETTER 725-B"})
        lines += wrap("LETTERS 725-B AND 5427 ISSUED: APPOINTMENT TO VALIDATE REPRESENTATION (NOT AN "
                      "INVESTIGATIVE CONTACT)")
        ics.add_history(case, ctx.today, ctx.idrs, "LETTERS 725-B AND 5427 ISSUED - REPRESENTATION VALIDATION "
                        "(NOT AN INVESTIGATIVE CONTACT; DOES NOT REPLACE LETTER 5857)")
    else:  # 5427 alone
        summary = "INCOMPLETE POWER OF ATTORNEY"
        entry.update(summary=summary)
        _record_letter(ctx, ent, case, "5427")
        lines.append("LETTER 5427 INCOMPLETE POWER OF ATTORNEY ISSUED")
        ics.add_history(case, ctx.today, ctx.idrs, "LETTER 5427 ISSUED - INCOMPLETE POWER OF ATTORNEY")
    ics.push(case, "letters", entry)
    ctx.db.flush()
    return _done(ctx, ent, case, "ICSLT", "ics_letter", title, f"LETTER {name} ISSUED", lines, dict.fromkeys(labels, ""))
