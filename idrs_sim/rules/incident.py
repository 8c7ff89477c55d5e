"""Incident reporting rules of IRM 10.5.4.3 as pure functions (no database, no screens).

An employee who discovers a loss, theft or inadvertent unauthorized disclosure reports it
*within one hour of discovery* to their manager and to the one office that matches what
was involved (IRM 10.5.4.3.1, 10.5.4.3.3); some cases add TIGTA and the local police;
credentials go to SAMC within 30 minutes; an inadvertent access is documented on
Form 11377 / 11377-E and is not a breach report (IRM 10.5.4.3.4); five situations need no
report at all (IRM 10.5.4.3.5).

* `parse_facts(values, now)` checks what was keyed on the INCID screen and returns
  `IncidentFacts` or a list of `FieldError`s.
* `route(facts)` says where the report goes (`Routing`: a path, the notices with the
  IRM's own wording, the deadline).
* `timeliness(discovered, reported, deadline)` says whether the report was in time.

The terminal screen (`idrs_sim.cc.incident`) stores the result as an `IncidentReport`.
Telephone numbers and form names are the 2018 IRM values, shown for training only: the
simulator sends nothing anywhere.  Decisions not stated in the IRM are listed in
docs/security.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .dates import OLDEST_YEARS, parse_mmddyyyy, too_old
from .tins import is_dashed_tin

__all__ = [
    "KINDS",
    "ITEMS",
    "NO_REPORT_SITUATIONS",
    "ONE_HOUR",
    "SAMC_MINUTES",
    "IncidentFacts",
    "FieldError",
    "Notice",
    "Routing",
    "Timeliness",
    "parse_facts",
    "route",
    "timeliness",
]

ONE_HOUR = 60  # minutes: IRM 10.5.4.3.1
SAMC_MINUTES = 30  # minutes: credentials to SAMC, IRM 10.5.4.3.3(2)(c)

#: INCID type codes (field TYPE>).
KINDS: dict[str, str] = {
    "L": "LOSS",
    "T": "THEFT",
    "D": "INADVERTENT UNAUTHORIZED DISCLOSURE",
    "I": "INTENTIONAL UNAUTHORIZED DISCLOSURE",
    "A": "INADVERTENT ACCESS",
    "U": "SUSPECTED WILLFUL UNAUTHORIZED ACCESS",
}

#: What was lost, stolen or disclosed besides an IT asset (field ITEM>).
ITEMS: dict[str, str] = {
    "CORR": "TAXPAYER CORRESPONDENCE (NOTICE, LETTER, TRANSCRIPT, FAX, EEFAX, EMAIL)",
    "VERB": "VERBAL DISCLOSURE",
    "HC": "HARDCOPY RECORDS OR DOCUMENTS",
    "PKG": "PACKAGE LOST OR STOLEN DURING SHIPMENT",
    "REM": "REMITTANCE",
    "REC": "OFFICIAL RECORDS",
    "CRED": "SMART-ID CARD OR POCKET COMMISSION (CREDENTIALS)",
    "PHYS": "OTHER PHYSICAL SECURITY INCIDENT OR THREAT",
    "NONE": "NOTHING BESIDES THE IT ASSET",
}

#: Paper the IRM reports to PGLD/IM, or to CSIRC alone when an IT asset went with it.
HARDCOPY = frozenset({"HC", "PKG", "REM", "REC"})

#: IRM 10.5.4.3.5: situations that need no report (field NO-RPT>, type D only).
NO_REPORT_SITUATIONS: dict[int, str] = {
    1: "CALLER VERIFIED BY PROCEDURE, LATER NOT THE TAXPAYER/REP; CALL ENDED",
    2: "FAX SENT BY PROCEDURE TO A NUMBER THE TAXPAYER/REP GAVE, NUMBER WRONG",
    3: "LETTER TO A NEW ADDRESS FOUND BY LOCATOR PROCEDURES; NOT THE TAXPAYER",
    4: "LETTER TO THE LAST KNOWN ADDRESS; RESIDENT SAYS NOT THE TAXPAYER",
    5: "DISCLOSURE TO LAW ENFORCEMENT UNDER SUICIDE THREAT PROCEDURES",
}



@dataclass(frozen=True)
class IncidentFacts:
    """What the reporting employee keyed (IRM 10.5.4.3.3: what was lost, stolen or disclosed)."""

    kind: str
    discovered_at: dt.datetime
    item: str = "NONE"
    it_asset: bool = False
    pii: bool = False
    sbu: bool = False
    fti: bool = False
    no_report: int | None = None
    tin: str | None = None
    description: str = ""

    @property
    def sensitive(self) -> bool:
        """PII or sensitive information (SBU; FTI is SBU), IRM Exhibit 10.5.4-1."""
        return self.pii or self.sbu or self.fti


@dataclass(frozen=True)
class FieldError:
    """One bad INCID field: its screen label and the line-24 literal."""

    label: str
    message: str


@dataclass(frozen=True)
class Notice:
    """One office (or form) to notify: a code, the lines shown, and its own time limit."""

    office: str
    lines: tuple[str, ...]
    minutes: int | None = None  # None: no time limit of its own


@dataclass(frozen=True)
class Routing:
    """Where a report goes (IRM 10.5.4.3): path, classification, notices, deadline."""

    path: str  # breach | incident | form11377 | tigta | no-report | not-reportable
    classification: str
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def offices(self) -> list[str]:
        return [n.office for n in self.notices]

    @property
    def deadline_minutes(self) -> int | None:
        """The shortest time limit among the notices (None: no timed report)."""
        limits = [n.minutes for n in self.notices if n.minutes is not None]
        return min(limits) if limits else None

    def lines(self) -> list[str]:
        out: list[str] = []
        for n in self.notices:
            out.extend(n.lines)
        return out


@dataclass(frozen=True)
class Timeliness:
    """How long after discovery the report was made, and whether that was too late."""

    elapsed: dt.timedelta
    deadline_minutes: int | None

    @property
    def elapsed_minutes(self) -> int:
        return int(self.elapsed.total_seconds() // 60)

    @property
    def late(self) -> bool:
        """True when reported more than `deadline_minutes` after discovery (60 min is in time)."""
        if self.deadline_minutes is None:
            return False
        return self.elapsed > dt.timedelta(minutes=self.deadline_minutes)

    def text(self) -> str:
        if self.deadline_minutes is None:
            return f"REPORTED {self.elapsed_minutes} MINUTES AFTER DISCOVERY - NO TIME LIMIT APPLIES"
        verdict = "LATE" if self.late else "TIMELY"
        return (f"{verdict} - REPORTED {self.elapsed_minutes} MINUTES AFTER DISCOVERY "
                f"(LIMIT {self.deadline_minutes} MINUTES)")


def timeliness(discovered: dt.datetime, reported: dt.datetime, deadline_minutes: int | None) -> Timeliness:
    """IRM 10.5.4.3.1: timely within one hour of discovery (59 and 60 minutes are timely, 61
    is late); 30 minutes for credentials to SAMC.  Discovery is keyed to the minute (HHMM),
    so the report is counted in whole minutes too: in the 60th minute it is timely."""
    whole = dt.timedelta(seconds=reported.second, microseconds=reported.microsecond)
    return Timeliness(reported - whole - discovered.replace(second=0, microsecond=0), deadline_minutes)


# ---- the notices, in the IRM's words (shortened to 79 columns) -----------------------

MANAGER = Notice("MANAGER", ("YOUR MANAGER - WITHIN ONE HOUR OF DISCOVERY (IRM 10.5.4.3.3(2))",), ONE_HOUR)
OTC = Notice("OTC", (
    "OFFICE OF TAXPAYER CORRESPONDENCE (OTC) - WITHIN ONE HOUR",
    "  SNIP ERRONEOUS TAXPAYER CORRESPONDENCE REPORTING FORM (RED BUTTON),",
    "  ALSO ON SERP UNDER SNIP. SEE IRM 25.13.1.3",
    "  OTC WILL NOTIFY PGLD/IM AS NECESSARY AFTER AN INITIAL ANALYSIS",
), ONE_HOUR)
PGLD_IM = Notice("PGLD/IM", (
    "PGLD INCIDENT MANAGEMENT OFFICE (PGLD/IM) - WITHIN ONE HOUR",
    "  PII BREACH REPORTING FORM (E-TRAK PRIVACY)",
    "  CALL 267-466-0777 IF YOU HAVE ANY PROBLEMS WITH THE ONLINE FORM",
), ONE_HOUR)
RIM = Notice("RIM", (
    "  OFFICIAL RECORDS: PGLD/IM ALERTS THE RIM PROGRAM OFFICE (IRM 1.15.3.4)",
))
SAMC_CRED = Notice("SAMC", (
    "SITUATIONAL AWARENESS MANAGEMENT CENTER (SAMC) - WITHIN 30 MINUTES",
    "  SAMC INCIDENT REPORTING LINK",
), SAMC_MINUTES)
SAMC_PHYS = Notice("SAMC", (
    "SITUATIONAL AWARENESS MANAGEMENT CENTER (SAMC)",
    "  ALL PHYSICAL SECURITY INCIDENTS AND/OR THREATS ARE ALSO REPORTED TO SAMC",
))
CSIRC = Notice("CSIRC", (
    "COMPUTER SECURITY INCIDENT RESPONSE CENTER (CSIRC) - WITHIN ONE HOUR",
    "  COMPUTER SECURITY INCIDENT REPORTING FORM, OR BY CALLING 240-613-3606",
), ONE_HOUR)
CSIRC_ONLY = Notice("CSIRC-ONLY", (
    "  IT ASSET AND HARDCOPY TOGETHER: REPORT TO CSIRC. DO NOT REPORT IT TO PGLD/IM.",
))
TIGTA = Notice("TIGTA", (
    "TREASURY INSPECTOR GENERAL FOR TAX ADMINISTRATION (TIGTA) AT 800-366-4484",
    "  YOU MUST ALSO REPORT IT TO TIGTA; THIS MAY FOLLOW THE FIRST REPORT",
))
TIGTA_ASAP = Notice("TIGTA", (
    "TREASURY INSPECTOR GENERAL FOR TAX ADMINISTRATION (TIGTA) - AS SOON AS POSSIBLE",
    "  SEE IRM 11.3.1.10 AND IRM 11.3.38.5; IRC 7213 PUNISHES WILLFUL DISCLOSURE",
), ONE_HOUR)
POLICE = Notice("POLICE", (
    "LOCAL LAW ENFORCEMENT - FILE A POLICE REPORT (THEFT), IRM 10.5.4.3.3(4)",
    "  DO NOT DISCLOSE SENSITIVE DATA AND/OR TAXPAYER DATA",
))
FORM_11377 = Notice("FORM 11377", (
    "DOCUMENT ON FORM 11377 OR FILLABLE FORM 11377-E, TAXPAYER DATA ACCESS",
    "  INADVERTENT ACCESSES ARE NOT REPORTED TO PGLD/IM, CSIRC OR OTC (10.5.4.3.4)",
))
NO_REPORT = Notice("NONE", (
    "NO REPORTING TO PGLD/IM, CSIRC, OTC (IRM 10.5.4.3.5): NOT ERRONEOUS",
    "  CORRESPONDENCE OR AN UNAUTHORIZED DISCLOSURE",
))
SUICIDE_THREAT = Notice("DISCLOSURE", (
    "REPORT THE SUICIDE THREAT TO DISCLOSURE, TIGTA, SAMC AND THE OFFICE OF EMPLOYEE",
    "  PROTECTION. NO REPORTING TO PGLD/IM IS NECESSARY UNLESS DIRECTED TO DO SO BY",
    "  DISCLOSURE (IRM 10.5.4.3.5, IRM 21.1.3.12)",
))
NOT_REPORTABLE = Notice("MANAGER", (
    "NO PII OR SENSITIVE INFORMATION: NOT A LOSS, THEFT OR DISCLOSURE REPORTED UNDER",
    "  IRM 10.5.4.3. TELL YOUR MANAGER.",
))


def route(facts: IncidentFacts) -> Routing:
    """Where a report goes, by the table of IRM 10.5.4.3.3(2)-(4), .3.2, .3.4 and .3.5.

    * A inadvertent access: Form 11377/11377-E only, never a breach report (10.5.4.3.4).
    * I, U intentional disclosure or willful access: TIGTA as soon as possible (10.5.4.3.2).
    * D with a no-report situation (1-5): no report; situation 5 names its own offices.
    * L, T, D: the manager and the one office for what was involved -- correspondence to
      OTC; verbal, hardcopy, packages, remittances, official records to PGLD/IM;
      credentials to SAMC (30 minutes); an IT or BYOD asset to CSIRC, and CSIRC *only*
      (not PGLD/IM) when hardcopy went with it.  TIGTA in addition for a loss or theft of
      an IT/BYOD asset or of hardcopy containing PII or sensitive information; a police
      report for any theft.
    """
    kind = facts.kind
    if kind == "A":
        return Routing("form11377", "INADVERTENT ACCESS - NOT A DATA BREACH REPORT", (FORM_11377,))
    if kind in ("I", "U"):
        return Routing("tigta", _classification(facts), (TIGTA_ASAP,))
    if facts.no_report is not None:
        none: tuple[Notice, ...] = (NO_REPORT, SUICIDE_THREAT) if facts.no_report == 5 else (NO_REPORT,)
        return Routing("no-report", "NOT A DISCLOSURE - NO REPORT (IRM 10.5.4.3.5)", none)

    item = facts.item
    asset = facts.it_asset and kind in ("L", "T")
    notices: list[Notice] = []
    if asset:
        notices.append(CSIRC)
        if item in HARDCOPY:
            notices.append(CSIRC_ONLY)
    elif item == "CORR" and facts.sensitive:
        notices.append(OTC)
    elif (item == "REC" and kind in ("L", "T")) or (item in HARDCOPY | {"VERB"} and facts.sensitive):
        # Official records are reported "whether the records contain PII or not" when lost
        # or stolen (10.5.4.3.3(2)(b) Note); a disclosure needs PII or sensitive information.
        notices.append(PGLD_IM)
        if item == "REC" and kind in ("L", "T"):
            notices.append(RIM)
    if item == "CRED" and kind in ("L", "T"):
        notices.append(SAMC_CRED)
    if item == "PHYS":
        notices.append(SAMC_PHYS)
    if not notices:
        return Routing("not-reportable", _classification(facts), (NOT_REPORTABLE,))
    # 10.5.4.3.3(3): TIGTA too for a lost or stolen IT/BYOD asset, or hardcopy containing PII
    # or sensitive information -- printed correspondence (notices, transcripts) is hardcopy.
    if kind in ("L", "T") and (asset or (item in HARDCOPY | {"CORR"} and facts.sensitive)):
        notices.append(TIGTA)
    if kind == "T":
        notices.append(POLICE)
    notices.insert(0, MANAGER)
    path = "breach" if facts.pii else "incident"
    return Routing(path, _classification(facts), tuple(notices))


def _classification(facts: IncidentFacts) -> str:
    """IRM Exhibit 10.5.4-1: a data breach involves PII; SBU without PII stays an incident."""
    if facts.pii:
        return "DATA BREACH (PII INVOLVED)"
    if facts.sbu or facts.fti:
        return "INCIDENT (SBU, NO PII)"
    return "INCIDENT"


# ---- reading the screen ----------------------------------------------------------------

LABELS = ("TYPE", "DISC-DT", "DISC-TM", "IT-ASSET", "ITEM", "PII", "SBU", "FTI", "NO-RPT", "TIN", "DESC")


def parse_facts(values: Mapping[str, str], now: dt.datetime) -> IncidentFacts | list[FieldError]:
    """Check the INCID fields (by label) against the rules; facts, or every bad field.

    The discovery date and time (MMDDYYYY, HHMM) must be real and not later than `now`.
    Y/N answers are required for a loss, theft or disclosure; an inadvertent access (A)
    needs the TIN that was accessed.  The first error's literal goes on line 24.
    """
    v = {k: (values.get(k) or "").strip().upper() for k in LABELS}
    v["DESC"] = (values.get("DESC") or "").strip()
    errors: list[FieldError] = []
    kind = v["TYPE"]
    if kind not in KINDS:
        errors.append(FieldError("TYPE", "INVALID INCIDENT TYPE - ENTER L, T, D, I, A OR U"))

    discovered: dt.datetime | None = None
    time_ok = re.fullmatch(r"([01]\d|2[0-3])[0-5]\d", v["DISC-TM"]) is not None  # HHMM, 24-hour
    day = parse_mmddyyyy(v["DISC-DT"])
    if day is None:
        errors.append(FieldError("DISC-DT", "INVALID DISCOVERY DATE - MMDDYYYY"))
    if not time_ok:
        errors.append(FieldError("DISC-TM", "INVALID DISCOVERY TIME - HHMM (24-HOUR)"))
    if day is not None and time_ok:
        discovered = dt.datetime.combine(day, dt.time(int(v["DISC-TM"][:2]), int(v["DISC-TM"][2:])))
        if discovered > now:
            errors.append(FieldError("DISC-DT", "DISCOVERY DATE/TIME IS LATER THAN CURRENT DATE/TIME"))
        elif too_old(day.year, now.date()):
            errors.append(FieldError("DISC-DT", f"DISCOVERY DATE MORE THAN {OLDEST_YEARS} YEARS AGO"))

    flags: dict[str, bool] = {}
    for label in ("IT-ASSET", "PII", "SBU", "FTI"):
        text = v[label]
        if text in ("Y", "N"):
            flags[label] = text == "Y"
        elif text == "" and (kind in ("A", "I", "U") or (label == "IT-ASSET" and kind not in ("L", "T"))):
            flags[label] = False  # blank is N where the question is not asked (IT-ASSET: L and T only)
        else:
            errors.append(FieldError(label, f"{label} MUST BE Y OR N"))

    item = v["ITEM"] or "NONE"
    if item not in ITEMS:
        errors.append(FieldError("ITEM", "INVALID ITEM - SEE THE CODES ON THE SCREEN"))

    no_report: int | None = None
    if v["NO-RPT"]:
        if v["NO-RPT"] in ("1", "2", "3", "4", "5") and kind == "D":
            no_report = int(v["NO-RPT"])
        elif kind in KINDS and kind != "D":
            errors.append(FieldError("NO-RPT", "NO-RPT APPLIES ONLY TO A DISCLOSURE (TYPE D)"))
        else:
            errors.append(FieldError("NO-RPT", "INVALID NO-RPT - ENTER 1 THROUGH 5 OR LEAVE BLANK"))

    tin = v["TIN"] or None
    if tin is not None and not is_dashed_tin(tin):
        errors.append(FieldError("TIN", "INVALID TIN - NNN-NN-NNNN OR NN-NNNNNNN"))
    if kind == "A" and tin is None:
        errors.append(FieldError("TIN", "ENTER THE TIN ACCESSED FOR FORM 11377"))

    if kind in ("L", "T", "D") and item in ITEMS and no_report is None:
        asset = flags.get("IT-ASSET", False)
        if kind == "D" and asset:
            errors.append(FieldError("IT-ASSET", "IT-ASSET APPLIES TO A LOSS OR THEFT (TYPE L OR T)"))
        elif item == "NONE" and not asset:
            errors.append(FieldError("ITEM", "ENTER WHAT WAS LOST, STOLEN OR DISCLOSED"))
        elif item == "VERB" and kind != "D":
            errors.append(FieldError("ITEM", "VERB APPLIES TO A DISCLOSURE (TYPE D)"))
        elif item == "CRED" and kind == "D":
            errors.append(FieldError("ITEM", "CRED APPLIES TO A LOSS OR THEFT (TYPE L OR T)"))

    if not v["DESC"]:
        errors.append(FieldError("DESC", "ENTER A SHORT DESCRIPTION"))

    if errors or discovered is None:
        return errors
    return IncidentFacts(
        kind=kind,
        discovered_at=discovered,
        item=item,
        it_asset=flags["IT-ASSET"],
        pii=flags["PII"],
        sbu=flags["SBU"],
        fti=flags["FTI"],
        no_report=no_report,
        tin=tin,
        description=v["DESC"][:80],
    )
