"""Validations shared by the input command codes (FRM77, ADJ54, UPRES, LETER, INCHG, ...).

IDRS checks every input element before anything reaches End-of-Day: a bad element is
refused with a line-24 literal and a ``*`` right of it (IRM 2.3.81, 2.4.54).  The rules
that are *facts about codes* live as data, so a trainer can read and extend them without
Python:

* ``tables/codes.yaml`` (fixtures engineer): every TC 971/972 action code with its
  level (entity | module | either), the roles that may input it and, where the IRM fixes
  one, a MISC regular expression (`misc` for TC 971, `reversal_misc` for TC 972);
* ``tables/misc_rules.yaml`` (this module's data): what the FRM77 screen checks on input
  beyond a regex: MISC required / forbidden, literal lists, SECONDARY-DT, cross-references,
  named account checks (DLN of a return on the account, one AC 111 per DLN on MFT 32...);
* ``tables/input_values.yaml``: ADJ54 transaction codes, URCs, letters, AMS issue categories.

Everything here is pure (no database writes); functions that need the account take the
ORM objects.  Each check returns None when the element is good, else a `Problem`
(label + literal), so a handler can collect all bad fields and mark them at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..posting import calendar
from ..rules import tables, tins
from ..rules import tpp as tpp_rules
from ..rules.dates import OLDEST_YEARS, parse_mmddyyyy, too_old  # re-exported: one date parser (rules.dates)

ANY = "any"

# ---- line-24 literals shared by several input codes -------------------------------
INVALID_DATE = "INVALID DATE - MMDDYYYY"
DATE_IN_FUTURE = "DATE LATER THAN CURRENT DATE"
INVALID_POST_DELAY = "POST-DELAY MUST BE 0-6 CYCLES"
INVALID_TIN_LITERAL = "INVALID TIN"
INVALID_CYCLE = "INVALID CYCLE - YYYYCC"
CYCLE_NOT_FUTURE = "REL-CYC MUST BE LATER THAN CURRENT CYCLE"

#: Posting delay: IDRS accepts a posting delay code of 1-6 cycles (IRM 21.5.1 / 3.13.122
#: "Posting Delay Codes"); blank or 0 = no delay.  See docs/input-codes.md.
MAX_POST_DELAY = 6


@dataclass(frozen=True)
class Problem:
    """One bad input element: the screen label to mark and the line-24 literal."""

    label: str
    message: str


# ---------------------------------------------------------------------------------
# data files


def codes_table() -> dict[str, Any]:
    """tables/codes.yaml (TC and action-code meanings, levels, roles), via the rules layer."""
    return tables.codes()


def misc_rules() -> dict[str, Any]:
    """tables/misc_rules.yaml (FRM77 input rules per action code), via the rules layer."""
    return tables.misc_rules()


def input_data() -> dict[str, Any]:
    """tables/input_values.yaml (ADJ54 TCs, URCs, letters, AMS issues), via the rules layer."""
    return tables.input_values()


# ---------------------------------------------------------------------------------
# simple elements




def fmt_mmddyyyy(d: dt.date | None) -> str:
    return d.strftime("%m%d%Y") if d else ""


def check_date(label: str, text: str, today: dt.date, *, required: bool = False,
               not_future: bool = True) -> tuple[dt.date | None, Problem | None]:
    """(date, problem) for a MMDDYYYY element; blank is fine unless `required`.  A date of
    something that happened (`not_future`) is neither later than today nor more than
    OLDEST_YEARS before it."""
    text = (text or "").strip()
    if not text:
        return None, (Problem(label, f"{label} REQUIRED") if required else None)
    d = parse_mmddyyyy(text)
    if d is None:
        return None, Problem(label, f"INVALID {label} - MMDDYYYY")
    if not_future and d > today:
        return None, Problem(label, f"{label} LATER THAN CURRENT DATE")
    if not_future and too_old(d.year, today):
        return None, Problem(label, f"{label} MORE THAN {OLDEST_YEARS} YEARS AGO")
    return d, None


def check_post_delay(text: str, label: str = "POST-DELAY") -> tuple[int, Problem | None]:
    """Posting delay in cycles: blank = 0, else 0-6 (IDRS posting delay code range)."""
    text = (text or "").strip()
    if not text:
        return 0, None
    if not re.fullmatch(r"[0-9]{1,2}", text) or int(text) > MAX_POST_DELAY:
        return 0, Problem(label, INVALID_POST_DELAY)
    return int(text), None


def check_future_cycle(label: str, text: str, current: str) -> tuple[str | None, Problem | None]:
    """A release cycle YYYYCC that must be later than the current cycle (UPRES field 48)."""
    text = (text or "").strip()
    if not text:
        return None, None
    if calendar.validate_cycle(text) is not None:
        return None, Problem(label, INVALID_CYCLE)
    if text <= current:
        return None, Problem(label, CYCLE_NOT_FUTURE)
    return text, None


def normalize_tin(text: str) -> list[str]:
    """The dashed forms a typed TIN may stand for (`rules.tins.dashed_forms`)."""
    return tins.dashed_forms(text)


def parse_amount(text: str) -> Decimal | None:
    """A money amount as typed on ADJ54: `1234.56`, `1,234.56`, `.00`, `0`; never negative.

    The sign of an adjustment comes from its TC (290 debit, 291 credit), not the amount.
    """
    text = (text or "").strip()
    if not text or not re.fullmatch(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]{2})?", text):
        return None
    if text in (".",) or not re.search(r"[0-9]", text):
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if value >= Decimal("10000000000"):
        return None
    return value.quantize(Decimal("0.01"))


def has_role(roles: list[str] | tuple[str, ...] | None, allowed: Any) -> bool:
    """Whether an employee with `roles` may use something restricted to `allowed`.

    `allowed` is ``any`` (or missing) or a list of roles; instructors may use everything,
    as they may run every command code (idrs_sim.commands.CommandDef.allows).
    """
    if allowed in (None, ANY, [ANY]):
        return True
    mine = set(roles or [])
    return bool(mine & (set(allowed) | {"instructor"}))


def is_rivo_number(idrs: str | None) -> bool:
    """IDRS numbers 148xxxxxxx belong to RIVO (the rule: idrs_sim.rules.tpp.is_rivo_number)."""
    return tpp_rules.is_rivo_number(idrs)


RIVO_ROLES = ("rivo-examiner",)


# ---------------------------------------------------------------------------------
# TC 971 / 972 action codes (FRM77)


@dataclass(frozen=True)
class ActionRule:
    """Everything FRM77 checks for one TC + action code, merged from the two data files."""

    tc: int
    ac: int
    meaning: str
    level: str  # entity | module | either (codes.yaml), or posts_to from misc_rules
    roles: Any
    misc: str = "optional"  # required | optional | forbidden
    values: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    message: str = "INVALID MISC FIELD"
    secondary_dt: str = "optional"  # required | optional | forbidden | tax_year
    xref: bool = False
    checks: tuple[str, ...] = ()
    irm: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def misc_ok(self, misc: str) -> bool:
        """Whether a (non-blank, upper-case) MISC fits the literals or patterns, if any."""
        if not self.values and not self.patterns:
            return True
        if misc in self.values:
            return True
        return any(re.fullmatch(p, misc) for p in self.patterns)


def _ac_key(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def action_rule(tc: int, ac: int) -> ActionRule | None:
    """The FRM77 rule for TC `tc` (971/972) with action code `ac`, None if not valid."""
    if tc not in (971, 972):
        return None
    base = {_ac_key(k): v for k, v in (codes_table().get("action_codes") or {}).items()}
    rules = {_ac_key(k): v for k, v in (misc_rules().get("action_codes") or {}).items()}
    if ac not in base and ac not in rules:
        return None
    b = base.get(ac) or {}
    r_all = rules.get(ac) or {}
    r = r_all.get(str(tc)) or r_all.get(tc) or {}
    if r_all.get("valid_tcs") and tc not in r_all["valid_tcs"]:
        return None
    regex = b.get("misc") if tc == 971 else b.get("reversal_misc")
    patterns = tuple(r.get("patterns") or ([regex] if regex and not r.get("values") else []))
    return ActionRule(
        tc=tc,
        ac=ac,
        meaning=str(r_all.get("meaning") or b.get("meaning") or ""),
        level=str(r_all.get("posts_to") or b.get("level") or "module"),
        roles=r_all.get("roles", b.get("roles", ANY)),
        misc=str(r.get("misc", "optional")),
        values=tuple(str(v).upper() for v in (r.get("values") or [])),
        patterns=patterns,
        message=str(r.get("message") or "INVALID MISC FIELD"),
        secondary_dt=str(r.get("secondary_dt", "optional")),
        xref=bool(r.get("xref", False)),
        checks=tuple(r.get("checks") or ()),
        irm=str(r_all.get("irm") or b.get("irm") or ""),
        extra={k: v for k, v in r.items() if k not in {
            "misc", "values", "patterns", "message", "secondary_dt", "xref", "checks"}},
    )


def check_misc(rule: ActionRule, misc: str) -> Problem | None:
    """MISC against the action code's rule (required / forbidden / literals / patterns)."""
    misc = (misc or "").strip().upper()
    if not misc:
        if rule.misc == "required":
            return Problem("MISC", f"MISC REQUIRED FOR TC {rule.tc} AC {rule.ac:03d}")
        return None
    if rule.misc == "forbidden":
        return Problem("MISC", f"MISC NOT ALLOWED FOR TC {rule.tc} AC {rule.ac:03d}")
    if not rule.misc_ok(misc):
        return Problem("MISC", rule.message)
    return None


