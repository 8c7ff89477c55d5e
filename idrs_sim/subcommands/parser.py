"""The command line's parser: its help texts, the option types, one parser per subcommand.

A usage error here is one line on stderr and exit 2 (`Parser.error`), never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any, NoReturn

from .common import EXIT_USAGE, employee_number_problem

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


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(EXIT_USAGE)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """As argparse, but an unknown option after a subcommand is that subcommand's error
        (`idrs-sim dump --bogus` points to `idrs-sim dump --help`, not the top help)."""
        ns, extras = self.parse_known_args(args, namespace)
        if extras and getattr(ns, "command", None) == "replay" and not any(e.startswith("-") for e in extras):
            # `replay a.txt --date D b.txt` (a shell glob around an option): argparse stops
            # the scripts at the option; the ones after it are scripts too, in their order.
            ns.scripts = [*ns.scripts, *extras]
            extras = []
        if extras:
            sub = self._subcommand_parser(getattr(ns, "command", None))
            (sub or self).error(f"unrecognized arguments: {' '.join(extras)}")
        return ns

    def _subcommand_parser(self, name: str | None) -> argparse.ArgumentParser | None:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and name in action.choices:
                return action.choices[name]  # type: ignore[no-any-return]
        return None


def _employee_number(text: str) -> str:
    """An IDRS (employee) number: 10 digits (a mistyped one silently matched nothing)."""
    problem = employee_number_problem(text.strip())
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text.strip()


def _date(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad date {text!r}: expected YYYY-MM-DD, e.g. 2024-06-17") from None
    from ..posting import calendar as cal  # pure: no SQLAlchemy

    try:  # checked before anything is opened or saved (issue #16 item 8)
        cal.add_cycles(cal.cycle_of(day), 1)
    except ValueError:
        first, last = cal.year_start(cal.MIN_YEAR), cal.year_start(cal.MAX_YEAR + 1) - dt.timedelta(days=8)
        raise argparse.ArgumentTypeError(f"date {text} is outside the simulated posting calendar "
                                         f"({first} to {last})") from None
    return text


def _given(text: str) -> str:
    """A value that must say something: an empty --fixture, --db, --host, --lesson or --tin
    silently meant a default (the training file, every interface, every TIN)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty: give a value")
    return text


MAX_TRAINEES = 1000  # accounts made at start; 99,999,999 ran for days without a word


def _trainees(text: str) -> int:
    n = _positive(text)
    if n > MAX_TRAINEES:
        raise argparse.ArgumentTypeError(f"{n} trainees: a class has at most {MAX_TRAINEES:,}")
    return n


def _instructor_password(text: str) -> str:
    """6 to 16 printable characters, no blank: what the sign-on screen's PASSWORD field takes."""
    if not 6 <= len(text) <= 16 or not text.isascii() or not text.isprintable() or " " in text:
        raise argparse.ArgumentTypeError("a password is 6 to 16 letters, digits or punctuation, no blanks")
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


