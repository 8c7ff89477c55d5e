"""Helpers shared by the benchmark scripts: clocks, percentiles, memory, machine facts.

Every script prints human-readable figures and, with ``--json``, one last line
``BENCH-RESULT {...}`` that `python -m bench` collects for bench/RESULTS.md.  Figures
only: nothing here asserts a target.

Wall time and CPU time are both reported because the development machines are shared:
while other jobs run, wall time includes waiting for a core; CPU time (this process's
user + system time) is what the code itself cost.
"""

from __future__ import annotations

import gc
import json
import math
import os
import platform
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULT_MARK = "BENCH-RESULT "


# ---- time ------------------------------------------------------------------------------
@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0

    def as_dict(self, prefix: str) -> dict[str, float]:
        return {f"{prefix}_wall_s": round(self.wall, 4), f"{prefix}_cpu_s": round(self.cpu, 4)}


@contextmanager
def timed() -> Iterator[Timing]:
    """Wall-clock and process CPU seconds of the block (CPU: every thread of the process)."""
    t = Timing()
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        yield t
    finally:
        t.wall = time.perf_counter() - w0
        t.cpu = time.process_time() - c0


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of `values`; 0.0 for an empty list."""
    if not values:
        return 0.0
    s = sorted(values)
    rank = max(1, min(len(s), math.ceil(q * len(s))))
    return s[rank - 1]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    """n, p50, p90, p99 and max of a list of seconds, in milliseconds."""
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": round(pct(ms, 0.50), 3),
        "p90_ms": round(pct(ms, 0.90), 3),
        "p99_ms": round(pct(ms, 0.99), 3),
        "max_ms": round(max(ms), 3) if ms else 0.0,
    }


# ---- memory ----------------------------------------------------------------------------
def maxrss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss; KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_kb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float | None:
    """Current resident set size (VmRSS), or None where /proc is missing."""
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024


def hwm_mb() -> float | None:
    """Peak resident set size since the last `reset_peak()` (VmHWM)."""
    kb = _status_kb("VmHWM")
    return None if kb is None else kb / 1024


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux: write 5 to /proc/self/clear_refs), so a
    later `hwm_mb()` is the peak of what follows only.  False where that is not allowed."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---- the machine -------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    """Where the figures were measured (for RESULTS.md)."""
    info: dict[str, Any] = {}
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["cpu"] = model or platform.processor() or platform.machine()
    info["cores"] = os.cpu_count()
    try:
        info["cores_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["os"] = f"{platform.system()} {platform.release()}"
    info["python"] = platform.python_version()
    info["python_impl"] = platform.python_implementation()
    try:
        import sqlalchemy

        info["sqlalchemy"] = sqlalchemy.__version__
    except ImportError:
        pass
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    for name in ("lark", "textual", "yaml"):
        try:
            mod = __import__(name)
            info[name] = getattr(mod, "__version__", "?")
        except ImportError:
            pass
    try:
        info["loadavg"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


# ---- results -----------------------------------------------------------------------------
@dataclass
class Result:
    """One script's figures: printed as it goes, and emitted as JSON for the driver."""

    suite: str
    figures: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def emit(self, as_json: bool) -> None:
        if as_json:
            print(RESULT_MARK + json.dumps({"suite": self.suite, "figures": self.figures, "notes": self.notes},
                                           default=str), flush=True)


def say(text: str = "") -> None:
    print(text, flush=True)


def subprocess_env() -> dict[str, str]:
    """The environment for measured subprocesses: the repository on the path, and byte-code
    caching on (PYTHONDONTWRITEBYTECODE would make every start-up recompile changed modules)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def python() -> str:
    return sys.executable
