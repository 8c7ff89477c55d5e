"""ACDS screens for Appeals TDC Secure Messaging (memo AP-08-0622-0008): thin handlers.

``ACDS TIN CASE>id`` shows the case (screens/acds.map); ``ACDSFC`` adds a feature code,
``ACDSLT`` issues an Appeals letter (an acknowledgement letter carries the TDC invitation
write-in paragraph), ``ACDSUP`` uploads a document, ``ACDSCAR`` records a first phone
contact on the Case Activity Record and ``CARATS`` an action/sub-action code.  The rules
are in `idrs_sim.rules.appeals_tdc`; these handlers read the case, ask the rules, and
append to the case's lists.  Each change answers with the ACDS screen and REQUEST COMPLETED.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from sqlalchemy import select

from ..commands import handles
from ..digits import is_digits
from ..masterfile.acds_models import ACDS_LISTS, AcdsCase
from ..masterfile.models import Employee
from ..rules import pam_enclosures, tdc_access, tdc_carats, tdc_case_file, tdc_invitation, tdc_messaging, tdc_record
from .base import REQUEST_COMPLETED, Context, Display, Refusal, violation
from .research import mark
from .validate import check_date

__all__ = ["access_of", "acds", "badges", "case_of", "changed", "element_date", "facts_of", "own_case_of", "shown"]


#: A case activity record entry written with a letter (its enclosures), not a phone contact.
LETTER_ENTRY = "LETTER"


def _refuse(ctx: Context, literal: str, element: str = "code") -> Refusal:
    ctx.outcome = f"{literal}: {ctx.cmd.head} {ctx.cmd.tin or ''}".strip()[:80]
    return Refusal(literal, marks=[mark(ctx, element, fallback="end")])


def case_of(ctx: Context) -> AcdsCase | Refusal:
    """The ACDS case named by TIN and CASE> (CASE> may be left out when the TIN has one case)."""
    tin = ctx.cmd.tin
    if not tin:
        return _refuse(ctx, "TIN REQUIRED", "tin")
    cases = list(ctx.db.scalars(select(AcdsCase).where(AcdsCase.tin == tin).order_by(AcdsCase.case_id)))
    wanted = ctx.value("CASE").upper()
    if not cases:
        return _refuse(ctx, "NO ACDS CASE FOR THIS TIN", "tin")
    if not wanted:
        if len(cases) > 1:
            return _refuse(ctx, "CASE> REQUIRED: " + " ".join(c.case_id for c in cases)[:60], "CASE>")
        return cases[0]
    for c in cases:
        if c.case_id == wanted:
            return c
    return _refuse(ctx, f"NO ACDS CASE {wanted} FOR THIS TIN", "CASE>")


def element_date(ctx: Context, label: str = "DATE", required: bool = True,
                 case: AcdsCase | None = None) -> dt.date | Refusal:
    """A MMDDYYYY element, not in the future nor before the case existed (blank: today unless required)."""
    day, problem = check_date(label, ctx.value(label), ctx.today, required=required)
    if problem is not None:
        return _refuse(ctx, problem.message, f"{label}>")
    day = day if day is not None else ctx.today
    early = tdc_record.check_case_date(case.case_id, day) if case is not None else None
    return _refuse(ctx, early, f"{label}>") if early else day


def own_case_of(ctx: Context) -> AcdsCase | Refusal:
    """The case (`case_of`) when the signed-on employee may make entries on it: its ATE, or a
    manager (`tdc_access.check_case_owner`); another ATE is refused, as an audit violation."""
    case = case_of(ctx)
    if isinstance(case, Refusal):
        return case
    problem = tdc_access.check_case_owner(ctx.idrs, ctx.employee.roles or [], case.ate)
    return violation(_refuse(ctx, problem, "CASE>")) if problem else case


def case_and_date(ctx: Context, required: bool = True) -> tuple[AcdsCase, dt.date] | Refusal:
    """The case (`own_case_of`) and the DATE> element (`element_date`): the start of every dated
    ACDS entry."""
    case = own_case_of(ctx)
    if isinstance(case, Refusal):
        return case
    day = element_date(ctx, required=required, case=case)
    if isinstance(day, Refusal):
        return day
    return case, day


def casefile_requester(case: AcdsCase) -> str | None:
    """Who asked for the case file (TP or POA), the first request; None when nobody did."""
    requesters = [r.get("who", "TP") for r in case.requests or [] if r["req"] == "CASEFILE"]
    return requesters[0] if requesters else None


def access_of(emp: Employee) -> tdc_access.EgainAccess:
    return tdc_access.egain_access(emp.roles or [], emp.series, bool(emp.bears), emp.egain)


def badges(ctx: Context) -> set[str]:
    """Every IDRS (badge) number on file: none of them is ever an Appeals Employee ID."""
    return set(ctx.db.scalars(select(Employee.idrs)))


def record(case: AcdsCase) -> dict[str, Any]:
    """The case in its fixture/dump form, as the rules read it."""
    return {"feature_codes": case.feature_codes or [], **{name: getattr(case, name) or [] for name in ACDS_LISTS}}


def invited_ids(case: AcdsCase) -> list[str]:
    return tdc_record.invited_ids(record(case))


def id_given_on(case: AcdsCase, egain: str) -> dt.date | None:
    return tdc_record.id_given_on(record(case), egain)


def facts_of(case: AcdsCase) -> tdc_record.TdcFacts:
    return tdc_record.facts(record(case))


def registrations_of(case: AcdsCase) -> list[tdc_record.Registration]:
    return tdc_record.registrations(record(case))


def changed(case: AcdsCase, name: str, entry: dict[str, Any]) -> None:
    """Append one entry to a JSON list column (a new list, so the change is seen)."""
    setattr(case, name, [*(getattr(case, name) or []), entry])


def _mdy(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%m%d%Y") if iso else ""


def _tdc_state(case: AcdsCase) -> str:
    facts = facts_of(case)
    if facts.withdrawal:
        return f"WITHDRAWN {facts.withdrawal:%m%d%Y} (TP/REP ASKED TO STOP)"
    regs = registrations_of(case)
    ok = [r.who for r in regs if tdc_messaging.usable(r) is None]
    if ok:
        return f"REGISTERED: {', '.join(ok)} - MESSAGES {len(case.messages or [])}"
    if regs:
        return "REGISTRATION INCOMPLETE: " + (tdc_messaging.usable(regs[0]) or "")
    if facts.invited:
        return f"INVITED {facts.invited:%m%d%Y} - NOT REGISTERED"
    if facts.not_offered:
        return "NOT OFFERED: FIRST CALL RESOLVED THE CASE (REASON ON CAR)"
    return "NOT OFFERED"


def _lines(case: AcdsCase, first: str | None = None) -> list[str]:
    """The list: FINDINGS, then `first` (the section just changed), then the others."""
    parts: dict[str, list[str]] = {}

    def section(title: str, rows: list[str]) -> None:
        if rows:
            parts[title] = [f"{title}:", *("  " + r for r in rows)]

    section("FINDINGS", tdc_carats.findings(facts_of(case)))
    car = []
    for x in case.car or []:
        if x.get("contact") == LETTER_ENTRY:  # the letter's enclosures documented (IRM 8.26.9.2.3(2) Note)
            car.append(f"{_mdy(x['date'])} {x.get('idrs', ''):<10} {x.get('note', '')}".upper()[:74])
            continue
        car.append(f"{_mdy(x['date'])} {x.get('idrs', ''):<10} {x.get('contact', 'PHONE')} TDC {x.get('tdc', '')}"
                   + (f" ID {x['egain']}" if x.get("egain") else ""))
        if x.get("pub"):
            car.append("  " + tdc_invitation.PUB_5437.get(x["pub"], x["pub"]))
        if x.get("reason"):
            car += ["  REASON: " + part for part in textwrap.wrap(x["reason"].upper(), 66)]
        if x.get("note"):
            car += ["  " + part for part in textwrap.wrap(x["note"].upper(), 74)]
    section("CASE ACTIVITY RECORD", car)
    section("CARATS", [f"{e['act']}-{e['sub']:<4} {_mdy(e['date'])} {e.get('idrs', ''):<10} "
                       f"{tdc_carats.CARATS_CODES.get((e['act'], e['sub']), '')}" for e in case.carats or []])
    uploads = []
    for u in case.uploads or []:
        uploads.append(f"{u['doc']} {_mdy(u['date'])} {u.get('by') or u.get('idrs', '')}"
                       + (f" TO {u['to']}" if u.get("to") else "")
                       + (" SIGNED" if u.get("signed") else "")
                       + (f" DATED {_mdy(u['letter_date'])}" if u.get("letter_date")
                          else (" UNDATED" if u["doc"] == "L6271" else "")))
        if u.get("stars_id"):
            uploads.append(f"  STARS REQUEST ID {u['stars_id']}")
    section("UPLOADS", uploads)
    section("STARS", [line for r in case.stars or []
                      for line in (f"{r['id']} {_mdy(r['date'])} {r.get('idrs', '')}", f"  DELIVERY: {r['delivery'].upper()}")])
    section("TDC USERS", [f"{r['who']:<3} {_mdy(r['date'])} ID {r['egain']} CONSENT {'Y' if r.get('consented') else 'N'}"
                          f" AUTHENTICATED {'Y' if r.get('authenticated') else 'N'}" for r in case.registrations or []])
    section("TDC MESSAGES", [f"{_mdy(m['date'])} FROM {m['from']:<3}" + (f" {m['doc']}" if m.get("doc") else "")
                             for m in case.messages or []])
    section("EMAIL NOTICES", [f"{_mdy(n['date'])} TO {n['to']}: {n['text']}" for n in case.notices or []])
    section("REQUESTS", [f"{_mdy(r['date'])} {r.get('who', 'TP')} {r['req']}" for r in case.requests or []])
    letters = []
    for x in case.letters or []:
        para = f" PARA {x['para']} TDC INVITATION ID {x.get('egain', '')}" if x.get("para") else ""
        letters.append(f"L{x['letter']} {_mdy(x['date'])} {x.get('idrs', '')}{para}")
        letters += ["  " + line for line in pam_enclosures.enclosure_lines(x["letter"], bool(x.get("para")))]
        if x.get("text"):
            letters += ["  " + part for part in textwrap.wrap(x["text"].upper(), 74)]
    section("LETTERS", letters)
    order = ["FINDINGS", *([first] if first else []), *parts]
    out = [line for title in dict.fromkeys(order) for line in parts.get(title, [])]
    return out or ["NO ACTIVITY ON THIS CASE"]


def shown(ctx: Context, case: AcdsCase, message: str = "", status: str = "", first: str | None = None) -> Display:
    """The ACDS case screen."""
    from ..masterfile.models import Entity

    ent = ctx.db.scalar(select(Entity).where(Entity.tin == case.tin))
    values = {
        "cmd": f"ACDS {case.tin} CASE>{case.case_id}",
        "date": ctx.today.strftime("%m/%d/%Y"),
        "case": case.case_id,
        "tin": case.tin,
        "name1": (ent.name_lines or [""])[0] if ent is not None else "",
        "type": case.type or "",
        "ate": case.ate or "",
        "p": "Y" if case.poa else "N",
        "fcs": " ".join(case.feature_codes or []) or "NONE",
        "tdc": _tdc_state(case),
        "status": status,
    }
    return Display("acds", values, _lines(case, first), message=message)


def done(ctx: Context, case: AcdsCase, what: str, first: str | None = None) -> Display:
    """The ACDS screen after a change, the changed section first below the findings."""
    ctx.db.flush()
    ctx.outcome = f"{what} {case.case_id}"[:80]
    return shown(ctx, case, REQUEST_COMPLETED, what, first)


@handles("ACDS")
def acds(ctx: Context) -> Display | Refusal:
    case = case_of(ctx)
    if isinstance(case, Refusal):
        return case
    ctx.outcome = f"ACDS CASE DISPLAYED {case.case_id}"
    return shown(ctx, case)


@handles("ACDSFC")
def acdsfc(ctx: Context) -> Display | Refusal:
    """Feature code DC once the TP/Rep has been invited (ATE Case Actions ¶4)."""
    case = own_case_of(ctx)
    if isinstance(case, Refusal):
        return case
    fc = ctx.value("FC").upper()
    problem = tdc_carats.check_feature_code(fc, case.feature_codes or [], facts_of(case).invited is not None)
    if problem:
        return _refuse(ctx, problem, "FC>")
    case.feature_codes = [*(case.feature_codes or []), fc]
    return done(ctx, case, f"FEATURE CODE {fc} ADDED")


@handles("ACDSLT")
def acdslt(ctx: Context) -> Display | Refusal:
    """An Appeals letter; an acknowledgement letter carries the TDC invitation (¶1-2)."""
    case = own_case_of(ctx)
    if isinstance(case, Refusal):
        return case
    letter = ctx.value("LETTER").upper().removeprefix("L")
    if not letter:
        return _refuse(ctx, "LETTER> REQUIRED", "LETTER>")
    misfit = tdc_invitation.check_letter_fits(letter, case.type, bool(case.poa))
    if misfit:
        return _refuse(ctx, misfit, "LETTER>")
    para_text = ctx.value("PARA")
    if para_text and not is_digits(para_text):
        return _refuse(ctx, "PARA> MUST BE A PARAGRAPH NUMBER", "PARA>")
    para = int(para_text) if para_text else None
    given = ctx.value("ID").upper()
    access = access_of(ctx.employee)
    obliged = tdc_access.must_offer(ctx.employee.roles or [], ctx.employee.series)
    problem = tdc_invitation.check_invitation(letter, para, given, access, badges(ctx), obliged)
    if problem:
        element = "ID>" if "ID" in problem.split(":")[0] or "BADGE" in problem else (
            "PARA>" if "PARAGRAPH" in problem or "PARA>" in problem else "LETTER>")
        return _refuse(ctx, problem, element)
    entry: dict[str, Any] = {"letter": letter, "date": ctx.today.isoformat(), "idrs": ctx.idrs}
    if letter in tdc_invitation.INVITATION_PARAGRAPHS and para is not None:
        text = tdc_invitation.invitation_paragraph(given)
        missing = tdc_invitation.missing_elements(text, given)
        if missing:  # the paragraph must say all four things (reference C.5)
            return _refuse(ctx, "INVITATION PARAGRAPH LACKS: " + missing[0], "LETTER>")
        entry.update({"para": para, "egain": given, "text": text})
    changed(case, "letters", entry)
    note = pam_enclosures.case_action_note(letter, "para" in entry)
    if note:  # "Be sure the case action record documents Publication 4167 was included" (8.26.9.2.3(2))
        changed(case, "car", {"date": entry["date"], "idrs": ctx.idrs, "contact": LETTER_ENTRY, "note": note})
    return done(ctx, case, f"LETTER {letter} ISSUED" + (" WITH TDC INVITATION" if "para" in entry else ""), "LETTERS")


@handles("ACDSCAR")
def acdscar(ctx: Context) -> Display | Refusal:
    """A first phone contact on the Case Activity Record: TDC discussed, or not offered (¶3)."""
    found = case_and_date(ctx, required=False)
    if isinstance(found, Refusal):
        return found
    case, day = found
    contact = (ctx.value("CONTACT") or "PHONE").upper()
    if contact != "PHONE":
        return _refuse(ctx, "CONTACT>PHONE (LETTERS ARE ISSUED WITH ACDSLT)", "CONTACT>")
    choice, pub, given = ctx.value("TDC").upper(), ctx.value("PUB").upper(), ctx.value("ID").upper()
    resolved, reason = ctx.value("RESOLVED").upper() == "Y", ctx.value("REASON")
    prior = len(case.letters or []) + len(case.car or [])
    problem = tdc_invitation.check_phone_contact(choice, pub, given, resolved, reason, prior, access_of(ctx.employee), badges(ctx))
    if problem:
        label = {"PUB": "PUB>", "ID": "ID>", "REASON": "REASON>", "OFFER": "RESOLVED>"}
        element = next((v for k, v in label.items() if problem.startswith(k)), "TDC>")
        if "BADGE" in problem or "EGAIN ID" in problem:
            element = "ID>"
        return _refuse(ctx, problem, element)
    entry: dict[str, Any] = {"date": day.isoformat(), "idrs": ctx.idrs, "contact": "PHONE", "tdc": choice}
    if choice == tdc_invitation.DISCUSSED:
        entry.update({"egain": given, "pub": pub})
    else:
        entry.update({"resolved": True, "reason": reason})
    if ctx.value("NOTE"):
        entry["note"] = ctx.value("NOTE")
    changed(case, "car", entry)
    return done(ctx, case, f"CAR: PHONE CONTACT, TDC {choice}", "CASE ACTIVITY RECORD")


@handles("CARATS")
def carats(ctx: Context) -> Display | Refusal:
    """A CARATS action/sub-action entry, dated as the memo's table says (¶5)."""
    found = case_and_date(ctx)
    if isinstance(found, Refusal):
        return found
    case, day = found
    act, sub = ctx.value("ACT").upper(), ctx.value("SUB").upper()
    problem = tdc_carats.check_carats(act, sub, day, facts_of(case))
    if problem:
        return _refuse(ctx, problem, "SUB>" if "CODE" in problem else "DATE>")
    changed(case, "carats", {"act": act, "sub": sub, "date": day.isoformat(), "idrs": ctx.idrs})
    return done(ctx, case, f"CARATS {act}-{sub} {day:%m%d%Y}", "CARATS")


