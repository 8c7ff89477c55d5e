"""The terminal UI, ``serve``, ``web`` and ``classroom``: the subcommands where people work at
terminals (each long-lived, so each freezes what it loaded before it serves)."""

from __future__ import annotations

import argparse
import os

from .common import UsageError, _simulator


def _has_terminal() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_tui(args: argparse.Namespace) -> int:
    if not _has_terminal():
        # Without a terminal the TUI can read no key and would run until killed.
        raise UsageError("the terminal UI needs a terminal (stdin and stdout are not one): "
                         "use 'idrs-sim replay SCRIPT' for scripts, 'idrs-sim --help' for the rest")
    sim = _simulator(args, follow_clock=True)
    try:
        from ..front.tui import run_tui
        from ..gcpause import freeze_long_lived

        freeze_long_lived()  # Textual and the master file live as long as the TUI

        return run_tui(sim)
    finally:
        sim.close()


def cmd_serve(args: argparse.Namespace) -> int:
    from ..front.tn3270 import guard
    from ..front.tn3270.server import ServerOptions, run_server

    idle = guard.DEFAULT_IDLE_TIMEOUT if args.idle_timeout is None else args.idle_timeout
    options = ServerOptions(idle_timeout=idle or None,
                            max_sessions=args.max_sessions or guard.default_max_sessions())

    with _simulator(args, follow_clock=True) as sim:
        from ..gcpause import freeze_long_lived

        freeze_long_lived()  # the server lives long: its master file need not be walked by every full GC pass
        return run_server(sim.new_session, args.host, args.port, options=options)


def cmd_web(args: argparse.Namespace) -> int:
    from ..front.web import run_web

    return run_web(getattr(args, "db", None), getattr(args, "fixture", None), getattr(args, "date", None),
                   args.host, args.port, max_sessions=args.max_sessions, idle_minutes=args.idle_minutes)


def cmd_classroom(args: argparse.Namespace) -> int:
    from ..classroom.serve import DEFAULT_DB, run
    from ..masterfile.db import sqlite_file
    from ..simulator import resolve

    if args.web_port is not None and args.web_port == args.port and args.port != 0:
        raise UsageError(f"--web-port {args.web_port}: that is the TN3270 port (--port); give the browsers another")
    # Refused before the class database is made: a failed start leaves no files behind.
    if args.lesson is not None:
        resolve(args.lesson)
    path = sqlite_file(getattr(args, "db", None) or DEFAULT_DB)
    if args.lesson is None and path is not None and not path.exists():
        raise UsageError(f"a new classroom needs --lesson NAME|PATH ({path} does not exist yet)")
    password = args.instructor_password
    if password is None and os.environ.get("IDRS_SIM_INSTRUCTOR_PASSWORD"):
        from .parser import _instructor_password

        try:
            password = _instructor_password(os.environ["IDRS_SIM_INSTRUCTOR_PASSWORD"])
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"IDRS_SIM_INSTRUCTOR_PASSWORD: {exc}") from None
    return run(getattr(args, "db", None), args.lesson, args.host, args.port, args.trainees,
               web_port=args.web_port, max_web_sessions=args.max_web_sessions, instructor_password=password)
