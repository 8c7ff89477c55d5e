"""The master file of record, as SQLAlchemy 2.x models.

Everything a trainee sees comes from these rows: entities (IMF individuals, BMF
businesses), their tax modules (one MFT + tax period), the transactions on entity and
modules, unpostable cases (the GUF), control bases and history items, letters, AMS notes,
employees and the audit trail.  Freezes, balances, module status and "open TPP issue" are
*derived* from transactions (see `idrs_sim.masterfile.derive`), never stored twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(14, 2, asdecimal=True)

# Transaction statuses, as TXMOD distinguishes them.
PENDING = "pending"  # input, waiting for its posting cycle (TXMOD shows PN)
POSTED = "posted"
UNPOSTABLE = "unpostable"  # attempted to post and went to the GUF
DELETED = "deleted"  # torn up (TERUP) or deleted by a resolution (URC D)
TXN_STATUSES = (PENDING, POSTED, UNPOSTABLE, DELETED)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, Decimal: Money}


class Employee(Base):
    """An IDRS user: 10-digit employee (IDRS) number, roles, unit and a password hash."""

    __tablename__ = "employee"

    idrs: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unit: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_signons: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # UNAX: the employee's own TIN and those of listed relatives (access is a flag).
    own_tin: Mapped[str | None] = mapped_column(String(11))
    related_tins: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Appeals TDC (memo AP-08-0622-0008): job series, BEARS approval, permanent eGain ID.
    series: Mapped[str | None] = mapped_column(String(4))
    bears: Mapped[bool] = mapped_column(Boolean, default=False)
    egain: Mapped[str | None] = mapped_column(String(12))


class Entity(Base):
    """One TIN on the master file (IMF or BMF)."""

    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(primary_key=True)
    tin: Mapped[str] = mapped_column(String(11), unique=True, index=True)  # dashed form
    tin_type: Mapped[str] = mapped_column(String(4))  # SSN | EIN | ITIN
    file: Mapped[str] = mapped_column(String(3))  # IMF | BMF
    established: Mapped[bool] = mapped_column(Boolean, default=True)
    name_control: Mapped[str] = mapped_column(String(4))
    name_lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    address: Mapped[list[Any]] = mapped_column(JSON, default=list)
    filing_requirements: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    depositor: Mapped[str | None] = mapped_column(String(12))  # BMF: monthly | semiweekly
    poa: Mapped[list[Any]] = mapped_column(JSON, default=list)
    information_returns: Mapped[list[Any]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # documented free keys (date of death...)

    modules: Mapped[list[TaxModule]] = relationship(
        back_populates="entity", order_by="TaxModule.mft, TaxModule.period", cascade="all, delete-orphan"
    )
    transactions: Mapped[list[Transaction]] = relationship(
        back_populates="entity", order_by="Transaction.id", cascade="all, delete-orphan"
    )
    letters: Mapped[list[Letter]] = relationship(back_populates="entity", order_by="Letter.id", cascade="all, delete-orphan")
    notes: Mapped[list[Note]] = relationship(back_populates="entity", order_by="Note.id", cascade="all, delete-orphan")
    controls: Mapped[list[ControlBase]] = relationship(
        back_populates="entity", order_by="ControlBase.id", cascade="all, delete-orphan"
    )
    unpostables: Mapped[list[Unpostable]] = relationship(
        back_populates="entity", order_by="Unpostable.id", cascade="all, delete-orphan"
    )

    @property
    def entity_transactions(self) -> list[Transaction]:
        """Transactions that post to the entity itself (no module): TC 971 AC 505, AC 527..."""
        return [t for t in self.transactions if t.module_id is None]

    def module(self, mft: str, period: str) -> TaxModule | None:
        for m in self.modules:
            if m.mft == mft and m.period == period:
                return m
        return None


class TaxModule(Base):
    """One MFT + tax period of one TIN."""

    __tablename__ = "tax_module"
    __table_args__ = (UniqueConstraint("entity_id", "mft", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    mft: Mapped[str] = mapped_column(String(2))
    period: Mapped[str] = mapped_column(String(6))  # YYYYMM
    # The master-file status code where a scenario sets it (e.g. 22, 26, 72); derived otherwise.
    status: Mapped[str | None] = mapped_column(String(2))
    stop_notice_weeks: Mapped[int | None] = mapped_column(Integer)  # STAUP
    stop_notice_until: Mapped[str | None] = mapped_column(String(6))  # STAUP end cycle

    entity: Mapped[Entity] = relationship(back_populates="modules")
    transactions: Mapped[list[Transaction]] = relationship(
        back_populates="module", order_by="Transaction.id"
    )
    unpostables: Mapped[list[Unpostable]] = relationship(back_populates="module", order_by="Unpostable.id")
    controls: Mapped[list[ControlBase]] = relationship(back_populates="module", order_by="ControlBase.id")


class Transaction(Base):
    """A transaction on an entity (module_id NULL) or on a tax module.

    Input made at the terminal is `pending` with the cycle it is due to post in
    (`due_cycle`, which already includes any post-delay); the posting run makes it
    `posted` (with `posting_cycle`), `unpostable` (with an `Unpostable` case) or leaves it.
    A TC 150 return carries the return as filed in `document`.
    """

    __tablename__ = "txn"
    __table_args__ = (
        Index("ix_txn_status_due", "status", "due_cycle", sqlite_where=text("status = 'pending'")).ddl_if(dialect="sqlite"),
        # Terminal input of one day (input DLN serials are counted per day): without it every
        # FRM77/ADJ54 Enter scanned the whole table.  Partial: bulk and posted data carry no
        # input date and cost nothing here.
        # (On PostgreSQL the same partial indexes come from _POSTGRES_PARTIAL_INDEXES below:
        # a postgresql_where= here would import SQLAlchemy's PostgreSQL dialect in every
        # process, 50-90 ms of start-up.)
        Index("ix_txn_dln", "dln", sqlite_where=text("dln IS NOT NULL")).ddl_if(dialect="sqlite"),
        Index("ix_txn_input_date", "input_date", sqlite_where=text("input_date IS NOT NULL")).ddl_if(dialect="sqlite"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("tax_module.id"), index=True)
    tc: Mapped[int] = mapped_column(Integer)
    ac: Mapped[int | None] = mapped_column(Integer)  # action code (TC 971/972) or closing code (TC 590/591)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    trans_date: Mapped[dt.date | None] = mapped_column(Date)
    secondary_date: Mapped[dt.date | None] = mapped_column(Date)
    misc: Mapped[str | None] = mapped_column(String(40))
    dln: Mapped[str | None] = mapped_column(String(14))
    status: Mapped[str] = mapped_column(String(10), default=POSTED)
    input_date: Mapped[dt.date | None] = mapped_column(Date)
    input_cycle: Mapped[str | None] = mapped_column(String(6))
    due_cycle: Mapped[str | None] = mapped_column(String(6))
    posting_cycle: Mapped[str | None] = mapped_column(String(6))
    post_delay: Mapped[int] = mapped_column(Integer, default=0)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("txn.id"))
    input_idrs: Mapped[str | None] = mapped_column(String(10))
    refund_method: Mapped[str | None] = mapped_column(String(16))  # TC 846: check | direct_deposit
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # hold code, reason codes, xref...

    entity: Mapped[Entity] = relationship(back_populates="transactions")
    module: Mapped[TaxModule | None] = relationship(back_populates="transactions")
    reversed_by: Mapped[Transaction | None] = relationship(remote_side="Transaction.id")

    @property
    def reversed(self) -> bool:
        return self.reversed_by_id is not None


class Unpostable(Base):
    """An unpostable case on the GUF: the document that could not post, and its resolution."""

    __tablename__ = "unpostable"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[str] = mapped_column(String(12), unique=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("tax_module.id"), index=True)
    txn_id: Mapped[int | None] = mapped_column(ForeignKey("txn.id"))
    upc: Mapped[int] = mapped_column(Integer)
    reason: Mapped[int] = mapped_column(Integer, default=0)
    dln: Mapped[str | None] = mapped_column(String(14))
    status: Mapped[str] = mapped_column(String(6), default="open")  # open | closed
    assigned: Mapped[str | None] = mapped_column(String(10))
    urc: Mapped[str | None] = mapped_column(String(2))
    ccc: Mapped[str | None] = mapped_column(String(2))
    release_cycle: Mapped[str | None] = mapped_column(String(6))
    corrected_tin: Mapped[str | None] = mapped_column(String(11))
    remarks: Mapped[str | None] = mapped_column(String(60))
    original_cycle: Mapped[str | None] = mapped_column(String(6))
    status_date: Mapped[dt.date | None] = mapped_column(Date)
    resolved_by: Mapped[str | None] = mapped_column(String(10))
    resolved_date: Mapped[dt.date | None] = mapped_column(Date)
    released: Mapped[bool] = mapped_column(Boolean, default=False)  # the posting run acted on the resolution
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    entity: Mapped[Entity] = relationship(back_populates="unpostables")
    module: Mapped[TaxModule | None] = relationship(back_populates="unpostables")
    txn: Mapped[Transaction | None] = relationship()
    history: Mapped[list[UnpostableHistory]] = relationship(
        back_populates="case", order_by="UnpostableHistory.id", cascade="all, delete-orphan"
    )


class UnpostableHistory(Base):
    """One line of an unpostable case's history (assignments, resolutions, UPCASZ remarks)."""

    __tablename__ = "unpostable_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("unpostable.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    idrs: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(80))

    case: Mapped[Unpostable] = relationship(back_populates="history")


