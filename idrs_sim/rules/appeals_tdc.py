"""Appeals TDC Secure Messaging (memo AP-08-0622-0008) as pure functions.

The memo makes every Appeals manager and technical employee in the listed IR/GS series
offer Taxpayer Digital Communications Secure Messaging (TDC SM) and record it on ACDS:

* access: a BEARS approval for PROD USERS TDC APPEALS gives the eGain Agent and a
  permanent eGain number, the "Appeals Employee ID" taxpayers register with (never the
  badge number) -- `egain_access`;
* the invitation: the write-in paragraph of the acknowledgement letters (5157 ¶7, 3808 and
  3808-A ¶5, 4837 ¶18, 3846 ¶16, 5576 ¶2) with the eGain ID filled in, or a first phone
  contact that discusses it (or the first-call-resolves exception with its reason) --
  `invitation_paragraph`, `check_invitation`, `check_phone_contact`;
* ACDS feature code DC once invited -- `check_feature_code`;
* CARATS CO-TDC per message dated the message date, in addition to other codes (CO-AS),
  CO-TDW only on a withdrawal request dated the request, FA-REQ / FA-TFA for a case-file
  request -- `check_carats`, `findings`;
* messages only with consent and authentication, each one an email notice without its
  content -- `check_message`, `email_notice`;
* the case file by TDC: STARS delivery literal, a signed undated Letter 6271 uploaded
  first, no Letter 6270 -- `check_upload`, `check_stars`.

Every check returns None when the action is allowed, else the line-24 literal.  The
project's decisions on the memo's gaps are in docs/decisions.md ("Appeals TDC").
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# -- access (Procedural Changes ¶1-3) -------------------------------------------------

#: IR and GS job series whose managers and technical employees must offer TDC SM.
LISTED_SERIES = ("0930", "0110", "1101", "0512", "0526", "0801")
#: The BEARS entitlement the employee requests (¶1).
BEARS_ENTITLEMENT = "PROD USERS TDC APPEALS (TDC APPEALS (PROD))"
#: The simulator roles of "Appeals managers and technical employees".
TDC_ROLES = ("ate", "atm")
EGAIN_ID = re.compile(r"^[0-9A-Z]{4,12}$")


def must_offer(roles: Iterable[str], series: str | None) -> bool:
    """Whether the memo obliges this employee to offer TDC: a manager or ATE in a listed series."""
    return bool(set(roles) & set(TDC_ROLES)) and series in LISTED_SERIES


@dataclass(frozen=True)
class EgainAccess:
    """Whether an employee has the eGain Agent, the eGain ID, or why there is none."""

    has_agent: bool
    egain_id: str | None
    reason: str


def egain_access(roles: Iterable[str], series: str | None, bears: bool, egain: str | None) -> EgainAccess:
    """The eGain Agent comes with a BEARS approval to a listed-series manager or ATE (¶1-3)."""
    if not set(roles) & set(TDC_ROLES):
        return EgainAccess(False, None, "NOT AN APPEALS MANAGER OR TECHNICAL EMPLOYEE")
    if not series:
        return EgainAccess(False, None, "NO JOB SERIES ON FILE")
    if series not in LISTED_SERIES:
        return EgainAccess(False, None, f"SERIES {series} IS NOT A TDC SERIES ({' '.join(LISTED_SERIES)})")
    if not bears:
        return EgainAccess(False, None, f"NO BEARS APPROVAL FOR {BEARS_ENTITLEMENT}")
    if not egain:
        return EgainAccess(False, None, "BEARS APPROVED - EGAIN ID NOT YET ISSUED")
    return EgainAccess(True, egain, "EGAIN AGENT ACCESS GRANTED (BEARS APPROVED)")


# -- the invitation (ATE Case Actions ¶1-3) -------------------------------------------

#: Acknowledgement letter -> the open write-in paragraph that carries the invitation (¶1).
INVITATION_PARAGRAPHS: dict[str, int] = {"5157": 7, "3808": 5, "3808-A": 5, "4837": 18, "3846": 16, "5576": 2}
LETTER_TITLES: dict[str, str] = {
    "5157": "Non-docketed Acknowledgement & Conference",
    "3808": "Docketed Acknowledgment and Conference (To Petitioner)",
    "3808-A": "Docketed Acknowledgment and Conference (To Counsel of Record)",
    "4837": "Substantive Contact Uniform Acknowledgement",
    "3846": "Appeals Received Your Request for a Collection Due Process Hearing",
    "5576": "Appeals Offer in Compromise Acknowledgement and Conference",
    "6271": "Case file transmittal (signed, undated; dated by STARS)",
    "6270": "Case file password letter (not used for TDC delivery)",
}
ID_BLANK = "_____"
#: The paragraph of ¶2, word for word (the publication link text kept, the link dropped).
INVITATION_TEMPLATE = (
    "While you can always reach me via the telephone number, fax number, and mailing address shown above, "
    "we now offer IRS Secure Messaging for you (and your authorized representative, if applicable) to quickly "
    "and easily communicate with me about your case. Please see the enclosed Publication 5437, IRS Independent "
    "Office of Appeals Secure Messaging, for more information about secure messaging. To register for secure "
    "messaging, please visit www.irs.gov/connect and enter the Appeals Employee ID (not badge number) of "
    f"{ID_BLANK}."
)
#: The four things the paragraph must say (reference C.5), each as the phrases that say it.
INVITATION_ELEMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("PHONE, FAX AND MAIL REMAIN AVAILABLE", ("telephone number", "fax number", "mailing address")),
    ("SECURE MESSAGING FOR THE TP AND ANY AUTHORIZED REP", ("IRS Secure Messaging for you (and your authorized representative",)),
    ("PUBLICATION 5437 ENCLOSED", ("enclosed Publication 5437",)),
    ("REGISTER AT WWW.IRS.GOV/CONNECT WITH THE APPEALS EMPLOYEE ID", ("www.irs.gov/connect", "Appeals Employee ID (not badge number) of")),
)
BADGE_NOT_ID = "APPEALS EMPLOYEE ID IS THE EGAIN ID, NOT THE BADGE NUMBER"


def invitation_paragraph(egain_id: str) -> str:
    """The write-in paragraph with the employee's eGain ID in the blank (¶2)."""
    return INVITATION_TEMPLATE.replace(ID_BLANK, egain_id)


