"""What a fixture's narrative promises after posting cycles, and whether it holds.

A scenario narrative that names a posting outcome after a cycle ("The return posts in
cycle 202426", "At the next posting cycle ICS closes the FTD Alert") states it once more
in machine-readable form, `scenario.expect_after_cycles` (docs/masterfile-schema.md):

    scenario:
      narrative: >- ... The return posts in cycle 202426. ...
      expect_after_cycles:
        cycles: 1                    # Cycle runs from the fixture's date (default 1)
        transactions:                # each must match at least one transaction
          - {tin: "400-00-1125", mft: "30", period: "202312", tc: 150, status: posted, cycle: "202426"}
        absent:                      # none may match
          - {tin: "400-00-1125", mft: "32", period: "202312", tc: 976}
        unpostables:                 # each must match at least one case of the TIN
          - {tin: "400-00-1125", seq: "000000325", status: closed}
        ics_cases:                   # each must match at least one ICS case
          - {tin: "99-2000021", kind: FTD-ALERT, status: closed}

A row names where to look (`tin`, and `mft` + `period` for a module; neither: the entity's
own transactions) and the fields that must be equal in the `idrs-sim dump` data (amounts
as strings, e.g. "1256.00").  `no_new_unpostables: true` says the runs made no new
unpostable at all.  The fixture test (tests/test_fixture_promises.py) runs the cycles on
every fixture and checks; it fails when a narrative names such an outcome
(`promised_outcomes`) and the key is missing.  Pure functions over dump dicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["KEY", "all_case_seqs", "check_promise", "promised_outcomes", "spec_problems"]

KEY = "expect_after_cycles"

_SECTIONS = ("transactions", "absent", "unpostables", "ics_cases")
_SPEC_KEYS = {"cycles", "no_new_unpostables", *_SECTIONS}

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
#: A cycle the account moves on to: "in/to/by cycle 202426", "the next (posting) cycle",
#: "run one cycle", "after two cycles" -- not "Cycle 202425 is within cycles 1-46".
_FORWARD_CYCLE = re.compile(
    r"\b(?:(?:in|to|by|until|from)\s+cycle\s+\d{6}|next\s+(?:posting\s+)?cycle|"
    r"run\s+(?:one|two|three|a|\d+)\s+cycles?|after\s+(?:one|two|three|a|\d+)\s+cycles?)\b",
    re.IGNORECASE,
)
#: What posting does to an account, in the present tense of a promise.
_OUTCOME = re.compile(
    r"\b(?:posts?|unposts?|moves?|refunds?|closes?|arrives?|generates?|issues?|goes|reaches|releases|"
    r"post-delayed)\b",
    re.IGNORECASE,
)


def promised_outcomes(narrative: str | None) -> list[str]:
    """The sentences of a narrative that name a posting outcome after a cycle."""
    text = " ".join(str(narrative or "").split())
    return [s for s in _SENTENCE.split(text) if _FORWARD_CYCLE.search(s) and _OUTCOME.search(s)]


def spec_problems(spec: Any) -> list[str]:
    """What is wrong with an `expect_after_cycles` value itself (empty: usable)."""
    if not isinstance(spec, Mapping):
        return [f"{KEY}: must be a mapping"]
    out = [f"{KEY}: unknown key {k!r}" for k in spec if k not in _SPEC_KEYS]
    cycles = spec.get("cycles", 1)
    if not isinstance(cycles, int) or cycles < 1:
        out.append(f"{KEY}: cycles must be a whole number 1 or more")
    if not any(spec.get(s) for s in _SECTIONS) and not spec.get("no_new_unpostables"):
        out.append(f"{KEY}: states no outcome")
    for section in _SECTIONS:
        rows = spec.get(section) or []
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) and r.get("tin") for r in rows):
            out.append(f"{KEY}.{section}: must be a list of mappings, each with a tin")
    return out


def _same(want: Any, have: Any) -> bool:
    return str(want).strip().upper() == str(have).strip().upper() if have is not None else want is None


def _matches(row: Mapping[str, Any], record: Mapping[str, Any], skip: Iterable[str]) -> bool:
    return all(_same(v, record.get(k)) for k, v in row.items() if k not in skip)


def _entity(dump: Mapping[str, Any], tin: str) -> Mapping[str, Any] | None:
    return next((e for e in dump.get("entities") or [] if e.get("tin") == tin), None)


def _holder(dump: Mapping[str, Any], row: Mapping[str, Any]) -> Mapping[str, Any] | None:
    ent = _entity(dump, str(row["tin"]))
    if ent is None or (row.get("mft") is None and row.get("period") is None):
        return ent
    return next((m for m in ent.get("modules") or []
                 if str(m.get("mft")) == str(row.get("mft")) and str(m.get("period")) == str(row.get("period"))), None)


def _cases(dump: Mapping[str, Any], tin: str) -> list[Mapping[str, Any]]:
    ent = _entity(dump, tin) or {}
    out = list(ent.get("unpostables") or [])
    for m in ent.get("modules") or []:
        out += m.get("unpostables") or []
    return out


def all_case_seqs(dump: Mapping[str, Any]) -> set[str]:
    """Every unpostable sequence number in a dump (to see what the runs added)."""
    return {str(c.get("seq")) for e in dump.get("entities") or [] for c in _cases(dump, e["tin"])}


def check_promise(spec: Mapping[str, Any], dump: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> list[str]:
    """Each promise of `spec` that the dump after the cycles breaks, in words."""
    problems: list[str] = []
    where = ("tin", "mft", "period")
    for row in spec.get("transactions") or []:
        holder = _holder(dump, row)
        if holder is None or not any(_matches(row, t, where) for t in holder.get("transactions") or []):
            problems.append(f"no transaction {dict(row)}")
    for row in spec.get("absent") or []:
        holder = _holder(dump, row)
        if holder is not None and any(_matches(row, t, where) for t in holder.get("transactions") or []):
            problems.append(f"transaction present that must not be: {dict(row)}")
    for row in spec.get("unpostables") or []:
        if not any(_matches(row, c, ("tin",)) for c in _cases(dump, str(row["tin"]))):
            problems.append(f"no unpostable case {dict(row)}")
    for row in spec.get("ics_cases") or []:
        if not any(_matches(row, c, ()) for c in dump.get("ics_cases") or []):
            problems.append(f"no ICS case {dict(row)}")
    if spec.get("no_new_unpostables") and before is not None:
        new = sorted(all_case_seqs(dump) - all_case_seqs(before))
        if new:
            problems.append(f"new unpostable cases {new}")
    return problems
