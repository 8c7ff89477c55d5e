"""ACDS, the Appeals Centralized Database System: one row per Appeals case (memo AP-08-0622-0008).

What the TDC memo records on an ACDS case: the feature codes (DC), the Case Activity
Record (a first phone contact), the CARATS action/sub-action entries, the Appeals letters
(with the TDC invitation), the documents uploaded (Letter 6271), the taxpayer's and
representative's TDC registrations, the secure messages with their email notices, the
requests they made (withdraw, case file) and the STARS redaction requests.  Each list is
a JSON column of plain entries in the fixture/dump form (docs/masterfile-schema.md), so a
dump is the rows as they are.  The model shares `Base`, so `create_all` makes the table
once the database module has imported this one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

#: The JSON list columns, in the order a dump writes them.
ACDS_LISTS = ("car", "carats", "letters", "uploads", "registrations", "messages", "notices", "requests", "stars")


class AcdsCase(Base):
    """An ACDS case: `case_id` is the Appeals case number the fixtures call `id`."""

    __tablename__ = "acds_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(String(20), unique=True)
    tin: Mapped[str] = mapped_column(String(11), index=True)
    type: Mapped[str | None] = mapped_column(String(20))
    ate: Mapped[str | None] = mapped_column(String(10))
    poa: Mapped[bool] = mapped_column(Boolean, default=False)
    feature_codes: Mapped[list[Any]] = mapped_column(default=list)
    car: Mapped[list[Any]] = mapped_column(default=list)
    carats: Mapped[list[Any]] = mapped_column(default=list)
    letters: Mapped[list[Any]] = mapped_column(default=list)
    uploads: Mapped[list[Any]] = mapped_column(default=list)
    registrations: Mapped[list[Any]] = mapped_column(default=list)
    messages: Mapped[list[Any]] = mapped_column(default=list)
    notices: Mapped[list[Any]] = mapped_column(default=list)
    requests: Mapped[list[Any]] = mapped_column(default=list)
    stars: Mapped[list[Any]] = mapped_column(default=list)
