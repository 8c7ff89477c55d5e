"""ICS screens: Taxpayer Contact and Cause and Cure (ICSCT, ICSCC: IRM 5.7.1.6), the Full
Compliance Check (ICSFC) and FTD Verification (ICSFV).

Shared literals and helpers: `idrs_sim.cc.ics`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..commands import handles
from ..digits import digits_value
from ..ics import cases as ics
from ..ics import closing, config
from ..ics.letters import poa_for_period
from ..masterfile import derive
from ..masterfile.models import PENDING, POSTED, Entity, IcsCase
from ..rules import ftd_evidence
from ..rules import ftd_letters as letter_rules
from ..rules.ftd_alerts import DEPOSIT_TCS
from .base import Context, Display, Refusal
from .display import money
from .ics import (
    _blank_form,
    _done,
    _history_lines,
    _refuse,
    _submitted,
    _target,
)

__all__ = ["ics_cause", "ics_contact", "ics_fcc", "ics_ftdv"]

# --- contacts (IRM 5.7.1.6) -------------------------------------------------------------------------

CONTACT_TYPES = {
    "PHONE": "INITIAL TELEPHONE CONTACT",
    "POA": "INITIAL TELEPHONE CONTACT WITH THE POA OF RECORD (FORM 2848)",
    "NOSHOW": "NO RESPONSE TO APPOINTMENT LETTER (TIMELY CONTACT, IRM 5.1.10.3.1(1))",
    "ATTEMPT": "ATTEMPTED TELEPHONE CONTACT",
    "FIELD": "FIELD VISIT TO THE BUSINESS",
    "OBSERVE": "NON-CONTACT OBSERVATIONAL FIELD VISIT",
    "REPVAL": "REPRESENTATION VALIDATION CONTACT (NOT INVESTIGATIVE)",
}


def _letters(case: IcsCase, name: str) -> list[dict[str, Any]]:
    return [lt for lt in ics.items(case, "letters") if lt.get("letter") == name]


@handles("ICSCT")
def ics_contact(ctx: Context) -> Display | Refusal:
    """Taxpayer Contact: initial contact within 25 days of assignment (a recorded no-show to
    Letter 5857 counts); later than that needs the reason for the delay; with the POA of record
    when a Form 2848 covers the alert period (TYPE>POA) -- IRM 5.7.1.6."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "TAXPAYER CONTACT"
    labels = ("TYPE", "COMPLIANT", "PUB1", "DELAY", "NOTE")
    if not _submitted(ctx, labels):
        lines = [f"{k:<8} {t}" for k, t in CONTACT_TYPES.items()] + ["--- CASE HISTORY ---"] + _history_lines(case)
        return _blank_form(ctx, ent, case, "ICSCT", "ics_contact", title, labels, lines)
    kind = ctx.value("TYPE").upper()
    if kind not in CONTACT_TYPES:
        return _refuse(ctx, "TYPE", "INVALID CONTACT TYPE", case)
    compliant, pub1 = ctx.value("COMPLIANT").upper(), ctx.value("PUB1").upper()
    delay, note = ctx.value("DELAY").upper(), ctx.value("NOTE").upper()
    first = ics.initial_contact(case) is None and kind in letter_rules.INITIAL_CONTACT_TYPES
    sent_5857 = _letters(case, "5857")
    contact_problem = letter_rules.contact_problem(
        kind, had_5857=bool(sent_5857), now=ctx.now,
        appointments=[letter_rules.appointment_at(lt.get("appointment")) for lt in sent_5857])
    if contact_problem is not None:
        return _refuse(ctx, "TYPE", contact_problem, case)
    covering, other = poa_for_period(ent, case.period)
    rep_2848 = [p for p in covering if str(p.get("form")) == "2848"]
    party = letter_rules.contact_party_problem(
        kind, initial=ics.initial_contact(case) is None, poa_2848=bool(rep_2848),
        poa_8821=any(str(p.get("form")) == "8821" for p in covering), poa_other=bool(other))
    if party is not None:
        return _refuse(ctx, "TYPE", party, case)
    if kind in letter_rules.PHONE_CONTACT_TYPES and ics.phone_contact(case) is None:
        if compliant not in ("Y", "N"):
            return _refuse(ctx, "COMPLIANT", "COMPLIANT AT INITIAL CONTACT MUST BE Y OR N", case)
        if pub1 != "Y":
            return _refuse(ctx, "PUB1", "PUB 1 MUST BE REVIEWED AT INITIAL CONTACT", case)
    due = ics.contact_due(case)
    timely = None
    if first:
        timely = due is None or ctx.today <= due
        if not timely and not delay:
            return _refuse(ctx, "DELAY", "CONTACT AFTER 25 DAYS - REASON FOR DELAY REQUIRED", case)
    entry: dict[str, Any] = {"type": kind, "date": ctx.today.isoformat(), "idrs": ctx.idrs}
    if compliant in ("Y", "N"):
        entry["compliant"] = compliant
    if pub1:
        entry["pub1"] = pub1
    if timely is not None:
        entry["timely"] = timely
    if delay:
        entry["delay"] = delay
    if note:
        entry["note"] = note
    if kind == "POA":
        entry["poa"] = {"name": rep_2848[0].get("name"), "caf": rep_2848[0].get("caf")}
    ics.push(case, "contacts", entry)
    text = CONTACT_TYPES[kind]
    if kind == "POA":
        text = f"INITIAL TELEPHONE CONTACT WITH THE POA OF RECORD {rep_2848[0].get('name')} (FORM 2848)"
    if first:
        text += " - " + ("TIMELY" if timely else f"LATE, DELAY: {delay}")
    if compliant in ("Y", "N") and kind in letter_rules.PHONE_CONTACT_TYPES:
        text += f" - TP {'IN' if compliant == 'Y' else 'NOT IN'} FULL COMPLIANCE AT CONTACT"
        if pub1 == "Y":
            text += " - PUB 1 REVIEWED"
    if note:
        text += f" - {note}"
    ics.add_history(case, ctx.today, ctx.idrs, text)
    status = f"{kind} RECORDED" + (" - TIMELY INITIAL CONTACT" if timely else " - LATE INITIAL CONTACT" if first else "")
    return _done(ctx, ent, case, "ICSCT", "ics_contact", title, status, _history_lines(case), dict.fromkeys(labels, ""))