@handles("ACDSUP")
def acdsup(ctx: Context) -> Display | Refusal:
    """Upload a document to ACDS: Letter 6271 signed and undated, before STARS; never 6270 (¶6b)."""
    case = own_case_of(ctx)
    if isinstance(case, Refusal):
        return case
    doc = ctx.value("DOC").upper()
    for label in ("SIGNED", "DATED"):  # a yes/no answer: anything else was read as N
        if ctx.value(label).upper() not in ("", "Y", "N"):
            return _refuse(ctx, f"{label} MUST BE Y OR N", f"{label}>")
    signed, dated = ctx.value("SIGNED").upper() == "Y", ctx.value("DATED").upper() == "Y"
    requester = casefile_requester(case)
    to = ctx.value("TO").upper()
    problem = tdc_case_file.check_upload(doc, signed, dated, to, requester, bool(case.stars))
    if problem:
        return _refuse(ctx, problem, "DOC>" if "6270" in problem or "DOC>" in problem else "SIGNED>")
    entry: dict[str, Any] = {"doc": doc, "date": ctx.today.isoformat(), "idrs": ctx.idrs, "signed": signed, "dated": dated}
    if doc == "L6271":
        entry["to"] = to or requester
    changed(case, "uploads", entry)
    return done(ctx, case, f"{doc} UPLOADED", "UPLOADS")
