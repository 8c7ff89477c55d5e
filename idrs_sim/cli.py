"""The ``idrs-sim`` command line (CONTRACT §1).

Subcommands: (none) the terminal UI, ``replay``, ``dump``, ``cycle``, ``fixtures check``,
``serve``, ``web`` and ``audit``.  A usage error (a bad option, an unknown fixture, a database
that cannot be opened, a bad date) prints ONE line on stderr and exits 2, never a
traceback: users call this from scripts and CI, where a traceback is noise.

Textual is imported only when the terminal UI starts, so every other subcommand works
(and starts fast) without it.  Nothing heavy is imported at the top of this module:
``--help`` and usage errors answer without loading SQLAlchemy.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

EXIT_USAGE = 2

DESCRIPTION = """\
A simulated IRS IDRS mainframe: a master file, weekly posting cycles and a 3270
command-code terminal, for training and for testing procedures.

Without a subcommand, opens the terminal on the built-in training master file
(in memory: nothing is kept when you quit).  Press Ctrl+K in the terminal for the
key map and Ctrl+Q to quit."""

EPILOG = """\
examples:
  idrs-sim                                    terminal on the training master file
  idrs-sim --db sqlite:///class.db            the same, kept in class.db
  idrs-sim replay examples/signon.txt         run a replay script headless
  idrs-sim dump --tin 400-00-1001             one account as JSON
  idrs-sim cycle --db sqlite:///class.db      run the next weekly posting cycle
  idrs-sim serve --port 3270                  TN3270 server for x3270/c3270/s3270

database and data:
  --db URL       sqlite:///path.db (a file; created when missing) or another SQLAlchemy
                 URL; default: in memory, gone when the command ends.  An empty database
                 is filled from the fixture; one that holds a master file is used as it is.
  --fixture F    a shipped fixture name (training) or a path to a fixture YAML or a
                 dump JSON.  Given together with --db, it fills an EMPTY database; on one
                 that holds anything (a master file, an audit trail) it is refused (exit 2):
                 'idrs-sim reset --db URL --fixture F --discard' starts afresh on purpose.
  --date D       the simulated date, YYYY-MM-DD (the posting cycle follows from it).

run 'idrs-sim COMMAND --help' for the options of one command."""

REPLAY_DESCRIPTION = """\
Run replay scripts headless (no terminal UI) and check their expectations.

A script has one action per line; '#' starts a comment; action names are
case-insensitive; strings are double-quoted with \\" and \\\\ escapes.

keys (as in s3270):
  String("text")  Enter  Clear  Tab  BackTab  Home  Newline  EraseEOF  EraseInput
  Reset  PF(n) 1-24  PA(n) 1-3  MoveCursor1(row,col) 1-origin
simulator:
  Date(YYYY-MM-DD)          stand the simulated clock on a date
  Load(name-or-path)        a fresh master file from a fixture (and a fresh terminal)
  SignOn(idrs)              sign on with the fixture's password of that employee
  SignOn(idrs,"password")   sign on with this password
  Cycle / Cycle(n)          advance to the next posting cycle and post, n times (the
                            terminal stays signed on)
  Fill("LABEL", "value")    erase the input field after the text LABEL> and type value
  Snap                      print the screen
expectations:
  Expect("text")              the text is somewhere on the screen (within one line)
  ExpectNot("text")           the text is nowhere on the screen
  ExpectLine(row, "text")     line row (1-24) contains the text
  ExpectAt(row, col, "text")  the text stands exactly at row, col (1-origin)
  ExpectMatch(row, "regex")   line row, trailing blanks dropped, matches (Python re.search)

Each script runs on a fresh terminal and stops at its first failed expectation,
printing the file, line, expectation and the 24x80 screen with the cursor marked.
In memory (the default) every script starts from the fixture (training unless
--fixture says otherwise).  With --db the scripts share that database in order:
--fixture fills it before the first script; without --fixture they go on with what
it holds.  A key pressed while the keyboard is locked (X PROT, X NUM) is a
failure too.  Before anything runs every script is checked: a script that does not
parse is a usage error."""

REPLAY_EPILOG = """\
exit status: 0 every expectation held, 1 an expectation failed, 2 script or usage
error (the script does not parse, unknown fixture, Fill of a label not on the screen).

