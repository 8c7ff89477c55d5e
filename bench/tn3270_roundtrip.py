"""TN3270 round trip: Enter pressed -> next screen received, one client, loopback.

Measures the server alone (negotiation done, a trivial host that echoes the field),
first with a raw-socket client so the figure is the server's, then with s3270 when it
is installed, which adds x3270's own processing and its stdin/stdout pipe.
Prints figures only.  Run: python bench/tn3270_roundtrip.py [N]
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idrs_sim.front.tn3270 import telnet  # noqa: E402
from idrs_sim.front.tn3270.codec import encode_read  # noqa: E402
from idrs_sim.front.tn3270.server import ServerOptions, server_in_thread  # noqa: E402
from idrs_sim.terminal.aid import Aid, AidEvent  # noqa: E402
from idrs_sim.terminal.screen import Screen, address  # noqa: E402

FIELD = address(5, 20) - 1


class EchoHost:
    def __init__(self, connection_id: str) -> None:
        self.n = 0

    def screen(self, message: str) -> Screen:
        s = Screen()
        s.add_protected(1, 2, 30)
        s.put(1, 2, "IDRS ROUND TRIP")
        s.add_input(5, 20, 10, name="emp")
        s.add_protected(24, 2, 78)
        s.put(24, 2, message)
        s.cursor = address(5, 20)
        return s

    def first_screen(self) -> Screen:
        return self.screen("READY")

    def handle(self, event: AidEvent) -> Screen:
        self.n += 1
        return self.screen(f"{event.aid.value} {event.modified.get(FIELD, '')} {self.n}")


def raw_client(port: int, n: int) -> list[float]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    parser = telnet.TelnetParser()
    records: list[bytes] = []

    def pump() -> None:
        for ev in parser.feed(sock.recv(65536)):
            if isinstance(ev, telnet.Command) and ev.option is not None:
                answer = {telnet.DO: telnet.WILL, telnet.WILL: telnet.DO}.get(ev.verb)
                if answer:
                    sock.sendall(telnet.command(answer, ev.option))
            elif isinstance(ev, telnet.Subneg) and ev.payload == b"\x18\x01":
                sock.sendall(telnet.subneg(b"\x18\x00IBM-3278-2-E"))
            elif isinstance(ev, telnet.Record):
                records.append(ev.data)

    while not records:
        pump()
    records.clear()
    times = []
    for i in range(n):
        rec = telnet.frame_record(encode_read(AidEvent(Aid.ENTER, FIELD + 1, {FIELD: f"E{i}"})))
        t0 = time.perf_counter()
        sock.sendall(rec)
        while not records:
            pump()
        times.append(time.perf_counter() - t0)
        records.clear()
    sock.close()
    return times


def s3270_client(port: int, n: int) -> list[float]:
    proc = subprocess.Popen(["s3270", "-model", "3279-2", "-codepage", "cp037"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin and proc.stdout

    def do(action: str) -> None:
        proc.stdin.write(action.encode() + b"\n")
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("s3270 exited")
            if line.strip() in (b"ok", b"error"):
                return

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
    return times


def report(label: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(f"{label:<44} n={len(ms):<4} p50={p50:7.3f} ms  p99={p99:7.3f} ms  max={ms[-1]:7.3f} ms")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    for mode in ("per-connection", "inline"):
        with server_in_thread(EchoHost, options=ServerOptions(host_threads=mode)) as (_, port):
            raw_client(port, 20)  # warm up
            report(f"raw socket client, host_threads={mode}", raw_client(port, n))
    if shutil.which("s3270"):
        with server_in_thread(EchoHost) as (_, port):
            s3270_client(port, 20)
            report("s3270 client (Enter action), per-connection", s3270_client(port, n))


if __name__ == "__main__":
    main()