@handles("ICSCC")
def ics_cause(ctx: Context) -> Display | Refusal:
    """Taxpayer Contact > Cause and Cure (IRM 5.7.1.6)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "CAUSE AND CURE"
    data = config.ics_data()
    causes, cures = data.get("causes") or {}, data.get("cures") or {}
    if not _submitted(ctx, ("CAUSE", "CURE")):
        lines = ["CAUSE:"] + [f"  {k} {t}" for k, t in causes.items()] + ["CURE:"] + [f"  {k} {t}" for k, t in cures.items()]
        return _blank_form(ctx, ent, case, "ICSCC", "ics_cause", title, ("CAUSE", "CURE"), lines)
    if ics.phone_contact(case) is None:
        return _refuse(ctx, "CAUSE", closing.CONTACT_NOT_RECORDED, case)
    cause, cure = ctx.value("CAUSE"), ctx.value("CURE")
    if digits_value(cause) not in causes:
        return _refuse(ctx, "CAUSE", "INVALID CAUSE", case)
    if digits_value(cure) not in cures:
        return _refuse(ctx, "CURE", "INVALID CURE", case)
    ics.push(case, "cause_cure", {"date": ctx.today.isoformat(), "idrs": ctx.idrs, "cause": int(cause), "cure": int(cure)})
    ics.add_history(case, ctx.today, ctx.idrs, f"CAUSE AND CURE: CAUSE {causes[int(cause)]}; CURE {cures[int(cure)]}")
    return _done(ctx, ent, case, "ICSCC", "ics_cause", title, "CAUSE AND CURE RECORDED", _history_lines(case),
                 {"CAUSE": "", "CURE": ""})


# --- Full Compliance Check, FTD Verification ------------------------------------------------------------


def _idrs_facts(ent: Entity, case: IcsCase, today: dt.date) -> list[str]:
    """What IDRS shows for the Full Compliance Check (research; nothing decided here)."""
    module = ics.alert_module(ent, case)
    out = [f"DEPOSITOR ON MASTER FILE: {(ent.depositor or 'NONE').upper()}   FILING REQUIREMENTS: "
           + " ".join(f"{k}-{val}" for k, val in (ent.filing_requirements or {}).items())]
    if ics.return_secured(module):
        out.append(f"ALERT QUARTER {case.period} FORM 941: SECURED OR POSTED")
    else:
        out.append(f"ALERT QUARTER {case.period} FORM 941: NOT SECURED")
    for m in ent.modules:
        status = derive.module_status(m)
        bal = derive.balance(m)
        if bal > 0 or status in ("02", "03", "22", "26"):
            out.append(f"  MFT {m.mft} {m.period} STATUS {status} BALANCE {money(bal)}"
                       + (" STAUP" if m.stop_notice_weeks else ""))
    if ics.tc136_on_file(ent):
        out.append("TC 136 ON FILE (FTD ALERTS SUPPRESSED)")
    return out


@handles("ICSFC")
def ics_fcc(ctx: Context) -> Display | Refusal:
    """The Full Compliance Check (IRM 5.7.1.6; required at closing, 5.7.1.9(8))."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "FULL COMPLIANCE CHECK"
    labels = ("DEPOSITOR", "DEPOSITS", "RETURNS", "BALANCES")
    if not _submitted(ctx, labels):
        return _blank_form(ctx, ent, case, "ICSFC", "ics_fcc", title, labels, _idrs_facts(ent, case, ctx.today))
    depositor = ctx.value("DEPOSITOR").upper()
    if depositor not in ("S", "M"):
        return _refuse(ctx, "DEPOSITOR", "DEPOSITOR MUST BE S OR M", case)
    answers = {}
    for label in labels[1:]:
        answer = ctx.value(label).upper()
        if answer not in ("Y", "N"):
            return _refuse(ctx, label, f"{label} MUST BE Y OR N", case)
        answers[label.lower()] = answer
    owed = ftd_evidence.balances_answer_problem(answers["balances"], ics.idrs_balances(ent))
    if owed is not None:
        return _refuse(ctx, "BALANCES", owed, case)
    entry = {"date": ctx.today.isoformat(), "idrs": ctx.idrs, "depositor": depositor, **answers}
    ics.push(case, "fcc", entry)
    full = ics.fcc_full(entry)
    ics.add_history(case, ctx.today, ctx.idrs,
                    f"FULL COMPLIANCE CHECK: DEPOSITOR {'SEMIWEEKLY' if depositor == 'S' else 'MONTHLY'}, DEPOSITS "
                    f"{answers['deposits']}, RETURNS {answers['returns']}, BALANCES {answers['balances']} - "
                    + ("FULL COMPLIANCE" if full else "NOT IN FULL COMPLIANCE"))
    return _done(ctx, ent, case, "ICSFC", "ics_fcc", title,
                 "FULL COMPLIANCE" if full else "NOT IN FULL COMPLIANCE", _idrs_facts(ent, case, ctx.today),
                 dict.fromkeys(labels, ""))


