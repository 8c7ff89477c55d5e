"""The ``idrs-sim`` command line (CONTRACT §1).

Subcommands: (none) the terminal UI, ``replay``, ``dump``, ``cycle``, ``fixtures check``,
``serve``, ``web`` and ``audit``.  A usage error (a bad option, an unknown fixture, a database
that cannot be opened, a bad date) prints ONE line on stderr and exits 2, never a
traceback: users call this from scripts and CI, where a traceback is noise.

This module is the program: it parses the command line, dispatches to the subcommand
and turns what goes wrong into one line and an exit status.  The parser and the
subcommands live in `idrs_sim.subcommands`, one module per area.

Textual is imported only when the terminal UI starts, so every other subcommand works
(and starts fast) without it.  Nothing heavy is imported at the top of this module:
``--help`` and usage errors answer without loading SQLAlchemy.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
from collections.abc import Sequence

from .subcommands.checks import cmd_audit, cmd_grade, cmd_replay
from .subcommands.common import EXIT_USAGE, UsageError, _is_database_error
from .subcommands.cycle import cmd_cycle, format_report
from .subcommands.data import cmd_dump, cmd_fixtures, cmd_reset
from .subcommands.parser import Parser, build_parser
from .subcommands.terminals import cmd_classroom, cmd_serve, cmd_tui, cmd_web

COMMANDS = {
    None: cmd_tui,
    "replay": cmd_replay,
    "dump": cmd_dump,
    "cycle": cmd_cycle,
    "fixtures": cmd_fixtures,
    "serve": cmd_serve,
    "web": cmd_web,
    "classroom": cmd_classroom,
    "audit": cmd_audit,
    "grade": cmd_grade,
    "reset": cmd_reset,
}


class _OneLine(logging.Formatter):
    """Log records as one line each; the traceback only with IDRS_SIM_DEBUG=1.

    Why: the host logs a handler defect with its traceback and carries on (the trainee
    sees SYSTEM ERROR on line 24); a replay run or a server log should say so in one
    line, while a developer can still ask for the whole story.
    """

    def format(self, record: logging.LogRecord) -> str:
        text = f"idrs-sim: {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if os.environ.get("IDRS_SIM_DEBUG"):
                return text + "\n" + self.formatException(record.exc_info)
            text += f": {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            text += " (IDRS_SIM_DEBUG=1 shows the traceback)"
        return text


def _setup_logging(tui: bool) -> None:
    """One-line log records on stderr; none under the TUI, where they would tear the screen."""
    root = logging.getLogger()
    if root.handlers:  # an embedding application (or pytest) decides
        return
    if tui:
        root.addHandler(logging.NullHandler())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if os.environ.get("IDRS_SIM_DEBUG") else logging.WARNING)


def _import_engine(as_program: bool) -> type[Exception]:
    """Import the simulator (SQLAlchemy, the models, the host session): most of a start-up.

    Why the collector is paused: the import makes tens of thousands of objects (modules,
    classes, mappers, compiled SQL constructs) that live as long as the process, and the
    cyclic collector's passes over them while they are made find no garbage.  Run as the
    program (`idrs-sim`, no `argv` given), they are then frozen (`gc.freeze`): later passes,
    and the full pass at exit, skip them (together about a tenth of a second on the
    development machines).  Called with `argv` (tests, an embedding program) the process's
    heap is not ours to freeze, and when the simulator was imported before nothing is done.
    """
    if "idrs_sim.simulator" in sys.modules:
        from .simulator import SimulatorError

        return SimulatorError
    import gc

    from .gcpause import cyclic_gc_paused

    with cyclic_gc_paused():
        from .simulator import SimulatorError
    if as_program:
        gc.freeze()
    return SimulatorError


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``idrs-sim``; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error already printed (2)
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    SimulatorError = _import_engine(as_program=argv is None)

    _setup_logging(tui=args.command is None)
    prog = f"idrs-sim {args.command}" if args.command else "idrs-sim"
    try:
        return COMMANDS[args.command](args)
    except (UsageError, SimulatorError) as exc:
        print(f"{prog}: {' '.join(str(exc).split())}", file=sys.stderr)  # one line, whatever the message
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if _is_database_error(exc):
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            print(f"{prog}: database error: {reason}", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, BrokenPipeError):  # e.g. `idrs-sim dump | head`
            return 0
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG):
            # the output could not be written (`dump > /dev/full`): the user's disk, not a defect
            print(f"{prog}: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        # a defect: one line for users, the traceback on request
        if os.environ.get("IDRS_SIM_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"{prog}: internal error: {type(exc).__name__}: {first} (IDRS_SIM_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return EXIT_USAGE


__all__ = ["COMMANDS", "EXIT_USAGE", "Parser", "UsageError", "build_parser", "format_report", "main"]


if __name__ == "__main__":
    sys.exit(main())
