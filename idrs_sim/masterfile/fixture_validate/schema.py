"""The fixture schema's vocabulary (CONTRACT section 4, docs/masterfile-schema.md): the keys
each section allows, the formats of TINs, DLNs and periods, the `Rows` a validation builds,
and the value parsers every section shares.

Pure data and functions, no validator state: the loader (`fixture_load`), the checker
(`check`) and the trainers' material (`fixture_docs`) read these too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import acds_data  # Appeals TDC (issue 26)

SSN_RE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
EIN_RE = re.compile(r"^\d{2}-\d{7}$")
IDRS_RE = re.compile(r"^\d{10}$")
DLN_RE = re.compile(r"^\d{14}$")
SEQ_RE = re.compile(r"^\d{1,12}$")
NAME_CONTROL_RE = re.compile(r"^[A-Z0-9&\- ]{1,4}$")
PERIOD_RE = re.compile(r"^\d{6}$")

EMPLOYEE_KEYS = {"idrs", "name", "roles", "unit", "password", "password_hash", "failed_signons", "locked", "own_tin", "related_tins"}
EMPLOYEE_KEYS |= acds_data.EMPLOYEE_TDC_KEYS  # Appeals TDC (issue 26): series, bears, egain
ENTITY_KEYS = {
    "tin", "tin_type", "file", "established", "name_control", "name", "address", "depositor",
    "filing_requirements", "poa", "information_returns", "extra", "situation", "transactions",
    "letters", "notes", "controls", "history", "unpostables", "modules",
}  # fmt: skip
MODULE_KEYS = {"mft", "period", "status", "stop_notice_weeks", "stop_notice_until", "transactions", "unpostables", "controls", "notes", "history"}
TXN_KEYS = {
    "ref", "tc", "ac", "cc", "amount", "date", "secondary_date", "misc", "dln", "status", "cycle",
    "due_cycle", "posting_cycle", "input_date", "input_cycle", "post_delay", "idrs",
    "refund_method", "document", "extra", "reversed", "reversed_by",
}  # fmt: skip
UNPOSTABLE_KEYS = {
    "seq", "code", "reason", "dln", "status", "assigned", "urc", "ccc", "release_cycle",
    "corrected_tin", "remarks", "original_cycle", "cycle", "status_date", "resolved_by",
    "resolved_date", "released", "document", "history", "txn",
}  # fmt: skip
CONTROL_KEYS = {"category", "status", "activity", "idrs", "received_date", "opened_date", "status_date", "closed_date", "opened_by", "history"}
HISTORY_KEYS = {"date", "idrs", "activity", "text"}
UP_HISTORY_KEYS = {"date", "idrs", "text"}
LETTER_KEYS = {"letter", "period", "date", "idrs", "paragraphs", "return_address_code", "signature_code", "on_idrs"}
NOTE_KEYS = {"system", "issue", "text", "idrs", "date"}
ICS_KEYS = {
    "tin", "mft", "period", "kind", "priority", "sub_code", "status", "assigned", "opened",
    "assigned_date", "closed", "closing_code", "history", "extra",
}  # fmt: skip
AUDIT_KEYS = {  # the audit records of dump(audit=True): shown, never loaded
    "at", "idrs", "terminal", "aid", "command", "tin", "mft", "period", "outcome", "violation"}
CYCLE_RUN_KEYS = {"cycle", "ran_at", "posted", "unposted"}
CONTROL_STATUSES = {"A", "B", "C", "M", "S"}
DEPOSITORS = {"monthly", "semiweekly"}
REFUND_METHODS = {"check", "direct_deposit"}
MONEY_KEYS = {
    "tax", "withholding", "refund", "agi", "wages", "balance_due", "amount", "total_income",
    "total_tax", "payments", "credits", "deposits", "overpayment", "interest", "penalty",
}  # fmt: skip
_TWO = Decimal("0.01")
_ZERO = Decimal("0.00")
_MAX_MONEY = Decimal("999999999999.99")


@dataclass
class Rows:
    """A validated master file, as rows ready to insert (see `_insert`)."""

    when: dt.datetime | None = None
    employees: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    ics_cases: list[dict[str, Any]] = field(default_factory=list)
    appeals: list[dict[str, Any]] = field(default_factory=list)  # Appeals on ACMS (issue 25)
    cycle_runs: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)
    acds_cases: list[dict[str, Any]] = field(default_factory=list)  # Appeals TDC (issue 26)


def calendar_isleap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            amount = Decimal(repr(value))
        elif isinstance(value, (int, Decimal)):
            amount = Decimal(value)
        elif isinstance(value, str):
            amount = Decimal(value.strip().replace(",", ""))
        else:
            return None
    except InvalidOperation:
        return None
    if not amount.is_finite() or abs(amount) > _MAX_MONEY:  # "1e400" cannot even be quantized
        return None
    quantized = amount.quantize(_TWO)
    return quantized if quantized == amount else None


def _to_time(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _close_match(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.75)
    return found[0] if found else None


def _line(node: Any) -> int:
    return getattr(node, "line", 0)
