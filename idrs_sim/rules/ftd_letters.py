"""Which FTD Alert letter a revenue officer may send, and when (IRM 5.7.1.5, 5.7.1.6).

Pure rules the ICS screens (idrs_sim.cc.ics_letters, ics_contact) call, so the IRM's letter
sequence is stated once:

* Letter 5857 (appointment letter) comes first: the initial contact -- a telephone contact
  or a no-show -- needs a 5857 on the case.  A no-show (the failure to respond to the
  appointment letter, 5.7.1.6) is known only once a 5857's appointment (date and time) has
  come; before that it is refused.  The first 5857 sets a telephone meeting
  (MEET>T); later ones may set an in-person meeting.  A 5857 needs the appointment date and
  time (HHMM).
* Letter 937 goes only with a copy of a 5857 to a representative (sent by the 5857 itself).
* Letter 725-B only goes with Letter 5427 (representation validation) and never in place of
  a 5857; only when CFINK shows an authorization for other periods, not the alert's (5.7.1.5).
* Letter 5664 (field contact letter) prepares scheduled field follow-ups: only after the
  initial contact (5.7.1.6(18)).
* A Letter 5857 setting the initial telephone appointment after the 25-day contact due date
  is issued with a warning: the RO notes the reason for the delay and tells the GM (5.7.1.6;
  decision FTD-R15).
* The initial telephone contact is made with the POA of record when a Form 2848 covers the
  alert period (5.7.1.6): ICSCT TYPE>POA, and TYPE>PHONE (the taxpayer) is refused; a Form
  8821 appointee may not represent (5.7.1.5), and a POA not authorized for the alert period
  leaves the taxpayer to contact (decision FTD-R14).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

__all__ = [
    "INVALID_LETTER",
    "LETTER_5664_AFTER_CONTACT",
    "LETTER_5857_FIRST",
    "LETTER_TITLES",
    "NOSHOW_BEFORE_APPOINTMENT",
    "NO_POA_TO_VALIDATE",
    "POA_COVERS_ALERT",
    "NO_725B_FOR_5857",
    "ONLY_WITH_5857",
    "APPT_BEFORE_TODAY",
    "APPT_TOO_FAR",
    "LATEST_APPOINTMENT_DAYS",
    "appointment_at",
    "appointment_date_problem",
    "appointment_problem",
    "appointment_time",
    "contact_problem",
    "letter_name",
    "letter_problem",
    "INITIAL_CONTACT_TYPES",
    "PHONE_CONTACT_TYPES",
    "CONTACT_THE_POA",
    "late_appointment_warning",
    "contact_party_problem",
]

#: ICSCT types of the investigative telephone contact: with the taxpayer, with the POA of record.
PHONE_CONTACT_TYPES = ("PHONE", "POA")
#: ICSCT types that make the initial contact (5.7.1.6): a telephone contact or a no-show.
INITIAL_CONTACT_TYPES = (*PHONE_CONTACT_TYPES, "NOSHOW")

LETTER_TITLES = {
    "5857": "FTD ALERT APPOINTMENT LETTER",
    "5664": "FTD ALERT FIELD CONTACT LETTER",
    "725-B": "NOTICE OF APPOINTMENT",
    "5427": "INCOMPLETE POWER OF ATTORNEY",
    "937": "TRANSMITTAL LETTER FOR POWER OF ATTORNEY",
}
LETTER_5857_FIRST = "LETTER 5857 REQUIRED BEFORE INITIAL CONTACT"
NOSHOW_BEFORE_APPOINTMENT = "NOSHOW NOT ALLOWED BEFORE THE LETTER 5857 APPOINTMENT"
NO_725B_FOR_5857 = "LETTER 725-B CANNOT BE SENT IN PLACE OF LETTER 5857"
INVALID_LETTER = "INVALID LETTER FOR AN FTD ALERT"
LETTER_5664_AFTER_CONTACT = "LETTER 5664 IS FOR FIELD FOLLOW-UPS - INITIAL CONTACT FIRST"
NO_POA_TO_VALIDATE = "NO AUTHORIZATION ON CFINK - NO REPRESENTATION TO VALIDATE (725-B)"
POA_COVERS_ALERT = "CFINK AUTHORIZATION COVERS THE ALERT PERIOD - NOTHING TO VALIDATE (725-B)"
ONLY_WITH_5857 = "LETTER 937 GOES ONLY WITH A COPY OF LETTER 5857"
MEET_T_OR_P = "MEETING TYPE MUST BE T (TELEPHONE) OR P (IN PERSON)"
FIRST_BY_PHONE = "INITIAL CONTACT MUST BE BY TELEPHONE - MEET>T"
APPT_DATE_REQUIRED = "APPOINTMENT DATE REQUIRED"
APPT_TIME_REQUIRED = "APPOINTMENT TIME REQUIRED - HHMM"
_HHMM = re.compile(r"([01][0-9]|2[0-3])[0-5][0-9]")


def letter_name(text: str) -> str:
    """A letter as typed (`725B`, `L5857`, `5857`) -> its name in LETTER_TITLES."""
    t = text.strip().upper().replace(" ", "")
    return {"725B": "725-B", "L5857": "5857"}.get(t, t)


def appointment_time(text: str) -> str | None:
    """HHMM on a 24-hour clock, else None."""
    return text if _HHMM.fullmatch(text or "") else None


def letter_problem(name: str, with_letter: str, *, had_contact: bool = True, poa_covering: bool = False,
                   poa_other: bool = True) -> tuple[str, str] | None:
    """What stops sending letter `name` (with `with_letter`), as (field label, line-24
    literal); None when it may go.  `had_contact`: the initial contact (telephone or no-show)
    is recorded -- Letter 5664 prepares the field follow-ups after it (IRM 5.7.1.6).
    `poa_covering` / `poa_other`: CFINK shows an authorization covering the alert period /
    one for other periods only -- Letter 725-B with 5427 validates representation when "a
    taxpayer has a valid representative for some open tax periods, but does not include the
    FTD Alert module" (IRM 5.7.1.5), so not without such an authorization."""
    if name not in LETTER_TITLES:
        return ("LETTER", INVALID_LETTER)
    if name == "937":
        return ("LETTER", ONLY_WITH_5857)
    if name == "725-B" and with_letter != "5427":
        return ("LETTER", NO_725B_FOR_5857)
    if name == "725-B" and not poa_other:
        return ("LETTER", POA_COVERS_ALERT if poa_covering else NO_POA_TO_VALIDATE)
    if name == "5664" and not had_contact:
        return ("LETTER", LETTER_5664_AFTER_CONTACT)
    return None


