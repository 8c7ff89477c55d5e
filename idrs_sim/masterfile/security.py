"""Password hashing for IDRS employees: scrypt from the standard library, salted.

Passwords are never stored, shown or logged in clear; only `scrypt$salt$hash` is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


_HASH = re.compile(r"scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}", re.ASCII)


def is_password_hash(stored: str) -> bool:
    """True for the form `hash_password` writes: scrypt, a 16-byte salt, a 32-byte digest
    (a fixture's `password_hash: "scrypt$zz$00"` broke every sign-on: issue #16 item 11)."""
    return _HASH.fullmatch(stored) is not None


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; False for a malformed hash."""
    if not isinstance(stored, str) or not is_password_hash(stored):
        return False
    _, salt_hex, digest_hex = stored.split("$")
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(digest.hex(), digest_hex)
