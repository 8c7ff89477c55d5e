"""A throw-away PostgreSQL server for the tests: Debian's initdb/pg_ctl in a temporary directory.

Why not a shared server: the tests must run the same on a developer's machine and in CI
(as root there: PostgreSQL refuses to run as root, so the server runs as the `postgres`
user via `runuser`).  The server listens on 127.0.0.1 on a free port, trusts local
connections and is removed when stopped.  `IDRS_SIM_TEST_PG_URL` points the tests at a
server someone already runs instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def pg_bin() -> Path | None:
    """The newest Debian PostgreSQL bin directory with pg_ctl, or the one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """One running server: `url` names its `postgres` database."""

    root: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        """A new empty database on this server; its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        _run(self.bin / "pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _as_postgres() -> list[str]:
    """Commands run as `postgres` when we are root (CI), as ourselves otherwise."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(*cmd: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_as_postgres(), *map(str, cmd)], check=check, capture_output=True, text=True,
                          timeout=120)


def start() -> PgServer:
    """initdb + pg_ctl start on a free port; raises RuntimeError with the server's log if it fails."""
    binary = pg_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL (pg_ctl) is not installed")
    root = Path(tempfile.mkdtemp(prefix="idrs-sim-pg-"))
    os.chmod(root, 0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    _run(binary / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
         "--locale=C.UTF-8")
    port = _free_port()
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    proc = _run(binary / "pg_ctl", "-D", data, "-o", opts, "-l", root / "log", "-w", "-t", "60", "start",
                check=False)
    if proc.returncode != 0:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else proc.stderr
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {log[-500:]}")
    server = PgServer(root, port, binary)
    deadline = time.monotonic() + 30
    while True:  # pg_ctl -w waits, but a socket may lag behind on a busy machine
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("PostgreSQL did not accept connections") from None
            time.sleep(0.1)
    return server
