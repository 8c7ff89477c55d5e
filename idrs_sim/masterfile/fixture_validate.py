"""Fixture validation: a raw mapping (YAML with lines, or a dump's JSON) -> the rows to insert,
with every problem at its file and line; "lint" problems (fictitious TINs, DLN structure,
unknown codes, MISC formats) do not stop a load but `idrs-sim fixtures check` reports them.

One class, `_Validator`, with one method per schema section (employees, entities, modules,
transactions, unpostables, controls, ICS cases...): kept together because each section's
checks share the validator's state (references, seen TINs, the code tables).  Part of
`idrs_sim.masterfile.fixtures`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..clock import START_OF_DAY
from ..digits import is_digits
from ..posting import calendar
from ..rules import misc as misc_rules_
from . import (
    acds_data,  # Appeals TDC (issue 26)
    limits,
)
from . import models as m
from .appeals_fixtures import (  # Appeals on ACMS (issue 25)
    validate_appeal,
)
from .db import _CLOCK_KEY
from .fixture_compose import TOP_KEYS, Codes, _cycle_of, _cycle_problem, _p, codes
from .fixture_read import DATA_SOURCE, NodeList, Problem
from .security import is_password_hash

# ---------------------------------------------------------------------------------------
# Validation: raw mapping -> rows
# ---------------------------------------------------------------------------------------

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


class _Validator:
    """Walks a raw master-file mapping, collecting problems and building rows.

    Hard problems (the loader refuses) are those the database or the rest of the simulator
    cannot live with: wrong types, malformed dates/cycles/TINs, unknown keys, duplicates.
    Lint problems are the project's data rules (fictitious TINs, DLN structure, known codes,
    reversal pairs...) that `idrs-sim fixtures check` reports.
    """

    def __init__(self, data: dict, codes_: Codes, need_date: bool = True, file: str | None = None, linting: bool = True) -> None:
        self.data = data
        self.linting = linting  # False when loading: skip the rules a load tolerates (speed)
        self.file: str = file or str(getattr(data, "file", DATA_SOURCE))
        self.codes = codes_
        self.need_date = need_date
        self.problems: list[Problem] = []
        self.rows = Rows()
        self.today: dt.date | None = None
        self.current_cycle: str | None = None
        self._seqs: dict[str, Problem] = {}
        self._tins: dict[str, Problem] = {}
        self._idrs: dict[str, Problem] = {}

    # -- reporting ----------------------------------------------------------------------
    def err(self, node: Any, key: Any, message: str, lint: bool = False) -> None:
        self.problems.append(_p(node, key, message, lint, self.file))

    def lint(self, node: Any, key: Any, message: str) -> None:
        if self.linting:
            self.err(node, key, message, lint=True)

    # -- scalar converters (report and return None on error) -----------------------------
    def text(self, node: dict, key: str, max_len: int | None = None, required: bool = False, upper: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            self.err(node, key, f"{key}: must be text, not {type(value).__name__}")
            return None
        out = str(value)
        if upper:
            out = out.upper()
        if max_len is not None and len(out) > max_len:
            self.err(node, key, f"{key}: {out!r} is longer than {max_len} characters")
            return None
        return out

    def integer(self, node: dict, key: str, lo: int | None = None, hi: int | None = None, required: bool = False) -> int | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required")
            return None
        if isinstance(value, str) and is_digits(value.strip()) and len(value.strip()) <= limits.MAX_DIGITS:
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(node, key, f"{key}: {value!r} is not a whole number")
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.err(node, key, f"{key}: {value} is outside {lo}-{hi}")
            return None
        return value

    def boolean(self, node: dict, key: str, default: bool) -> bool:
        value = node.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.err(node, key, f"{key}: must be true or false, not {value!r}")
            return default
        return value

    def date(self, node: dict, key: str, required: bool = False) -> dt.date | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required (YYYY-MM-DD)")
            return None
        if isinstance(value, dt.datetime):
            self.err(node, key, f"{key}: {value} must be a date YYYY-MM-DD, without a time")
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.err(node, key, f"{key}: {value!r} is not a date YYYY-MM-DD")
        return None

    def datetime(self, node: dict, key: str, required: bool = False) -> dt.datetime | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required (YYYY-MM-DDTHH:MM:SS)")
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None) if value.tzinfo is None else None
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.strip())
                if parsed.tzinfo is None:
                    return parsed
            except ValueError:
                pass
        self.err(node, key, f"{key}: {value!r} is not a date and time YYYY-MM-DDTHH:MM:SS")
        return None

    def cycle(self, node: dict, key: str) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
        problem = _cycle_problem(text) if text is not None else "CYCLE MUST BE 6 DIGITS YYYYCC"
        if problem is not None:
            self.err(node, key, f"{key}: {value!r} is not a posting cycle YYYYCC ({problem.lower()})")
            return None
        return text

    def period(self, node: dict, key: str, required: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required (YYYYMM)")
            return None
        text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if not PERIOD_RE.match(text) or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 1900:
            self.err(node, key, f"{key}: {value!r} is not a tax period YYYYMM")
            return None
        return text

    def mft(self, node: dict, key: str, required: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required (two digits, e.g. \"30\")")
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 99:
            text = f"{value:02d}"
        elif isinstance(value, str) and re.fullmatch(r"\d{2}", value):
            text = value
        else:
            self.err(node, key, f"{key}: {value!r} is not an MFT (two digits)")
            return None
        if text not in self.codes.mfts:
            self.lint(node, key, f"MFT {text} is not in commands/codes.yaml")
        return text

    def money(self, node: dict, key: str, default: Decimal | None = None) -> Decimal | None:
        value = node.get(key)
        if value is None:
            return default
        amount = _to_decimal(value)
        if amount is None or abs(amount) > _MAX_MONEY:
            self.err(node, key, f"{key}: {value!r} is not an amount (write \"1234.56\")")
            return default
        return amount

    def idrs(self, node: dict, key: str, required: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required (10-digit IDRS number)")
            return None
        text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if not IDRS_RE.match(text):
            self.err(node, key, f"{key}: {value!r} is not a 10-digit IDRS number (quote numbers with a leading 0)")
            return None
        return text

    def tin(self, node: dict, key: str, required: bool = False) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.err(node, None, f"{key}: is required (NNN-NN-NNNN or NN-NNNNNNN)")
            return None
        text = str(value) if isinstance(value, str) else ""
        if not (SSN_RE.match(text) or EIN_RE.match(text)):
            self.err(node, key, f"{key}: {value!r} is not a TIN in dashed form (SSN NNN-NN-NNNN, EIN NN-NNNNNNN)")
            return None
        if self.linting:
            self.fictitious(node, key, text)
        return text

    def fictitious(self, node: Any, key: Any, tin: str) -> None:
        """Project rule: fixture TINs are fictitious (SSN 400-00-xxxx, ITIN 900-00-xxxx, EIN 99-xxxxxxx)."""
        if SSN_RE.match(tin):
            if not (tin.startswith("400-00-") or tin.startswith("900-00-")):
                self.lint(node, key, f"TIN {tin} is not fictitious: fixture SSNs must be 400-00-xxxx (ITINs 900-00-xxxx)")
        elif EIN_RE.match(tin) and not tin.startswith("99-"):
            self.lint(node, key, f"TIN {tin} is not fictitious: fixture EINs must be 99-xxxxxxx")

    def dln(self, node: dict, key: str, mft: str | None = None) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        text = str(value).replace("-", "") if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not DLN_RE.match(text):
            self.err(node, key, f"{key}: DLN {value!r} must be 14 digits")
            return None
        if self.linting:
            self.dln_structure(node, key, text, mft)
        return text

    def dln_structure(self, node: Any, key: Any, dln: str, mft: str | None) -> None:
        """DLN fields (idrs-screens-and-codes §8): FLC, tax class vs MFT, Julian day, year digit."""
        flc, tax_class, julian, year_digit = dln[0:2], int(dln[2]), int(dln[5:8]), int(dln[13])
        if flc == "00":
            self.lint(node, key, f"DLN {dln}: file location code 00 is not a campus")
        if tax_class == 0:
            self.lint(node, key, f"DLN {dln}: tax class 0 does not exist (1-9)")
        elif mft is not None and tax_class != 9:
            expected = (self.codes.mfts.get(mft) or {}).get("tax_class")
            if expected is not None and tax_class != expected:
                self.lint(node, key, f"DLN {dln}: tax class {tax_class} does not fit MFT {mft} (expects {expected})")
        if julian != 999:
            if not 1 <= julian <= 366:
                self.lint(node, key, f"DLN {dln}: Julian date {dln[5:8]} is not a day of the year (001-366, or 999)")
            elif self.today is not None:
                year = self.today.year - ((self.today.year - year_digit) % 10)
                days = 366 if calendar_isleap(year) else 365
                if julian > days:
                    self.lint(node, key, f"DLN {dln}: Julian date {julian} does not exist in {year}")
                elif dt.date(year, 1, 1) + dt.timedelta(days=julian - 1) > self.today:
                    self.lint(node, key, f"DLN {dln}: numbered on day {julian} of {year}, after the master file date {self.today}")

    def keys(self, node: dict, allowed: set[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                hint = _close_match(str(key), allowed)
                self.err(node, key, f"{what}: unknown key {key!r}" + (f" (did you mean {hint!r}?)" if hint else ""))

    def mapping(self, value: Any, parent: Any, key: Any, what: str) -> bool:
        if isinstance(value, dict):
            return True
        self.err(parent, key, f"{what} must be a mapping (key: value), not {type(value).__name__}")
        return False

    def items(self, node: dict, key: str, what: str) -> Iterator[dict]:
        """The mappings listed under node[key]; problems for a non-list or non-mapping item."""
        value = node.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            self.err(node, key, f"{key}: must be a list")
            return
        for item in value:
            if isinstance(item, dict):
                yield item
            else:
                self.err(value if isinstance(value, NodeList) else node, key, f"{key}: each {what} must be a mapping, not {item!r}")

    def jsonable(self, value: Any, node: Any, key: Any, *, money: bool = True) -> Any:
        """Free-form data (documents, extra, POA...) made JSON-safe: dates ISO, numbers with
        decimals as 2-place amount strings, money keys as amount strings.  `money=False` for
        records the system writes itself (an ICS case's history and extra), where a key like
        ``deposits`` is a count or a Y/N answer, not an amount."""
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                sub = self.jsonable(v, value, k, money=money)
                if not money:
                    pass
                elif str(k) in MONEY_KEYS and isinstance(sub, (int, float)) and not isinstance(sub, bool):
                    sub = f"{Decimal(sub).quantize(_TWO)}"
                elif str(k) in MONEY_KEYS and isinstance(sub, str) and _to_decimal(sub) is None:
                    self.err(value, k, f"{k}: {v!r} is not an amount")
                out[str(k)] = sub
            return out
        if isinstance(value, list):
            return [self.jsonable(v, node, key, money=money) for v in value]
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return f"{value.quantize(_TWO)}"
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                self.err(node, key, f"{key}: {value!r} is not a number")
                return None
            return f"{Decimal(repr(value)).quantize(_TWO)}"
        if value is None or isinstance(value, (str, int, bool)):
            return value
        self.err(node, key, f"{key}: {value!r} cannot be stored")
        return None

    def walk_tins(self, value: Any, node: Any, key: Any) -> None:
        """Check every `*tin` / `*ein` / `*ssn` value inside free-form data (documents, POA...)."""
        if isinstance(value, dict):
            for k, v in value.items():
                lk = str(k).lower()
                if lk.endswith(("tin", "ein", "ssn")) and isinstance(v, (str, list)):
                    for tin in [v] if isinstance(v, str) else v:
                        if isinstance(tin, str):
                            if SSN_RE.match(tin) or EIN_RE.match(tin):
                                self.fictitious(value, k, tin)
                            else:
                                self.lint(value, k, f"{k}: {tin!r} is not a TIN in dashed form (SSN NNN-NN-NNNN, EIN NN-NNNNNNN)")
                else:
                    self.walk_tins(v, value, k)
        elif isinstance(value, list):
            for v in value:
                self.walk_tins(v, node, key)

    # -- the walk -----------------------------------------------------------------------
    def run(self) -> Rows:
        data = self.data
        self.keys(data, TOP_KEYS, "master file")
        day = self.date(data, "date")
        if day is None and self.need_date and "date" not in data:
            self.err(data, None, "date: is required (the simulated date, YYYY-MM-DD)")
        if day is not None:
            moment = dt.datetime.combine(day, START_OF_DAY)
            if data.get("time") is not None:
                t = _to_time(data.get("time"))
                if t is None:
                    self.err(data, "time", f"time: {data.get('time')!r} is not a time HH:MM[:SS]")
                else:
                    moment = dt.datetime.combine(day, t)
            try:
                self.current_cycle = calendar.cycle_of(day)
                self.today = day
                self.rows.when = moment
            except ValueError as exc:
                self.err(data, "date", f"date: {exc}")
        if data.get("cycle") is not None:
            given = self.cycle(data, "cycle")
            if given is not None and self.current_cycle is not None and given != self.current_cycle:
                self.lint(data, "cycle", f"cycle: {given} is not the cycle of {day} ({self.current_cycle})")
        scenario = data.get("scenario")
        if scenario is not None and isinstance(scenario, dict):
            for k in ("title", "irm", "narrative"):
                if not scenario.get(k):
                    self.lint(scenario, None, f"scenario: {k} is missing")
        elif scenario is not None:
            self.err(data, "scenario", "scenario: must be a mapping {title, irm, narrative}")
        for emp in self.items(data, "employees", "employee"):
            self.employee(emp)
        for ent in self.items(data, "entities", "entity"):
            self.entity(ent)
        for case in self.items(data, "ics_cases", "ICS case"):
            self.ics_case(case)
        appeal_ids: dict[str, Any] = {}  # Appeals on ACMS (issue 25)
        for appeal in self.items(data, "appeals", "appeal"):
            validate_appeal(self, appeal, appeal_ids)
        if data.get("audit") is not None:
            # The trail is written only by the system (issue #16 item 9): a fixture that
            # carried records would put back-dated accesses on it that look like real ones.
            self.err(data, "audit", "audit: the audit trail is written only by idrs-sim itself; a fixture or "
                                    "dump cannot load audit records (remove the audit: list)")
        for run in self.items(data, "cycle_runs", "cycle run"):
            self.cycle_run(run)
        # Appeals TDC (issue 26): eGain IDs, then the ACDS cases (idrs_sim/masterfile/acds_data.py)
        acds_data.check_employees(self, list(self.items(data, "employees", "employee")), self.rows.employees)
        acds_seen: dict[str, Any] = {}
        for acds in self.items(data, "acds_cases", "ACDS case"):
            acds_data.acds_case(self, acds, acds_seen, self.rows.acds_cases)
        state = data.get("state")
        if state is not None:
            if isinstance(state, dict):
                for k, v in state.items():
                    if k == _CLOCK_KEY:
                        self.err(state, k, f"state: {k!r} is set by date/time")
                    elif not isinstance(v, (str, int)) or isinstance(v, bool):
                        self.err(state, k, f"state: {k} must be text")
                    else:
                        self.rows.state[str(k)] = str(v)
            else:
                self.err(data, "state", "state: must be a mapping")
        return self.rows

    def employee(self, node: dict) -> None:
        self.keys(node, EMPLOYEE_KEYS, "employee")
        idrs = self.idrs(node, "idrs", required=True)
        name = self.text(node, "name", 40, required=True)
        roles = node.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        good_roles: list[str] = []
        if not isinstance(roles, list):
            self.err(node, "roles", "roles: must be a list")
        else:
            for role in roles:
                if role not in self.codes.roles:
                    hint = _close_match(str(role), set(self.codes.roles))
                    self.err(node, "roles", f"unknown role {role!r}" + (f" (did you mean {hint!r}?)" if hint else "") + "; roles are listed in commands/codes.yaml")
                else:
                    good_roles.append(role)
        password, pw_hash = node.get("password"), node.get("password_hash")
        if password is not None and pw_hash is not None:
            self.err(node, "password_hash", "give password (fixtures) or password_hash (dumps), not both")
        elif password is None and pw_hash is None and not self.data.get("format"):
            # A dump (it names its format) may leave hashes out: that employee loads with no
            # password (see _employee_hashes).  A fixture must give one.
            self.err(node, None, "employee: password is required (dumps carry password_hash)")
        elif password is not None and (not isinstance(password, (str, int)) or isinstance(password, bool) or str(password) == ""):
            self.err(node, "password", "password: must be non-empty text")
        elif pw_hash is not None and (not isinstance(pw_hash, str) or not is_password_hash(pw_hash)):
            self.err(node, "password_hash", "password_hash: not a hash written by idrs-sim "
                                            "(scrypt$<32 hex digits of salt>$<64 hex digits of hash>)")
        own = self.tin(node, "own_tin")
        related = node.get("related_tins") or []
        if not isinstance(related, list) or not all(isinstance(t, str) for t in related):
            self.err(node, "related_tins", "related_tins: must be a list of TINs")
            related = []
        for t in related:
            if not (SSN_RE.match(t) or EIN_RE.match(t)):
                self.err(node, "related_tins", f"related_tins: {t!r} is not a TIN in dashed form")
            else:
                self.fictitious(node, "related_tins", t)
        if idrs is not None:
            if idrs in self._idrs:
                first = self._idrs[idrs]
                self.err(node, "idrs", f"employee {idrs} is listed twice (also {first.file}:{first.line})")
                return
            self._idrs[idrs] = _p(node, "idrs", "", default_file=self.file)
        if idrs is None or name is None:
            return
        self.rows.employees.append(
            {
                "idrs": idrs,
                "name": name,
                "roles": good_roles,
                "unit": self.text(node, "unit", 20),
                "_password": str(password) if password is not None else None,
                "password_hash": pw_hash if isinstance(pw_hash, str) else None,
                "failed_signons": self.integer(node, "failed_signons", 0, 99) or 0,
                "locked": self.boolean(node, "locked", False),
                "own_tin": own,
                "related_tins": list(related),
                **acds_data.employee_fields(self, node),  # Appeals TDC (issue 26)
            }
        )

    def entity(self, node: dict) -> None:
        self.keys(node, ENTITY_KEYS, "entity")
        tin = self.tin(node, "tin", required=True)
        if tin is None:
            return
        if tin in self._tins:
            first = self._tins[tin]
            self.err(node, "tin", f"TIN {tin} is listed twice (also {first.file}:{first.line})")
            return
        self._tins[tin] = _p(node, "tin", "", default_file=self.file)
        is_ein = bool(EIN_RE.match(tin))
        tin_type = self.text(node, "tin_type", upper=True) or ("EIN" if is_ein else ("ITIN" if tin.startswith("9") else "SSN"))
        if tin_type not in ("SSN", "EIN", "ITIN"):
            self.err(node, "tin_type", f"tin_type: {tin_type!r} must be SSN, EIN or ITIN")
        elif (tin_type == "EIN") != is_ein:
            self.err(node, "tin_type", f"tin_type: {tin_type} does not fit TIN {tin}")
        elif tin_type == "ITIN" and not tin.startswith("9"):
            self.lint(node, "tin_type", f"an ITIN begins with 9, {tin} does not")
        file = self.text(node, "file", upper=True) or ("BMF" if is_ein else "IMF")
        if file not in ("IMF", "BMF"):
            self.err(node, "file", f"file: {file!r} must be IMF or BMF")
        elif file == "IMF" and is_ein:
            self.err(node, "file", f"an EIN ({tin}) is on the BMF, not the IMF")
        names = node.get("name")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            self.err(node, "name" if "name" in node else None, "name: is required (a list of name lines)")
            names = []
        address = node.get("address") or []
        if isinstance(address, str):
            address = [address]
        if not isinstance(address, list) or not all(isinstance(a, str) for a in address):
            self.err(node, "address", "address: must be a list of address lines")
            address = []
        name_control = self.text(node, "name_control", upper=True) or (_name_control(names[0], file) if names else "")
        if name_control and not NAME_CONTROL_RE.match(name_control):
            self.err(node, "name_control", f"name_control: {name_control!r} must be 1-4 letters, digits, & or -")
        depositor = self.text(node, "depositor")
        if depositor is not None and depositor not in DEPOSITORS:
            self.err(node, "depositor", f"depositor: {depositor!r} must be monthly or semiweekly")
        elif depositor is not None and file != "BMF":
            self.lint(node, "depositor", "depositor: only BMF (employment tax) accounts have a deposit schedule")
        filing = node.get("filing_requirements") or {}
        extra = node.get("extra") or {}
        for key, value in (("filing_requirements", filing), ("extra", extra)):
            if not isinstance(value, dict):
                self.err(node, key, f"{key}: must be a mapping")
        poa = node.get("poa") or []
        irs = node.get("information_returns") or []
        for key, value in (("poa", poa), ("information_returns", irs)):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                self.err(node, key, f"{key}: must be a list of mappings")
        for item in poa if isinstance(poa, list) else []:
            if isinstance(item, dict) and isinstance(item.get("periods"), list):
                for i, per in enumerate(item["periods"]):
                    if isinstance(per, int):
                        item["periods"][i] = str(per)
        if self.linting:
            self.walk_tins({"poa": poa, "information_returns": irs, "extra": extra}, node, None)
        row: dict[str, Any] = {
            "tin": tin,
            "tin_type": tin_type,
            "file": file,
            "established": self.boolean(node, "established", True),
            "name_control": name_control,
            "name_lines": list(names),
            "address": list(address),
            "filing_requirements": self.jsonable(filing, node, "filing_requirements") if isinstance(filing, dict) else {},
            "depositor": depositor,
            "poa": self.jsonable(poa, node, "poa") if isinstance(poa, list) else [],
            "information_returns": self.jsonable(irs, node, "information_returns") if isinstance(irs, list) else [],
            "extra": self.jsonable(extra, node, "extra") if isinstance(extra, dict) else {},
            "_node": node,
            "_txns": [],
            "_modules": [],
        }
        refs: dict[str, dict[str, Any]] = {}
        row["_refs"] = refs
        row["_level"] = self.level_rows(node, row, None, file)
        seen: set[tuple[str, str]] = set()
        for mod in self.items(node, "modules", "module"):
            self.keys(mod, MODULE_KEYS, "module")
            mft = self.mft(mod, "mft", required=True)
            period = self.period(mod, "period", required=True)
            if mft is None or period is None:
                continue
            if (mft, period) in seen:
                self.err(mod, None, f"module MFT {mft} {period} is listed twice for {tin}")
                continue
            seen.add((mft, period))
            info = self.codes.mfts.get(mft) or {}
            if info.get("file") and info["file"] != file:
                self.lint(mod, "mft", f"MFT {mft} ({info.get('form')}) is a {info['file']} module, but {tin} is on the {file}")
            if info.get("periods") == "quarterly" and period[4:] not in ("03", "06", "09", "12"):
                self.lint(mod, "period", f"MFT {mft} periods end a quarter (03, 06, 09, 12), not {period}")
            if info.get("periods") == "annual" and file == "IMF" and period[4:] != "12":
                self.lint(mod, "period", f"IMF tax period {period} is not a calendar year (YYYY12)")
            status = self.text(mod, "status")
            if status is not None and not re.fullmatch(r"\d{2}", status):
                self.err(mod, "status", f"status: {status!r} must be a 2-digit module status code")
                status = None
            mrow = {
                "mft": mft,
                "period": period,
                "status": status,
                "stop_notice_weeks": self.integer(mod, "stop_notice_weeks", 0, 520),
                "stop_notice_until": self.cycle(mod, "stop_notice_until"),
                "_node": mod,
            }
            mrow["_level"] = self.level_rows(mod, row, mrow, file)
            row["_modules"].append(mrow)
        self.link_refs(row)
        self.rows.entities.append(row)

    def level_rows(self, node: dict, ent: dict, mod: dict | None, file: str) -> dict[str, list]:
        """Transactions, unpostables, controls, notes, letters and history items at one level."""
        mft = mod["mft"] if mod else None
        out: dict[str, list] = {"txns": [], "unpostables": [], "controls": [], "notes": [], "history": [], "letters": []}
        for t in self.items(node, "transactions", "transaction"):
            row = self.txn(t, ent, mod)
            if row is not None:
                out["txns"].append(row)
        self.reversals(out["txns"])
        for u in self.items(node, "unpostables", "unpostable"):
            row = self.unpostable(u, ent, mft)
            if row is not None:
                out["unpostables"].append(row)
        for c in self.items(node, "controls", "control base"):
            row = self.control(c)
            if row is not None:
                out["controls"].append(row)
        for n in self.items(node, "notes", "note"):
            row = self.note(n)
            if row is not None:
                out["notes"].append(row)
        for h in self.items(node, "history", "history item"):
            row = self.history_item(h)
            if row is not None:
                out["history"].append(row)
        if mod is None:
            for letter in self.items(node, "letters", "letter"):
                row = self.letter(letter)
                if row is not None:
                    out["letters"].append(row)
        return out

    def txn(self, node: dict, ent: dict, mod: dict | None) -> dict | None:
        # Hot path of a large load: one dict get per key, helpers only for keys present,
        # lint-only rules only when checking (self.linting).
        get = node.get
        self.keys(node, TXN_KEYS, "transaction")
        tc = self.integer(node, "tc", 0, 999, required=True)
        if tc is None:
            return None
        linting = self.linting
        tinfo = self.codes.transaction_codes.get(tc) or {}
        label = f"TC {tc:03d}"
        ac_key = "cc" if "cc" in node else "ac"
        if "cc" in node and "ac" in node:
            self.err(node, "cc", "give ac (action code) or cc (closing code), not both")
        ac = self.integer(node, ac_key, 0, 999) if get(ac_key) is not None else None
        ainfo: dict[str, Any] = {}
        table = tinfo.get("codes")
        if table == "action_codes" and ac is not None:
            label += f" AC {ac:03d}"
            ainfo = self.codes.action_codes.get(ac) or {}
        elif table == "closing_codes" and ac is not None:
            label += f" CC {ac:02d}"
        status = get("status")
        if status is None:
            status = m.POSTED
        elif status not in m.TXN_STATUSES:
            self.err(node, "status", f"status: {status!r} must be one of {', '.join(m.TXN_STATUSES)}")
            status = m.POSTED
        amount = (self.money(node, "amount", _ZERO) or _ZERO) if get("amount") is not None else _ZERO
        trans_date = self.date(node, "date") if get("date") is not None else None
        misc = self.text(node, "misc", 40) if get("misc") is not None else None
        dln = self.dln(node, "dln", mod["mft"] if mod else None) if get("dln") is not None else None
        cyc = self.cycle(node, "cycle") if get("cycle") is not None else None
        due = self.cycle(node, "due_cycle") if get("due_cycle") is not None else None
        posting = self.cycle(node, "posting_cycle") if get("posting_cycle") is not None else None
        if cyc is not None:
            if status == m.POSTED or status == m.UNPOSTABLE:
                if posting is not None and posting != cyc:
                    self.err(node, "posting_cycle", "cycle: and posting_cycle: disagree")
                posting = cyc
            else:
                if due is not None and due != cyc:
                    self.err(node, "due_cycle", "cycle: and due_cycle: disagree")
                due = cyc
        if status == m.POSTED and posting is None and trans_date is not None:
            try:
                posting = _cycle_of(trans_date)
            except ValueError:
                pass
        if status == m.PENDING and due is None:
            due = self.current_cycle
        refund_method = get("refund_method")
        if refund_method is not None and refund_method not in REFUND_METHODS:
            self.err(node, "refund_method", f"refund_method: {refund_method!r} must be check or direct_deposit")
            refund_method = None
        document = get("document")
        if document is not None:
            if self.mapping(document, node, "document", "document"):
                if linting:
                    self.walk_tins(document, node, "document")
                document = self.jsonable(document, node, "document")
            else:
                document = None
        extra = get("extra") or {}
        if not isinstance(extra, dict):
            self.err(node, "extra", "extra: must be a mapping")
            extra = {}
        elif extra:
            extra = self.jsonable(extra, node, "extra")
        has_reversed_by = "reversed_by" in node
        reversed_ = self.boolean(node, "reversed", False) if get("reversed") is not None else False
        if get("reversed") is False and has_reversed_by:
            self.err(node, "reversed", "reversed: false contradicts reversed_by:")
        ref = get("ref")
        if ref is not None and (not isinstance(ref, (str, int)) or isinstance(ref, bool)):
            self.err(node, "ref", "ref: must be a short label")
            ref = None
        if linting:
            self.txn_lint(node, tc, ac, ac_key, tinfo, ainfo, label, mod, status, amount, trans_date, posting, refund_method, misc)
        row: dict[str, Any] = {
            "tc": tc,
            "ac": ac,
            "amount": amount,
            "trans_date": trans_date,
            "secondary_date": self.date(node, "secondary_date") if get("secondary_date") is not None else None,
            "misc": misc,
            "dln": dln,
            "status": status,
            "input_date": self.date(node, "input_date") if get("input_date") is not None else None,
            "input_cycle": self.cycle(node, "input_cycle") if get("input_cycle") is not None else None,
            "due_cycle": due,
            "posting_cycle": posting,
            "post_delay": (self.integer(node, "post_delay", 0, 52) or 0) if get("post_delay") is not None else 0,
            "input_idrs": self.idrs(node, "idrs") if get("idrs") is not None else None,
            "refund_method": refund_method,
            "document": document,
            "extra": extra,
            "_node": node,
            "_label": label,
            "_ref": str(ref) if ref is not None else None,
            "_reversed": reversed_ or has_reversed_by,
            "_reversed_by": get("reversed_by"),
            "_has_reversed_by": has_reversed_by,
            "_link": None,  # the reversal row, once matched
            "_claimed": False,
        }
        if ref is not None:
            refs = ent["_refs"]
            if row["_ref"] in refs:
                self.err(node, "ref", f"ref: {row['_ref']!r} is used twice in {ent['tin']}")
            else:
                refs[row["_ref"]] = row
        return row

    def txn_lint(
        self, node: dict, tc: int, ac: int | None, ac_key: str, tinfo: dict, ainfo: dict, label: str, mod: dict | None,
        status: str, amount: Decimal, trans_date: dt.date | None, posting: str | None, refund_method: str | None, misc: str | None,
    ) -> None:
        """The data rules of a transaction that a load tolerates (codes, level, sign, dates)."""
        if not tinfo:
            self.lint(node, "tc", f"{label} is not a known transaction code (commands/codes.yaml)")
        table = tinfo.get("codes")
        if table == "action_codes":
            if ac is None:
                self.lint(node, None, f"{label} needs an action code (ac:)")
            elif not ainfo:
                self.lint(node, ac_key, f"action code {ac:03d} is not a known TC 971/972 action code (commands/codes.yaml)")
        elif table == "closing_codes":
            if ac is not None and ac not in self.codes.closing_codes:
                self.lint(node, ac_key, f"closing code {ac:02d} is not known for {label[:6]} (commands/codes.yaml)")
        elif ac is not None and tinfo:
            self.lint(node, ac_key, f"{label} takes no action or closing code")
        level = ainfo.get("level") or tinfo.get("level")
        if level == "entity" and mod is not None:
            self.lint(node, "tc", f"{label} posts to the entity: list it under the entity's transactions, not a module's")
        elif level == "module" and mod is None:
            self.lint(node, "tc", f"{label} posts to a tax module: list it under a module, not the entity")
        balance = tinfo.get("balance")
        if balance == "none" and amount != 0:
            self.lint(node, "amount", f"{label} is not a money transaction; its amount should be .00")
        elif balance == "credit" and amount > 0:
            self.lint(node, "amount", f"{label} is a credit: write its amount negative (-{amount})")
        elif balance == "debit" and amount < 0:
            self.lint(node, "amount", f"{label} is a debit: write its amount positive")
        if self.current_cycle is not None and status == m.POSTED:
            if posting is not None and posting > self.current_cycle:
                self.lint(node, "cycle", f"{label} posted in cycle {posting}, after the current cycle {self.current_cycle}")
            if trans_date is not None and self.today is not None and trans_date > self.today:
                self.lint(node, "date", f"{label} posted with date {trans_date}, after the master file date {self.today}")
        if refund_method is not None and tc not in (840, 846):
            self.lint(node, "refund_method", f"refund_method: only refunds (TC 840/846) have one, not {label}")
        self.misc_rules(node, tc, ac, ainfo, misc, mod)

    def misc_rules(self, node: dict, tc: int, ac: int | None, ainfo: dict, misc: str | None, mod: dict | None) -> None:
        """MISC literals the IRM fixes (TPP table 2.2, AC 505 breach numbers, AC 804 CP239...)."""
        if tc not in (971, 972) or ac is None or not ainfo:
            return
        pattern = misc_rules_.misc_pattern(tc, ac)
        if tc == 972 and ac == 129 and not misc:
            self.lint(node, "misc", "TC 972 AC 129 needs a MISC (e.g. 123456_NONIDT); a blank MISC never reaches RIVO")
        elif pattern and misc is not None and not re.search(pattern, misc):
            self.lint(node, "misc", f"TC {tc} AC {ac:03d} MISC {misc!r} does not have the IRM format {pattern}")
        elif pattern and misc is None and tc == 971 and ac in misc_rules_.MISC_REQUIRED_ACS:
            self.lint(node, "misc", f"TC 971 AC {ac:03d} needs a MISC ({pattern})")
        if misc and tc == 971 and ac in misc_rules_.DLN_MISC_ACS:
            found = misc_rules_.leading_dln(misc)
            if found:
                self.dln_structure(node, "misc", found, mod["mft"] if mod and mod["mft"] != "32" else None)

    def reversals(self, txns: list[dict]) -> None:
        """Link `reversed: true` originals to their reversal in the same list; flag orphans.

        Decision: a `reversed: true` original takes the first unclaimed posted reversal with a
        TC that reverses it (and the same action code for TC 971/972), preferring one whose
        MISC refers to the original's (same MISC, or the last six DLN digits).  With no such
        reversal in the list the fact is recorded (`extra.reversed`), and for a TC 971 the
        checker says that its TC 972 is missing.  `reversed_by: REF` links explicitly (across
        lists of the same entity); `reversed_by: null` means "reversed, reversal not on file".
        """
        if not txns:
            return
        reversible = self.codes.reversible
        local = {t["_ref"]: t for t in txns if t["_ref"] is not None}
        for orig in txns:  # explicit links first, so that implicit matching cannot take them
            target = orig["_reversed_by"]
            if orig["_has_reversed_by"] and target is not None and str(target) in local:
                local[str(target)]["_claimed"] = True
        for orig in txns:
            if not orig["_reversed"] or orig["_has_reversed_by"]:
                continue
            candidates = [
                rev for rev in txns
                if not rev["_claimed"] and rev is not orig and rev["status"] == m.POSTED and _reverses(self.codes, rev, orig)
            ]  # fmt: skip
            if candidates:
                candidates.sort(key=lambda rev: not _misc_related(orig["misc"], rev["misc"]))
                orig["_link"] = candidates[0]
                candidates[0]["_claimed"] = True
            else:
                orig["extra"] = {**orig["extra"], "reversed": True}
                if orig["tc"] == 971:
                    self.lint(orig["_node"], "reversed", f"{orig['_label']} is marked reversed but no posted TC 972 AC {orig['ac'] or 0:03d} follows in the same list")
        if not self.linting:
            return
        for rev in txns:
            targets = self.codes.reversal_targets(rev["tc"])
            if not targets or rev["_claimed"] or rev["status"] == m.DELETED:
                continue
            originals = [o for o in txns if o is not rev and o["tc"] in reversible and _reverses(self.codes, rev, o)]
            if rev["status"] == m.POSTED:
                open_ = [o for o in originals if not o["_reversed"]]
                if open_:
                    self.lint(rev["_node"], "tc", f"{rev['_label']} reverses the {open_[0]['_label']} on line {_line(open_[0]['_node'])}: mark that one `reversed: true`")
                elif not originals:
                    self.lint(rev["_node"], "tc", f"{rev['_label']} without its original {_original_label(self.codes, rev)} in the same list")
            elif not originals:
                self.lint(rev["_node"], "tc", f"{rev['_label']} without its original {_original_label(self.codes, rev)} in the same list")

    def link_refs(self, ent: dict) -> None:
        """Explicit links by ref: `reversed_by: REF` on transactions, `txn: REF` on unpostables."""
        refs = ent["_refs"]
        for level in [ent["_level"], *(mod["_level"] for mod in ent["_modules"])]:
            for row in level["txns"]:
                if not row["_has_reversed_by"]:
                    continue
                target = row["_reversed_by"]
                if target is None:
                    row["extra"] = {**row["extra"], "reversed": True}
                    continue
                rev = refs.get(str(target))
                if rev is None:
                    self.err(row["_node"], "reversed_by", f"reversed_by: no transaction of {ent['tin']} has ref {target!r}")
                elif rev is row:
                    self.err(row["_node"], "reversed_by", "reversed_by: a transaction cannot reverse itself")
                else:
                    row["_link"] = rev
                    rev["_claimed"] = True
            for up in level["unpostables"]:
                target = up["_txn_ref"]
                if target is None:
                    continue
                txn = refs.get(str(target))
                if txn is None:
                    self.err(up["_node"], "txn", f"txn: no transaction of {ent['tin']} has ref {target!r}")
                else:
                    up["_txn"] = txn

    def unpostable(self, node: dict, ent: dict, mft: str | None) -> dict | None:
        self.keys(node, UNPOSTABLE_KEYS, "unpostable")
        seq_raw = node.get("seq")
        seq = str(seq_raw) if isinstance(seq_raw, (str, int)) and not isinstance(seq_raw, bool) else None
        if seq_raw is None:
            self.err(node, None, "seq: is required (the case sequence number UPTIN shows)")
        elif seq is None or not SEQ_RE.match(seq):
            self.err(node, "seq", f"seq: {seq_raw!r} must be 1-12 digits (quote it: \"000000101\")")
            seq = None
        elif seq in self._seqs:
            first = self._seqs[seq]
            self.err(node, "seq", f"unpostable sequence number {seq} is used twice (also {first.file}:{first.line})")
            seq = None
        else:
            self._seqs[seq] = _p(node, "seq", "", default_file=self.file)
        code = self.integer(node, "code", 1, 999, required=True)
        reason = self.integer(node, "reason", 0, 9)
        status = self.text(node, "status") or "open"
        if status not in ("open", "closed"):
            self.err(node, "status", f"status: {status!r} must be open or closed")
        urc = self.text(node, "urc", 2, upper=True)
        if urc is not None and not re.fullmatch(r"[0-9A-Z]{1,2}", urc):
            self.err(node, "urc", f"urc: {urc!r} is not an unpostable resolution code")
        ccc = self.text(node, "ccc", 2, upper=True)
        original = self.cycle(node, "original_cycle")
        if node.get("cycle") is not None:
            given = self.cycle(node, "cycle")
            if original is not None and given is not None and given != original:
                self.err(node, "cycle", "cycle: and original_cycle: disagree")
            original = original or given
        if original and self.current_cycle and original > self.current_cycle:
            self.lint(node, "cycle", f"unpostable cycle {original} is after the current cycle {self.current_cycle}")
        corrected = self.tin(node, "corrected_tin")
        document = node.get("document")
        if document is not None and self.mapping(document, node, "document", "document"):
            if self.linting:
                self.walk_tins(document, node, "document")
            document = self.jsonable(document, node, "document")
        else:
            document = None
        history = []
        for h in self.items(node, "history", "history line"):
            self.keys(h, UP_HISTORY_KEYS, "unpostable history")
            day = self.date(h, "date", required=True)
            text = self.text(h, "text", 80, required=True)
            if day is not None and text is not None:
                history.append({"date": day, "idrs": self.idrs(h, "idrs"), "text": text})
        txn_ref = node.get("txn")
        if code is None or seq is None:
            return None
        default_released = status == "closed"
        return {
            "seq": seq,
            "upc": code,
            "reason": reason or 0,
            "dln": self.dln(node, "dln", mft),
            "status": status,
            "assigned": self.idrs(node, "assigned"),
            "urc": urc,
            "ccc": ccc,
            "release_cycle": self.cycle(node, "release_cycle"),
            "corrected_tin": corrected,
            "remarks": self.text(node, "remarks", 60),
            "original_cycle": original,
            "status_date": self.date(node, "status_date"),
            "resolved_by": self.idrs(node, "resolved_by"),
            "resolved_date": self.date(node, "resolved_date"),
            "released": self.boolean(node, "released", default_released),
            "document": document,
            "_history": history,
            "_txn_ref": txn_ref,
            "_txn": None,
            "_node": node,
        }

    def control(self, node: dict) -> dict | None:
        self.keys(node, CONTROL_KEYS, "control base")
        category = self.text(node, "category", 4, required=True, upper=True)
        status = self.text(node, "status", 1, required=True, upper=True)
        if status is not None and status not in CONTROL_STATUSES:
            self.err(node, "status", f"status: {status!r} must be one of {', '.join(sorted(CONTROL_STATUSES))}")
        activity = self.text(node, "activity", 10, required=True, upper=True)
        idrs = self.idrs(node, "idrs", required=True)
        history = [row for h in self.items(node, "history", "history item") if (row := self.history_item(h)) is not None]
        if None in (category, status, activity, idrs):
            return None
        return {
            "category": category,
            "status": status,
            "activity": activity,
            "idrs": idrs,
            "received_date": self.date(node, "received_date"),
            "opened_date": self.date(node, "opened_date"),
            "status_date": self.date(node, "status_date"),
            "closed_date": self.date(node, "closed_date"),
            "opened_by": self.idrs(node, "opened_by"),
            "_history": history,
        }

    def history_item(self, node: dict) -> dict | None:
        self.keys(node, HISTORY_KEYS, "history item")
        day = self.date(node, "date", required=True)
        activity = self.text(node, "activity", 10, required=True, upper=True)
        if day is None or activity is None:
            return None
        return {"date": day, "idrs": self.idrs(node, "idrs"), "activity": activity, "text": self.text(node, "text", 80)}

    def letter(self, node: dict) -> dict | None:
        self.keys(node, LETTER_KEYS, "letter")
        letter = self.text(node, "letter", 8, required=True, upper=True)
        day = self.date(node, "date", required=True)
        if day is not None and self.today is not None and day > self.today:
            self.lint(node, "date", f"letter dated {day}, after the master file date {self.today}")
        if letter is None or day is None:
            return None
        return {
            "letter": letter,
            "period": self.period(node, "period"),
            "date": day,
            "idrs": self.idrs(node, "idrs"),
            "paragraphs": self.text(node, "paragraphs", 40),
            "return_address_code": self.text(node, "return_address_code", 4),
            "signature_code": self.text(node, "signature_code", 4),
            "on_idrs": self.boolean(node, "on_idrs", True),
        }

    def note(self, node: dict) -> dict | None:
        self.keys(node, NOTE_KEYS, "note")
        text = self.text(node, "text", required=True)
        day = self.date(node, "date", required=True)
        if text is None or day is None:
            return None
        return {
            "system": self.text(node, "system", 8, upper=True) or "AMS",
            "issue": self.text(node, "issue", 40),
            "text": text,
            "idrs": self.idrs(node, "idrs"),
            "date": day,
        }

    def ics_case(self, node: dict) -> None:
        self.keys(node, ICS_KEYS, "ICS case")
        tin = self.tin(node, "tin", required=True)
        mft = self.mft(node, "mft", required=True)
        period = self.period(node, "period", required=True)
        priority = self.text(node, "priority", 1, upper=True)
        if priority is not None and priority not in ("A", "B", "C"):
            self.err(node, "priority", f"priority: {priority!r} must be A, B or C")
        status = self.text(node, "status") or "open"
        if status not in ("open", "closed"):
            self.err(node, "status", f"status: {status!r} must be open or closed")
        history = node.get("history") or []
        if not isinstance(history, list):
            self.err(node, "history", "history: must be a list")
            history = []
        extra = node.get("extra") or {}
        if not isinstance(extra, dict):
            self.err(node, "extra", "extra: must be a mapping")
            extra = {}
        if tin is not None and tin not in self._tins:
            self.lint(node, "tin", f"ICS case for {tin}, which has no entity in this master file")
        if None in (tin, mft, period):
            return
        self.rows.ics_cases.append(
            {
                "tin": tin,
                "mft": mft,
                "period": period,
                "kind": self.text(node, "kind", 12, upper=True) or "FTD-ALERT",
                "priority": priority,
                "sub_code": self.text(node, "sub_code", 4),
                "status": status,
                "assigned": self.idrs(node, "assigned"),
                "opened": self.date(node, "opened"),
                "assigned_date": self.date(node, "assigned_date"),
                "closed": self.date(node, "closed"),
                "closing_code": self.text(node, "closing_code", 40),
                "history": self.jsonable(history, node, "history", money=False),
                "extra": self.jsonable(extra, node, "extra", money=False),
            }
        )

    def cycle_run(self, node: dict) -> None:
        self.keys(node, CYCLE_RUN_KEYS, "cycle run")
        cyc = self.cycle(node, "cycle")
        at = self.datetime(node, "ran_at", required=True)
        if cyc is None or at is None:
            if node.get("cycle") is None:
                self.err(node, None, "cycle: is required")
            return
        self.rows.cycle_runs.append(
            {"cycle": cyc, "ran_at": at, "posted": self.integer(node, "posted", 0) or 0, "unposted": self.integer(node, "unposted", 0) or 0}
        )


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


def _name_control(name: str, file: str) -> str:
    """Default name control: IMF the first four letters of the (last) surname, BMF of the name.

    IRS rules have many exceptions (Document 7071); fixtures may give name_control.
    """
    words = re.sub(r"[^A-Z0-9&\- ]", "", name.upper()).split()
    if not words:
        return ""
    if file == "IMF":
        surname = words[-1]
        if surname in {"JR", "SR", "II", "III", "IV"} and len(words) > 1:
            surname = words[-2]
        return surname.replace("&", "")[:4]
    if words[0] == "THE" and len(words) > 1:
        words = words[1:]
    return "".join(words)[:4]


def _close_match(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.75)
    return found[0] if found else None


def _reverses(codes_: Codes, rev: dict, orig: dict) -> bool:
    if orig["tc"] not in codes_.reversal_targets(rev["tc"]):
        return False
    return rev["tc"] != 972 or rev["ac"] == orig["ac"]


def _misc_related(orig_misc: str | None, rev_misc: str | None) -> bool:
    if not orig_misc or not rev_misc:
        return False
    if orig_misc == rev_misc:
        return True
    digits = re.match(r"^(\d{14})", orig_misc)
    return bool(digits and rev_misc[:6] == digits.group(1)[-6:])


def _original_label(codes_: Codes, rev: dict) -> str:
    targets = codes_.reversal_targets(rev["tc"])
    if rev["tc"] == 972 and rev["ac"] is not None:
        return f"TC 971 AC {rev['ac']:03d}"
    return " / ".join(f"TC {t:03d}" for t in targets)


def _line(node: Any) -> int:
    return getattr(node, "line", 0)


def validate(data: dict, need_date: bool = True, file: str | None = None, linting: bool = True) -> tuple[Rows, list[Problem]]:
    """Check a raw master-file mapping; the rows to insert and every problem (hard and lint).

    `file` names the source in problems about plain dicts (JSON, or data built in code).
    """
    if not isinstance(data, dict):
        return Rows(), [Problem(getattr(data, "file", file or DATA_SOURCE), getattr(data, "line", 0), "a master file must be a mapping")]
    v = _Validator(data, codes(), need_date=need_date, file=file, linting=linting)
    rows = v.run()
    return rows, v.problems
