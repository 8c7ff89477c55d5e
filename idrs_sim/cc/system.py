"""System command codes: SINOF (sign off) and HELP (the command reference on the terminal)."""

from __future__ import annotations

import textwrap

from .. import commands
from ..commands import ANY_ROLE, CommandDef, handles
from .base import Cleared, Context, Display, Refusal


@handles("SINOF")
def sinof(ctx: Context) -> Cleared:
    """Sign off: the session clears the screen back to the sign-on screen."""
    ctx.outcome = "SIGN-OFF"
    return Cleared("SIGN-OFF COMPLETED")


@handles("HELP")
def help_screen(ctx: Context) -> Display | Refusal:
    """HELP lists the codes this employee may run; HELP CCCCC shows one definition."""
    defs = commands.definitions()
    words = list(getattr(ctx.cmd, "args", None) or [])
    if not words:
        mine = [d for d in defs.values() if d.allows(ctx.employee.roles or [])]
        lines = [line for d in sorted(mine, key=lambda d: d.code) for line in list_lines(d)]
        return Display("help", {"code": "", "title": "COMMAND CODES YOU MAY RUN (HELP CCCCC FOR ONE)"}, lines)
    typed = str(words[0]).upper()
    code = typed if typed in defs else typed[:5]  # simulator codes may be longer (ACDSFC, ACMSOPEN)
    definition = defs.get(code)
    if definition is None:
        span = ctx.cmd.spans.get("args[0]")
        mark = (span[0], span[1], span[2] - 1) if span else (1, 6, 5 + len(typed))
        return Refusal("INVALID COMMAND CODE", marks=[mark])
    # Line 1 echoes what was typed (HELP TXMODA), the help is the code's (TXMOD).
    return Display("help", {"code": typed, "title": definition.title.upper()}, help_lines(definition))


CODE_WIDTH = 8  # simulator codes run to eight letters (ACMSOPEN)
TITLE_WIDTH = 48


def list_lines(d: CommandDef) -> list[str]:
    """One code in the HELP list: code, title, kind; a title longer than its column goes on
    over indented lines, broken between words (never cut inside one)."""
    parts = textwrap.wrap(d.title, TITLE_WIDTH, break_long_words=False, break_on_hyphens=False) or [""]
    return [f"{d.code:<{CODE_WIDTH}} {parts[0]:<{TITLE_WIDTH}} {d.kind}",
            *(f"{'':<{CODE_WIDTH}} {p}" for p in parts[1:])]


def help_lines(d: CommandDef) -> list[str]:
    """The help text of a command code as 79-column lines (also used by the docs generator)."""
    lines = ["SYNTAX:"] + [f"  {s}" for s in d.syntax]
    if d.definers:
        lines.append("DEFINERS:")
        lines += [f"  {k}  {v}" for k, v in d.definers.items()]
    if d.elements:
        lines.append("ELEMENTS: " + ", ".join(d.elements))
    roles = "ANY EMPLOYEE" if d.roles == ANY_ROLE else ", ".join(d.roles)
    lines.append(f"ROLES: {roles}")
    lines.append(f"REFERENCE: {d.irm}")
    lines.append("")
    for para in d.help.splitlines():
        lines += textwrap.wrap(para, 78) or [""]
    return lines
