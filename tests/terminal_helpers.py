"""Keys on a bare `Terminal` (a classroom or bridged host, no Simulator): sign on, run a command.

One copy for the classroom tests (test_classroom, test_classroom_exercises, test_classroom_web)."""

from __future__ import annotations

from idrs_sim.terminal.terminal import Terminal


def sign_on(t: Terminal, idrs: str, password: str = "train123") -> str:
    """Fill the sign-on screen and press Enter; the line-24 message."""
    t.fill("EMPLOYEE NUMBER", idrs)
    t.fill("PASSWORD", password)
    t.enter()
    return t.screen.message


def command(t: Terminal, text: str) -> str:
    """Clear, type `text` on line 1, Enter; the line-24 message."""
    t.clear()
    t.type_text(text)
    t.enter()
    return t.screen.message
