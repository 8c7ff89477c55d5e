"""Soak: 20 good s3270 sessions work an `idrs-sim serve` while hostile clients run beside them
(issue 24).  Part of `make test` (and so of `.ci/run`); about a minute on two busy cores.

The hostile side, all bounded in count and time, all to 127.0.0.1:

* random bytes: 20 connections that send 32 KiB of seeded random bytes instead of
  negotiating, 10 that negotiate first;
* 0xFF floods: 5 negotiated connections sending 0xFF until the server drops them;
* silent sessions: 60 negotiated connections that never send a key;
* a 200-connection burst: 200 clients negotiate at once, take the sign-on screen, leave;
* a sign-on flood: 60 simultaneous real sign-ons (scrypt) and 2 clients pressing Enter
  300 times each with employee numbers that do not exist.

Asserted: every good session gets every screen it asked for (sign-on, then ROUNDS x
ENMOD with the account's name on it), the server logs no error, it still serves a fresh
client at the end, and its resident memory (sampled every 50 ms) stays under RSS_BOUND_MIB.
No timing is asserted; every wait has a generous timeout, so a broken server fails the
test instead of hanging the run.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from test_tn3270_s3270 import S3270

from .rawclient import RawClient, screen_text, signon_fields
from .serveproc import PASSWORD, ServeProcess, rss_kib, sign_on

pytestmark = [
    pytest.mark.soak,
    pytest.mark.tn3270,
    pytest.mark.skipif(shutil.which("s3270") is None, reason="s3270 not installed (CI installs it)"),
]

GOOD = 20
ROUNDS = 12
GOOD_EMPLOYEES = ("1485012345", "1485012346", "1485012300")  # tpp-assistors: may run ENMOD
TIN, NAME = "400-00-1001", "JOHN A SMITH"
FLOODED = "1485099999"  # the instructor: the only employee the hostile side types wrong passwords for
# Stated bound on the server's RSS during the whole run.  Measured: about 130 MiB at peak
# (docs/running.md); before issue 24 a burst of 200 sign-ons alone took it to 800 MB.
RSS_BOUND_MIB = 300


def _good_session(port: int, i: int) -> int:
    """Sign on, then ROUNDS x ENMOD; returns the screens that were right (AssertionError otherwise)."""
    c = S3270()
    try:
        c.connect(port)
        emp = GOOD_EMPLOYEES[i % len(GOOD_EMPLOYEES)]
        for action in (f'String("{emp}")', "Tab", f'String("{PASSWORD}")', "Enter", "Wait(30,Unlock)"):
            c.do(action, timeout=60)
        assert "SIGN-ON COMPLETED" in c.text(24), c.text(24)
        screens = 1
        for r in range(ROUNDS):
            c.do("Clear", timeout=30)
            c.do(f'String("ENMOD {TIN}")', timeout=30)
            c.do("Enter", timeout=60)
            c.do("Wait(30,Unlock)", timeout=60)
            page = "\n".join(c.do("Ascii1(1,1,24,80)", timeout=30))
            assert f"ENMOD {TIN}" in page and NAME in page, f"session {i} round {r}:\n{page}"
            screens += 1
        return screens
    finally:
        c.close()


# ---- the hostile side ---------------------------------------------------------------------
def _safely(fn: Callable[[], str]) -> str:
    """A hostile client's outcome as a word; its failures are expected, not errors."""
    try:
        return fn()
    except (AssertionError, OSError) as exc:
        return type(exc).__name__


def _random_bytes(port: int, seed: int, negotiate: bool) -> str:
    rng = random.Random(seed)
    c = RawClient(port, timeout=15, negotiate=negotiate)
    try:
        for _ in range(8):
            c.sock.sendall(rng.randbytes(4096))
        return "closed" if c.wait_closed(15) else "open"
    finally:
        c.close()


def _ff_flood(port: int) -> str:
    c = RawClient(port, timeout=15)
    try:
        try:
            for _ in range(64):  # at most 4 MiB (the socket buffers alone may take that much)
                c.sock.sendall(b"\xff" * 65536)
        except OSError:
            return "dropped"
        return "dropped" if c.wait_closed(60) else "open"
    finally:
        c.close()


def _burst_one(port: int) -> str:
    c = RawClient(port, timeout=60)
    c.close()
    return "served"


