"""The time limits of a PAM support request as ACMS shows them: the email to *AP ADR PMO,
the ATM's answer, the details of an incomplete request, the signed Agreement to Mediate,
Letter 5559's return and the mediation itself, each running, met, late or overdue.

Source: Rev. Proc. 2014-63 ss. 7.03, 8.01; IRM 8.26.9.2.3(7); Letter 5559; Exhibit 8.26.9-1 step 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .pam_codes import (
    AGREEMENT_DAYS,
    ANSWER_DAYS,
    CLOSED,
    EMAIL_BUSINESS_DAYS,
    LETTER_AGREEMENT,
    MEDIATION_DAYS,
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
    met: dt.date | None = None  # when it was met (None: still running)
    tracked: bool = True  # False: done outside ACMS (an email), shown for information only

    def line(self, today: dt.date) -> str:
        if not self.tracked:
            state = f"{(self.due - today).days} DAYS LEFT" if today <= self.due else ""
        elif self.met is not None:
            state = "MET " + mdy(self.met) if self.met <= self.due else "LATE " + mdy(self.met)
        else:
            state = "OVERDUE" if today > self.due else f"{(self.due - today).days} DAYS LEFT"
        return f"{self.label:<36} {mdy(self.due)} {state}".rstrip()


def deadlines(appeal: AppealLike, pam: PamLike | None, docs: Sequence[DocLike],
              closed: dt.date | None) -> list[Deadline]:
    """The time limits of the request as it stands (Rev. Proc. 2014-63 ss. 7.03, 8.01; IRM
    8.26.9.2.3(7); Letter 5559; Exhibit step 2)."""
    received = appeal.request_received
    if received is None:
        return []
    out = [Deadline("EMAIL REQUEST TO *AP ADR PMO BY", add_business_days(received, EMAIL_BUSINESS_DAYS),
                    tracked=False)]
    if pam is None:
        return out
    answered = pam.approved or (closed if pam.state == CLOSED else None)
    out.append(Deadline("ATM ANSWER TO TP AND ATE (2 WEEKS)", received + dt.timedelta(days=ANSWER_DAYS), answered))
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
        out.append(Deadline("MEDIATION HELD BY (60 DAYS)", agreement.date + dt.timedelta(days=MEDIATION_DAYS),
                            closed if pam.state == CLOSED else None))
    return out
