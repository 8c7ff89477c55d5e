"""Fixture validation: a raw mapping (YAML with lines, or a dump's JSON) -> the rows to insert,
with every problem at its file and line; "lint" problems (fictitious TINs, DLN structure,
unknown codes, MISC formats) do not stop a load but `idrs-sim fixtures check` reports them.

Split by schema section; `_Validator` combines them and walks the master file in order:

* `schema` - the keys, formats and value parsers of the schema; `Rows`.
* `core` - the validator's state, problem reporting, unknown keys, lists, free-form data.
* `fields` - scalar converters (dates, cycles, TINs, DLNs, amounts...) and their rules.
* `employees`, `entities` (and their modules), `transactions`, `reversals`, `records`
  (unpostables, control bases, history, letters, notes), `ics_cases` - one per section.
* Appeals (`appeals:`) and Appeals TDC (`acds_cases:`) are checked by
  `masterfile/appeals_fixtures.py` and `masterfile/acds_data.py`, called from `run`.

The sections share one validator's state (references, seen TINs, the code tables), hence
subclasses of one core rather than separate functions.  Part of
`idrs_sim.masterfile.fixtures`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...clock import START_OF_DAY
from ...posting import calendar
from .. import acds_data  # Appeals TDC (issue 26)
from ..appeals_fixtures import (  # Appeals on ACMS (issue 25)
    validate_appeal,
)
from ..db import _CLOCK_KEY
from ..fixture_compose import TOP_KEYS, codes
from ..fixture_read import DATA_SOURCE, Problem
from .employees import EmployeeSection
from .entities import EntitySection
from .ics_cases import IcsCaseSection
from .schema import CYCLE_RUN_KEYS, Rows, _to_time

__all__ = ["Rows", "_Validator", "validate"]


class _Validator(EmployeeSection, EntitySection, IcsCaseSection):
    """Walks a raw master-file mapping, collecting problems and building rows.

    Hard problems (the loader refuses) are those the database or the rest of the simulator
    cannot live with: wrong types, malformed dates/cycles/TINs, unknown keys, duplicates.
    Lint problems are the project's data rules (fictitious TINs, DLN structure, known codes,
    reversal pairs...) that `idrs-sim fixtures check` reports.
    """

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


def validate(data: dict, need_date: bool = True, file: str | None = None, linting: bool = True) -> tuple[Rows, list[Problem]]:
    """Check a raw master-file mapping; the rows to insert and every problem (hard and lint).

    `file` names the source in problems about plain dicts (JSON, or data built in code).
    """
    if not isinstance(data, dict):
        return Rows(), [Problem(getattr(data, "file", file or DATA_SOURCE), getattr(data, "line", 0), "a master file must be a mapping")]
    v = _Validator(data, codes(), need_date=need_date, file=file, linting=linting)
    rows = v.run()
    return rows, v.problems
