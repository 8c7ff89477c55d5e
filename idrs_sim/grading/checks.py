"""Expected outcomes as data: declarative checks on a master file in `idrs-sim dump` form.

An exercise's answer key is a list of checks (procedures/<area>/<name>.yaml).  Each check
names one thing the IRM requires of the account after the trainee's work and the posting
cycles that follow it -- a transaction, an unpostable resolution, a refund, a letter, a
control base, an AMS note, a command used or never used -- with the IRM paragraph and one
line a trainee understands.  The procedure tests and `idrs-sim grade` both evaluate these
checks, so each expected outcome is stated once.

Pure: dicts in, results out (no database).  The check kinds and their keys are listed in
`KINDS`; `validate_check` refuses anything else, so a typo in an answer key is an error,
not a check that always holds.  Finding the target in the dump and comparing values is
`idrs_sim.grading.dump_match`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import dump_match as dm
from .appeals_checks import APPEALS_KINDS, APPEALS_REQUIRED
from .missed import Missed

__all__ = ["KINDS", "Check", "CheckError", "CheckResult", "evaluate", "parse_check", "validate_check"]

Dump = Mapping[str, Any]
Audit = list[Mapping[str, Any]]


class CheckError(ValueError):
    """An answer-key check that cannot be evaluated (unknown kind or key, missing TIN)."""


@dataclass(frozen=True)
class Check:
    """One expected result: its id, the IRM paragraph, the trainee's explanation, the test."""

    id: str
    irm: str
    why: str
    kind: str
    spec: Mapping[str, Any]


@dataclass(frozen=True)
class CheckResult:
    check: Check
    met: bool
    found: str = ""  # what the account shows instead, when missed

    @property
    def line(self) -> str:
        mark = "MET   " if self.met else "MISSED"
        text = f"{mark} {self.check.id:<28} IRM {self.check.irm}: {self.check.why}"
        return text if self.met or not self.found else f"{text}\n       found: {self.found}"


_Missed = Missed  # raised inside an evaluator: the check does not hold (message: what was found)


# ---- the kinds -----------------------------------------------------------------------------------

_TXN_KEYS = ("tc", "ac", "misc", "dln", "amount", "cycle", "status", "reversed", "secondary_date")
_PLACE = ("tin", "mft", "period")


