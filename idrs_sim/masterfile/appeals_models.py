"""Appeals cases on ACMS (Appeals Case Management System) and their PAM support requests.

ACMS is beside IDRS, like ICS: an appeal (OIC, TFRP, or an OIC inside a CDP / equivalent
hearing case) on a taxpayer's TIN, worked by an ATE under an ATM.  Each appeal has its
case action record (codes and dates: `MI` opens the PAM support request, `MO` is written
when it closes), at most one PAM support request, and its attachments (concurrences, the
Mediator's Report, the letters 5557/5558/5559 with their mail dates).  The rules live in
`idrs_sim.rules.appeals_pam`; the fixture/dump form is in `appeals_fixtures`.

The models share `Base` with `idrs_sim.masterfile.models`; the database module imports
this module, so `create_all` makes the tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base


class Appeal(Base):
    """An appeal on ACMS.  `number` is its ACMS id (fixtures `id`, the `APPEAL>` element);
    `status` open (under Appeals consideration) or closed; `request_received` the day a
    written mediation request was received and `intake` how it came (COMPLETE, PREMATURE,
    INCOMPLETE); `submitted` when the ATE submitted it for closing approval."""

    __tablename__ = "appeal"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16))
    tin: Mapped[str] = mapped_column(String(11), index=True)
    type: Mapped[str] = mapped_column(String(4))
    cdp: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(6), default="open")
    ate: Mapped[str | None] = mapped_column(String(10))
    atm: Mapped[str | None] = mapped_column(String(10))
    received: Mapped[dt.date | None] = mapped_column(Date)
    closed: Mapped[dt.date | None] = mapped_column(Date)
    submitted: Mapped[dt.date | None] = mapped_column(Date)
    request_received: Mapped[dt.date | None] = mapped_column(Date)
    intake: Mapped[str | None] = mapped_column(String(10))

    car: Mapped[list[CaseAction]] = relationship(
        back_populates="appeal", order_by="(CaseAction.date, CaseAction.id)", cascade="all, delete-orphan")
    docs: Mapped[list[AppealDoc]] = relationship(
        back_populates="appeal", order_by="(AppealDoc.date, AppealDoc.id)", cascade="all, delete-orphan")
    pam: Mapped[PamRequest | None] = relationship(back_populates="appeal", cascade="all, delete-orphan")


class CaseAction(Base):
    """One entry of the appeal's case action record: a code (MI, MO) and its date."""

    __tablename__ = "appeal_car"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), index=True)
    code: Mapped[str] = mapped_column(String(4))
    date: Mapped[dt.date] = mapped_column(Date)
    idrs: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(String(80))

    appeal: Mapped[Appeal] = relationship(back_populates="car")


class AppealDoc(Base):
    """An artifact attached to the appeal (AD-APPROVAL, EXEC-CONCUR, MEDIATOR-REPORT...), or a
    letter issued on it (L5557, L5558, L5559), dated the day it was made or mailed."""

    __tablename__ = "appeal_doc"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    date: Mapped[dt.date] = mapped_column(Date)
    idrs: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(String(80))

    appeal: Mapped[Appeal] = relationship(back_populates="docs")


class PamRequest(Base):
    """The PAM support request of an appeal (one per appeal), opened by MI.

    `state` OPEN, HELD, PERFECTING, APPROVED, ASSIGNED or CLOSED; `mediator` the mediator
    selected at approval, then assigned (`assigned`); on closing `closed`, `closed_by`,
    `status` (DENIED, WITHDRAWN or MEDIATED) and the denial `reason` or mediation `result`.
    """

    __tablename__ = "pam_request"
    __table_args__ = (UniqueConstraint("appeal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"))
    state: Mapped[str] = mapped_column(String(10), default="OPEN")
    opened: Mapped[dt.date] = mapped_column(Date)
    opened_by: Mapped[str | None] = mapped_column(String(10))
    perfect_due: Mapped[dt.date | None] = mapped_column(Date)
    mediator: Mapped[str | None] = mapped_column(String(10))
    approved: Mapped[dt.date | None] = mapped_column(Date)
    assigned: Mapped[dt.date | None] = mapped_column(Date)
    closed: Mapped[dt.date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(60))
    result: Mapped[str | None] = mapped_column(String(60))

    appeal: Mapped[Appeal] = relationship(back_populates="pam")
