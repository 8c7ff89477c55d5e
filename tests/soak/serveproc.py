"""`idrs-sim serve` as a child process, its memory, and a sign-on burst against it.

Used by the soak suite and by hand to measure the server's resident memory (RSS, from
/proc) under a burst of simultaneous sign-ons:

    .venv/bin/python -m tests.soak.serveproc 20 200     # or: cd tests && python -m soak.serveproc

Everything listens on and dials 127.0.0.1 only.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .rawclient import RawClient, screen_text, signon_fields

PASSWORD = "train123"  # fixtures/employees.yaml: the training password
EMPLOYEES = ("1485012345", "1485012346", "1485022001", "1485033001", "1486000101", "0912345678",
             "1485012300", "1485012301", "2621000101", "2621000100", "2621000900", "2621000950")


def rss_kib(pid: int) -> int:
    """Resident set size of process `pid` in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def threads_of(pid: int) -> list[str]:
    """Names of the threads of process `pid`."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out.append((task / "comm").read_text().strip())
        except OSError:
            pass
    return out


class ServeProcess:
    """`idrs-sim serve --port 0` (plus `extra` options) until `stop()`; `port` once listening."""

    def __init__(self, *extra: str, start_timeout: float = 60.0, max_files: int | None = None) -> None:
        exe = Path(sys.executable).with_name("idrs-sim")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "import sys; from idrs_sim.cli import main; sys.exit(main())"]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        argv = [*cmd, "serve", "--host", "127.0.0.1", "--port", "0", *extra]
        if max_files is not None:  # a low open-file limit (the EMFILE test), set in the child before exec
            code = ("import os, resource, sys; n = int(sys.argv[1]); "
                    "resource.setrlimit(resource.RLIMIT_NOFILE, (n, n)); os.execv(sys.argv[2], sys.argv[2:])")
            argv = [sys.executable, "-c", code, str(max_files), *argv]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.port = 0
        self._err = bytearray()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        deadline = time.monotonic() + start_timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, left))
            if not ready:
                self.stop()
                raise RuntimeError("idrs-sim serve did not start in time")
            b = os.read(self.proc.stdout.fileno(), 1)
            if not b:
                self.stop()
                raise RuntimeError(f"idrs-sim serve exited: {self.stderr_text()}")
            line += b
        self.port = int(line.decode().strip().rsplit(":", 1)[1])
        # Drain stderr (the log) on a thread so the server never blocks on a full pipe.
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        fd = self.proc.stderr.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self._err += chunk

    def stderr_text(self) -> str:
        return bytes(self._err).decode("utf-8", "replace")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def sign_on(port: int, employee: str, password: str = PASSWORD, timeout: float = 60.0) -> str:
    """Connect, sign on, return the text of the answer (line 24 says how it went; the client is closed)."""
    c = RawClient(port, timeout=timeout)
    try:
        return screen_text(c.enter(signon_fields(employee, password)))
    finally:
        c.close()


def burst(port: int, n: int, pid: int | None = None, employees: Sequence[str] = EMPLOYEES) -> tuple[list[str], int]:
    """`n` simultaneous sign-ons; returns their answers and the peak RSS (KiB) of `pid` meanwhile."""
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set() and pid is not None:
            peak[0] = max(peak[0], rss_kib(pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        with ThreadPoolExecutor(n) as pool:
            answers = list(pool.map(lambda i: sign_on(port, employees[i % len(employees)]), range(n), timeout=300))
    finally:
        done.set()
        sampler.join(5)
    return answers, peak[0]


def measure(sizes: Sequence[int], settle: float = 8.0) -> list[dict[str, int]]:
    """For each burst size: RSS before, peak during and `settle` seconds after, on a fresh server."""
    out = []
    for n in sizes:
        srv = ServeProcess()
        try:
            sign_on(srv.port, EMPLOYEES[0])  # warm: the first session and its imports
            before = srv.rss_kib()
            answers, peak = burst(srv.port, n, srv.pid)
            ok = sum("SIGN-ON COMPLETED" in a for a in answers)
            time.sleep(settle)
            out.append({"n": n, "ok": ok, "before": before, "peak": peak, "after": srv.rss_kib(),
                        "threads_after": len(threads_of(srv.pid))})
        finally:
            srv.stop()
    return out


if __name__ == "__main__":
    for row in measure([int(a) for a in sys.argv[1:]] or [20, 200]):
        print(f"{row['n']:4d} sign-ons ({row['ok']} completed): RSS before {row['before'] / 1024:.0f} MiB, "
              f"peak {row['peak'] / 1024:.0f} MiB, {8:.0f} s after {row['after'] / 1024:.0f} MiB, "
              f"threads after {row['threads_after']}")