def appointment_problem(meet: str, *, had_5857: bool, has_date: bool, time_text: str) -> tuple[str, str] | None:
    """What stops a Letter 5857's appointment: the meeting type (the first 5857 is a
    telephone meeting), the date (its format is the screen's check) and the time (HHMM)."""
    if meet not in ("T", "P"):
        return ("MEET", MEET_T_OR_P)
    if meet == "P" and not had_5857:
        return ("MEET", FIRST_BY_PHONE)
    if not has_date:
        return ("APPT-DT", APPT_DATE_REQUIRED)
    if appointment_time(time_text) is None:
        return ("APPT-TM", APPT_TIME_REQUIRED)
    return None


#: The latest appointment a letter may set, in days from today.  The IRM sets none; the
#: initial contact is due within 25 calendar days of assignment (IRM 5.7.1.6) and a
#: follow-up is set with "a short deadline", so a year is generous, and a typo's 2099 is not
#: scheduled.  Decision FTD-R11.
LATEST_APPOINTMENT_DAYS = 365
APPT_BEFORE_TODAY = "APPOINTMENT DATE BEFORE TODAY"
APPT_TOO_FAR = "APPOINTMENT DATE MORE THAN ONE YEAR AHEAD"


def appointment_date_problem(appt: dt.date, today: dt.date) -> str | None:
    """What is wrong with an appointment date typed on a letter: past, or over a year ahead."""
    if appt < today:
        return APPT_BEFORE_TODAY
    if appt > today + dt.timedelta(days=LATEST_APPOINTMENT_DAYS):
        return APPT_TOO_FAR
    return None


