"""Keyed pseudonyms of participants: HMAC-SHA256 of the account name under a local secret key.

A plain hash of a GitHub login can be reversed by hashing candidate logins, so the hash is
keyed. The key comes from the environment (`MLITER_PSEUDONYM_KEY`) or from a local file
that git ignores (`.mliter/pseudonym.key` under the repository root); it is never written to
any shipped file. Without either, `key()` creates the file once with a random key, so the
pseudonyms of one checkout stay stable; a different key gives different pseudonyms (the
shipped sources table records which key fingerprint it was built with, not the key).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from mliter.errors import InputError
from mliter.io import atomic_write_text
from mliter.paths import ROOT

ENV = "MLITER_PSEUDONYM_KEY"
KEY_FILE = Path(".mliter") / "pseudonym.key"
PREFIX = "p_"
LENGTH = 12


class PseudonymKeyError(InputError):
    """The key is missing or too short."""


def key(root: Path = ROOT, create: bool = True) -> bytes:
    """The secret key: env var, else the local key file (created on first use when `create`)."""
    raw = os.environ.get(ENV)
    if raw is None:
        path = Path(root) / KEY_FILE
        if path.exists():
            raw = path.read_text(encoding="utf-8").strip()
        elif create:
            raw = secrets.token_hex(32)
            atomic_write_text(path, raw + "\n")
            os.chmod(path, 0o600)
        else:
            raise PseudonymKeyError(f"no pseudonym key: set {ENV} or create {path}")
    if len(raw) < 16:
        raise PseudonymKeyError(f"the pseudonym key must have at least 16 characters (got {len(raw)})")
    return raw.encode("utf-8")


def pseudonym(account: str, secret: bytes, namespace: str = "github") -> str:
    """`p_` + 12 hex digits of HMAC-SHA256(key, "namespace:account"); logins compare case-insensitively."""
    if not account:
        return ""
    msg = f"{namespace}:{account.lower()}".encode("utf-8")
    return PREFIX + hmac.new(secret, msg, hashlib.sha256).hexdigest()[:LENGTH]


def fingerprint(secret: bytes) -> str:
    """A short public fingerprint of the key, to tell which key a table was built with (not reversible)."""
    return hashlib.sha256(b"mliter-pseudonym-key:" + secret).hexdigest()[:8]
