"""What an ACDS case must carry once TDC is used (memo AP-08-0622-0008, ATE Case Actions
¶4-5): feature code DC once invited; CARATS CO-TDC per message dated the message date, in
addition to other codes (CO-AS), CO-TDW only on a withdrawal request dated the request,
FA-REQ / FA-TFA for a case-file request; and the findings the ACDS screen lists.

Every check returns None when the action is allowed, else the line-24 literal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from .tdc_record import TdcFacts, mmddyyyy

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
            return f"EVERY TDC MESSAGE OF {mmddyyyy(day)} ALREADY HAS ITS CO-TDC"
    elif code == "CO-TDW":
        if facts.withdrawal is None:
            return "CO-TDW ONLY WHEN THE TP/REP ASKED TO STOP TDC SECURE MESSAGING"
        if day != facts.withdrawal:
            return f"CO-TDW DATE MUST BE THE WITHDRAWAL REQUEST DATE {mmddyyyy(facts.withdrawal)}"
        if any((e.act, e.sub) == ("CO", "TDW") for e in facts.carats):
            return "CO-TDW ALREADY RECORDED"
    elif act == "FA":
        if facts.casefile_request is None:
            return f"{code} ONLY FOR A CASE FILE REQUEST (TDCREQ REQ>CASEFILE)"
        if day != facts.casefile_request:
            return f"{code} DATE MUST BE THE CASE FILE REQUEST DATE {mmddyyyy(facts.casefile_request)}"
        if any((e.act, e.sub) == (act, sub) for e in facts.carats):
            return f"{code} ALREADY RECORDED"
    return None


def findings(facts: TdcFacts) -> list[str]:
    """What the case still lacks under the memo (shown on the ACDS screen)."""
    out: list[str] = []
    if facts.invited is None and not facts.not_offered:
        out.append("TDC NOT YET OFFERED TO THE TP/REP")
    if facts.invited is not None and "DC" not in facts.feature_codes:
        out.append(f"INVITED {mmddyyyy(facts.invited)}: ADD FEATURE CODE DC")
    msgs = Counter(m.date for m in facts.messages)
    codes = Counter((e.act, e.sub, e.date) for e in facts.carats)
    for day in sorted(msgs):
        short = msgs[day] - codes[("CO", "TDC", day)]
        if short > 0:
            out.append(f"{short} TDC MESSAGE(S) OF {mmddyyyy(day)} WITHOUT CO-TDC")
    for m in facts.messages:
        if m.doc == "AGREEMENT" and not codes[("CO", "AS", m.date)]:
            out.append(f"AGREEMENT SENT BY TDC {mmddyyyy(m.date)}: CO-AS MISSING (CO-TDC DOES NOT REPLACE IT)")
    if facts.casefile_request is not None:
        for sub in ("REQ", "TFA"):
            if not any((e.act, e.sub) == ("FA", sub) for e in facts.carats):
                out.append(f"CASE FILE REQUESTED {mmddyyyy(facts.casefile_request)}: FA-{sub} MISSING")
    if facts.withdrawal is not None and not any((e.act, e.sub) == ("CO", "TDW") for e in facts.carats):
        out.append(f"TP/REP WITHDREW {mmddyyyy(facts.withdrawal)}: CO-TDW MISSING")
    return out
