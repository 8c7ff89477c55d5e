"""What the PAM support request rules read of an appeal, its PAM support request and the
documents attached to them, and the facts they ask first (IRM 8.26.9.2.3.2; Rev. Proc. 2014-63).

ORM rows (`masterfile.appeals_models`) and plain records satisfy these protocols alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from .pam_codes import CDP_TYPES


class AppealLike(Protocol):
    type: str
    cdp: bool
    status: str
    request_received: dt.date | None
    submitted: dt.date | None


class PamLike(Protocol):
    state: str
    opened: dt.date
    perfect_due: dt.date | None
    mediator: str | None
    approved: dt.date | None
    assigned: dt.date | None


class DocLike(Protocol):
    kind: str
    date: dt.date


def latest(docs: Iterable[DocLike], kind: str) -> DocLike | None:
    """The most recent document of `kind` (its date decides), or None."""
    found = [d for d in docs if d.kind == kind]
    return max(found, key=lambda d: d.date) if found else None


def has(docs: Iterable[DocLike], kind: str) -> bool:
    return any(d.kind == kind for d in docs)


def is_cdp(appeal: AppealLike) -> bool:
    """An OIC that is part of a CDP or equivalent hearing (EH) case (8.26.9.2.3.2(5))."""
    return bool(appeal.cdp) or appeal.type in CDP_TYPES


def under_consideration(appeal: AppealLike) -> bool:
    """Rev. Proc. 2014-63 ss. 4.01, 7.02: eligible only while Appeals is considering the case."""
    return appeal.status == "open"
