"""What the TDC rules read of one ACDS case: its invitations, feature codes, CARATS entries,
messages, registrations and requests, built from the case record (the model columns or
the fixture/dump `acds_cases` item), and the date form the TDC literals write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .tdc_invitation import DISCUSSED, NOT_OFFERED


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


@dataclass(frozen=True)
class Registration:
    """A TP or representative who registered at www.irs.gov/connect with an Appeals Employee ID."""

    who: str  # TP | POA
    egain_id: str
    consented: bool
    authenticated: bool
    date: dt.date


def mmddyyyy(d: dt.date) -> str:
    """MMDDYYYY, the date form of the TDC literals."""
    return d.strftime("%m%d%Y")


def case_established(case_id: str) -> dt.date | None:
    """The first day an ACDS case can have existed: its number AP-YYYY-NNNN carries the year
    Appeals established it (ACDS keeps no receipt date here; decision APP-R14)."""
    m = re.fullmatch(r"AP-([0-9]{4})-[0-9]+", case_id.upper())
    return dt.date(int(m.group(1)), 1, 1) if m else None


def check_case_date(case_id: str, day: dt.date) -> str | None:
    """An entry on a case is not dated before the case existed (the future is refused by the parser's caller)."""
    start = case_established(case_id)
    return f"DATE BEFORE CASE {case_id} EXISTED ({mmddyyyy(start)})" if start and day < start else None


# -- reading a case record (the fixture/dump form of an ACDS case) ------------------------------


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def invited_ids(rec: Mapping[str, Any]) -> list[str]:
    """The Appeals Employee IDs given to the TP/Rep (invitation letters and phone contacts)."""
    ids = [x["egain"] for x in rec.get("letters") or [] if x.get("para") and x.get("egain")]
    ids += [x["egain"] for x in rec.get("car") or [] if x.get("tdc") == DISCUSSED and x.get("egain")]
    return ids


def id_given_on(rec: Mapping[str, Any], egain: str) -> dt.date | None:
    """When the TP/Rep was first given the Appeals Employee ID `egain` (an invitation letter
    or a phone contact that discussed TDC), None if it never was."""
    days = [x["date"] for x in rec.get("letters") or [] if x.get("para") and x.get("egain") == egain]
    days += [x["date"] for x in rec.get("car") or [] if x.get("tdc") == DISCUSSED and x.get("egain") == egain]
    return _day(min(days)) if days else None


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
