"""Classroom browser tabs (`idrs-sim classroom --web-port`): first screen, sign-on, memory per tab.

`idrs-sim classroom --port 0 --web-port 0` on a fresh SQLite class; N tabs (WebSocket
clients speaking textual-serve's protocol, as the page's script does) open one after
another, each signs on as its own trainee (1485100001...) and stays open.  Per tab:

* *first screen*: opening the tab -> the sign-on screen drawn (its process started,
  Textual up, the first screen fetched from the classroom server over the tab socket);
* *sign-on*: Enter with employee number and password -> ``SIGN-ON COMPLETED`` drawn
  (the password check and the copy of the trainee's sandbox in the server, the answer
  back through the socket, Textual drawing it);
* *key*: Enter of ``ENMOD 400-00-1001`` -> the ENMOD screen drawn;
* memory of each tab's process (RSS/PSS/USS, Linux smaps_rollup) while all N are open,
  and the server's RSS before and with them.

Figures only.

    python -m bench.classroom_web [--tabs 5] [--json]
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
from bench.web import children, proc_memory_mb

PASSWORD = "train123"


class Tab:
    """One browser tab: its WebSocket and everything its app has drawn so far."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.out = bytearray()

    async def read(self) -> None:
        import aiohttp

        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.out += msg.data

    async def until(self, text: bytes, start: int, timeout: float = 300.0) -> float:
        """Seconds until `text` is drawn after byte `start` of the output."""
        t0 = time.perf_counter()
        while text not in self.out[start:]:
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(text.decode())
            await asyncio.sleep(0.005)
        return time.perf_counter() - t0

    async def keys(self, *keys: str) -> None:
        for k in keys:
            await self.ws.send_json(["stdin", k])
            await asyncio.sleep(0.3 if k == "\x1b" else 0.02)


async def drive(port: int, server_pid: int, tabs: int) -> dict[str, Any]:
    import aiohttp

    times: dict[str, list[float]] = {"first": [], "signon": [], "key": []}
    server_before = proc_memory_mb(server_pid)
    async with aiohttp.ClientSession() as s:
        opened = []
        for n in range(1, tabs + 1):
            t0 = time.perf_counter()
            tab = Tab(await s.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=30"))
            reader = asyncio.get_running_loop().create_task(tab.read())
            opened.append((tab, reader))
            await tab.until(b"EMPLOYEE NUMBER", 0)
            times["first"].append(time.perf_counter() - t0)
            await asyncio.sleep(0.5)  # the key bar and hint are drawn too
            await tab.keys(f"14851{n:05d}", "\t", PASSWORD)
            mark = len(tab.out)
            await tab.ws.send_json(["stdin", "\r"])
            times["signon"].append(await tab.until(b"SIGN-ON COMPLETED", mark))
            await tab.keys("\x1b", "ENMOD 400-00-1001")
            mark = len(tab.out)
            await tab.ws.send_json(["stdin", "\r"])
            times["key"].append(await tab.until(b"JOHN A SMITH", mark))
        memory = [m for m in (proc_memory_mb(p) for p in children(server_pid)) if m is not None]
        server_with = proc_memory_mb(server_pid)
        for tab, reader in opened:
            await tab.ws.close()
            reader.cancel()
    return {"times": times, "tabs": memory, "server_before": server_before, "server_with": server_with}


def main(argv: list[str] | None = None) -> Result:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tabs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = Result("classroom_web")
    f = res.figures
    with tempfile.TemporaryDirectory(prefix="idrs-bench-class-web-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'class.db'}"
        server = subprocess.Popen([python(), "-m", "idrs_sim.cli", "classroom", "--port", "0", "--web-port", "0",
                                   "--db", url, "--lesson", "training", "--trainees", str(args.tabs),
                                   "--max-web-sessions", str(args.tabs)],
                                  cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            lines = [server.stdout.readline(), server.stdout.readline()]
            if not lines[1].startswith("listening on http://"):
                raise SystemExit(f"idrs-sim classroom did not start: {lines!r}")
            port = int(lines[1].rsplit(":", 1)[1])
            threading.Thread(target=lambda: list(server.stdout or ()), daemon=True).start()
            out = asyncio.run(drive(port, server.pid, args.tabs))
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(120)
    f["tabs"] = args.tabs
    f["server_exit"] = code
    for key, values in out["times"].items():
        if values:
            f[f"{key}_s"] = {"median": round(statistics.median(values), 3), "max": round(max(values), 3),
                             "last": round(values[-1], 3)}
    tabs = out["tabs"]
    if tabs:
        for key in ("rss", "pss", "uss"):
            f[f"tab_{key}_mb"] = round(statistics.median(t[key] for t in tabs), 1)
    if out["server_before"] and out["server_with"]:
        f["server_rss_mb"] = {"idle": round(out["server_before"]["rss"], 1),
                              "with_tabs": round(out["server_with"]["rss"], 1)}
    say(f"classroom --web-port: {args.tabs} tabs opened one after another, each signed on as its own trainee; "
        f"server exit {code} on SIGTERM")
    for key, what in (("first", "open -> sign-on screen drawn"), ("signon", "Enter -> SIGN-ON COMPLETED drawn "
                                                                           "(first sign-on: sandbox copied)"),
                      ("key", "Enter -> ENMOD screen drawn")):
        if f"{key}_s" in f:
            v = f[f"{key}_s"]
            say(f"  {what}: median {v['median']:.3f} s, max {v['max']:.3f} s")
    if tabs:
        say(f"  memory per tab process (median of {len(tabs)}): RSS {f['tab_rss_mb']:.1f} MB, "
            f"PSS {f['tab_pss_mb']:.1f} MB, USS {f['tab_uss_mb']:.1f} MB")
    if "server_rss_mb" in f:
        say(f"  server RSS {f['server_rss_mb']['idle']:.1f} MB idle, {f['server_rss_mb']['with_tabs']:.1f} MB "
            f"with {args.tabs} tabs")
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main(sys.argv[1:])
