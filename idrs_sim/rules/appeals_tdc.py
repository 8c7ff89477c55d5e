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

The rules are split by the memo's sections, and this module gives them their one import
path: `tdc_access` (who must offer TDC, the eGain Agent), `tdc_invitation` (the letter
paragraph, the phone contact), `tdc_record` (what the rules read of an ACDS case),
`tdc_carats` (feature code DC, the CARATS codes, the findings), `tdc_messaging`
(registration, messages, email notices) and `tdc_case_file` (Letter 6271, STARS).
"""

from __future__ import annotations

from .tdc_access import (
    BEARS_ENTITLEMENT,
    EGAIN_ID,
    LISTED_SERIES,
    TDC_ROLES,
    EgainAccess,
    egain_access,
    must_offer,
)
from .tdc_carats import (
    CARATS_CODES,
    FEATURE_CODES,
    check_carats,
    check_feature_code,
    findings,
)
from .tdc_case_file import (
    LETTER_6270,
    STARS_DELIVERY,
    UPLOAD_KINDS,
    Upload,
    check_stars,
    check_upload,
    stars_request_id,
)
from .tdc_invitation import (
    BADGE_NOT_ID,
    DISCUSSED,
    ID_BLANK,
    INVITATION_ELEMENTS,
    INVITATION_PARAGRAPHS,
    INVITATION_TEMPLATE,
    LETTER_TITLES,
    NOT_OFFERED,
    PUB_5437,
    check_given_id,
    check_invitation,
    check_phone_contact,
    invitation_paragraph,
    missing_elements,
)
from .tdc_messaging import (
    NOTICE_TEXT,
    PARTIES,
    check_message,
    check_registration,
    email_notice,
    recipients,
    usable,
)
from .tdc_record import (
    CaratsEntry,
    Message,
    Registration,
    TdcFacts,
    facts,
    invited_ids,
    registrations,
)

__all__ = [  # every public name the module had before the split
    "BADGE_NOT_ID", "BEARS_ENTITLEMENT", "CARATS_CODES", "CaratsEntry", "DISCUSSED", "EGAIN_ID",
    "EgainAccess", "FEATURE_CODES", "ID_BLANK", "INVITATION_ELEMENTS", "INVITATION_PARAGRAPHS",
    "INVITATION_TEMPLATE", "LETTER_6270", "LETTER_TITLES", "LISTED_SERIES", "Message",
    "NOTICE_TEXT", "NOT_OFFERED", "PARTIES", "PUB_5437", "Registration", "STARS_DELIVERY",
    "TDC_ROLES", "TdcFacts", "UPLOAD_KINDS", "Upload", "check_carats", "check_feature_code",
    "check_given_id", "check_invitation", "check_message", "check_phone_contact",
    "check_registration", "check_stars", "check_upload", "egain_access", "email_notice", "facts",
    "findings", "invitation_paragraph", "invited_ids", "missing_elements", "must_offer",
    "recipients", "registrations", "stars_request_id", "usable",
]
