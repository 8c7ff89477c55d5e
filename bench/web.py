"""Web terminal (`idrs-sim web`): memory per browser session, time to the first screen.

`idrs-sim web --port 0` on a fresh SQLite master file; N tabs (WebSocket clients that
speak textual-serve's protocol, as the page's script does) open at once, each signs on
and runs ENMOD; the audit trail confirms every sign-on and ENMOD.  While all N are open
the memory of each tab's process is read from /proc:

* RSS: resident pages, shared ones included (what `ps` shows);
* PSS: resident pages with each shared page split among the processes sharing it
  (Linux smaps_rollup): the fair share of one session;
* USS: pages only that process has (private clean + dirty): what closing it frees.

Plus the server's own RSS before and with the N tabs, and the time from opening a tab
to its first screen bytes (median and max).  Figures only.

    python -m bench.web [--sessions 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, Result, python, say, subprocess_env

EMPLOYEE, PASSWORD = "1485012345", "train123"


def proc_memory_mb(pid: int) -> dict[str, float] | None:
    """RSS, PSS and USS of a process in MB (smaps_rollup); None when it is gone or unreadable."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    kb: dict[str, int] = {}
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            kb[parts[0][:-1]] = int(parts[1])
    uss = kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0)
    return {"rss": kb.get("Rss", 0) / 1024, "pss": kb.get("Pss", 0) / 1024, "uss": uss / 1024}


def children(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def audit_counts(url: str) -> dict[str, int]:
    """How many terminals signed on and ran ENMOD (the audit trail says what really happened)."""
    from sqlalchemy import select

    from idrs_sim.masterfile.models import AuditRecord
    from idrs_sim.simulator import Simulator

    with Simulator(url, None) as sim, sim.mf.reading() as s:
        rows = s.execute(select(AuditRecord.terminal, AuditRecord.command)).all()
    return {"signed_on": len({t for t, c in rows if c == "SINON"}),
            "enmod": len({t for t, c in rows if c == "ENMOD"})}


async def one_tab(port: int, opened: list[float], done: asyncio.Event) -> None:
    """A tab: connect, wait for the first screen, sign on, ENMOD, stay open until `done`."""
    import aiohttp

    t0 = time.perf_counter()
    async with aiohttp.ClientSession() as s, s.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=30") as ws:
        got = 0
        first = None

        async def read() -> None:
            nonlocal got, first
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    got += len(msg.data)
                    if first is None and got > 2000:
                        first = time.perf_counter() - t0

        reader = asyncio.get_running_loop().create_task(read())
        while first is None and time.perf_counter() - t0 < 300:
            await asyncio.sleep(0.05)
        if first is None:  # never drew: counted as missing by the audit trail
            reader.cancel()
            return
        opened.append(first)
        for keys in (EMPLOYEE, "\t", PASSWORD, "\r"):
            await ws.send_json(["stdin", keys])
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.0)
        for keys in ("ENMOD 400-00-1001", "\r"):
            await ws.send_json(["stdin", keys])
            await asyncio.sleep(0.05)
        await done.wait()
        reader.cancel()


async def drive(port: int, server_pid: int, sessions: int, url: str) -> dict[str, Any]:
    opened: list[float] = []
    done = asyncio.Event()
    server_before = proc_memory_mb(server_pid)
    tasks = [asyncio.get_running_loop().create_task(one_tab(port, opened, done)) for _ in range(sessions)]
    deadline = time.monotonic() + 300
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        counts = await asyncio.to_thread(audit_counts, url)
        if counts["enmod"] >= sessions:
            break
    tabs = [m for m in (proc_memory_mb(p) for p in children(server_pid)) if m is not None]
    server_with = proc_memory_mb(server_pid)
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"opened": opened, "tabs": tabs, "server_before": server_before, "server_with": server_with,
            "counts": counts}


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--db", metavar="URL", help="keep the master file here (default: a temporary file)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = Result("web")
    f = res.figures
    with tempfile.TemporaryDirectory(prefix="idrs-bench-web-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'web.db'}"
        server = subprocess.Popen([python(), "-m", "idrs_sim.cli", "web", "--port", "0", "--db", url,
                                   "--max-sessions", str(max(args.sessions, 1))],
                                  cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            if not line.startswith("listening on http://"):
                raise SystemExit(f"idrs-sim web did not start: {line!r}")
            port = int(line.rsplit(":", 1)[1])
            # What the server writes later (a tab's errors) is read all along: a full pipe would stall it.
            said: list[str] = []
            reader = threading.Thread(target=lambda: said.extend(server.stdout or ()), daemon=True)
            reader.start()
            out = asyncio.run(drive(port, server.pid, args.sessions, url))
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(120)
    for line in said:
        say("  server: " + line.rstrip())
    tabs = out["tabs"]
    f["sessions"] = args.sessions
    f["signed_on"] = out["counts"].get("signed_on", 0)
    f["ran_enmod"] = out["counts"].get("enmod", 0)
    f["server_exit"] = code
    if tabs:
        for key in ("rss", "pss", "uss"):
            values = [t[key] for t in tabs]
            f[f"tab_{key}_mb"] = {"median": round(statistics.median(values), 1), "max": round(max(values), 1)}
        f["tabs_measured"] = len(tabs)
        f["total_pss_mb"] = round(sum(t["pss"] for t in tabs), 1)
    if out["server_before"] and out["server_with"]:
        f["server_rss_mb"] = {"idle": round(out["server_before"]["rss"], 1), "with_tabs": round(out["server_with"]["rss"], 1)}
    if out["opened"]:
        f["first_screen_s"] = {"median": round(statistics.median(out["opened"]), 3), "max": round(max(out["opened"]), 3)}
    say(f"web      {args.sessions} tabs at once: {f['signed_on']} signed on, {f['ran_enmod']} ran ENMOD; "
        f"server exit {code} on SIGTERM")
    if tabs:
        say(f"  memory per session (tab process, median of {len(tabs)}): RSS {f['tab_rss_mb']['median']:.1f} MB, "
            f"PSS {f['tab_pss_mb']['median']:.1f} MB, USS {f['tab_uss_mb']['median']:.1f} MB "
            f"(max RSS {f['tab_rss_mb']['max']:.1f}); all tabs PSS {f['total_pss_mb']:.1f} MB")
    if "server_rss_mb" in f:
        say(f"  server RSS {f['server_rss_mb']['idle']:.1f} MB idle, {f['server_rss_mb']['with_tabs']:.1f} MB "
            f"with {args.sessions} tabs")
    if "first_screen_s" in f:
        say(f"  first screen after opening a tab: median {f['first_screen_s']['median']:.3f} s, "
            f"max {f['first_screen_s']['max']:.3f} s (all {args.sessions} opened at once)")
    if f["ran_enmod"] < args.sessions:
        res.notes.append(f"web: only {f['ran_enmod']} of {args.sessions} tabs ran ENMOD")
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main(sys.argv[1:])