def valid_action_codes(tc: int) -> list[int]:
    """Every action code FRM77 accepts with `tc` (for help and docs)."""
    keys = {_ac_key(k) for k in (codes_table().get("action_codes") or {})}
    keys |= {_ac_key(k) for k in (misc_rules().get("action_codes") or {})}
    return sorted(k for k in keys if k is not None and action_rule(tc, k) is not None)


# ---------------------------------------------------------------------------------
# ADJ54, URCs, letters, AMS issues (tables/input_values.yaml)


def adj54_tcs() -> dict[int, str]:
    """Transaction codes ADJ54 accepts, with a one-line meaning."""
    data = input_data().get("adj54") or {}
    return {int(k): str(v) for k, v in (data.get("transaction_codes") or {}).items()}


def urc_table() -> dict[str, dict[str, Any]]:
    """Unpostable resolution codes UPRES accepts (tables/input_values.yaml `urcs`)."""
    return {str(k).upper(): (v or {}) for k, v in (input_data().get("urcs") or {}).items()}


def letter_table() -> dict[str, dict[str, Any]]:
    """Letters LETER accepts (tables/input_values.yaml `letters`), keyed by letter number."""
    return {str(k).upper(): (v or {}) for k, v in (input_data().get("letters") or {}).items()}


def normalize_letter(text: str) -> str:
    """`0418C` -> `418C`, `4674c` -> `4674C`: the key of the letter table."""
    t = (text or "").strip().upper()
    m = re.fullmatch(r"0*([0-9]{1,4})([A-Z]{0,2})", t)
    return f"{m.group(1)}{m.group(2)}" if m else t


def ams_issues() -> list[str]:
    """AMS issue categories (Exhibit 25.25.6-7 is not in the seed: the named ones + [I])."""
    return [str(v) for v in (input_data().get("ams_issues") or [])]


def us_states() -> set[str]:
    return {str(v).upper() for v in (input_data().get("states") or [])}
