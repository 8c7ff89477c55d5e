"""The case file by TDC (memo AP-08-0622-0008, ATE Case Actions ¶6): the STARS delivery
literal, a signed undated Letter 6271 uploaded to ACDS first, never Letter 6270.

Every check returns None when the action is allowed, else the line-24 literal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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


def check_casefile_sent(sender: str, stars_dates: Sequence[dt.date], letter_from_stars: bool,
                        day: dt.date) -> str | None:
    """¶6d: once the redactor uploads the redacted case file and Letter 6271, the employee sends
    both by TDC, dated (the letter re-dated) the day sent -- never before STARS produced them."""
    if sender != "ATE":
        return "THE CASE FILE IS SENT BY THE APPEALS EMPLOYEE (FROM>ATE)"
    if not stars_dates:
        return "NO STARS REQUEST: THE REDACTED CASE FILE IS NOT ON ACDS"
    if not letter_from_stars:
        return "LETTER 6271 FROM STARS IS NOT ON ACDS"
    made = min(stars_dates)
    return f"CASE FILE SENT DATE CANNOT BE BEFORE STARS PRODUCED IT {made:%m%d%Y}" if day < made else None


def stars_request_id(day: dt.date, seq: int) -> str:
    """The STARS Request ID the redactor writes on Letter 6271 (a simulator format)."""
    return f"STARS{day:%Y%m%d}{seq:03d}"