def missing_elements(text: str, egain_id: str) -> list[str]:
    """Which of the four required statements (and the filled-in ID) the text lacks."""
    missing = [name for name, phrases in INVITATION_ELEMENTS if not all(p in text for p in phrases)]
    if f"(not badge number) of {egain_id}." not in text:
        missing.append("THE EGAIN ID IN THE BLANK")
    return missing


def check_given_id(given: str, own_egain: str | None, badges: Iterable[str]) -> str | None:
    """The ID given to a taxpayer is the employee's eGain ID, never a badge/IDRS number (¶3)."""
    if not given:
        return "ID> REQUIRED: YOUR EGAIN ID (APPEALS EMPLOYEE ID)"
    if given in set(badges):
        return BADGE_NOT_ID
    if given != own_egain:
        return f"ID> {given} IS NOT YOUR EGAIN ID"
    return None


def check_invitation(letter: str, para: int | None, given_id: str, access: EgainAccess,
                     badges: Iterable[str], obliged: bool = True) -> str | None:
    """An acknowledgement letter carries the invitation in its write-in paragraph (¶1).

    `obliged` (see `must_offer`) False: an employee outside the listed series may send the
    letter without the invitation (the memo does not bind them, and they have no eGain ID).
    """
    if letter == "6270":
        return LETTER_6270
    if letter == "6271":
        return "LETTER 6271 IS UPLOADED: ACDSUP DOC>L6271 SIGNED>Y DATED>N"
    if letter not in LETTER_TITLES:
        return f"LETTER {letter} IS NOT AN ACDS APPEALS LETTER"
    expected = INVITATION_PARAGRAPHS.get(letter)
    if expected is None:
        return f"LETTER {letter} HAS NO TDC INVITATION PARAGRAPH" if para is not None or given_id else None
    if not obliged and para is None and not given_id:
        return None
    if not access.has_agent:
        return f"TDC INVITATION NEEDS YOUR EGAIN ID: {access.reason}"
    if para is None:
        return f"INCLUDE THE TDC INVITATION: PARA>{expected} ID>YOUR EGAIN ID"
    if para != expected:
        return f"TDC INVITATION GOES IN PARAGRAPH {expected} OF LETTER {letter}"
    return check_given_id(given_id, access.egain_id, badges)