class ControlBase(Base):
    """An IDRS case control: category, status (A, B, C, M, S), activity and assignee."""

    __tablename__ = "control_base"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("tax_module.id"), index=True)
    category: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(1))
    activity: Mapped[str] = mapped_column(String(10))
    idrs: Mapped[str] = mapped_column(String(10))
    received_date: Mapped[dt.date | None] = mapped_column(Date)
    opened_date: Mapped[dt.date | None] = mapped_column(Date)
    status_date: Mapped[dt.date | None] = mapped_column(Date)
    closed_date: Mapped[dt.date | None] = mapped_column(Date)
    opened_by: Mapped[str | None] = mapped_column(String(10))

    entity: Mapped[Entity] = relationship(back_populates="controls")
    module: Mapped[TaxModule | None] = relationship(back_populates="controls")
    history: Mapped[list[HistoryItem]] = relationship(
        back_populates="control", order_by="HistoryItem.id", cascade="all, delete-orphan"
    )


class HistoryItem(Base):
    """A history item: records an action without control; never changed once written."""

    __tablename__ = "history_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("tax_module.id"))
    control_id: Mapped[int | None] = mapped_column(ForeignKey("control_base.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    idrs: Mapped[str | None] = mapped_column(String(10))
    activity: Mapped[str] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(String(80))

    control: Mapped[ControlBase | None] = relationship(back_populates="history")


class Letter(Base):
    """A correspondex letter: shows as two ENMOD history lines (`IDRS# XXXXCLTR`, `IDRS# YYYYMM`)."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    letter: Mapped[str] = mapped_column(String(8))  # e.g. 4883C, 5216, 4674C
    period: Mapped[str | None] = mapped_column(String(6))
    date: Mapped[dt.date] = mapped_column(Date)
    idrs: Mapped[str | None] = mapped_column(String(10))
    paragraphs: Mapped[str | None] = mapped_column(String(40))
    return_address_code: Mapped[str | None] = mapped_column(String(4))
    signature_code: Mapped[str | None] = mapped_column(String(4))
    on_idrs: Mapped[bool] = mapped_column(Boolean, default=True)  # 5216 never shows on IDRS (AMS only)

    entity: Mapped[Entity] = relationship(back_populates="letters")


class Note(Base):
    """A note on another system (AMS, EFDS...): by date, with the employee."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("tax_module.id"))
    system: Mapped[str] = mapped_column(String(8), default="AMS")
    issue: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    idrs: Mapped[str | None] = mapped_column(String(10))
    date: Mapped[dt.date] = mapped_column(Date)

    entity: Mapped[Entity] = relationship(back_populates="notes")


class IcsCase(Base):
    """A case on ICS (Integrated Collection System), e.g. an FTD Alert."""

    __tablename__ = "ics_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    tin: Mapped[str] = mapped_column(String(11), index=True)
    mft: Mapped[str] = mapped_column(String(2))
    period: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(12), default="FTD-ALERT")
    priority: Mapped[str | None] = mapped_column(String(1))
    sub_code: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(8), default="open")
    assigned: Mapped[str | None] = mapped_column(String(10))
    opened: Mapped[dt.date | None] = mapped_column(Date)
    assigned_date: Mapped[dt.date | None] = mapped_column(Date)
    closed: Mapped[dt.date | None] = mapped_column(Date)
    closing_code: Mapped[str | None] = mapped_column(String(40))  # the ICS literal, e.g. "TP is in Compliance"
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditRecord(Base):
    """One access or action at a terminal (the UNAX record).  Append-only."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    idrs: Mapped[str | None] = mapped_column(String(10), index=True)
    terminal: Mapped[str | None] = mapped_column(String(40))
    aid: Mapped[str | None] = mapped_column(String(6))
    command: Mapped[str | None] = mapped_column(String(8))
    tin: Mapped[str | None] = mapped_column(String(11), index=True)
    mft: Mapped[str | None] = mapped_column(String(2))
    period: Mapped[str | None] = mapped_column(String(6))
    outcome: Mapped[str | None] = mapped_column(String(80))
    violation: Mapped[bool] = mapped_column(Boolean, default=False)


class SimState(Base):
    """Key/value state of the simulation that must persist with the database (the clock...)."""

    __tablename__ = "sim_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class CycleRun(Base):
    """A posting run that completed: running the same cycle again posts nothing twice."""

    __tablename__ = "cycle_run"

    cycle: Mapped[str] = mapped_column(String(6), primary_key=True)
    ran_at: Mapped[dt.datetime] = mapped_column(DateTime)
    posted: Mapped[int] = mapped_column(Integer, default=0)
    unposted: Mapped[int] = mapped_column(Integer, default=0)


# The PostgreSQL forms of txn's SQLite partial indexes (same names, same WHERE), made with the
# table; IF NOT EXISTS keeps the plain indexes of a database made before (they serve too).
_POSTGRES_PARTIAL_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_txn_status_due ON txn (status, due_cycle) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS ix_txn_dln ON txn (dln) WHERE dln IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_txn_input_date ON txn (input_date) WHERE input_date IS NOT NULL",
)
for _sql in _POSTGRES_PARTIAL_INDEXES:
    event.listen(Transaction.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
