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
        lines = [f"{d.code:<6} {d.title[:50]:<50} {d.kind}" for d in sorted(mine, key=lambda d: d.code)]
        return Display("help", {"code": "", "title": "COMMAND CODES YOU MAY RUN (HELP CCCCC FOR ONE)"}, lines)
    word = str(words[0]).upper()
    code = word if word in defs else word[:5]  # simulator codes may be longer (ACDSFC, ACMSOPEN)
    definition = defs.get(code)
    if definition is None:
        return Refusal("INVALID COMMAND CODE", marks=[(1, 6, 5 + len(str(words[0])))])
    return Display("help", {"code": code, "title": definition.title.upper()}, help_lines(definition))


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
