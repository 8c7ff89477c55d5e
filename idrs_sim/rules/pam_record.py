"""What the PAM support request rules read of an appeal, its PAM support request and the
documents attached to them, and the facts they ask first (IRM 8.26.9.2.3.2; Rev. Proc. 2014-63).

ORM rows (`masterfile.appeals_models`) and plain records satisfy these protocols alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from .pam_codes import CDP_TYPES


class CaseTypeLike(Protocol):
    type: str
    cdp: bool


class AppealLike(CaseTypeLike, Protocol):
    status: str
    received: dt.date | None  # the day Appeals received the case
    closed: dt.date | None  # the day the appeal closed (status closed)
    request_received: dt.date | None
    submitted: dt.date | None


class PamLike(Protocol):
    state: str
    opened: dt.date
    perfect_due: dt.date | None
    mediator: str | None
    approved: dt.date | None
    assigned: dt.date | None
    result: str | None  # the mediation result it was closed with (None: not closed by a result)


class DocLike(Protocol):
    kind: str
    date: dt.date


def latest(docs: Iterable[DocLike], kind: str) -> DocLike | None:
    """The most recent document of `kind` (its date decides), or None."""
    found = [d for d in docs if d.kind == kind]
    return max(found, key=lambda d: d.date) if found else None


def has(docs: Iterable[DocLike], kind: str) -> bool:
    return any(d.kind == kind for d in docs)


def is_cdp(appeal: CaseTypeLike) -> bool:
    """An OIC that is part of a CDP or equivalent hearing (EH) case (8.26.9.2.3.2(5): "The ATE
    inputs 'MI' ... unless the OIC is part of a CDP or EH case"): an OIC appeal flagged `cdp`,
    or the CDP/EH hearing appeal the OIC was raised in.  A TFRP is never one (decision
    APP-R16): the exception names the OIC only, and `cdp` on a TFRP is a fixture error."""
    return appeal.type in CDP_TYPES or (appeal.type == "OIC" and bool(appeal.cdp))


def is_open(appeal: AppealLike) -> bool:
    """The appeal is open on ACMS today (its status, not a date)."""
    return appeal.status == "open"


def under_consideration(appeal: AppealLike, day: dt.date) -> bool:
    """Rev. Proc. 2014-63 ss. 4.01, 7.02; IRM 8.26.9.2.3(3), (4) Note: a written request is
    eligible if it was received while Appeals was considering the case -- on or after the day
    Appeals received it and, once the appeal is closed, before the day it closed.  A closed
    appeal whose closing date is not on file was not under consideration on any day.
    Decision PAM-20: the request's received date decides, not the appeal's status today."""
    if appeal.received is not None and day < appeal.received:
        return False
    if appeal.status == "open":
        return True
    return appeal.closed is not None and day < appeal.closed


def request_eligible(appeal: AppealLike) -> bool:
    """The written request on file was received while the case was under consideration."""
    received = appeal.request_received
    return received is not None and under_consideration(appeal, received)
