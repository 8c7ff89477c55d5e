"""Password hashing for IDRS employees: scrypt from the standard library, salted.

Passwords are never stored, shown or logged in clear; only `scrypt$salt$hash` is kept,
with a random 16-byte salt of its own for every hash (two employees with one password
get different hashes).

Every scrypt run (hash or check) goes through one small pool of `MAX_CONCURRENT`
threads.  Why: scrypt with these parameters needs 128 * r * N = 16 MiB of memory per
run, by design.  Without the pool a sign-on burst ran up to 32 at once on the TN3270
server's hand-off threads (20 sign-ons took the server from 74 to 388 MB, 200 to 833
MB), and glibc kept much of it afterwards in the arenas of the threads that had run
them.  With the pool at most MAX_CONCURRENT * 16 MiB is in use at any moment, and only
the pool's threads' arenas ever hold it; a burst queues for the pool instead (the work
is CPU-bound, so more runs than cores would not finish sooner anyway).  The strength is
unchanged: see docs/security.md, "Password hashing".
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

_N, _R, _P = 2**14, 8, 1
SALT_BYTES = 16
MEMORY_PER_RUN = 128 * _R * _N  # bytes scrypt allocates for one run: 16 MiB
MAX_CONCURRENT = max(1, min(4, os.cpu_count() or 1))  # scrypt runs at once, process-wide

_pool = ThreadPoolExecutor(MAX_CONCURRENT, thread_name_prefix="scrypt")


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def _bounded(password: str, salt: bytes) -> bytes:
    """scrypt on the shared pool (the caller waits; the interpreter lock is free meanwhile)."""
    return _pool.submit(_scrypt, password, salt).result()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    return f"scrypt${salt.hex()}${_bounded(password, salt).hex()}"


def hash_passwords(passwords: Iterable[str]) -> list[str]:
    """One hash per password given, each with a fresh random salt, run on the pool side by side
    (loading a fixture hashes every employee's password: about 60 ms of a core each)."""
    salts_and_runs = []
    for pw in passwords:
        salt = os.urandom(SALT_BYTES)
        salts_and_runs.append((salt, _pool.submit(_scrypt, pw, salt)))
    return [f"scrypt${salt.hex()}${run.result().hex()}" for salt, run in salts_and_runs]


_HASH = re.compile(r"scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}", re.ASCII)


def is_password_hash(stored: str) -> bool:
    """True for the form `hash_password` writes: scrypt, a 16-byte salt, a 32-byte digest
    (a fixture's `password_hash: "scrypt$zz$00"` broke every sign-on: issue #16 item 11)."""
    return _HASH.fullmatch(stored) is not None


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; False for a malformed hash or
    for "no password" (fixtures.NO_PASSWORD_HASH)."""
    if not isinstance(stored, str) or not is_password_hash(stored):
        return False
    _, salt_hex, digest_hex = stored.split("$")
    return hmac.compare_digest(_bounded(password, bytes.fromhex(salt_hex)).hex(), digest_hex)