#: How Pub 5437 reached the TP/Rep on a first phone contact (¶3).
PUB_5437 = {
    "REVIEWED": "PUB 5437 REVIEWED WITH THE TP/REP",
    "WEB": "DIRECTED TO WWW.IRS.GOV/FORMS-INSTRUCTIONS",
    "FAX": "PUB 5437 SENT BY FAX",
    "MAIL": "PUB 5437 SENT BY MAIL",
}
DISCUSSED = "DISCUSSED"
NOT_OFFERED = "NOT-OFFERED"


def check_phone_contact(tdc: str, pub: str, given_id: str, resolved: bool, reason: str, prior_contacts: int,
                        access: EgainAccess, badges: Iterable[str]) -> str | None:
    """First contact by phone: discuss the invitation, or the first-call-resolves exception (¶3)."""
    if tdc == DISCUSSED:
        if not access.has_agent:
            return f"TDC INVITATION NEEDS YOUR EGAIN ID: {access.reason}"
        if pub not in PUB_5437:
            return "PUB> REQUIRED: REVIEWED, WEB, FAX OR MAIL (PUB 5437)"
        return check_given_id(given_id, access.egain_id, badges)
    if tdc == NOT_OFFERED:
        if prior_contacts:
            return "TDC NOT OFFERED ONLY WHEN THE INITIAL PHONE CONTACT RESOLVES THE CASE"
        if not resolved:
            return "OFFER TDC UNLESS THE FIRST CALL FULLY RESOLVES THE CASE (RESOLVED>Y)"
        if not reason.strip():
            return "REASON> REQUIRED: WHY TDC WAS NOT OFFERED"
        return None
    return "TDC> DISCUSSED OR NOT-OFFERED"


# -- ACDS feature code (ATE Case Actions ¶4) ---------------------------------------------

FEATURE_CODES = {"DC": "DIGITAL CORRESPONDENCE"}


def check_feature_code(fc: str, on_case: Sequence[str], invited: bool) -> str | None:
    """DC goes on the case once the TP/Rep has been invited, and once."""
    if fc not in FEATURE_CODES:
        return f"INVALID FEATURE CODE {fc}" if fc else "FC> REQUIRED"
    if fc in on_case:
        return f"FEATURE CODE {fc} ALREADY ON THE CASE"
    if fc == "DC" and not invited:
        return "ADD FEATURE CODE DC ONLY AFTER THE TP/REP IS INVITED TO TDC"
    return None


# -- CARATS (ATE Case Actions ¶5, the table) ---------------------------------------------

CARATS_CODES: dict[tuple[str, str], str] = {
    ("CO", "TDC"): "ACTION VIA TDC SECURE MESSAGING",
    ("CO", "TDW"): "TP/POA WITHDREW FROM TDC SECURE MESSAGING",
    ("CO", "AS"): "AGREEMENT SENT",
    ("FA", "REQ"): "TFA CASE FILE REQUEST",
    ("FA", "TFA"): "TFA CASE FILE ACCESS",
}


@dataclass(frozen=True)
class CaratsEntry:
    act: str
    sub: str
    date: dt.date


@dataclass(frozen=True)
class Message:
    sender: str  # TP | POA | ATE
    date: dt.date
    doc: str = ""  # CASEFILE | AGREEMENT | OTHER | ""


