"""The validator's core: its state (the data, the code tables, the master file date, the TINs,
IDRS numbers and unpostable sequence numbers seen so far), problem reporting with file and
line, and the structural checks every section uses (unknown keys, lists of mappings,
free-form data made JSON-safe).

The section checks (`fields`, `employees`, `entities`...) are subclasses of `ValidatorCore`,
combined into one validator in `fixture_validate/__init__.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..fixture_compose import Codes, _p
from ..fixture_read import DATA_SOURCE, NodeList, Problem
from .schema import _TWO, MONEY_KEYS, Rows, _close_match, _to_decimal


class ValidatorCore:
    """State and reporting shared by every section check.

    `err` records a hard problem (the loader refuses the file); `lint` a data rule that a
    load tolerates and `idrs-sim fixtures check` reports (only when `linting`).
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