def _txn(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """Transactions of a module (tin, mft, period) or of the entity (tin alone).

    Every other key filters (status defaults to posted; `status: any` takes all); `count`
    (default 1) or `at_least` says how many must match.
    """
    holder = dm.holder(d, spec)
    where = {k: v for k, v in spec.items() if k not in (*_PLACE, "count", "at_least")}
    status = where.pop("status", "posted")
    rows = list(holder.get("transactions") or [])
    if status != "any":
        rows = [t for t in rows if t.get("status") == status]
    all_of_tc = [t for t in rows if t.get("tc") == where.get("tc")]
    found = dm.matching(rows, where)
    if spec.get("at_least") is not None:
        dm.count(spec, found, _TXN_KEYS)
    elif len(found) != int(spec.get("count", 1)):
        raise _Missed(f"{len(found)} matching, {spec.get('count', 1)} expected; TC {where.get('tc')} there: "
                      f"{dm.brief(all_of_tc, _TXN_KEYS)}")


def _refunds(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """The module's TC 846s as [amount, method, cycle]: `are` (all of them) or `last`."""
    holder = dm.holder(d, spec)
    got = [[t.get("amount"), t.get("refund_method") or "", t.get("cycle") or ""]
           for t in holder.get("transactions") or [] if t.get("tc") == 846 and t.get("status") == "posted"]
    if "are" in spec:
        want, have = spec["are"], got
    else:
        want, have = [spec["last"]], got[-1:]
    if not dm.same(list(want), have):
        raise _Missed(f"refunds {got or 'none'}")


_CASE_KEYS = ("seq", "code", "status", "urc", "ccc", "release_cycle", "corrected_tin", "assigned", "remarks")


def _unpostable(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """One unpostable case by `seq` with the fields it must have (`history_has` a text)."""
    cases = [c for c in dm.cases(d) if c.get("seq") == spec["seq"]]
    if not cases:
        raise _Missed(f"no unpostable case {spec['seq']}")
    case = cases[0]
    where = {k: v for k, v in spec.items() if k not in ("seq", "history_has")}
    wrong = {k: case.get(k) for k, v in where.items() if not dm.same(v, case.get(k))}
    if wrong:
        raise _Missed(", ".join(f"{k}={v}" for k, v in wrong.items()))
    text = spec.get("history_has")
    if text and not any(text in (h.get("text") or "") for h in case.get("history") or []):
        raise _Missed(f"no history entry with {text!r}")


def _unpostables(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """Every unpostable case of a TIN (optionally of one UPC): the list of one field (`field`, `are`)."""
    cases = dm.cases(d, spec["tin"])
    if "code" in spec:
        cases = [c for c in cases if c.get("code") == spec["code"]]
    got = [c.get(spec["field"]) for c in cases]
    if not dm.same(list(spec["are"]), got):
        raise _Missed(f"{spec['field']} of the cases: {got}")


def _control(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """Control bases of a module (or entity), filtered by category, activity, status, idrs..."""
    holder = dm.holder(d, spec)
    found = dm.matching(holder.get("controls") or [],
                      {k: v for k, v in spec.items() if k not in (*_PLACE, "count", "at_least")})
    dm.count(spec, found, ("category", "activity", "status", "idrs"))


def _letter(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """Letters on the entity: `letter` and fields filter; `dates` (the list) or `count`;
    `paragraphs_have` the characters the paragraph string must contain."""
    ent = dm.entity(d, spec["tin"])
    where = {k: v for k, v in spec.items() if k not in ("tin", "count", "at_least", "dates", "paragraphs_have")}
    found = dm.matching(ent.get("letters") or [], where)
    if "dates" in spec:
        got = [x.get("date") for x in found]
        if not dm.same([str(x) for x in spec["dates"]], got):
            raise _Missed(f"letter dates {got}")
    else:
        dm.count(spec, found, ("letter", "date", "paragraphs"))
    for ch in spec.get("paragraphs_have") or "":
        if not all(ch.upper() in (x.get("paragraphs") or "").upper() for x in found):
            raise _Missed(f"paragraphs {[x.get('paragraphs') for x in found]} lack {ch!r}")


_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN FOURTEEN FIFTEEN SIXTEEN "
    "SEVENTEEN EIGHTEEN NINETEEN TWENTY".split())}
_SHORTHAND = {"WKS": "WEEKS", "WK": "WEEK", "DYS": "DAYS", "MOS": "MONTHS"}
_WORD = re.compile(r"[A-Z]+")


def _note_words(text: str) -> str:
    """A note's text as the `words` of a check are compared with it: upper-case, blanks
    collapsed, number words as digits and the usual AMS shorthand spelled out (`ADV NINE
    WKS` holds `9 WEEKS`: a review found the exact words a check named graded correct
    shorthand as missed)."""
    up = " ".join(text.upper().split())
    return _WORD.sub(lambda m: _NUMBER_WORDS.get(m.group(), _SHORTHAND.get(m.group(), m.group())), up)


def _note(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """An AMS note on the entity or its modules of the `issue` (when given) whose issue +
    text hold all the `words` (when given; compared as `_note_words`)."""
    ent = dm.entity(d, spec["tin"])
    notes = dm.all_notes(ent)
    issue = str(spec.get("issue") or "").upper()
    if issue:
        notes = [n for n in notes if str(n.get("issue") or "").upper() == issue]
    texts = [_note_words(f"{n.get('issue') or ''} {n.get('text') or ''}") for n in notes]
    words = [_note_words(str(w)) for w in spec.get("words") or []]
    patterns = [re.compile(rf"(?<![A-Z0-9]){re.escape(w)}(?![A-Z0-9])") for w in words]  # whole words: 19 is not 9
    if not any(all(p.search(t) for p in patterns) for t in texts):
        wanted = " + ".join(([f"issue {issue}"] if issue else []) + words)
        everything = [f"{n.get('issue') or ''} {n.get('text') or ''}".upper() for n in dm.all_notes(ent)]
        raise _Missed(f"no AMS note with {wanted}; notes: {everything or 'none'}")


def _entity_check(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """Fields of the entity (established, name, address...); `modules: none` for no module."""
    ent = dm.entity(d, spec["tin"])
    if spec.get("modules") == "none" and ent.get("modules"):
        raise _Missed(f"modules {[(m.get('mft'), m.get('period')) for m in ent['modules']]}")
    wrong = {k: ent.get(k) for k, v in spec.items() if k not in ("tin", "modules") and not dm.same(v, ent.get(k))}
    if wrong:
        raise _Missed(", ".join(f"{k}={v}" for k, v in wrong.items()))


def _module_check(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """A module exists (`exists: true`, the default) or does not."""
    exists = dm.module(d, spec["tin"], str(spec["mft"]), str(spec["period"])) is not None
    if exists != bool(spec.get("exists", True)):
        raise _Missed("the module exists" if exists else "no such module")


def _advice(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """The AMS note gives the date the TPP advice computes from the account (MM/DD/YYYY)."""
    from ..rules.tpp_advice import ADVICE_DATES  # the advice rules: one statement, read here

    ent = dm.entity(d, spec["tin"])
    rule = ADVICE_DATES.get(spec["rule"])
    if rule is None:
        raise CheckError(f"unknown advice rule {spec['rule']!r}: one of {sorted(ADVICE_DATES)}")
    when = rule(ent, dt.date.fromisoformat(str(d["date"])), str(spec.get("period", "")))
    _note(d, {"tin": spec["tin"], "words": [when.strftime("%m/%d/%Y")]}, audit)


def _ics_case(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """ICS cases of a module (FTD-ALERT unless `kind` says otherwise) with the fields given;
    `history_has` a text the case history must hold; `count` (default 1)."""
    where = {k: v for k, v in spec.items() if k not in ("count", "at_least", "history_has")}
    where.setdefault("kind", "FTD-ALERT")
    found = dm.matching(d.get("ics_cases") or [], where)
    text = spec.get("history_has")
    if text:
        found = [c for c in found if any(text.upper() in str(h).upper() for h in c.get("history") or [])]
    if spec.get("at_least") is None and len(found) != int(spec.get("count", 1)):
        same = [c for c in d.get("ics_cases") or [] if c.get("tin") == spec.get("tin")]
        raise _Missed(f"{len(found)} matching; cases on {spec.get('tin')}: "
                      f"{dm.brief(same, ('mft', 'period', 'kind', 'status', 'closing_code', 'assigned'))}")
    dm.count(spec, found, ("mft", "period", "kind", "status", "closing_code"))


def _path(row: Any, dotted: str) -> Any:
    """The value at a dotted path; through a list, the list of its items' values
    (``docs.kind``: the kinds of all documents)."""
    for part in dotted.split("."):
        if isinstance(row, list):
            row = [x.get(part) if isinstance(x, Mapping) else None for x in row]
        else:
            row = row.get(part) if isinstance(row, Mapping) else None
    return row


def _record(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """A record of a top-level list of the dump (`in`: appeals, acds_cases, ics_cases...) that
    `where` selects; `has` the values of dotted paths (a list compares item by item, a mapping
    as a subset, null as absent); `contains` / `lacks` an item in a list field; `tally` how
    often items occur in a list field (``{docs.kind: {MEDIATOR-REPORT: 1}}``); `count`."""
    rows = [r for r in d.get(str(spec["in"])) or [] if isinstance(r, Mapping)]
    found = [r for r in rows if all(dm.same(v, _path(r, k)) for k, v in (spec.get("where") or {}).items())]
    want = int(spec.get("count", 1))
    if len(found) != want:
        raise _Missed(f"{len(found)} {spec['in']} record(s) where {dict(spec.get('where') or {})}, {want} expected")
    for r in found:
        wrong = {k: _path(r, k) for k, v in (spec.get("has") or {}).items() if not dm.same(v, _path(r, k))}
        if wrong:
            raise _Missed(", ".join(f"{k}={v}" for k, v in wrong.items()))
        for key, item in (spec.get("contains") or {}).items():
            if not any(dm.same(item, x) for x in _path(r, key) or []):
                raise _Missed(f"{key} has no {item}: {_path(r, key)}")
        for key, item in (spec.get("lacks") or {}).items():
            if any(dm.same(item, x) for x in _path(r, key) or []):
                raise _Missed(f"{key} holds {item}")
        for key, items in (spec.get("tally") or {}).items():
            for item, n in items.items():
                seen = sum(dm.same(item, x) for x in _path(r, key) or [])
                if seen != int(n):
                    raise _Missed(f"{key} holds {item} {seen} time(s), {n} expected")


def _command(d: Dump, spec: Mapping[str, Any], audit: Audit) -> None:
    """The trainee ran (`used: true`) or never ran (`used: false`) a command code (on one TIN)."""
    code = str(spec["code"]).upper()
    rows = [a for a in audit if (a.get("command") or "").upper() == code]
    if spec.get("tin"):
        rows = [a for a in rows if a.get("tin") == spec["tin"]]
    used = bool(rows)
    if used != bool(spec.get("used", True)):
        raise _Missed(f"{code} run {len(rows)} time(s)" if used else f"{code} never run")


KINDS: dict[str, tuple[Callable[[Dump, Mapping[str, Any], Audit], None], frozenset[str]]] = {
    "txn": (_txn, frozenset({"tin", "mft", "period", "count", "at_least", "tc", "ac", "misc", "dln", "amount",
                             "cycle", "status", "reversed", "secondary_date", "post_delay", "extra",
                             "refund_method", "date"})),
    "refunds": (_refunds, frozenset({"tin", "mft", "period", "are", "last"})),
    "unpostable": (_unpostable, frozenset({"seq", "history_has", *_CASE_KEYS})),
    "unpostables": (_unpostables, frozenset({"tin", "code", "field", "are"})),
    "control": (_control, frozenset({"tin", "mft", "period", "count", "at_least", "category", "activity",
                                     "status", "idrs", "received_date"})),
    "letter": (_letter, frozenset({"tin", "letter", "period", "count", "at_least", "dates", "paragraphs",
                                   "paragraphs_have", "return_address_code", "signature_code", "on_idrs", "date"})),
    "note": (_note, frozenset({"tin", "words", "issue"})),
    "entity": (_entity_check, frozenset({"tin", "modules", "established", "name", "address"})),
    "module": (_module_check, frozenset({"tin", "mft", "period", "exists"})),
    "advice": (_advice, frozenset({"tin", "rule", "period"})),
    "ics_case": (_ics_case, frozenset({"tin", "mft", "period", "kind", "status", "closing_code", "assigned",
                                       "priority", "sub_code", "closed", "history_has", "count", "at_least"})),
    "record": (_record, frozenset({"in", "where", "has", "contains", "lacks", "tally", "count"})),
    "command": (_command, frozenset({"code", "used", "tin"})),
    **APPEALS_KINDS,
}
_REQUIRED = {"txn": ("tin", "tc"), "refunds": ("tin", "mft", "period"), "unpostable": ("seq",),
             "unpostables": ("tin", "field", "are"), "control": ("tin",), "letter": ("tin",),
             "note": ("tin",), "entity": ("tin",), "module": ("tin", "mft", "period"),
             "advice": ("tin", "rule"), "ics_case": ("tin",), "record": ("in", "where"), "command": ("code",),
             **APPEALS_REQUIRED}


def parse_check(raw: Mapping[str, Any], *, default_irm: str, where: str = "") -> Check:
    """A check from its answer-key form: ``{id, irm?, why, <kind>: {...}}`` (CheckError if not)."""
    if not isinstance(raw, Mapping):
        raise CheckError(f"{where}: a check is a mapping, not {type(raw).__name__}")
    kinds = [k for k in raw if k in KINDS]
    extra = [k for k in raw if k not in KINDS and k not in ("id", "irm", "why")]
    if len(kinds) != 1 or extra:
        raise CheckError(f"{where}: a check needs exactly one of {', '.join(KINDS)} "
                         f"(and id, irm, why){'; unknown: ' + ', '.join(map(str, extra)) if extra else ''}")
    if not raw.get("id") or not raw.get("why"):
        raise CheckError(f"{where}: every check needs an id and a one-line why")
    check = Check(id=str(raw["id"]), irm=str(raw.get("irm") or default_irm), why=str(raw["why"]).strip(),
                  kind=kinds[0], spec=dict(raw[kinds[0]] or {}))
    validate_check(check, where)
    return check


def validate_check(check: Check, where: str = "") -> None:
    allowed = KINDS[check.kind][1]
    unknown = sorted(set(check.spec) - allowed)
    if unknown:
        raise CheckError(f"{where}: check {check.id}: {check.kind} has no key {', '.join(unknown)}")
    missing = [k for k in _REQUIRED[check.kind] if k not in check.spec]
    if missing:
        raise CheckError(f"{where}: check {check.id}: {check.kind} needs {', '.join(missing)}")
    if check.kind == "refunds" and ("are" in check.spec) == ("last" in check.spec):
        raise CheckError(f"{where}: check {check.id}: refunds takes `are` or `last`")
    if check.kind == "note" and not (check.spec.get("words") or check.spec.get("issue")):
        raise CheckError(f"{where}: check {check.id}: note takes `words`, `issue` or both")


def evaluate(check: Check, dump: Dump, audit: Audit | None = None) -> CheckResult:
    """Met or missed, with what the account shows when missed."""
    fn = KINDS[check.kind][0]
    try:
        fn(dump, check.spec, list(audit or []))
    except _Missed as exc:
        return CheckResult(check, False, str(exc))
    return CheckResult(check, True)
