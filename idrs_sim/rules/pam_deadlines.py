"""The time limits of a PAM support request as ACMS shows them: the email to *AP ADR PMO,
the ATM's answer, the details of an incomplete request, the signed Agreement to Mediate,
Letter 5559's return and the mediation itself, each running, met, late or overdue.

Source: Rev. Proc. 2014-63 ss. 7.03, 8.01; IRM 8.26.9.2.3(7); Letter 5559; Exhibit 8.26.9-1 step 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .pam_codes import (
    AGREEMENT_DAYS,
    ANSWER_DAYS,
    CLOSED,
    EMAIL_BUSINESS_DAYS,
    HELD,
    LETTER_AGREEMENT,
    MEDIATED,
    MEDIATION_DAYS,
    PREMATURE,
    RETURN_DAYS,
    add_business_days,
)
from .pam_literals import mdy
from .pam_record import AppealLike, DocLike, PamLike, latest

# ---- deadlines shown on ACMS ------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.date
    met: dt.date | None = None  # when it was met (None: not met)
    tracked: bool = True  # False: done outside ACMS (an email), shown for information only
    stopped: dt.date | None = None  # the PAM support request closed that day: no longer running
    waiting: str | None = None  # not running yet (a hold): why, shown instead of a due date

    def line(self, today: dt.date) -> str:
        if self.waiting is not None:
            closed = self.stopped or self.met
            return f"{self.label:<36} " + (f"NOT RUN - CLOSED {mdy(closed)} WHILE HELD" if closed else self.waiting)
        if not self.tracked:
            state = f"{(self.due - today).days} DAYS LEFT" if today <= self.due else ""
        elif self.met is not None:
            state = "MET " + mdy(self.met) if self.met <= self.due else "LATE " + mdy(self.met)
        elif self.stopped is not None:
            state = "NOT MET - CLOSED " + mdy(self.stopped)
        else:
            state = "OVERDUE" if today > self.due else f"{(self.due - today).days} DAYS LEFT"
        return f"{self.label:<36} {mdy(self.due)} {state}".rstrip()


def deadlines(appeal: AppealLike, pam: PamLike | None, docs: Sequence[DocLike],
              closed: dt.date | None) -> list[Deadline]:
    """The time limits of the request as it stands (Rev. Proc. 2014-63 ss. 7.03, 8.01; IRM
    8.26.9.2.3(7); Letter 5559; Exhibit step 2).  Once the PAM support request is closed its
    limits stop running: one not met by then is shown not met, never counting down or overdue
    (decision PAM-19).  The email to *AP ADR PMO is owed whatever happens to the request (and
    the denial letter goes with it, 8.26.9.2.3(4) Reminder), so it is shown as before."""
    received = appeal.request_received
    if received is None:
        return []
    email = Deadline("EMAIL REQUEST TO *AP ADR PMO BY", add_business_days(received, EMAIL_BUSINESS_DAYS),
                     tracked=False)
    if pam is None:
        return [email]
    # A premature request (IRM 8.26.9.2.3(6)) was held from MI, whatever its state now.
    limits = _limits(pam, docs, received, closed, getattr(appeal, "intake", None) == PREMATURE)
    if pam.state == CLOSED and closed is not None:
        limits = [replace(d, stopped=closed) if d.met is None else d for d in limits]
    return [email, *limits]


def answer_clock(pam: PamLike, docs: Sequence[DocLike], received: dt.date,
                 held: bool = False) -> tuple[dt.date | None, str]:
    """When the ATM's two weeks (Rev. Proc. 2014-63 s. 7.03) start, or why they have not
    (decision APP-R5).  The memo's holds come first: a premature request is held open until
    settlement discussions end (8.26.9.2.3(6)), an incomplete one gets up to 14 days for the
    details, and cannot be decided before they come or the days run out (8.26.9.2.3(7)).  The
    two weeks run from the day the hold ends: talks ended, details perfected, or the last day
    of the perfecting period; otherwise from the day the request was received."""
    for event in ("TALKS-ENDED", "PERFECTED"):
        done = latest(docs, event)
        if done is not None:
            return done.date, ""
    if pam.state == HELD or (pam.state == CLOSED and held):
        return None, "NOT RUNNING - HELD (PREMATURE)"
    if pam.perfect_due is not None:
        return pam.perfect_due, ""
    return received, ""


def _limits(pam: PamLike, docs: Sequence[DocLike], received: dt.date, closed: dt.date | None,
            held: bool = False) -> list[Deadline]:
    out: list[Deadline] = []
    answered = pam.approved or (closed if pam.state == CLOSED else None)
    label = "ATM ANSWER TO TP AND ATE (2 WEEKS)"
    start, waiting = answer_clock(pam, docs, received, held)
    if start is None:
        out.append(Deadline(label, received, answered, waiting=waiting))
    else:
        out.append(Deadline(label, start + dt.timedelta(days=ANSWER_DAYS), answered))
    if pam.perfect_due is not None:
        perfected = latest(docs, "PERFECTED")
        out.append(Deadline("DETAILS FROM TP DUE (14 DAYS)", pam.perfect_due, perfected.date if perfected else None))
    agreement = latest(docs, "AGREEMENT")
    if pam.approved is not None:
        out.append(Deadline("AGREEMENT TO MEDIATE SIGNED (3 WKS)",
                            pam.approved + dt.timedelta(days=AGREEMENT_DAYS), agreement.date if agreement else None))
    letter = latest(docs, "L" + LETTER_AGREEMENT)
    if letter is not None:
        out.append(Deadline("L5559 SIGNED AGREEMENT BACK (7 DAYS)", letter.date + dt.timedelta(days=RETURN_DAYS),
                            agreement.date if agreement else None))
    if agreement is not None:
        session = closed if pam.state == CLOSED and pam.result in MEDIATED else None  # not on a withdrawal
        out.append(Deadline("MEDIATION HELD BY (60 DAYS)", agreement.date + dt.timedelta(days=MEDIATION_DAYS), session))
    return out
