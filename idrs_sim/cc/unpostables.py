"""Unpostable input codes on the GUF: UPRES, UPASG, UPCASZ, UPREV / UPREVE.

A case is named by its sequence number or by TIN + MFT + tax period (CONTRACT §3;
`research_up.resolve_case` answers with the list of cases when that is ambiguous).

* UPDIS must precede UPRES, UPCAS and UPREV (IRM 2.3.48): the case UPDIS showed last in
  this terminal (`ctx.state.last_case`) is the only one these codes act on; otherwise
  ``UPDIS MUST PRECEDE <code>``.
* UPRES records the resolution on the case (URC, CCC, REL-CYC = field 48, CORR-TIN =
  field 29 of line 5, remarks, resolver, date).  Nothing posts now: the posting run acts
  on the case in its release cycle (REL-CYC, never before the next cycle) and only then
  does UPTIN show C.  A TC 971 AC 850 input with the UPRES therefore needs REL-CYC =
  current + 2 or the direct deposit goes out (IRM 25.25.6.5.1.1): with an AC 850 pending on
  the module, URC 0 or 6 that posts the return there takes no other REL-CYC.
* A non-TPP assistor keys only URC D or URC 6 CCC 3 on a TPP UP 126 RC 0 (the identity
  theft paths); a caller with a valid return is transferred to the TPP line.
* A case assigned to another IDRS number must be reassigned first (UPASGR, IRM
  25.25.6.5.1.1); cases of RIVO and its IAT batch tool (148xxxxxxx, 1483845470) are not
  reassignable by non-RIVO employees: ``CASE COULD NOT BE REASSIGNED`` (the TVT message of
  IRM 25.25.6.5.1.1), and UPRES answers ``CASE ASSIGNED TO 1483845470``.
* Some unpostable codes are resolved by one unit only (`rules.urc.resolver_roles`): a
  UP 147 is Submission Processing's -- TPP takes no action on it (IRM 25.25.6.5.1.2.5) --
  so UPRES and UPASGR by anyone else answer ``UPC 147 NOT AUTHORIZED FOR THIS EMPLOYEE``.
* UPREV / UPREVE (lead or manager) reverse a resolution made in the current unpostable
  cycle (Wednesday-Tuesday) while the case still shows status A (IRM 25.25.6.5.5.1).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from ..commands import handles
from ..masterfile.models import Entity, Unpostable, UnpostableHistory
from ..posting import calendar
from ..rules import tins
from ..rules import urc as urc_rules
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal, violation
from .display import dln, mdy, tin_display
from .research import mark, refuse, shown_case_status
from .research_up import case_module, resolve_case

CASE_CLOSED = "UNPOSTABLE CASE CLOSED"
ALREADY_RESOLVED = "CASE ALREADY RESOLVED - UPREVE TO CHANGE"
COULD_NOT_REASSIGN = "CASE COULD NOT BE REASSIGNED"
URC_REQUIRED = "URC REQUIRED"
INVALID_URC = "INVALID URC"
INVALID_CCC = "INVALID CCC"
CCC_NOT_ALLOWED = "CCC NOT VALID WITH THIS URC"
EXISTING_CCC3 = "Existing CCC 3"  # exactly as IRM 25.25.6.2.2.1.1 prints the IDRS message
URC6_NEEDS_CORRECTION = "URC 6 REQUIRES CCC OR CORR-TIN"
URC6B_NEEDS_TIN = "URC 6B REQUIRES CORR-TIN"
CORR_TIN_NOT_ALLOWED = "CORR-TIN NOT VALID WITH THIS URC"
CORR_TIN_SAME = "CORR-TIN SAME AS UNPOSTABLE TIN"
CORR_TIN_NOT_ESTABLISHED = "CORR-TIN NOT ESTABLISHED - USE URC 6B"
CORR_TIN_ESTABLISHED = "CORR-TIN IS ESTABLISHED - USE URC 6"
REL_CYC_NOT_ALLOWED = "REL-CYC NOT VALID WITH THIS URC"
REMARKS_REQUIRED = "REMARKS REQUIRED"
NOTHING_TO_REVERSE = "NO RESOLUTION TO REVERSE"
ALREADY_RELEASED = "CASE RELEASED - RESOLUTION CANNOT BE REVERSED"
CYCLE_ENDED = "UNPOSTABLE CYCLE ENDED - RESOLUTION CANNOT BE REVERSED"
INVALID_DEFINER = "INVALID DEFINER"
INVALID_ASSIGNEE = "INVALID ASSIGN-TO IDRS NUMBER"
NOT_AUTHORIZED_ASSIGN = "UPASG WITHOUT DEFINER R: LEAD, MANAGER OR UNPOSTABLES ONLY"

_UPRES_LABELS = ("URC", "CCC", "REL-CYC", "CORR-TIN", "REMARKS")
_SCREEN_LABELS = _UPRES_LABELS + ("ASSIGN-TO",)
_ASSIGNERS = ("lead", "manager", "unpostable-clerk")


def updis_first(code: str) -> str:
    return f"UPDIS MUST PRECEDE {code}"


def dead_release_cycle(cycle: str, current: str, file: str) -> str:
    """The refusal of a REL-CYC in a dead cycle names the cycle "two cycles from the current
    cycle" is in posting cycles (what a TC 971 AC 850 input now needs; the first live cycle
    would post with the AC 850 and let the direct deposit go out)."""
    return (f"REL-CYC {cycle} IS A DEAD CYCLE - CURRENT + 2 POSTING CYCLES IS "
            f"{calendar.add_posting_cycles(current, 2, file)}")


def upc_not_authorized(upc: int) -> str:
    return f"UPC {upc:03d} NOT AUTHORIZED FOR THIS EMPLOYEE"


# ---------------------------------------------------------------------------------
# shared


def _case_or_reply(ctx: Context) -> Unpostable | Display | Refusal:
    found = resolve_case(ctx)
    if isinstance(found, Unpostable):
        mft, period = case_module(found)
        ctx.cmd.tin, ctx.cmd.mft, ctx.cmd.period = found.entity.tin, mft or None, period or None
    return found


def _element(ctx: Context) -> str:
    """The element that named the case (for the `*`): the sequence number, else the TIN."""
    spans = ctx.cmd.spans or {}
    return "seq" if "seq" in spans and ctx.cmd.seq else "tin"


def _need_updis(ctx: Context, case: Unpostable, code: str) -> Refusal | None:
    """IRM 2.3.48: CC UPDIS must be used prior to UPCAS, UPRES and UPREV."""
    if ctx.state.last_case != case.seq:
        return refuse(ctx, updis_first(code), _element(ctx))
    return None


def _resolver_refusal(ctx: Context, case: Unpostable, code: str) -> Refusal | None:
    """A case whose unpostable code only another unit resolves (UP 147: Submission
    Processing, IRM 25.25.6.5.1.2.5): neither UPRES nor UPASGR."""
    if v.has_role(ctx.employee.roles, urc_rules.resolver_roles(case.upc)):
        return None
    literal = upc_not_authorized(case.upc)
    ctx.outcome = f"{literal}: {code} {case.seq} {case.entity.tin}"
    return violation(Refusal(literal, marks=[mark(ctx, _element(ctx))]))


def _is_rivo(ctx: Context) -> bool:
    return v.has_role(ctx.employee.roles, list(v.RIVO_ROLES))


_TITLES = {"UPRES": "UNPOSTABLE RESOLUTION", "UPASG": "UNPOSTABLE REASSIGNMENT",
           "UPCASZ": "UNPOSTABLE CASE HISTORY", "UPREV": "RESOLUTION REVERSAL"}


def _values(ctx: Context, case: Unpostable, code: str, fields: dict[str, str] | None = None,
            status: str = "", title: str | None = None) -> dict[str, Any]:
    """The UPRES-format case screen; line 1 carries `code` and the sequence number, so
    Enter there runs that code on the case (UPRES after UPASGR or UPREVE, UPCASZ...)."""
    ent = case.entity
    mft, period = case_module(case)
    out: dict[str, Any] = {
        "cmd": f"{code} {case.seq}",
        "title": _TITLES.get(title or code, ""),
        "seq": case.seq,
        "tinx": tin_display(ent),
        "nc": ent.name_control,
        "mft": mft,
        "period": period,
        "upc": f"{case.upc:03d}",
        "rc": case.reason,
        "dln": dln(case.dln),
        "cyc": case.original_cycle or "",
        "st": shown_case_status(case, ctx.today),
        "sdt": mdy(case.status_date),
        "asg": case.assigned or "",
        "name1": (ent.name_lines or [""])[0],
        "resolved": (f"URC {case.urc}{' CCC ' + case.ccc if case.ccc else ''}"
                     f"{' REL-CYC ' + case.release_cycle if case.release_cycle else ''} BY {case.resolved_by or ''} "
                     f"{mdy(case.resolved_date)}") if case.urc else "NOT RESOLVED",
        "cycle": ctx.cycle,
        "status": status,
    }
    out.update({label: "" for label in _SCREEN_LABELS})
    if fields:
        out.update(fields)
    return out


def _history_lines(case: Unpostable) -> list[str]:
    lines = ["--- CASE HISTORY ---"]
    lines += [f"{mdy(h.date)} {h.idrs or '':<10} {h.text}"[:79] for h in case.history] or ["NONE"]
    return lines


def _history(ctx: Context, case: Unpostable, text: str) -> None:
    case.history.append(UnpostableHistory(date=ctx.today, idrs=ctx.idrs, text=text[:80]))


# ---------------------------------------------------------------------------------
# UPRES


def _has_ccc3(case: Unpostable) -> bool:
    """Whether the unposted return already carries computer condition code 3."""
    sources: list[Any] = [case.ccc]
    for doc in (case.document, case.txn.document if case.txn is not None else None,
                case.txn.extra if case.txn is not None else None):
        if isinstance(doc, dict):
            sources.append(doc.get("ccc"))
    for s in sources:
        if s is None:
            continue
        values = s if isinstance(s, list) else [s]
        if any("3" in str(x) for x in values):
            return True
    return False


def _entity_by_tin(ctx: Context, tin: str) -> Entity | None:
    for form in v.normalize_tin(tin):
        ent = ctx.db.scalar(select(Entity).where(Entity.tin == form))
        if ent is not None:
            return ent
    return None


def _validate_upres(ctx: Context, case: Unpostable, typed: dict[str, str]) -> tuple[list[v.Problem], dict[str, Any]]:
    """Check URC, CCC, REL-CYC and CORR-TIN against tables/input_values.yaml `urcs`."""
    problems: list[v.Problem] = []
    out: dict[str, Any] = {}
    urc = typed["URC"].upper().replace(" ", "")
    table = v.urc_table()
    rule = table.get(urc)
    if not urc:
        return [v.Problem("URC", URC_REQUIRED)], out
    if rule is None:
        return [v.Problem("URC", INVALID_URC)], out
    wrong_code = urc_rules.urc_refusal(urc, case.upc)
    if wrong_code is not None:
        return [v.Problem("URC", wrong_code)], out
    out["urc"] = urc

    ccc = typed["CCC"].upper()
    allowed_ccc = [str(c) for c in (rule.get("ccc") or [])]
    if ccc:
        if not allowed_ccc:
            problems.append(v.Problem("CCC", CCC_NOT_ALLOWED))
        elif ccc not in allowed_ccc:
            problems.append(v.Problem("CCC", INVALID_CCC))
        elif ccc == "1" and _has_ccc3(case):
            problems.append(v.Problem("CCC", EXISTING_CCC3))
    out["ccc"] = ccc or None

    corr = typed["CORR-TIN"]
    corr_rule = rule.get("corr_tin", "no")
    if corr:
        forms = v.normalize_tin(corr)
        if corr_rule in (None, "no", False):
            problems.append(v.Problem("CORR-TIN", CORR_TIN_NOT_ALLOWED))
        elif not forms:
            problems.append(v.Problem("CORR-TIN", v.INVALID_TIN_LITERAL))
        elif case.entity.tin in forms:
            problems.append(v.Problem("CORR-TIN", CORR_TIN_SAME))
        else:
            target = _entity_by_tin(ctx, corr)
            established = target is not None and target.established
            file = target.file if target is not None else tins.kind_of(forms[0])[1]
            if file != case.entity.file:  # an individual's return never moves to an EIN (nor back)
                problems.append(v.Problem("CORR-TIN", f"CORR-TIN NOT ON THE {case.entity.file} - "
                                                      f"{'SSN OR ITIN' if case.entity.file == 'IMF' else 'EIN'} REQUIRED"))
            elif corr_rule == "established" and not established:
                problems.append(v.Problem("CORR-TIN", CORR_TIN_NOT_ESTABLISHED))
            elif corr_rule == "not_established" and established:
                problems.append(v.Problem("CORR-TIN", CORR_TIN_ESTABLISHED))
            out["corrected_tin"] = target.tin if target is not None else forms[0]
    elif corr_rule == "not_established":
        problems.append(v.Problem("CORR-TIN", URC6B_NEEDS_TIN))
    if urc == "6" and not ccc and not corr:
        problems.append(v.Problem("CCC", URC6_NEEDS_CORRECTION))

    rel = typed["REL-CYC"]
    if rel and not rule.get("rel_cyc"):
        problems.append(v.Problem("REL-CYC", REL_CYC_NOT_ALLOWED))
    else:
        cycle, problem = v.check_future_cycle("REL-CYC", rel, ctx.cycle)
        if problem:
            problems.append(problem)
        elif cycle and calendar.is_dead_cycle(cycle, case.entity.file):
            # Nothing posts in a dead cycle: the case would go with everything else in the
            # first live one, and a TC 971 AC 850 input now would post with it, too late to
            # flip the direct deposit (count two posting cycles: `calendar.add_posting_cycles`).
            problems.append(v.Problem("REL-CYC", dead_release_cycle(cycle, ctx.cycle, case.entity.file)))
        out["release_cycle"] = cycle
    if not problems:  # a URC that fits the case: does it fit the employee and the account?
        wrong = urc_rules.non_tpp_refusal(ctx.employee.roles, case.upc, case.reason, urc, out["ccc"],
                                          out.get("corrected_tin"))
        if wrong is not None:
            return [v.Problem("URC", wrong)], out
        late = urc_rules.ac850_release_refusal(urc, out["ccc"], out.get("corrected_tin"), out.get("release_cycle"),
                                               ctx.cycle, case.entity.file, case.module.transactions if case.module else [])
        if late is not None:
            problems.append(v.Problem("REL-CYC", late))
    return problems, out


def _assignment_refusal(ctx: Context, case: Unpostable) -> Refusal | None:
    """UPRES acts only on cases assigned to this employee (or to nobody)."""
    if case.assigned in (None, "", ctx.idrs):
        return None
    literal = f"CASE ASSIGNED TO {case.assigned}"
    ctx.outcome = f"{literal}: UPRES {case.seq} {case.entity.tin}" + (
        " (RIVO/BATCH CASE)" if v.is_rivo_number(case.assigned) else "")
    return Refusal(literal, marks=[mark(ctx, _element(ctx))])


@handles("UPRES")
def upres(ctx: Context) -> Display | Refusal:
    """Show the UPRES screen for the case UPDIS displayed; with URC keyed, resolve it."""
    case = _case_or_reply(ctx)
    if not isinstance(case, Unpostable):
        return case
    bad = _need_updis(ctx, case, "UPRES")
    if bad is not None:
        return bad
    if case.status == "closed":
        return refuse(ctx, CASE_CLOSED, _element(ctx))
    if case.urc and not case.released:
        return refuse(ctx, ALREADY_RESOLVED, _element(ctx))
    bad = _resolver_refusal(ctx, case, "UPRES") or _assignment_refusal(ctx, case)
    if bad is not None:
        return bad
    typed = {label: ctx.value(label) for label in _UPRES_LABELS}
    on_screen = "URC" in ctx.screen_values
    if not any(typed.values()) and not on_screen:
        ctx.outcome = f"UPRES SCREEN DISPLAYED {case.seq} {case.entity.tin}"
        return Display("upres", _values(ctx, case, "UPRES"), _history_lines(case))
    problems, res = _validate_upres(ctx, case, typed)
    if problems:
        labels = list(dict.fromkeys(p.label for p in problems))
        ctx.outcome = f"{problems[0].message}: UPRES {case.seq} {case.entity.tin}"
        return Refusal(problems[0].message, fields=labels)

    case.urc = res["urc"]
    case.ccc = res.get("ccc")
    case.release_cycle = res.get("release_cycle")
    case.corrected_tin = res.get("corrected_tin")
    case.remarks = typed["REMARKS"][:60] or None
    case.resolved_by = ctx.idrs
    case.resolved_date = ctx.today
    case.status_date = ctx.today  # the UPRES status date starts the 9-week clock (IRM 25.25.6.5.4)
    if not case.assigned:
        case.assigned = ctx.idrs
    release = max(c for c in (case.release_cycle, calendar.add_posting_cycles(ctx.cycle, 1, case.entity.file)) if c)
    summary = (f"URC {case.urc}" + (f" CCC {case.ccc}" if case.ccc else "")
               + (f" CORR-TIN {case.corrected_tin}" if case.corrected_tin else "")
               + (f" REL-CYC {case.release_cycle}" if case.release_cycle else ""))
    _history(ctx, case, f"UPRES {summary}" + (f" {case.remarks}" if case.remarks else ""))
    ctx.outcome = f"UPRES {case.seq} {case.entity.tin} {summary} RELEASE {release}"[:80]
    status = f"RESOLVED {summary} - RELEASED TO POSTING IN CYCLE {release}"
    shown = dict(typed, URC=case.urc)
    return Display("upres", _values(ctx, case, "UPRES", shown, status), _history_lines(case),
                   message=REQUEST_COMPLETED)


# ---------------------------------------------------------------------------------
# UPASG


@handles("UPASG")
def upasg(ctx: Context) -> Display | Refusal:
    """UPASGR: take the case yourself; UPASG with ASSIGN-TO>: a lead (or the unpostable
    unit) reassigns it.  RIVO / batch-tool cases stay with RIVO (IRM 25.25.6.5.1.1)."""
    definer = ctx.cmd.definer
    if definer not in (None, "R"):
        return refuse(ctx, INVALID_DEFINER, "definer")
    case = _case_or_reply(ctx)
    if not isinstance(case, Unpostable):
        return case
    if case.status == "closed":
        return refuse(ctx, CASE_CLOSED, _element(ctx))
    if definer == "R":
        bad = _resolver_refusal(ctx, case, "UPASGR")
        if bad is not None:
            return bad
        target = ctx.idrs
    else:
        if not v.has_role(ctx.employee.roles, list(_ASSIGNERS)):
            return violation(refuse(ctx, NOT_AUTHORIZED_ASSIGN, "code"))
        target = ctx.value("ASSIGN-TO")
        if not target and "ASSIGN-TO" not in ctx.screen_values:
            ctx.outcome = f"UPASG SCREEN DISPLAYED {case.seq}"
            return Display("upres", _values(ctx, case, "UPASG", status="KEY THE NEW ASSIGNEE IN ASSIGN-TO"),
                           _history_lines(case))
        if not re.fullmatch(r"[0-9]{10}", target):
            ctx.outcome = f"{INVALID_ASSIGNEE}: UPASG {case.seq}"
            if "ASSIGN-TO" in ctx.screen_values:
                return Refusal(INVALID_ASSIGNEE, fields=["ASSIGN-TO"])
            return Refusal(INVALID_ASSIGNEE, marks=[_mark_end(ctx)])
    if v.is_rivo_number(case.assigned) and case.assigned != target and not _is_rivo(ctx):
        ctx.outcome = f"{COULD_NOT_REASSIGN}: UPASG{definer or ''} {case.seq} OWNED BY {case.assigned}"
        return Refusal(COULD_NOT_REASSIGN, marks=[mark(ctx, _element(ctx))])
    before = case.assigned or "UNASSIGNED"
    case.assigned = target
    _history(ctx, case, f"UPASG REASSIGNED FROM {before} TO {target}")
    ctx.outcome = f"UPASG{definer or ''} {case.seq} {case.entity.tin} FROM {before} TO {target}"
    return Display("upres", _values(ctx, case, "UPRES", status=f"CASE REASSIGNED FROM {before} TO {target}",
                                    title="UPASG"),
                   _history_lines(case), message=REQUEST_COMPLETED)


def _mark_end(ctx: Context) -> tuple[int, int, int]:
    return mark(ctx, "ASSIGN-TO>", fallback="end")


# ---------------------------------------------------------------------------------
# UPCASZ


@handles("UPCAS")
def upcas(ctx: Context) -> Display | Refusal:
    """UPCASZ: add a history item to the case (RIVO's `126 DELETE` / `126 GOOD TAXPAYER`)."""
    if ctx.cmd.definer != "Z":
        return refuse(ctx, INVALID_DEFINER, "definer" if ctx.cmd.definer else "code")
    case = _case_or_reply(ctx)
    if not isinstance(case, Unpostable):
        return case
    bad = _need_updis(ctx, case, "UPCAS")
    if bad is not None:
        return bad
    text = ctx.value("REMARKS")
    if not text:
        if "REMARKS" in ctx.screen_values:
            ctx.outcome = f"{REMARKS_REQUIRED}: UPCASZ {case.seq}"
            return Refusal(REMARKS_REQUIRED, fields=["REMARKS"])
        ctx.outcome = f"UPCASZ SCREEN DISPLAYED {case.seq}"
        return Display("upres", _values(ctx, case, "UPCASZ", status="KEY THE HISTORY ITEM IN REMARKS"),
                       _history_lines(case))
    text = text.upper()[:60]
    _history(ctx, case, text)
    ctx.outcome = f"UPCASZ {case.seq} {case.entity.tin} HISTORY {text}"[:80]
    return Display("upres", _values(ctx, case, "UPCASZ", {"REMARKS": text}, status=f"HISTORY ITEM ADDED: {text}"),
                   _history_lines(case), message=REQUEST_COMPLETED)


# ---------------------------------------------------------------------------------
# UPREV / UPREVE


@handles("UPREV")
def uprev(ctx: Context) -> Display | Refusal:
    """Reverse (reject) a resolution: same unpostable cycle (Wed-Tue), status still A."""
    if ctx.cmd.definer not in (None, "E"):
        return refuse(ctx, INVALID_DEFINER, "definer")
    code = ctx.cmd.head
    case = _case_or_reply(ctx)
    if not isinstance(case, Unpostable):
        return case
    bad = _need_updis(ctx, case, "UPREV")
    if bad is not None:
        return bad
    if not case.urc:
        return refuse(ctx, NOTHING_TO_REVERSE, _element(ctx))
    if case.released or shown_case_status(case, ctx.today) != "A":
        return refuse(ctx, ALREADY_RELEASED, _element(ctx))
    start, end = calendar.unpostable_cycle_window(ctx.today)
    resolved: dt.date | None = case.resolved_date
    if resolved is None or not start <= resolved <= end:
        return refuse(ctx, CYCLE_ENDED, _element(ctx))
    what = f"URC {case.urc}" + (f" CCC {case.ccc}" if case.ccc else "") + f" BY {case.resolved_by or ''}"
    case.urc = case.ccc = case.release_cycle = case.corrected_tin = None
    case.resolved_by = None
    case.resolved_date = None
    case.remarks = None
    case.status = "open"
    case.status_date = ctx.today
    _history(ctx, case, f"{code} RESOLUTION {what} REVERSED")
    ctx.outcome = f"{code} {case.seq} {case.entity.tin} REVERSED {what}"[:80]
    return Display("upres", _values(ctx, case, "UPRES", status=f"RESOLUTION {what} REVERSED - CASE OPEN",
                                    title="UPREV"),
                   _history_lines(case), message=REQUEST_COMPLETED)


__all__ = ["upres", "upasg", "upcas", "uprev", "updis_first", "upc_not_authorized", "dead_release_cycle", "EXISTING_CCC3",
           "COULD_NOT_REASSIGN"]