example script:
  SignOn(1485012345)
  Expect("SIGN-ON COMPLETED")
  Clear
  String("ENMOD 400-00-1001")
  Enter
  Expect("JOHN A SMITH")
  Cycle                         # a week later: the input has posted
  Clear
  String("TXMODA 400-00-1001 30 202312")
  Enter"""


class UsageError(Exception):
    """A problem the user can fix by changing the command; one line, exit 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(EXIT_USAGE)


def _date(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad date {text!r}: expected YYYY-MM-DD, e.g. 2024-06-17") from None
    from .posting import calendar as cal  # pure: no SQLAlchemy

    try:  # checked before anything is opened or saved (issue #16 item 8)
        cal.add_cycles(cal.cycle_of(day), 1)
    except ValueError:
        first, last = cal.year_start(cal.MIN_YEAR), cal.year_start(cal.MAX_YEAR + 1) - dt.timedelta(days=8)
        raise argparse.ArgumentTypeError(f"date {text} is outside the simulated posting calendar "
                                         f"({first} to {last})") from None
    return text


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not 1 or more")
    return n


def _seconds(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not n >= 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not 0 or more seconds")
    return n


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"{n} is not a port number (0-65535)")
    return n


def _add_db(p: argparse.ArgumentParser, fixture: bool = True, date: bool = False, top: bool = False) -> None:
    """--db/--fixture/--date; on subcommands they default to SUPPRESS so that
    ``idrs-sim --db X dump`` and ``idrs-sim dump --db X`` mean the same."""
    default: Any = None if top else argparse.SUPPRESS
    p.add_argument("--db", metavar="URL", default=default,
                   help="database URL, e.g. sqlite:///class.db (default: in memory, not kept)")
    if fixture:
        p.add_argument("--fixture", metavar="NAME|PATH", default=default,
                       help="fixture name (training) or path to a fixture YAML or dump JSON; "
                            "with --db it fills an empty database only (see 'reset')")
    if date:
        p.add_argument("--date", metavar="YYYY-MM-DD", type=_date, default=default,
                       help="simulated date (default: the fixture's)")


def build_parser() -> Parser:
    parser = Parser(prog="idrs-sim", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_db(parser, date=True, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    p = sub.add_parser("replay", help="run replay scripts headless; exit 0 held, 1 failed, 2 usage",
                       description=REPLAY_DESCRIPTION, epilog=REPLAY_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scripts", nargs="+", metavar="SCRIPT", help="replay script files, run in order")
    _add_db(p, date=True)
    p.add_argument("--trace", action="store_true", help="print each action and the resulting line 24")

    p = sub.add_parser("dump", help="print the master file (or one TIN) as JSON",
                       description="Print the master file as JSON (the fixture schema, without passwords). "
                                   "Load(dump output) reproduces it; its employees sign on again only "
                                   "if it was made --with-hashes.")
    _add_db(p)
    p.add_argument("--tin", metavar="TIN", help="only this TIN (dashed form, e.g. 400-00-1001)")
    p.add_argument("--with-hashes", action="store_true",
                   help="include the employees' password hashes (scrypt), so that Load(dump) keeps their "
                        "passwords; keep such a file private")

    p = sub.add_parser("cycle", help="advance to the next posting cycle and post, N times",
                       description="Advance the simulated clock to the next weekly posting cycle and run "
                                   "posting, N times; print what posted and what went unpostable.  Without "
                                   "--db this works on an in-memory copy (a dry look: nothing is kept).")
    _add_db(p)
    p.add_argument("--count", metavar="N", type=_positive, default=1, help="how many cycles (default 1)")
    p.add_argument("--report", metavar="FILE", help="write every line (each posting, unpostable, refund...) to FILE")
    p.add_argument("-v", "--verbose", action="store_true", help="print every line, not only the summary")

    p = sub.add_parser("fixtures", help="fixture tools: 'fixtures check [PATH...]'",
                       description="Fixture tools.")
    fsub = p.add_subparsers(dest="fixtures_command", metavar="ACTION", title="actions")
    fsub.required = True
    c = fsub.add_parser("check", help="validate fixture files; one line per problem",
                        description="Validate fixture files: one line per problem, 'file:line: message'. "
                                    "Exit 0 when clean, 1 when there are problems.")
    c.add_argument("paths", nargs="*", metavar="PATH", help="fixture files (default: every shipped fixture)")

    p = sub.add_parser("serve", help="TN3270 server for real 3270 clients",
                       description="Serve the simulator to TN3270 clients (x3270, c3270, s3270, tnz...). "
                                   "Every connection is its own terminal on ONE shared master file. "
                                   "Prints 'listening on HOST:PORT' once ready; stops on SIGTERM/Ctrl+C.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=3270, help="TCP port (default 3270; 0 picks a free one)")
    p.add_argument("--idle-timeout", metavar="SECONDS", type=_seconds, default=None,
                   help="drop a connection silent this long (default 3600; 0 = never)")
    p.add_argument("--max-sessions", metavar="N", type=_positive, default=None,
                   help="connections at once; the next one is told so and closed (default 500, "
                        "or fewer when the open-file limit, ulimit -n, allows fewer)")
    _add_db(p, date=True)

    p = sub.add_parser("web", help="the terminal UI in browser tabs (nothing to install)",
                       description="Serve the terminal UI to browsers: each tab is its own terminal session "
                                   "(own sign-on and audit trail) on ONE shared master file; closing the tab "
                                   "signs off.  Without --db the master file is a temporary file, deleted when "
                                   "the server stops.  Prints 'listening on http://HOST:PORT' once ready; stops "
                                   "on SIGTERM/Ctrl+C.  Keys a browser keeps (Ctrl+W, F11...) are on the key "
                                   "bar under the screen; see docs/running.md.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8080, help="TCP port (default 8080; 0 picks a free one)")
    p.add_argument("--max-sessions", type=_positive, default=20, metavar="N",
                   help="browser tabs served at once (default 20); past that the page says all are in use")
    p.add_argument("--idle-minutes", type=_positive, default=15, metavar="N",
                   help="a tab without input for N minutes signs off and ends (default 15, the idle sign-off)")
    _add_db(p, date=True)

    p = sub.add_parser("reset", help="start a --db database afresh from a fixture (says what it discards)",
                       description="Replace the master file in a --db database by a fixture: employees, "
                                   "entities, modules, pending input, unpostables, control bases and cycle runs "
                                   "are discarded; the audit trail and incident reports are kept (append-only) "
                                   "and a RESET audit record says what went.  Without --discard it only says "
                                   "what would be discarded, changes nothing and exits 2.")
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, required=True,
                   help="the database to reset, e.g. sqlite:///class.db")
    p.add_argument("--fixture", metavar="NAME|PATH", default=argparse.SUPPRESS,
                   help="the fixture to start from (default: training)")
    p.add_argument("--discard", action="store_true", help="do it: discard the master file the database holds")
    p = sub.add_parser("classroom", help="TN3270 server for a class: a sandbox per trainee",
                       description="Serve a class (docs/classroom.md): each trainee who signs on works in a "
                                   "sandbox, their own copy of the lesson's master file, kept in the classroom "
                                   "database (default sqlite:///classroom.db) across restarts. The instructor "
                                   "runs the class with CLASS, CYCLE, RESET, UNLOCK and LESSON. Prints "
                                   "'listening on HOST:PORT' once ready (and, with --web-port, then "
                                   "'listening on http://HOST:PORT'); stops on SIGTERM/Ctrl+C.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=3270, help="TCP port (default 3270; 0 picks a free one)")
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                   help="classroom database: sqlite:///FILE (default sqlite:///classroom.db) or postgresql://...")
    p.add_argument("--lesson", metavar="NAME|PATH", help="the lesson, a fixture (training, tpp/...); "
                                                         "used only when the database holds no class yet")
    p.add_argument("--trainees", type=_positive, default=40, help="class trainee accounts (default 40)")
    p.add_argument("--web-port", type=_port, metavar="P",
                   help="also serve the terminal in browser tabs on this port (0 picks a free one); a tab signs "
                        "on and works in its trainee's sandbox as a TN3270 terminal does")
    p.add_argument("--max-web-sessions", type=_positive, default=20, metavar="N",
                   help="browser tabs served at once with --web-port (default 20)")

    p = sub.add_parser("audit", help="print the audit trail (who ran what, on which TIN)",
                       description="Print the audit trail: every AID key with time, employee, terminal, "
                                   "command, TIN and outcome; '!' marks a violation (UNAX).")
    _add_db(p)
    p.add_argument("--employee", metavar="IDRS", help="only this employee number")
    p.add_argument("--tin", metavar="TIN", help="only this TIN")
    p.add_argument("--unax", action="store_true", help="only violations (UNAX: refused sign-ons, "
                                                       "unauthorized command codes...)")

    from .grading import cli as grading_cli

    grading_cli.add_parser(sub)
    return parser


# ---- commands ---------------------------------------------------------------------
def _simulator(args: argparse.Namespace, follow_clock: bool = False):  # type: ignore[no-untyped-def]
    from .simulator import DEFAULT_FIXTURE, Simulator

    fixture = getattr(args, "fixture", None)
    return Simulator(
        getattr(args, "db", None) or "sqlite://",
        fixture or DEFAULT_FIXTURE,
        getattr(args, "date", None),
        replace=fixture is not None,
        follow_clock=follow_clock,
    )


def cmd_tui(args: argparse.Namespace) -> int:
    sim = _simulator(args, follow_clock=True)
    try:
        from .front.tui import run_tui
        from .gcpause import freeze_long_lived

        freeze_long_lived()  # Textual and the master file live as long as the TUI

        return run_tui(sim)
    finally:
        sim.close()


def cmd_replay(args: argparse.Namespace) -> int:
    from .replay import Options, run

    opts = Options(url=getattr(args, "db", None) or "sqlite://", fixture=getattr(args, "fixture", None),
                   date=getattr(args, "date", None), trace=args.trace)
    return run(args.scripts, opts)


def cmd_dump(args: argparse.Namespace) -> int:
    with _simulator(args) as sim:
        try:
            data = sim.dump(args.tin, hashes=args.with_hashes)
        except (LookupError, ValueError) as exc:
            raise UsageError(str(exc).strip("'\"")) from None
    if args.tin and not data.get("entities"):
        raise UsageError(f"no entity with TIN {args.tin} on the master file")
    print(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False))
    return 0


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def cmd_cycle(args: argparse.Namespace) -> int:
    from .posting.report import progress, write_reports

    if not getattr(args, "db", None):
        print("idrs-sim cycle: no --db, so this runs on an in-memory copy and nothing is kept",
              file=sys.stderr)
    with _report_file(getattr(args, "report", None)) as report_file, _simulator(args) as sim:
        done: list[Any] = []

        def committed(report: Any) -> None:  # printed as it commits: a later failure cannot hide it
            done.append(report)
            write_reports([report], sys.stdout, verbose=args.verbose, report_file=report_file)
            sys.stdout.flush()

        try:
            # One cycle shows a progress line on a terminal while it posts; several print
            # a summary as each commits, which is their progress.
            with progress("idrs-sim cycle: posting 1 cycle") if args.count == 1 else contextlib.nullcontext():
                sim.cycle(args.count, on_commit=committed)
        except BaseException as exc:
            if args.count > 1 or done:
                stopped = _stopped_line(sim, done, args.count)
                from .simulator import SimulatorError

                if isinstance(exc, (UsageError, SimulatorError)) or (isinstance(exc, Exception) and _is_database_error(exc)):
                    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                    raise UsageError(f"{stopped}: {reason}") from None
                print(f"idrs-sim cycle: {stopped}", file=sys.stderr, flush=True)
            raise
    return 0

def _stopped_line(sim: Any, done: list[Any], count: int) -> str:
    """Where a `cycle --count N` stopped: what committed, what did not, how to go on."""
    last = getattr(done[-1], "cycle", "?") if done else None
    committed = (f"{len(done)} of {count} cycles committed (the last {last})" if done
                 else f"0 of {count} cycles committed")
    left = count - len(done)
    return (f"stopped after {committed}; the clock stands on cycle {sim.clock.cycle}; "
            f"to finish, run 'idrs-sim cycle --count {left}' (not --count {count})")


@contextlib.contextmanager
def _report_file(path: str | None) -> Iterator[TextIO | None]:
    """The --report file, opened before the run so a bad path changes nothing."""
    if not path:
        yield None
        return
    try:
        handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"cannot write the report to {path}: {exc.strerror or exc}") from None
    with handle:
        yield handle


def format_report(report: Any) -> str:
    """A posting run as text: its summary line, then what posted and what went unpostable."""
    from .posting.report import detail

    return detail(report)


def cmd_fixtures(args: argparse.Namespace) -> int:
    from .masterfile.check import check_fixtures
    from .masterfile.fixtures import list_fixtures

    paths = [Path(p) for p in args.paths]
    problems = check_fixtures(paths)  # no paths: every shipped fixture
    for problem in problems:
        print(_problem_line(problem))
    if not problems:
        count = len(paths) if paths else len(list_fixtures())
        print(f"{count} fixture file{'s' if count != 1 else ''} checked, no problems", file=sys.stderr)
    return 1 if problems else 0


def _problem_line(problem: Any) -> str:
    file, line, message = (getattr(problem, k, None) for k in ("file", "line", "message"))
    if file is not None and message is not None:
        return f"{file}:{line or 0}: {message}"
    return str(problem)


def cmd_serve(args: argparse.Namespace) -> int:
    from .front.tn3270 import guard
    from .front.tn3270.server import ServerOptions, run_server

    idle = guard.DEFAULT_IDLE_TIMEOUT if args.idle_timeout is None else args.idle_timeout
    options = ServerOptions(idle_timeout=idle or None,
                            max_sessions=args.max_sessions or guard.default_max_sessions())

    with _simulator(args, follow_clock=True) as sim:
        from .gcpause import freeze_long_lived

        freeze_long_lived()  # the server lives long: its master file need not be walked by every full GC pass
        return run_server(sim.new_session, args.host, args.port, options=options)


def cmd_web(args: argparse.Namespace) -> int:
    from .front.web import run_web

    return run_web(getattr(args, "db", None), getattr(args, "fixture", None), getattr(args, "date", None),
                   args.host, args.port, max_sessions=args.max_sessions, idle_minutes=args.idle_minutes)


def cmd_reset(args: argparse.Namespace) -> int:
    from .masterfile.holdings import DISCARDED, KEPT, describe
    from .simulator import DEFAULT_FIXTURE, Simulator, resolve

    fixture = getattr(args, "fixture", None) or DEFAULT_FIXTURE
    resolve(fixture)  # an unknown fixture is refused before anything is counted
    with Simulator(args.db, None) as sim:
        held = sim.holdings()
        gone = describe({k: v for k, v in held.items() if k in DISCARDED}) or "nothing"
        kept = describe({k: v for k, v in held.items() if k in KEPT}) or "the audit trail (empty)"
        if not args.discard:
            raise UsageError(f"reset would discard {gone} (keeping {kept}); nothing changed: "
                             f"add --discard to do it")
        sim.reset(fixture)
        print(f"idrs-sim reset: discarded {gone}; kept {kept} (append-only); "
              f"loaded {fixture}: {sim.clock.today().isoformat()}, cycle {sim.clock.cycle}", file=sys.stderr)
    return 0


def cmd_classroom(args: argparse.Namespace) -> int:
    from .classroom.serve import run

    if args.web_port is not None and args.web_port == args.port and args.port != 0:
        raise UsageError(f"--web-port {args.web_port}: that is the TN3270 port (--port); give the browsers another")
    return run(getattr(args, "db", None), args.lesson, args.host, args.port, args.trainees,
               web_port=args.web_port, max_web_sessions=args.max_web_sessions)


def cmd_audit(args: argparse.Namespace) -> int:
    from sqlalchemy import func, or_, select

    from .digits import digits_only
    from .masterfile.models import AuditRecord
    from .unax import unax_flags, unax_report

    with _simulator(args) as sim:
        query = select(AuditRecord).order_by(AuditRecord.at, AuditRecord.id)
        if args.employee:
            query = query.where(AuditRecord.idrs == args.employee)
        if args.tin:  # by its digits: 400-00-1001 and 400001001 are one account
            if not digits_only(args.tin):
                raise UsageError(f"--tin {args.tin!r}: a TIN has digits, e.g. 400-00-1001")
            query = query.where(func.replace(AuditRecord.tin, "-", "") == digits_only(args.tin))
        kinds: dict[int, str] = {}
        report: list[str] = []
        if args.unax:  # the violations AND every record behind a UNAX flag (the UNAX report)
            with sim.mf.reading() as db:
                flags = unax_flags(db, args.employee or None)
                report = unax_report(db, args.employee or None, args.tin or None)
            for flag in flags:
                for rid in flag.record_ids:
                    kinds.setdefault(rid, flag.kind)
            query = query.where(or_(AuditRecord.violation.is_(True), AuditRecord.id.in_(list(kinds) or [-1])))
        with sim.mf.reading() as db:  # rows are read (and printed) inside the session
            lines = [_audit_line(r, kinds.get(r.id)) for r in db.scalars(query)]
    if not lines:
        print("no audit records" + ("" if getattr(args, "db", None) else " (no --db: a fresh in-memory master file)"),
              file=sys.stderr)
        return 0
    print(f"{'TIME':<19} {'EMPLOYEE':<10} {'TERMINAL':<8} {'KEY':<5} {'CODE':<8} {'TIN':<11} {'MFT':<3} "
          f"{'PERIOD':<6}   OUTCOME")
    for line in lines:
        print(line)
    if report and report != ["NO UNAX FLAGS"]:
        print()
        for line in report:
            print(line)
    return 0


def _audit_line(r: Any, unax: str | None = None) -> str:
    """One record; `!` marks a violation or a record behind a UNAX flag (its kind in brackets)."""
    flag = "!" if r.violation or unax else " "
    kind = f" [UNAX {unax}]" if unax else ""
    return (f"{r.at:%Y-%m-%d %H:%M:%S} {r.idrs or '-':<10} {(r.terminal or '-')[:8]:<8} {r.aid or '-':<5} "
            f"{r.command or '-':<8} {r.tin or '-':<11} {r.mft or '-':<3} {r.period or '-':<6} {flag} "
            f"{r.outcome or ''}{kind}")


def cmd_grade(args: argparse.Namespace) -> int:
    from .grading.cli import GradeUsage, run

    try:
        return run(args)
    except GradeUsage as exc:
        raise UsageError(str(exc)) from None


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
        # a defect: one line for users, the traceback on request
        if os.environ.get("IDRS_SIM_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"{prog}: internal error: {type(exc).__name__}: {first} (IDRS_SIM_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return EXIT_USAGE


def _is_database_error(exc: BaseException) -> bool:
    """A SQLAlchemy error, checked without importing SQLAlchemy: if it was never imported,
    nothing can have raised one."""
    exc_module = sys.modules.get("sqlalchemy.exc")
    return exc_module is not None and isinstance(exc, exc_module.SQLAlchemyError)


if __name__ == "__main__":
    sys.exit(main())
