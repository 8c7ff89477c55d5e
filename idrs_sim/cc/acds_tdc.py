"""TDC Secure Messaging beside ACDS (memo AP-08-0622-0008): thin handlers.

``EGAIN`` shows the signed-on employee's eGain Agent (or why there is none); ``TDCREQ``
records what the taxpayer or representative did or asked (register at irs.gov/connect,
withdraw, ask for the case file); ``TDCMSG`` a secure message sent or received, with its
email notices; ``STARS`` the redaction request for a case file delivered by TDC.  The rules
are in `idrs_sim.rules.appeals_tdc`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..commands import handles
from ..rules import tdc_access, tdc_case_file, tdc_messaging
from .acds import (
    _refuse,
    access_of,
    badges,
    case_and_date,
    casefile_requester,
    changed,
    done,
    facts_of,
    id_given_on,
    invited_ids,
    own_case_of,
    registrations_of,
)
from .base import Context, Display, Refusal

__all__ = ["egain", "stars", "tdcmsg", "tdcreq"]


@handles("EGAIN")
def egain(ctx: Context) -> Display:
    """The eGain Agent of the signed-on employee: permanent eGain ID, or why none (¶1-3)."""
    emp = ctx.employee
    access = access_of(emp)
    lines = [
        f"ACCESS: BEARS REQUEST FOR {tdc_access.BEARS_ENTITLEMENT}",
        "SERIES: IR/GS " + ", ".join(tdc_access.LISTED_SERIES) + " (APPEALS MANAGERS AND TECHNICAL EMPLOYEES)",
        "GIVE TAXPAYERS AND REPRESENTATIVES YOUR EGAIN ID AS THE APPEALS EMPLOYEE ID,",
        "NEVER YOUR BADGE OR IDRS NUMBER. THE EGAIN ID DOES NOT CHANGE ONCE ISSUED.",
    ]
    ctx.outcome = f"EGAIN {'ID ' + (access.egain_id or '') if access.has_agent else 'NO ACCESS'}"
    return Display("egain", {
        "cmd": "EGAIN",
        "date": ctx.today.strftime("%m/%d/%Y"),
        "idrs": emp.idrs,
        "name": emp.name,
        "series": emp.series or "NONE",
        "bears": ("APPROVED - " if emp.bears else "NOT APPROVED - ") + "PROD USERS TDC APPEALS",
        "egain": access.egain_id or "NONE",
        "access": access.reason,
    }, lines)


@handles("TDCREQ")
def tdcreq(ctx: Context) -> Display | Refusal:
    """What the TP/Rep did: REGISTER (consent, authentication, ID), WITHDRAW, CASEFILE."""
    found = case_and_date(ctx)
    if isinstance(found, Refusal):
        return found
    case, day = found
    req, who = ctx.value("REQ").upper(), (ctx.value("WHO") or "TP").upper()
    if who not in tdc_messaging.PARTIES:
        return _refuse(ctx, "WHO> TP OR POA", "WHO>")
    if who == "POA" and not case.poa:
        return _refuse(ctx, "NO REPRESENTATIVE (POA) ON THIS CASE", "WHO>")
    if req == "REGISTER":
        given = ctx.value("ID").upper()
        problem = tdc_messaging.check_registration(who, given, bool(case.poa), invited_ids(case), badges(ctx),
                                                   day=day, given_on=id_given_on(case, given))
        if problem:
            return _refuse(ctx, problem, "DATE>" if problem.startswith("REGISTRATION DATED") else "ID>")
        yn = {k: ctx.value(k).upper() for k in ("CONSENT", "AUTH")}
        for k, answer in yn.items():
            if answer not in ("Y", "N"):
                return _refuse(ctx, f"{k}> Y OR N", f"{k}>")
        changed(case, "registrations", {"who": who, "egain": given, "consented": yn["CONSENT"] == "Y",
                                        "authenticated": yn["AUTH"] == "Y", "date": day.isoformat()})
        return done(ctx, case, f"{who} REGISTERED FOR TDC", "TDC USERS")
    if req == "WITHDRAW":
        problem = tdc_messaging.check_withdrawal(registrations_of(case), facts_of(case).withdrawal, day)
        if problem:
            return _refuse(ctx, problem, _element(problem, "REQ>"))
    elif req == "CASEFILE":
        if facts_of(case).casefile_request is not None:
            return _refuse(ctx, "CASE FILE REQUEST ALREADY RECORDED", "REQ>")
    else:
        return _refuse(ctx, "REQ> REGISTER, WITHDRAW OR CASEFILE", "REQ>")
    changed(case, "requests", {"req": req, "who": who, "date": day.isoformat()})
    return done(ctx, case, f"{who} REQUEST {req} RECORDED", "REQUESTS")


@handles("TDCMSG")
def tdcmsg(ctx: Context) -> Display | Refusal:
    """A secure message sent or received; each one emails a notice without its content (¶4-5)."""
    found = case_and_date(ctx)
    if isinstance(found, Refusal):
        return found
    case, day = found
    sender, doc = ctx.value("FROM").upper(), ctx.value("DOC").upper()
    regs = registrations_of(case)
    access = access_of(ctx.employee)
    problem = tdc_messaging.check_message(sender, regs, facts_of(case).withdrawal, access, day=day)
    if problem:
        return _refuse(ctx, problem, _element(problem, "FROM>"))
    if doc and doc not in ("CASEFILE", "AGREEMENT", "OTHER"):
        return _refuse(ctx, "DOC> CASEFILE, AGREEMENT OR OTHER", "DOC>")
    if doc == "CASEFILE":
        problem = tdc_case_file.check_casefile_sent(
            sender, [dt.date.fromisoformat(r["date"]) for r in case.stars or []],
            any(u["doc"] == "L6271" and u.get("stars_id") for u in case.uploads or []), day)
        if problem:
            return _refuse(ctx, problem, "DOC>")
        # ¶6d: "If necessary, edit the date on Letter 6271 to the date you send it through TDC."
        case.uploads = [{**u, "letter_date": day.isoformat()} if u["doc"] == "L6271" and u.get("stars_id") else u
                        for u in case.uploads or []]
    entry: dict[str, Any] = {"from": sender, "date": day.isoformat(), "idrs": ctx.idrs}
    if doc:
        entry["doc"] = doc
    if ctx.value("TEXT"):
        entry["text"] = ctx.value("TEXT")
    changed(case, "messages", entry)
    for to in tdc_messaging.recipients(sender, regs):
        changed(case, "notices", tdc_messaging.email_notice(to, day))
    return done(ctx, case, f"TDC MESSAGE FROM {sender} {day:%m%d%Y}", "EMAIL NOTICES")


def _element(problem: str, other: str) -> str:
    """A refusal about the date (registered only from, withdrew before it) points at DATE>."""
    dated = ("REGISTERED FOR TDC SECURE MESSAGING UNTIL", "WITHDREW FROM TDC SECURE MESSAGING")
    return "DATE>" if any(words in problem for words in dated) else other


@handles("STARS")
def stars(ctx: Context) -> Display | Refusal:
    """The STARS request for a case file by TDC, after the signed undated 6271 (¶6a-b).

    The simulator's redactor works at once: STARS dates Letter 6271 and writes the Request
    ID on it, and the redacted case file appears on ACDS (docs/decisions.md).
    """
    case = own_case_of(ctx)
    if isinstance(case, Refusal):
        return case
    requester = casefile_requester(case)
    regs = [r for r in registrations_of(case) if r.who == requester]
    reachable = (tdc_messaging.usable(regs[0]) if regs else f"{requester} HAS NOT REGISTERED FOR TDC SECURE MESSAGING")
    if facts_of(case).withdrawal is not None:
        reachable = "THE TP/REP WITHDREW FROM TDC SECURE MESSAGING"
    uploads = [tdc_case_file.Upload(u["doc"], bool(u.get("signed")), bool(u.get("dated")), u.get("to", "")) for u in case.uploads or []]
    problem = tdc_case_file.check_stars(ctx.value("DELIVERY").upper(), requester, uploads, bool(case.stars), reachable)
    if problem:
        return _refuse(ctx, problem, "DELIVERY>")
    seq = sum(len(c.stars or []) for c in _all_cases(ctx)) + 1
    rid = tdc_case_file.stars_request_id(ctx.today, seq)
    today = ctx.today.isoformat()
    changed(case, "stars", {"id": rid, "date": today, "delivery": tdc_case_file.STARS_DELIVERY, "idrs": ctx.idrs})
    case.uploads = [{**u, "letter_date": today, "stars_id": rid} if u["doc"] == "L6271" and not u.get("stars_id") else u
                    for u in case.uploads or []]
    changed(case, "uploads", {"doc": "REDACTED-CASEFILE", "date": today, "by": "STARS", "stars_id": rid})
    return done(ctx, case, f"STARS REQUEST {rid}", "UPLOADS")


def _all_cases(ctx: Context) -> list[Any]:
    from sqlalchemy import select

    from ..masterfile.acds_models import AcdsCase

    return list(ctx.db.scalars(select(AcdsCase)))
