"""AMS: Accounts Management System notes -- a separate system next to IDRS.

IRM 25.25.6 sends every TPP contact to AMS (IRM 21.2.2.4.5): the authentication result,
the issue category ("Other Entity", "TPP-HIGH RISK PASSED" ...; Exhibit 25.25.6-7 is not in
the seed, so the list in tables/input_values.yaml `ams_issues` is the named ones plus idrs-sim
choices), and what only AMS knows -- Letter 5216 never shows on IDRS.

``AMS TIN`` shows the notes of the TIN, newest first, each with its date, employee and
issue; ``ISSUE>`` and ``NOTE>`` (on the screen, or on line 1) add one.  ``AMS TIN MFT
PERIOD`` ties the note to that tax period.  AMS notes work on any TIN on file, established
or not (first-time filers are documented there too).  They are written at once (no
posting) and never appear on IDRS screens.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..commands import handles
from ..masterfile.models import Entity, Note, TaxModule
from . import validate as v
from .base import REQUEST_COMPLETED, Context, Display, Refusal
from .display import mdy, tin_display
from .input_account import target_account
from .research import mark

ISSUE_REQUIRED = "ISSUE CATEGORY REQUIRED"
INVALID_ISSUE = "INVALID ISSUE CATEGORY"
NOTE_REQUIRED = "NOTE TEXT REQUIRED"
SYSTEM = "AMS"


def _notes(ent: Entity) -> list[str]:
    """Newest first: date, employee, issue (and tax period), then the note text wrapped."""
    periods = {m.id: f"MFT {m.mft} {m.period}" for m in ent.modules}
    notes = sorted((n for n in ent.notes if n.system == SYSTEM), key=lambda n: (n.date, n.id), reverse=True)
    lines: list[str] = []
    for n in notes:
        where = periods.get(n.module_id, "") if n.module_id else ""
        lines.append(f"{mdy(n.date)} {n.idrs or '':<10} {(n.issue or '').upper():<28} {where}"[:79].rstrip())
        lines += ["    " + part for part in textwrap.wrap(n.text, 74)] or ["    "]
    return lines or ["NO AMS NOTES ON THIS TIN"]


def _values(ctx: Context, ent: Entity, module: TaxModule | None, fields: dict[str, str],
            status: str = "") -> dict[str, Any]:
    parts = [ent.tin] + ([module.mft, module.period] if module else [])
    return {
        "cmd": " ".join(["AMS", *parts]),
        "tinx": tin_display(ent),
        "name1": (ent.name_lines or [""])[0],
        "date": ctx.today.strftime("%m/%d/%Y"),
        "idrs": ctx.idrs,
        "issues": ", ".join(v.ams_issues()[:2]) + " ...",
        "status": status,
        **fields,
    }


@handles("AMS")
def ams(ctx: Context) -> Display | Refusal:
    """List the TIN's AMS notes; with ISSUE> and NOTE> keyed, add one."""
    account = target_account(ctx)
    if isinstance(account, Refusal):
        return account
    ent, module = account
    issue, note = ctx.value("ISSUE"), ctx.value("NOTE")
    empty = {"ISSUE": "", "NOTE": ""}
    if not issue and not note and "NOTE" not in ctx.screen_values:
        ctx.outcome = f"AMS NOTES DISPLAYED {ent.tin}"
        return Display("ams", _values(ctx, ent, module, empty), _notes(ent))
    problems: list[v.Problem] = []
    canonical = {i.upper(): i for i in v.ams_issues()}
    if not issue:
        problems.append(v.Problem("ISSUE", ISSUE_REQUIRED))
    elif issue.upper() not in canonical:
        problems.append(v.Problem("ISSUE", INVALID_ISSUE))
    if not note:
        problems.append(v.Problem("NOTE", NOTE_REQUIRED))
    if problems:
        labels = list(dict.fromkeys(p.label for p in problems))
        ctx.outcome = f"{problems[0].message}: AMS {ent.tin}"
        if any(label in ctx.screen_values for label in labels):
            return Refusal(problems[0].message, fields=labels)
        return Refusal(problems[0].message, marks=[mark(ctx, f"{labels[0]}>", fallback="end")])
    ctx.db.add(Note(entity=ent, module_id=module.id if module else None, system=SYSTEM,
                    issue=canonical[issue.upper()], text=note, idrs=ctx.idrs, date=ctx.today))
    ctx.db.flush()
    ctx.outcome = f"AMS NOTE ADDED {ent.tin} {canonical[issue.upper()]}"[:80]
    return Display("ams", _values(ctx, ent, module, empty, f"NOTE ADDED: {canonical[issue.upper()]}"), _notes(ent),
                   message=REQUEST_COMPLETED)


__all__ = ["ams"]