def _unknown_numbers(port: int, seed: int) -> str:
    c = RawClient(port, timeout=60)
    try:
        for n in range(300):
            text = screen_text(c.enter(signon_fields(f"{9_100_000_000 + seed * 1000 + n}", "guess")))
            assert "INVALID EMPLOYEE NUMBER" in text
        return "answered"
    finally:
        c.close()


def _hostile(port: int, stop: threading.Event) -> Counter[str]:
    """Everything hostile, side by side; returns how each kind of client ended."""
    outcomes: Counter[str] = Counter()
    silent: list[RawClient] = []
    with ThreadPoolExecutor(64) as pool:
        jobs = []
        for i in range(60):
            jobs.append(("silent", pool.submit(lambda: silent.append(RawClient(port, timeout=60)) or "held")))
        for i in range(20):
            jobs.append(("random", pool.submit(_safely, lambda i=i: _random_bytes(port, i, False))))
        for i in range(10):
            jobs.append(("random-3270", pool.submit(_safely, lambda i=i: _random_bytes(port, 100 + i, True))))
        for _ in range(5):
            jobs.append(("ff", pool.submit(_safely, lambda: _ff_flood(port))))
        for i in range(2):
            jobs.append(("unknown", pool.submit(_safely, lambda i=i: _unknown_numbers(port, i))))
        for kind, job in jobs:
            outcomes[f"{kind}:{job.result(timeout=180)}"] += 1
    with ThreadPoolExecutor(200) as pool:  # the burst: 200 at once
        for r in pool.map(lambda _: _safely(lambda: _burst_one(port)), range(200), timeout=180):
            outcomes[f"burst:{r}"] += 1
    with ThreadPoolExecutor(60) as pool:  # 60 simultaneous real sign-ons, and wrong passwords
        for r in pool.map(lambda i: _safely(lambda: sign_on(port, GOOD_EMPLOYEES[i % 3])), range(60), timeout=300):
            outcomes["signon:" + ("completed" if "SIGN-ON COMPLETED" in r else r[-80:].strip())] += 1
        for r in pool.map(lambda _: _safely(lambda: sign_on(port, FLOODED, "wrong")), range(10), timeout=300):
            outcomes["wrong:" + ("answered" if "INVALID PASSWORD" in r or "LOCKED" in r else r[-80:].strip())] += 1
    stop.wait(300)  # the silent ones stay until the good sessions are done
    for c in silent:
        c.close()
    return outcomes


def test_good_sessions_get_every_screen_beside_hostile_clients() -> None:
    srv = ServeProcess("--max-sessions", "400", "--idle-timeout", "120")
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                peak[0] = max(peak[0], rss_kib(srv.pid))
            except (OSError, RuntimeError):
                return
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    good_done = threading.Event()
    try:
        with ThreadPoolExecutor(GOOD + 1) as pool:
            hostile = pool.submit(_hostile, srv.port, good_done)
            time.sleep(0.5)  # the hostile side has started
            good = [pool.submit(_good_session, srv.port, i) for i in range(GOOD)]
            screens = [g.result(timeout=600) for g in good]
            good_done.set()
            outcomes = hostile.result(timeout=600)
        # Still serving, with memory to spare, after all that.
        assert "SIGN-ON COMPLETED" in sign_on(srv.port, GOOD_EMPLOYEES[0])
        after = srv.rss_kib()
    finally:
        good_done.set()
        done.set()
        sampler.join(5)
        rc = srv.stop()
    log = srv.stderr_text()
    print(f"\nsoak: {sum(screens)} good screens; hostile outcomes {dict(sorted(outcomes.items()))}; "
          f"server RSS peak {peak[0] / 1024:.0f} MiB, at the end {after / 1024:.0f} MiB; "
          f"log {len(log)} bytes, {log.count(chr(10))} lines")
    assert screens == [ROUNDS + 1] * GOOD
    assert rc == 0
    errors = [line for line in log.splitlines() if ": error:" in line]
    assert errors == []
    assert outcomes["silent:held"] == 60 and outcomes["burst:served"] == 200
    assert outcomes["signon:completed"] == 60 and outcomes["unknown:answered"] == 2
    assert outcomes["ff:dropped"] == 5
    assert peak[0] < RSS_BOUND_MIB * 1024, f"server RSS peaked at {peak[0] / 1024:.0f} MiB"