@dataclass
class TdcFacts:
    """What the rules read from one ACDS case (built by the handler from its rows)."""

    invited: dt.date | None = None  # first invitation (letter or phone)
    not_offered: bool = False  # the first-call-resolves exception is recorded
    feature_codes: list[str] = field(default_factory=list)
    carats: list[CaratsEntry] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    withdrawal: dt.date | None = None  # the date the TP/Rep asked to stop TDC
    casefile_request: dt.date | None = None


def _fmt(d: dt.date) -> str:
    return d.strftime("%m%d%Y")


def check_carats(act: str, sub: str, day: dt.date, facts: TdcFacts) -> str | None:
    """One CARATS entry: known code, and the dates the memo ties each TDC code to."""
    if (act, sub) not in CARATS_CODES:
        return "INVALID CARATS ACTION/SUB-ACTION CODE"
    code = f"{act}-{sub}"
    if code == "CO-TDC":
        sent = sum(1 for m in facts.messages if m.date == day)
        if not sent:
            return "CO-TDC DATE MUST BE THE DATE A TDC MESSAGE WAS SENT OR RECEIVED"
        if sum(1 for e in facts.carats if (e.act, e.sub, e.date) == ("CO", "TDC", day)) >= sent:
            return f"EVERY TDC MESSAGE OF {_fmt(day)} ALREADY HAS ITS CO-TDC"
    elif code == "CO-TDW":
        if facts.withdrawal is None:
            return "CO-TDW ONLY WHEN THE TP/REP ASKED TO STOP TDC SECURE MESSAGING"
        if day != facts.withdrawal:
            return f"CO-TDW DATE MUST BE THE WITHDRAWAL REQUEST DATE {_fmt(facts.withdrawal)}"
        if any((e.act, e.sub) == ("CO", "TDW") for e in facts.carats):
            return "CO-TDW ALREADY RECORDED"
    elif act == "FA":
        if facts.casefile_request is None:
            return f"{code} ONLY FOR A CASE FILE REQUEST (TDCREQ REQ>CASEFILE)"
        if day != facts.casefile_request:
            return f"{code} DATE MUST BE THE CASE FILE REQUEST DATE {_fmt(facts.casefile_request)}"
        if any((e.act, e.sub) == (act, sub) for e in facts.carats):
            return f"{code} ALREADY RECORDED"
    return None


def findings(facts: TdcFacts) -> list[str]:
    """What the case still lacks under the memo (shown on the ACDS screen)."""
    out: list[str] = []
    if facts.invited is None and not facts.not_offered:
        out.append("TDC NOT YET OFFERED TO THE TP/REP")
    if facts.invited is not None and "DC" not in facts.feature_codes:
        out.append(f"INVITED {_fmt(facts.invited)}: ADD FEATURE CODE DC")
    msgs = Counter(m.date for m in facts.messages)
    codes = Counter((e.act, e.sub, e.date) for e in facts.carats)
    for day in sorted(msgs):
        short = msgs[day] - codes[("CO", "TDC", day)]
        if short > 0:
            out.append(f"{short} TDC MESSAGE(S) OF {_fmt(day)} WITHOUT CO-TDC")
    for m in facts.messages:
        if m.doc == "AGREEMENT" and not codes[("CO", "AS", m.date)]:
            out.append(f"AGREEMENT SENT BY TDC {_fmt(m.date)}: CO-AS MISSING (CO-TDC DOES NOT REPLACE IT)")
    if facts.casefile_request is not None:
        for sub in ("REQ", "TFA"):
            if not any((e.act, e.sub) == ("FA", sub) for e in facts.carats):
                out.append(f"CASE FILE REQUESTED {_fmt(facts.casefile_request)}: FA-{sub} MISSING")
    if facts.withdrawal is not None and not any((e.act, e.sub) == ("CO", "TDW") for e in facts.carats):
        out.append(f"TP/REP WITHDREW {_fmt(facts.withdrawal)}: CO-TDW MISSING")
    return out


