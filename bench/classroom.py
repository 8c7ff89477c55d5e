"""Classroom: sign-on to first screen for each of 40 trainees, and memory per sandbox.

    python -m bench.classroom [--trainees 40] [--db URL] [--json]

In process (`Classroom` + `ClassroomHost` + the in-process `Terminal`, the path every
TN3270 key takes minus the socket): each trainee in turn types their employee number and
password and presses Enter; the figure is the time from that Enter to the first screen
(`SIGN-ON COMPLETED`), which includes the password check (scrypt) and the making and
opening of the trainee's sandbox.  The 40th trainee's figure is the one the issue asks
for (the class is full by then).  Memory per sandbox: the growth of the process's
resident memory (ru_maxrss and the current RSS) over the 40 sign-ons, divided by 40;
on disk: the size of one sandbox file (SQLite).  A PostgreSQL URL measures the same on
PostgreSQL (memory there is the server's; the figure is this process's).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import Result, say


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(prog="python -m bench.classroom")
    ap.add_argument("--trainees", type=int, default=40)
    ap.add_argument("--db", help="classroom database (default: a new SQLite file in a temporary folder)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from idrs_sim.classroom import Classroom, trainee_number
    from idrs_sim.classroom.host import ClassroomHost
    from idrs_sim.terminal.terminal import Terminal

    tmp = Path(tempfile.mkdtemp(prefix="idrs-bench-class-"))
    url = args.db or f"sqlite:///{tmp / 'class.db'}"
    res = Result("classroom")
    try:
        t0 = time.perf_counter()
        room = Classroom(url, "training", trainees=args.trainees)
        start_s = time.perf_counter() - t0
        terms = []
        times: list[float] = []
        rss0 = _rss_mb()
        for n in range(1, args.trainees + 1):
            t = Terminal(ClassroomHost(room, f"T{n:02d}"))
            t.fill("EMPLOYEE NUMBER", trainee_number(n))
            t.fill("PASSWORD", "train123")
            t1 = time.perf_counter()
            t.enter()
            times.append(time.perf_counter() - t1)
            if not t.screen.message.startswith("SIGN-ON COMPLETED"):
                raise RuntimeError(f"trainee {n}: {t.screen.message}")
            terms.append(t)
        rss1 = _rss_mb()
        first = room.sandbox_of(trainee_number(1))
        size_kb = None
        if first is not None and url.startswith("sqlite"):
            from idrs_sim.classroom.spaces import SqliteSpaces

            assert isinstance(room.spaces, SqliteSpaces)
            size_kb = round(room.spaces.path(first.location).stat().st_size / 1024, 1)
        room.close()
        ordered = sorted(times)
        res.figures = {
            "engine": url.split(":", 1)[0],
            "trainees": args.trainees,
            "class_start_s": round(start_s, 3),
            "signon_last_ms": round(times[-1] * 1000, 1),
            "signon_median_ms": round(ordered[len(ordered) // 2] * 1000, 1),
            "signon_max_ms": round(ordered[-1] * 1000, 1),
            "rss_per_sandbox_mb": round((rss1 - rss0) / args.trainees, 2),
            "rss_mb": round(rss1, 1),
            "sandbox_file_kb": size_kb,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f = res.figures
    say(f"classroom ({f['engine']}): class started in {f['class_start_s']} s; sign-on to first screen: "
        f"40th trainee {f['signon_last_ms']} ms, median {f['signon_median_ms']} ms, max {f['signon_max_ms']} ms; "
        f"memory {f['rss_per_sandbox_mb']} MB RSS per sandbox; sandbox file {f['sandbox_file_kb']} KB")
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main()
