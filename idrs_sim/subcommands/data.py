"""``dump``, ``reset`` and ``fixtures check``: the master file as data (JSON out, a fixture in,
fixture files checked)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from ..rules.tins import dashed_forms
from .common import UsageError, _simulator, refuse_classroom_database


def cmd_dump(args: argparse.Namespace) -> int:
    forms = dashed_forms(args.tin) if args.tin else [None]  # 400001001: SSN, then EIN (as `audit --tin`)
    if not forms:
        raise UsageError(f"--tin {args.tin!r}: a TIN is NNN-NN-NNNN or NN-NNNNNNN (or its 9 digits), e.g. 400-00-1001")
    with _simulator(args, writes=False) as sim:
        try:
            for form in forms:
                data = sim.dump(form, hashes=args.with_hashes)
                if data.get("entities"):
                    break
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


def cmd_fixtures(args: argparse.Namespace) -> int:
    from ..masterfile.check import check_fixtures
    from ..masterfile.fixtures import list_fixtures

    if any(not p.strip() for p in args.paths):  # Path("") would be the current directory, every file below it
        raise UsageError("an empty path: give fixture files or directories (none: every shipped fixture)")
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


def cmd_reset(args: argparse.Namespace) -> int:
    from ..masterfile.db import sqlite_file
    from ..masterfile.holdings import DISCARDED, KEPT, describe
    from ..simulator import DEFAULT_FIXTURE, Simulator, resolve

    fixture = getattr(args, "fixture", None) or DEFAULT_FIXTURE
    resolve(fixture)  # an unknown fixture is refused before anything is counted
    path = sqlite_file(args.db)
    if path is not None and not path.exists():  # nothing to reset; opening it would make one
        raise UsageError(f"no database at {path}: nothing to reset (an empty --db is filled by any command)")
    with Simulator(args.db, None) as sim:
        refuse_classroom_database(sim, args.db, "reset")
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