# -- TDC users and messages (Procedural Changes ¶4-5) ---------------------------------------

PARTIES = ("TP", "POA")


@dataclass(frozen=True)
class Registration:
    """A TP or representative who registered at www.irs.gov/connect with an Appeals Employee ID."""

    who: str  # TP | POA
    egain_id: str
    consented: bool
    authenticated: bool
    date: dt.date


def check_registration(who: str, given_id: str, poa_on_case: bool, invited_ids: Iterable[str],
                       badges: Iterable[str]) -> str | None:
    """The TP/Rep registers with the Appeals Employee ID they were given (¶3-4)."""
    if who not in PARTIES:
        return "WHO> TP OR POA"
    if who == "POA" and not poa_on_case:
        return "NO REPRESENTATIVE (POA) ON THIS CASE"
    ids = set(invited_ids)
    if not ids:
        return "THE TP/REP HAS NOT BEEN INVITED TO TDC SECURE MESSAGING"
    if given_id in set(badges):
        return "REGISTRATION FAILED: " + BADGE_NOT_ID
    if given_id not in ids:
        return f"ID> {given_id or 'BLANK'} IS NOT THE APPEALS EMPLOYEE ID GIVEN TO THE TP/REP"
    return None


def usable(reg: Registration) -> str | None:
    """Why a registration cannot carry messages: no consent, no authentication (¶4)."""
    if not reg.consented:
        return f"{reg.who} HAS NOT CONSENTED TO TDC SECURE MESSAGING"
    if not reg.authenticated:
        return f"{reg.who} HAS NOT AUTHENTICATED AT WWW.IRS.GOV/CONNECT"
    return None


def check_message(sender: str, registrations: Sequence[Registration], withdrawal: dt.date | None,
                  access: EgainAccess) -> str | None:
    """A message needs a consented, authenticated TP/Rep who has not withdrawn, and the agent."""
    if sender not in (*PARTIES, "ATE"):
        return "FROM> TP, POA OR ATE"
    if not access.has_agent:
        return f"NO EGAIN AGENT ACCESS: {access.reason}"
    if withdrawal is not None:
        return f"THE TP/REP WITHDREW FROM TDC SECURE MESSAGING {_fmt(withdrawal)}"
    parties = [sender] if sender in PARTIES else list(PARTIES)
    regs = [r for r in registrations if r.who in parties]
    if not regs:
        who = sender if sender in PARTIES else "THE TP/REP"
        return f"{who} HAS NOT REGISTERED FOR TDC SECURE MESSAGING"
    problems = [usable(r) for r in regs]
    if all(problems):
        return problems[0]
    return None


def recipients(sender: str, registrations: Sequence[Registration], employee_egain: str) -> list[str]:
    """Who gets the email notice: the employee for a TP/Rep message, else each usable party."""
    if sender in PARTIES:
        return [f"EGAIN {employee_egain}"]
    return [r.who for r in registrations if usable(r) is None]


#: The email notice text (¶5): it says a message is waiting, never what it says.
NOTICE_TEXT = "NEW SECURE MESSAGE: LOG IN TO TDC TO READ IT"


def email_notice(to: str, day: dt.date) -> dict[str, str]:
    """The notice one recipient gets for one new message; the content is not an argument."""
    return {"to": to, "date": day.isoformat(), "text": NOTICE_TEXT}


# -- the case file by TDC (ATE Case Actions ¶6) ---------------------------------------------

STARS_DELIVERY = "TDC Secure Messaging (Will not be mailed by Redaction Specialist)"
LETTER_6270 = "LETTER 6270 IS NOT USED FOR TDC DELIVERY (NO PASSWORD PROTECTION NEEDED)"
UPLOAD_KINDS = ("L6271", "L6270", "OTHER")


@dataclass(frozen=True)
class Upload:
    doc: str
    signed: bool
    dated: bool
    to: str = ""


