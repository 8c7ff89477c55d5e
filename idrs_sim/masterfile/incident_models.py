"""Incident reports made at the terminal (IRM 10.5.4.3): one row per INCID report.

The model shares `Base` with `idrs_sim.masterfile.models`, so `Base.metadata.create_all`
creates its table with the others once this module has been imported (the database
module imports it).  Rows are append-only: a report, once made, is a record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class IncidentReport(Base):
    """A loss, theft, disclosure or access report made through INCID (IRM 10.5.4.3).

    `kind` is the INCID type code (L loss, T theft, D inadvertent disclosure, I intentional
    disclosure, A inadvertent access, U suspected willful unauthorized access); `item` what
    was involved (HC, PKG, REM, REC, CORR, VERB, CRED, PHYS or NONE); `path` where the
    report went: ``breach`` (a data breach: PII involved), ``incident`` (no PII),
    ``form11377`` (inadvertent access, IRM 10.5.4.3.4), ``tigta`` (intentional
    disclosure or willful access, IRM 10.5.4.3.2), ``no-report`` (IRM 10.5.4.3.5) or
    ``not-reportable``.  `offices` lists the office codes to notify (MANAGER, OTC,
    PGLD/IM, SAMC, CSIRC, TIGTA, POLICE, ...).  `late` is True when the report was made
    after `deadline_minutes` from discovery.
    """

    __tablename__ = "incident_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # e.g. INC2024169001
    idrs: Mapped[str] = mapped_column(String(10), index=True)
    terminal: Mapped[str | None] = mapped_column(String(40))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    discovered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(1))
    item: Mapped[str] = mapped_column(String(4), default="NONE")
    it_asset: Mapped[bool] = mapped_column(Boolean, default=False)
    pii: Mapped[bool] = mapped_column(Boolean, default=False)
    sbu: Mapped[bool] = mapped_column(Boolean, default=False)
    fti: Mapped[bool] = mapped_column(Boolean, default=False)
    no_report: Mapped[int | None] = mapped_column(Integer)  # IRM 10.5.4.3.5 situation 1-5
    tin: Mapped[str | None] = mapped_column(String(11), index=True)  # the TIN accessed (type A)
    description: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(16))
    offices: Mapped[list[Any]] = mapped_column(JSON, default=list)
    deadline_minutes: Mapped[int | None] = mapped_column(Integer)
    elapsed_minutes: Mapped[int] = mapped_column(Integer)
    late: Mapped[bool] = mapped_column(Boolean, default=False)


def ensure_table(conn: Connection) -> None:
    """Create the incident_report table if this database predates it (a safety net only:
    the database module imports this module, so `create_all` normally makes it)."""
    if not inspect(conn).has_table(IncidentReport.__tablename__):
        IncidentReport.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