def _deposit_lines(ent: Entity, case: IcsCase) -> tuple[list[str], int, Decimal]:
    lines, count, total = [], 0, Decimal("0.00")
    for m in ent.modules:
        if m.mft != case.mft or m.period < case.period:
            continue
        for t in m.transactions:
            if (t.tc in DEPOSIT_TCS or t.tc == 670) and t.status in (POSTED, PENDING):
                amt = abs(Decimal(t.amount or 0))
                state = "PN" if t.status == PENDING else "  "
                lines.append(f"{m.period} TC {t.tc} {state} {(t.trans_date.strftime('%m%d%Y') if t.trans_date else ''):<8} "
                             f"{money(amt):>14}")
                if t.tc in DEPOSIT_TCS:
                    count += 1
                    total += amt
    return lines or ["NO DEPOSITS ON IDRS FOR THE ALERT QUARTER OR LATER QUARTERS"], count, total


@handles("ICSFV")
def ics_ftdv(ctx: Context) -> Display | Refusal:
    """FTD Verification: document deposits for the alert and later quarters (IRM 5.7.1.7)."""
    found = _target(ctx)
    if isinstance(found, Refusal):
        return found
    ent, case = found
    title = "FTD VERIFICATION"
    lines, count, total = _deposit_lines(ent, case)
    results = config.ics_data().get("ftd_verification") or {}
    if not _submitted(ctx, ("RESULT",)):
        return _blank_form(ctx, ent, case, "ICSFV", "ics_ftdv", title, ("RESULT",), lines)
    result = ctx.value("RESULT")
    if digits_value(result) not in results:
        return _refuse(ctx, "RESULT", "RESULT MUST BE 1-4", case)
    ics.push(case, "ftdv", {"date": ctx.today.isoformat(), "idrs": ctx.idrs, "result": int(result),
                            "deposits": count, "total": f"{total:.2f}"})
    ics.add_history(case, ctx.today, ctx.idrs,
                    f"FTD VERIFICATION: {count} DEPOSITS {money(total)} SINCE {case.period} - {results[int(result)]}")
    return _done(ctx, ent, case, "ICSFV", "ics_ftdv", title, results[int(result)], lines, {"RESULT": ""})
