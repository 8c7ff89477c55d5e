"""Field checks: one converter per kind of scalar in the schema (text, whole number, date,
cycle, tax period, MFT, amount, IDRS number, TIN, DLN), each reporting its problem and
returning None on error, with the project's rules on TINs (fictitious only) and DLN
structure (idrs-screens-and-codes section 8).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ...digits import is_digits
from .. import limits
from ..fixture_compose import _cycle_problem
from .core import ValidatorCore
from .schema import _MAX_MONEY, DLN_RE, EIN_RE, IDRS_RE, PERIOD_RE, SSN_RE, _to_decimal, calendar_isleap


class FieldChecks(ValidatorCore):
    """Scalar converters over `ValidatorCore`'s state and reporting."""

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
            self.lint(node, key, f"MFT {text} is not in tables/codes.yaml")
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
