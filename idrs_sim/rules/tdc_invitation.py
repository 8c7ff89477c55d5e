"""The invitation to TDC Secure Messaging (memo AP-08-0622-0008, ATE Case Actions ¶1-3):
the write-in paragraph of the acknowledgement letters with the eGain ID filled in, or a
first phone contact that discusses it (or the first-call-resolves exception with its reason).

Every check returns None when the action is allowed, else the line-24 literal.
"""

from __future__ import annotations

from collections.abc import Iterable

from .tdc_access import EgainAccess
from .tdc_case_file import LETTER_6270

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
#: The ACDS case types each acknowledgement letter is for, by its title in the memo's list (¶1);
#: 4837, the uniform acknowledgement, fits any case (decision APP-R13).
LETTER_CASE_TYPES: dict[str, tuple[str, str]] = {
    "5157": ("NON-DOCKETED", "NON-DOCKETED"),
    "3808": ("DOCKETED", "DOCKETED"),
    "3808-A": ("DOCKETED", "DOCKETED"),
    "3846": ("CDP", "CDP HEARING"),
    "5576": ("OIC", "OFFER IN COMPROMISE (OIC)"),
}


def check_letter_fits(letter: str, case_type: str | None, poa: bool) -> str | None:
    """An acknowledgement letter fits the case (¶1's titles): 5157 non-docketed, 3808 docketed
    to the petitioner, 3808-A docketed to counsel of record (a representative on the case),
    3846 a CDP hearing request, 5576 an offer in compromise."""
    fit = LETTER_CASE_TYPES.get(letter)
    if fit is None or not case_type:
        return None
    kind, name = fit
    if case_type.upper() != kind:
        return f"LETTER {letter} IS FOR {name} CASES - THIS CASE IS {case_type.upper()}"
    if letter == "3808-A" and not poa:
        return "LETTER 3808-A GOES TO COUNSEL OF RECORD - NO REPRESENTATIVE ON THIS CASE"
    return None


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