def appointment_at(text: str | None) -> dt.datetime | None:
    """A Letter 5857's recorded appointment ("YYYY-MM-DD HH:MM") as a datetime, else None."""
    try:
        return dt.datetime.strptime((text or "").strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return None


def contact_problem(kind: str, *, had_5857: bool, appointments: Iterable[dt.datetime | None] = (),
                    now: dt.datetime | None = None) -> str | None:
    """An initial contact (a telephone contact or a no-show) needs a Letter 5857 first; a
    no-show also needs a 5857 whose appointment has come by `now` (`appointments`: one per
    5857 on the case, None when it recorded none) -- the taxpayer's failure to respond to
    the appointment letter cannot be recorded before the appointment (IRM 5.7.1.6)."""
    if kind in INITIAL_CONTACT_TYPES and not had_5857:
        return LETTER_5857_FIRST
    if kind == "NOSHOW" and now is not None:
        known = list(appointments)
        if known and all(at is not None and at > now for at in known):
            return NOSHOW_BEFORE_APPOINTMENT
    return None


APPT_AFTER_CONTACT_DUE = "INITIAL APPOINTMENT AFTER THE 25-DAY CONTACT DUE DATE {:%m/%d/%Y}"
LATE_APPOINTMENT_NOTE = "NOTE THE REASON FOR THE DELAY IN HISTORY AND NOTIFY THE GROUP MANAGER"


def late_appointment_warning(appt: dt.date, contact_due: dt.date | None, *, initial: bool) -> str | None:
    """The warning a Letter 5857 gets when the appointment it sets for the initial contact
    (`initial`: no initial contact recorded yet) falls after the contact due date: allowed --
    "If contact is delayed for more than 25 calendar days, note the reason" (5.7.1.6)."""
    if not initial or contact_due is None or appt <= contact_due:
        return None
    return APPT_AFTER_CONTACT_DUE.format(contact_due)


CONTACT_THE_POA = "FORM 2848 COVERS THE ALERT PERIOD - INITIAL CONTACT WITH THE POA (TYPE>POA)"
POA_8821_NO_REPRESENTATION = "FORM 8821 APPOINTEE MAY NOT REPRESENT THE TAXPAYER - TYPE>PHONE"
POA_NOT_FOR_PERIOD = "POA NOT AUTHORIZED FOR THE ALERT PERIOD - CONTACT THE TAXPAYER (TYPE>PHONE)"
NO_POA_OF_RECORD = "NO FORM 2848 ON CFINK - CONTACT THE TAXPAYER (TYPE>PHONE)"


def contact_party_problem(kind: str, *, initial: bool, poa_2848: bool, poa_8821: bool,
                          poa_other: bool) -> str | None:
    """Whom the telephone contact may be with.  `poa_2848` / `poa_8821`: CFINK shows that form
    covering the alert period; `poa_other`: an authorization for other periods only.  TYPE>POA
    needs a Form 2848 covering the period (an 8821 appointee cannot represent, 5.7.1.5; a POA not
    authorized for the period sends the RO to the taxpayer, 5.7.1.6); the initial telephone
    contact (`initial`: no initial contact recorded, a no-show included) with the taxpayer is
    refused while a Form 2848 covers the period ("make initial contact with the POA of
    record", 5.7.1.6); after a no-show to the Letter 5857 appointment the RO calls "the
    taxpayer or authorized representative" (5.7.1.6), so either is taken."""
    if kind == "POA" and not poa_2848:
        if poa_8821:
            return POA_8821_NO_REPRESENTATION
        return POA_NOT_FOR_PERIOD if poa_other else NO_POA_OF_RECORD
    if kind == "PHONE" and initial and poa_2848:
        return CONTACT_THE_POA
    return None