def check_upload(doc: str, signed: bool, dated: bool, to: str, requester: str | None,
                 stars_submitted: bool) -> str | None:
    """Letter 6271 goes up signed and undated, to the requester, before STARS; never 6270."""
    if doc == "L6270":
        return LETTER_6270
    if doc not in UPLOAD_KINDS:
        return "DOC> L6271 OR OTHER"
    if doc != "L6271":
        return None
    if requester is None:
        return "NO CASE FILE REQUEST ON THIS CASE (TDCREQ REQ>CASEFILE)"
    if stars_submitted:
        return "STARS REQUEST ALREADY SUBMITTED: STARS DATES ITS LETTER 6271"
    if not signed:
        return "LETTER 6271 MUST BE SIGNED (SIGNED>Y)"
    if dated:
        return "UPLOAD LETTER 6271 UNDATED (DATED>N): STARS DATES IT"
    if to and to != requester:
        return f"LETTER 6271 IS ADDRESSED TO THE REQUESTER ({requester})"
    return None


def check_stars(delivery: str, requester: str | None, uploads: Sequence[Upload], stars_submitted: bool,
                requester_usable: str | None) -> str | None:
    """The STARS request for delivery by TDC comes after the signed undated 6271 upload."""
    if requester is None:
        return "NO CASE FILE REQUEST ON THIS CASE (TDCREQ REQ>CASEFILE)"
    if delivery != "TDC":
        return "DELIVERY>TDC (" + STARS_DELIVERY.upper() + ")"
    if stars_submitted:
        return "STARS REQUEST ALREADY SUBMITTED"
    if requester_usable is not None:
        return "CASE FILE BY TDC: " + requester_usable
    if not any(u.doc == "L6271" and u.signed and not u.dated for u in uploads):
        return "UPLOAD A SIGNED, UNDATED LETTER 6271 TO ACDS BEFORE THE STARS REQUEST"
    return None


def stars_request_id(day: dt.date, seq: int) -> str:
    """The STARS Request ID the redactor writes on Letter 6271 (a simulator format)."""
    return f"STARS{day:%Y%m%d}{seq:03d}"


# -- reading a case record (the fixture/dump form of an ACDS case) ------------------------------


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def invited_ids(rec: Mapping[str, Any]) -> list[str]:
    """The Appeals Employee IDs given to the TP/Rep (invitation letters and phone contacts)."""
    ids = [x["egain"] for x in rec.get("letters") or [] if x.get("para") and x.get("egain")]
    ids += [x["egain"] for x in rec.get("car") or [] if x.get("tdc") == DISCUSSED and x.get("egain")]
    return ids


def registrations(rec: Mapping[str, Any]) -> list[Registration]:
    return [Registration(r["who"], r["egain"], bool(r.get("consented")), bool(r.get("authenticated")),
                         dt.date.fromisoformat(r["date"])) for r in rec.get("registrations") or []]


def facts(rec: Mapping[str, Any]) -> TdcFacts:
    """What the rules read from an ACDS case record (model columns or `acds_cases` item)."""
    invites = [x["date"] for x in rec.get("letters") or [] if x.get("para") and x.get("egain")]
    invites += [x["date"] for x in rec.get("car") or [] if x.get("tdc") == DISCUSSED]
    requests = rec.get("requests") or []
    withdrawals = [r["date"] for r in requests if r["req"] == "WITHDRAW"]
    casefile = [r["date"] for r in requests if r["req"] == "CASEFILE"]
    return TdcFacts(
        invited=_day(min(invites)) if invites else None,
        not_offered=any(x.get("tdc") == NOT_OFFERED for x in rec.get("car") or []),
        feature_codes=list(rec.get("feature_codes") or []),
        carats=[CaratsEntry(e["act"], e["sub"], dt.date.fromisoformat(e["date"])) for e in rec.get("carats") or []],
        messages=[Message(m["from"], dt.date.fromisoformat(m["date"]), m.get("doc", "")) for m in rec.get("messages") or []],
        withdrawal=_day(min(withdrawals)) if withdrawals else None,
        casefile_request=_day(min(casefile)) if casefile else None,
    )
