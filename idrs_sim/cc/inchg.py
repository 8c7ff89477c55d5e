"""ENREQ / INCHG: the IMF entity change -- here, the address change (TC 014).

Which code: on IDRS an entity change is requested with ENREQ, which generates the change
screen for the file: INCHG for IMF, BNCHG for BMF, EOCHG for exempt organisations
(IRM 2.4.6, "Command Codes ENREQ, INCHG, BNCHG and EOCHG"); ENMOD must precede ENREQ
and INCHG (IRM 2.3.15).  The address change it inputs is TC 014 (Document 6209 §8A).
idrs-sim implements the IMF address change: ``ENREQ TIN`` (after ``ENMOD TIN`` in this
terminal) returns INCHG; ``INCHG TIN`` does the same.  BMF TINs are refused
(``INCHG IS FOR IMF TINS - BNCHG NOT AVAILABLE``).

The change is *pending* until it posts: a TC 014 on the entity (ENMOD shows it PN with
its cycle, "pending address change" in IRM 25.25.6) carrying the new address lines in
``extra["address"]``; the posting run replaces Entity.address when it posts.  IRM
25.25.6.5.1.2.1: a TC 290 .00 input the same day is post-delayed one cycle so that the
refund goes to the new address.
"""

from __future__ import annotations

import re
from typing import Any

from ..commands import handles
from ..masterfile.models import Entity
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .display import tin_display
from .input_account import target_entity
from .input_pending import DOC_CODE_ENTITY, new_pending
from .research import mark, refuse

ENMOD_FIRST = "ENMOD MUST PRECEDE ENREQ"
IMF_ONLY = "INCHG IS FOR IMF TINS - BNCHG NOT AVAILABLE"
STREET_REQUIRED = "STREET ADDRESS REQUIRED"
CITY_REQUIRED = "CITY REQUIRED"
INVALID_STATE = "INVALID STATE CODE"
INVALID_ZIP = "INVALID ZIP CODE"
INVALID_TEXT = "INVALID CHARACTERS IN ADDRESS"

_LABELS = ("IN-CARE-OF", "STREET", "CITY", "STATE", "ZIP", "POST-DELAY", "REMARKS")
_TEXT = re.compile(r"[A-Z0-9 #&'/.,%-]*")


def _values(ctx: Context, ent: Entity, fields: dict[str, str], status: str = "") -> dict[str, Any]:
    addr = [str(a) for a in (ent.address or [])]
    pending = [t for t in ent.entity_transactions if t.tc == 14 and t.status == "pending"]
    return {
        "cmd": f"INCHG {ent.tin} {ent.name_control}",
        "tinx": tin_display(ent),
        "name1": (ent.name_lines or [""])[0],
        "cur1": "  ".join(addr),
        "pend": f"PENDING TC 014 POSTS IN CYCLE {pending[-1].due_cycle}" if pending else "",
        "cycle": ctx.cycle,
        "status": status,
        **fields,
    }


def _imf_entity(ctx: Context) -> Entity | Refusal:
    ent = target_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    if ent.file != "IMF":
        return refuse(ctx, IMF_ONLY, "tin")
    return ent


def _enmod_first(ctx: Context, ent: Entity) -> Refusal | None:
    """ENMOD on this TIN must be the code before ENREQ (or INCHG asked for its screen)."""
    if ctx.state.last_code != "ENMOD" or ctx.state.last_tin != ent.tin:
        return refuse(ctx, ENMOD_FIRST, "code")
    return None


@handles("ENREQ")
def enreq(ctx: Context) -> Display | Refusal:
    """Generate the INCHG screen for an IMF TIN (ENMOD first)."""
    ent = _imf_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    bad = _enmod_first(ctx, ent)
    if bad is not None:
        return bad
    ctx.outcome = f"ENREQ INCHG DISPLAYED {ent.tin}"
    return Display("inchg", _values(ctx, ent, {label: "" for label in _LABELS}))


@handles("INCHG")
def inchg(ctx: Context) -> Display | Refusal:
    """Validate the new address and store the pending TC 014 (REQUEST COMPLETED)."""
    ent = _imf_entity(ctx)
    if isinstance(ent, Refusal):
        return ent
    typed = {label: ctx.value(label) for label in _LABELS}
    if not any(typed.values()) and "STREET" not in ctx.screen_values:
        bad = _enmod_first(ctx, ent)
        if bad is not None:
            return bad
        ctx.outcome = f"INCHG SCREEN DISPLAYED {ent.tin}"
        return Display("inchg", _values(ctx, ent, {label: "" for label in _LABELS}))
    if ctx.state.last_tin != ent.tin or ctx.state.last_code not in ("ENMOD", "ENREQ", "INCHG"):
        return refuse(ctx, ENMOD_FIRST, "code")  # keyed straight in: the research ENREQ needs
    up = {k: val.upper() for k, val in typed.items()}
    problems: list[v.Problem] = []
    for label in ("IN-CARE-OF", "STREET", "CITY"):
        if up[label] and not _TEXT.fullmatch(up[label]):
            problems.append(v.Problem(label, INVALID_TEXT))
    if not up["STREET"]:
        problems.append(v.Problem("STREET", STREET_REQUIRED))
    if not up["CITY"]:
        problems.append(v.Problem("CITY", CITY_REQUIRED))
    if up["STATE"] not in v.us_states():
        problems.append(v.Problem("STATE", INVALID_STATE))
    zip_code = up["ZIP"]
    if not re.fullmatch(r"[0-9]{5}(-?[0-9]{4})?", zip_code) or zip_code.startswith("00000"):
        problems.append(v.Problem("ZIP", INVALID_ZIP))
    delay, problem = v.check_post_delay(typed["POST-DELAY"])
    if problem:
        problems.append(problem)
    if problems:
        labels = list(dict.fromkeys(p.label for p in problems))
        ctx.outcome = f"{problems[0].message}: INCHG {ent.tin}"
        if any(label in ctx.screen_values for label in labels):
            return Refusal(problems[0].message, fields=labels)
        return Refusal(problems[0].message, marks=[mark(ctx, f"{labels[0]}>", fallback="end")])
    if len(zip_code) == 9:
        zip_code = f"{zip_code[:5]}-{zip_code[5:]}"
    lines = ([f"C/O {up['IN-CARE-OF']}"] if up["IN-CARE-OF"] else []) + [up["STREET"],
                                                                       f"{up['CITY']} {up['STATE']} {zip_code}"]
    extra: dict[str, Any] = {"address": lines, "old_address": list(ent.address or [])}
    if typed["REMARKS"]:
        extra["remarks"] = typed["REMARKS"][:60]
    txn = new_pending(ctx, ent, None, 14, misc=f"{up['STREET']} {up['CITY']}"[:40], post_delay=delay,
                      doc_code=DOC_CODE_ENTITY, extra=extra)
    ctx.outcome = f"INCHG TC 014 {ent.tin} PN {txn.due_cycle}: {' / '.join(lines)}"[:80]
    status = f"TC 014 ADDRESS CHANGE INPUT - PENDING, POSTS IN CYCLE {txn.due_cycle}"
    return Display("inchg", _values(ctx, ent, typed, status), message=REQUEST_COMPLETED)


__all__ = ["enreq", "inchg"]