def _add_db(p: argparse.ArgumentParser, fixture: bool = True, date: bool = False, top: bool = False,
            without: str = "in memory, not kept") -> None:
    """--db/--fixture/--date; on subcommands they default to SUPPRESS so that
    ``idrs-sim --db X dump`` and ``idrs-sim dump --db X`` mean the same.  `without`: what
    the subcommand uses when --db is not given (its help says so)."""
    default: Any = None if top else argparse.SUPPRESS
    p.add_argument("--db", metavar="URL", default=default, type=_given,
                   help=f"database URL, e.g. sqlite:///class.db (default: {without})")
    if fixture:
        p.add_argument("--fixture", metavar="NAME|PATH", default=default, type=_given,
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
    p.add_argument("--tin", metavar="TIN", type=_given, help="only this TIN (dashed form, e.g. 400-00-1001)")
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
    p.add_argument("--host", default="127.0.0.1", type=_given, help="address to listen on (default 127.0.0.1)")
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
    p.add_argument("--host", default="127.0.0.1", type=_given, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8080, help="TCP port (default 8080; 0 picks a free one)")
    p.add_argument("--max-sessions", type=_positive, default=20, metavar="N",
                   help="browser tabs served at once (default 20); past that the page says all are in use")
    p.add_argument("--idle-minutes", type=_positive, default=15, metavar="N",
                   help="a tab without input for N minutes signs off and ends (default 15, the idle sign-off)")
    _add_db(p, date=True, without="an SQLite file in a temporary directory, deleted when the server stops; "
                                   "sqlite:// is refused: every tab is its own process")

    p = sub.add_parser("reset", help="start a --db database afresh from a fixture (says what it discards)",
                       description="Replace the master file in a --db database by a fixture: employees, "
                                   "entities, modules, pending input, unpostables, control bases and cycle runs "
                                   "are discarded; the audit trail and incident reports are kept (append-only) "
                                   "and a RESET audit record says what went.  Without --discard it only says "
                                   "what would be discarded, changes nothing and exits 2.")
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, required=True, type=_given,
                   help="the database to reset, e.g. sqlite:///class.db")
    p.add_argument("--fixture", metavar="NAME|PATH", default=argparse.SUPPRESS, type=_given,
                   help="the fixture to start from (default: training)")
    p.add_argument("--discard", action="store_true", help="do it: discard the master file the database holds")
    p = sub.add_parser("classroom", help="TN3270 server for a class: a sandbox per trainee",
                       description="Serve a class (docs/classroom.md): each trainee who signs on works in a "
                                   "sandbox, their own copy of the lesson's master file, kept in the classroom "
                                   "database (default sqlite:///classroom.db) across restarts. The instructor "
                                   "runs the class with CLASS, CYCLE, RESET, UNLOCK and LESSON. Prints "
                                   "'listening on HOST:PORT' once ready (and, with --web-port, then "
                                   "'listening on http://HOST:PORT'); stops on SIGTERM/Ctrl+C.")
    p.add_argument("--host", default="127.0.0.1", type=_given, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=3270, help="TCP port (default 3270; 0 picks a free one)")
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, type=_given,
                   help="classroom database: sqlite:///FILE (default sqlite:///classroom.db) or postgresql://...")
    p.add_argument("--lesson", metavar="NAME|PATH", type=_given, help="the lesson, a fixture (training, tpp/...); "
                                                         "used only when the database holds no class yet")
    p.add_argument("--trainees", type=_trainees, default=40, help=f"class trainee accounts (default 40, at most {MAX_TRAINEES:,})")
    p.add_argument("--web-port", type=_port, metavar="P",
                   help="also serve the terminal in browser tabs on this port (0 picks a free one); a tab signs "
                        "on and works in its trainee's sandbox as a TN3270 terminal does")
    p.add_argument("--max-web-sessions", type=_positive, default=20, metavar="N",
                   help="browser tabs served at once with --web-port (default 20)")
    p.add_argument("--instructor-password", metavar="PW", type=_instructor_password,
                   help="the instructor accounts' password, set (and unlocked) at every start; default: the "
                        "IDRS_SIM_INSTRUCTOR_PASSWORD variable, else the training password the trainees have")

    p = sub.add_parser("audit", help="print the audit trail (who ran what, on which TIN)",
                       description="Print the audit trail: every AID key with time, employee, terminal, "
                                   "command, TIN and outcome; '!' marks a violation (UNAX).")
    _add_db(p)
    p.add_argument("--employee", metavar="IDRS", type=_employee_number, help="only this employee number (10 digits)")
    p.add_argument("--tin", metavar="TIN", type=_given, help="only this TIN")
    p.add_argument("--unax", action="store_true", help="only violations (UNAX: refused sign-ons, "
                                                       "unauthorized command codes...)")

    from ..grading import cli as grading_cli

    grading_cli.add_parser(sub)
    return parser
