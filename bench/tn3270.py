"""TN3270 round trip on loopback: 1, 10 and 50 concurrent clients against the real host.

The server is `idrs_sim.front.tn3270.server` with its default options (host calls in one
FIFO queue served by a small pool of worker threads; `--host-threads` and
`--host-workers` try the other designs) serving `IdrsSession`s over the training master
file (`idrs_sim.simulator.Simulator`), bound to 127.0.0.1 only, in this process.  The clients
run in a **separate process** (one thread and one raw socket each), so their Python work
does not compete with the server for this process's interpreter lock: each negotiates
TN3270, signs on as the trainee (Enter with the sign-on fields, built with the codec's
`encode_read`), then repeats: Clear, then Enter with the cleared screen's input field holding
``ENMOD <tin>`` or ``TXMODA <tin> 30 <period>`` (TINs and modules of the training master
file, in turn).  A round trip is key sent -> next screen (the whole record) received.

Two load models per client count, each with a bounded number of requests:

* ``think``: every client waits a random 0.2-1.0 s before each Clear + Enter pair (a
  very fast operator; 50 clients offer about 60 commands, 120 keys, a second) - the
  model the 20 ms target is about;
* ``closed``: no think time, every client sends its next key as soon as the screen
  arrives - saturation: the host serialises units of work on the one master file, so
  latency grows with the number of clients; reported for throughput.

The server process's CPU seconds per key are reported beside it (CPU time of this
process while the clients ran: the server's threads only; the sign-ons, one per client,
are included, and at 50 clients their password hashing is a sixth of it), and *steady*:
the same from the moment every client has signed on (the client process says so), which
is the figure to compare the per-key work by.  The server also times every key on its own clock (`ServerOptions.observer`,
sign-ons left out): *server* is record complete -> answer handed to the socket, *wait* the
part of it spent queued before a worker thread took the call, *host* the host call itself.
The client figure minus the server figure is the loopback, the client's own work and the
scheduling of both processes.  The load average (1 min) before and after each run is
printed with it: on a shared machine wall-clock figures are only comparable at similar load.  A protocol-only figure
(an echo host, one client, no master file) shows what the telnet/3270 layer costs, and,
when s3270 is installed, the same through s3270 (a real 3270 client and its pipe).
Prints figures only.

    python -m bench.tn3270 [--clients 1,10,50] [--requests 40] [--json]
                           [--models think,closed] [--host-threads pool] [--host-workers N]
                           [--no-direct-write]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from bench.common import ROOT, Result, python, say, subprocess_env, summary_ms

TRAINEE = "1485012345"


# ---- the client side (runs in its own process) ---------------------------------------------
class Client:
    """One raw-socket TN3270 client."""

    def __init__(self, port: int) -> None:
        from idrs_sim.front.tn3270 import telnet

        self.telnet = telnet
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.parser = telnet.TelnetParser()
        self.records: list[bytes] = []
        while not self.records:  # negotiation, then the sign-on screen
            self._pump()
        self.records.clear()

    def _pump(self) -> None:
        t = self.telnet
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        for ev in self.parser.feed(data):
            if isinstance(ev, t.Command) and ev.option is not None:
                answer = {t.DO: t.WILL, t.WILL: t.DO}.get(ev.verb)
                if answer:
                    self.sock.sendall(t.command(answer, ev.option))
            elif isinstance(ev, t.Subneg) and ev.payload == b"\x18\x01":
                self.sock.sendall(t.subneg(b"\x18\x00IBM-3278-2-E"))
            elif isinstance(ev, t.Record):
                self.records.append(ev.data)

    def key(self, record: bytes) -> tuple[float, bytes]:
        """Send one inbound record; (seconds until the whole answer arrived, the answer)."""
        framed = self.telnet.frame_record(record)
        t0 = time.perf_counter()
        self.sock.sendall(framed)
        while not self.records:
            self._pump()
        elapsed = time.perf_counter() - t0
        answer = self.records.pop(0)
        self.records.clear()
        return elapsed, answer

    def close(self) -> None:
        self.sock.close()


def client_main(argv: list[str]) -> None:
    """`python -m bench.tn3270 --client`: run N clients, print their round trips as JSON."""
    from idrs_sim.front.tn3270.codec import encode_read
    from idrs_sim.terminal.aid import Aid, AidEvent

    ap = argparse.ArgumentParser()
    ap.add_argument("--client", action="store_true")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, required=True)
    ap.add_argument("--requests", type=int, required=True)
    ap.add_argument("--think", default="0,0")
    ap.add_argument("--signon", required=True, help="JSON: employee field addr, password field addr, password")
    ap.add_argument("--commands", required=True, help="JSON list of command lines")
    ap.add_argument("--echo", action="store_true", help="protocol only: Enter with one field, no sign-on")
    args = ap.parse_args(argv)
    lo, hi = (float(x) for x in args.think.split(","))
    emp_addr, pw_addr, password = json.loads(args.signon)
    commands = json.loads(args.commands)
    enter_s: list[float] = []
    clear_s: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def signed_on() -> None:  # every client is in: the measured keys start now
        print("GO", flush=True)

    go = threading.Barrier(args.clients, action=signed_on)

    def one(n: int) -> None:
        rng = random.Random(n)
        mine_enter, mine_clear = [], []
        try:
            c = Client(args.port)
            if not args.echo:
                _, ans = c.key(encode_read(AidEvent(Aid.ENTER, pw_addr + 1, {emp_addr: TRAINEE, pw_addr: password})))
                if "SIGN-ON COMPLETED".encode("cp037") not in ans:
                    raise RuntimeError("sign-on failed")
            go.wait(60)
            for i in range(args.requests):
                if hi > 0:
                    time.sleep(rng.uniform(lo, hi))
                if args.echo:
                    secs, ans = c.key(encode_read(AidEvent(Aid.ENTER, 0, {emp_addr: f"E{i}"})))
                    mine_enter.append(secs)
                    continue
                secs, _ = c.key(encode_read(AidEvent(Aid.CLEAR, 0)))
                mine_clear.append(secs)
                line = commands[(n + i) % len(commands)]
                # the cleared screen is one input field: its attribute at address 0, text from row 1 column 2
                secs, ans = c.key(encode_read(AidEvent(Aid.ENTER, 1 + len(line), {0: line})))
                mine_enter.append(secs)
                if line.split()[1].encode("cp037") not in ans or "SYSTEM ERROR".encode("cp037") in ans:
                    raise RuntimeError(f"unexpected answer to {line}")
            c.close()
        except Exception as exc:  # reported, not raised: the other clients go on
            with lock:
                errors.append(f"client {n}: {type(exc).__name__}: {exc}")
            try:
                go.abort()
            except Exception:
                pass
        with lock:
            enter_s.extend(mine_enter)
            clear_s.extend(mine_clear)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(args.clients)]
    w0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"enter": enter_s, "clear": clear_s, "errors": errors[:5], "n_errors": len(errors),
                      "wall_s": time.perf_counter() - w0}))


# ---- the server side (this process) ------------------------------------------------------
class EchoHost:
    """A trivial host: the protocol alone, no master file."""

    def __init__(self, connection_id: str) -> None:
        from idrs_sim.terminal.screen import Screen, address

        self.Screen, self.address, self.n = Screen, address, 0

    def _screen(self, message: str) -> Any:
        s = self.Screen()
        s.add_protected(1, 2, 30)
        s.put(1, 2, "IDRS ROUND TRIP")
        s.add_input(5, 20, 10, name="emp")
        s.add_protected(24, 2, 78)
        s.put(24, 2, message)
        s.cursor = self.address(5, 20)
        return s

    def first_screen(self) -> Any:
        return self._screen("READY")

    def handle(self, event: Any) -> Any:
        self.n += 1
        return self._screen(f"{event.aid.value} {self.n}")


def s3270_round_trips(port: int, n: int) -> list[float]:
    """Enter round trips through s3270 (x3270's scripting client): its own 3270 processing
    and its stdin/stdout pipe come on top of the server's."""
    proc = subprocess.Popen(["s3270", "-model", "3279-2", "-codepage", "cp037"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None

    def do(action: str) -> None:
        stdin.write(action.encode() + b"\n")
        stdin.flush()
        while True:
            line = stdout.readline()
            if not line:
                raise RuntimeError("s3270 exited")
            if line.strip() in (b"ok", b"error"):
                return

    try:
        do(f"Connect(127.0.0.1:{port})")
        do("Wait(10,InputField)")
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            do("Enter")
            times.append(time.perf_counter() - t0)
        do("Disconnect")
        do("Quit")
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
    return times


class KeyLog:
    """The server's own timing of each key (`ServerOptions.observer`), for one run at a time."""

    def __init__(self) -> None:
        self.timings: list[Any] = []

    def __call__(self, timing: Any) -> None:  # on a host worker or the event loop: list.append is thread-safe
        self.timings.append(timing)

    def take(self) -> dict[str, Any]:
        """Summaries of the keys since the last call, each connection's first key (its sign-on) left out."""
        got, self.timings = self.timings, []
        seen: set[str] = set()
        keys = []
        for t in got:
            if t.connection in seen:
                keys.append(t)
            seen.add(t.connection)
        out: dict[str, Any] = {}
        for name, aid in (("enter", "ENTER"), ("clear", "CLEAR")):
            mine = [t for t in keys if t.aid == aid]
            out[name] = {part: summary_ms([getattr(t, part) for t in mine]) for part in ("total", "wait", "host")}
        return out


def run_clients(port: int, clients: int, requests: int, think: str, signon: list[Any], commands: list[str],
                echo: bool = False, keylog: KeyLog | None = None) -> dict[str, Any]:
    argv = [python(), "-m", "bench.tn3270", "--client", "--port", str(port), "--clients", str(clients),
            "--requests", str(requests), "--think", think, "--signon", json.dumps(signon),
            "--commands", json.dumps(commands)] + (["--echo"] if echo else [])
    load0 = os.getloadavg()[0]
    if keylog is not None:
        keylog.take()
    c0 = time.process_time()
    c_go: float | None = None
    with subprocess.Popen(argv, cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        err: list[str] = []
        drain = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
        drain.start()
        lines = []
        for line in proc.stdout:
            if line.strip() == "GO" and c_go is None:
                c_go = time.process_time()  # every client signed on
            else:
                lines.append(line)
        proc.wait(900)
        drain.join(5)
    server_cpu = time.process_time() - c0
    steady_cpu = time.process_time() - c_go if c_go is not None else None
    load1 = os.getloadavg()[0]
    if proc.returncode != 0:
        raise SystemExit(f"client process failed:\n{''.join(err)[-2000:]}")
    data = json.loads(lines[-1])
    keys = len(data["enter"]) + len(data["clear"])
    return {
        "clients": clients, "requests_per_client": requests, "think_s": think,
        "enter": summary_ms(data["enter"]), "clear": summary_ms(data["clear"]),
        "all_keys": summary_ms(data["enter"] + data["clear"]),
        "keys": keys, "keys_per_s": round(keys / data["wall_s"], 1) if data["wall_s"] else None,
        "server_cpu_ms_per_key": round(server_cpu / keys * 1000, 2) if keys else None,
        "server_cpu_ms_per_key_steady": round(steady_cpu / keys * 1000, 2) if keys and steady_cpu is not None else None,
        "errors": data["n_errors"], "error_samples": data["errors"],
        "load_before": round(load0, 2), "load_after": round(load1, 2),
        **({"server": keylog.take()} if keylog is not None else {}),
    }


def main(argv: list[str] | None = None) -> Result:
    argv = sys.argv[1:] if argv is None else argv
    if "--client" in argv:
        client_main(argv)
        raise SystemExit(0)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", default="1,10,50")
    ap.add_argument("--requests", type=int, default=40, help="Clear + Enter pairs per client (think model)")
    ap.add_argument("--closed-requests", type=int, default=20, help="pairs per client (closed-loop model)")
    ap.add_argument("--models", default="think,closed", help="load models to run: think, closed or both")
    ap.add_argument("--host-threads", default=None, help="ServerOptions.host_threads (default: the server's)")
    ap.add_argument("--host-workers", type=int, default=None, help="ServerOptions.host_workers (default: the server's)")
    ap.add_argument("--no-direct-write", action="store_true",
                    help="ServerOptions.direct_write=False: the event loop writes every answer")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from sqlalchemy import select

    from idrs_sim.front.tn3270.server import ServerOptions, server_in_thread
    from idrs_sim.gcpause import freeze_long_lived
    from idrs_sim.masterfile.models import Entity, TaxModule
    from idrs_sim.simulator import Simulator
    from idrs_sim.terminal.screenmap import load_map

    res = Result("tn3270")
    f = res.figures
    counts = [int(x) for x in args.clients.split(",")]
    signon_screen = load_map("signon").render({})
    emp = signon_screen.field_named("EMPLOYEE-NO")
    pw = signon_screen.field_named("PASSWORD")
    assert emp is not None and pw is not None

    # protocol only
    with server_in_thread(EchoHost, options=ServerOptions()) as (_, port):
        run_clients(port, 1, 20, "0,0", [emp.addr, pw.addr, ""], [], echo=True)  # warm-up
        f["echo_1_client"] = run_clients(port, 1, 200, "0,0", [emp.addr, pw.addr, ""], [], echo=True)
        if shutil.which("s3270"):
            s3270_round_trips(port, 10)  # warm-up
            f["echo_s3270"] = summary_ms(s3270_round_trips(port, 100))
    e = f["echo_1_client"]["enter"]
    say(f"tn3270   protocol only (echo host, 1 client, {e['n']} keys): p50 {e['p50_ms']:.2f} ms  p99 {e['p99_ms']:.2f} ms")
    if "echo_s3270" in f:
        x = f["echo_s3270"]
        say(f"  through s3270 (echo host, {x['n']} Enter actions): p50 {x['p50_ms']:.2f} ms  p99 {x['p99_ms']:.2f} ms")
    else:
        res.notes.append("s3270 not installed: no figure through a real 3270 client")

    with Simulator() as sim:
        with sim.mf.reading() as db:
            mods = db.execute(select(Entity.tin, TaxModule.period).join(TaxModule)
                              .where(Entity.file == "IMF", TaxModule.mft == "30").order_by(Entity.tin)).all()
        commands = []
        for tin_, period in mods:
            commands += [f"ENMOD {tin_}", f"TXMODA {tin_} 30 {period}"]
        signon = [emp.addr, pw.addr, sim.password_for(TRAINEE)]
        freeze_long_lived()  # as `idrs-sim serve` does once its master file is loaded
        f["host"] = f"IdrsSession over the training master file ({len(mods)} IMF MFT 30 modules)"
        keylog = KeyLog()
        chosen = {k: v for k, v in (("host_threads", args.host_threads), ("host_workers", args.host_workers))
                  if v is not None}
        if args.no_direct_write:
            chosen["direct_write"] = False
        options = ServerOptions(observer=keylog, **chosen)
        f["server_options"] = {"host_threads": options.host_threads, "host_workers": options.host_workers,
                               "handoff_after": options.handoff_after, "direct_write": options.direct_write}
        models = [m for m in (("think", "0.2,1.0", args.requests), ("closed", "0,0", args.closed_requests))
                  if m[0] in args.models.split(",")]
        with server_in_thread(sim.new_session, options=options) as (_, port):
            run_clients(port, 2, 10, "0,0", signon, commands)  # warm-up: maps, definitions, caches
            say(f"  real host (IdrsSession, training master file); Enter = ENMOD/TXMODA, Clear before each;"
                f" host calls: {options.host_threads}"
                + (f", {options.host_workers} worker(s)" if options.host_threads == "pool" else "")
                + ("" if options.direct_write else ", answers written by the event loop"))
            say("  client clock: key sent -> answer received; server clock (Enter): record in -> answer out,"
                " of which queued (wait) and in the host")
            say("  model   clients  keys  keys/s   Enter p50    p99     max   Clear p50   p99   cpu/key steady"
                "  | server p50   p99  wait p99  host p99 | load")
            for model, think, reqs in models:
                for n in counts:
                    r = run_clients(port, n, reqs, think, signon, commands, keylog=keylog)
                    f[f"{model}_{n}"] = r
                    en, cl, sv = r["enter"], r["clear"], r["server"]["enter"]
                    say(f"  {model:<7} {n:>7} {r['keys']:>5} {r['keys_per_s']:>7}  {en['p50_ms']:9.2f} {en['p99_ms']:7.2f}"
                        f" {en['max_ms']:7.2f}  {cl['p50_ms']:9.2f} {cl['p99_ms']:6.2f}  {r['server_cpu_ms_per_key']:6.2f}"
                        f" {r['server_cpu_ms_per_key_steady'] or 0:6.2f}"
                        f"  | {sv['total']['p50_ms']:10.2f} {sv['total']['p99_ms']:5.2f} {sv['wait']['p99_ms']:9.2f}"
                        f" {sv['host']['p99_ms']:9.2f} | {r['load_before']:.2f}->{r['load_after']:.2f}"
                        + (f"   ERRORS {r['errors']}: {r['error_samples'][:1]}" if r["errors"] else ""))
    res.emit(args.json)
    return res


if __name__ == "__main__":
    main()
