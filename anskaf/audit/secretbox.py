"""Secrets stored in the database, encrypted with a key outside it (ADR 0031).

The client secrets of the municipalities' single sign-on and their KITOS passwords are kept
as Fernet tokens (AES-128-CBC with HMAC-SHA256, from `cryptography`). The key lives in the
key directory next to the audit anchor keys (``settings.ANSKAF_KEY_DIR``, ADR 0023), which
backups never contain:

- ``secrets-<id>.key``  a Fernet key (mode 0600); the current one, and an older one only
  for the moments of a rotation;
- ``secrets-current``   the id of the key that encrypts now.

A key's id is the first 16 hex digits of SHA-256 over the key. The key is made on first use.
Decryption tries every key in the directory (the current one first), so a rotation that is
interrupted leaves nothing unreadable; `anskaf keys rotate-secrets` makes a new key,
re-encrypts every stored secret with it and then deletes the old key files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .keys import KeyDirError, key_dir

CURRENT = "secrets-current"


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted: its key is gone (a lost or replaced key directory)."""


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def _write_key(directory: Path) -> str:
    key = Fernet.generate_key()
    kid = _key_id(key)
    fd = os.open(directory / f"secrets-{kid}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    draft = directory / f".{CURRENT}.{os.getpid()}"
    draft.write_text(kid + "\n", encoding="ascii")
    os.replace(draft, directory / CURRENT)  # atomic: a reader sees the old id or the new one
    return kid


def current_key_id(*, create: bool = True) -> str | None:
    directory = key_dir()
    try:
        kid = (directory / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        kid = ""
    except OSError as exc:
        raise KeyDirError(f"cannot read {directory / CURRENT} ({exc.strerror})") from None
    if not kid and create:
        kid = _write_key(directory)
    return kid or None


def _load(directory: Path, kid: str) -> Fernet:
    path = directory / f"secrets-{kid}.key"
    try:
        return Fernet(path.read_bytes().strip())
    except FileNotFoundError:
        raise KeyDirError(f"the secrets key {path} is missing") from None
    except (OSError, ValueError) as exc:
        raise KeyDirError(f"cannot load the secrets key {path} ({exc})") from None


def _all_keys() -> MultiFernet:
    """The current key first, then every other key file (those of an interrupted rotation)."""
    directory = key_dir()
    kid = current_key_id()
    assert kid is not None
    keys = [_load(directory, kid)]
    for path in sorted(directory.glob("secrets-*.key")):
        other = path.name[len("secrets-"):-len(".key")]
        if other != kid:
            keys.append(_load(directory, other))
    return MultiFernet(keys)


def encrypt(plain: str) -> str:
    """The secret as a token to store; "" stays "" (nothing stored)."""
    if not plain:
        return ""
    return _all_keys().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _all_keys().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise SecretUnreadable(
            "the stored secret cannot be decrypted with the keys in the key directory") from None


def rotate(tokens: list[str]) -> tuple[str | None, str, list[str]]:
    """A new current key; `tokens` re-encrypted with it (same order).

    Returns (old id, new id, new tokens). The caller stores the new tokens and then calls
    `retire_old_keys`. Raises SecretUnreadable when a token cannot be read with any key.
    """
    directory = key_dir()
    old = current_key_id(create=False)
    new = _write_key(directory)
    keys = _all_keys()
    try:
        renewed = [keys.rotate(t.encode("ascii")).decode("ascii") if t else "" for t in tokens]
    except (InvalidToken, ValueError):
        raise SecretUnreadable("a stored secret cannot be decrypted: not rotated") from None
    return old, new, renewed


def retire_old_keys() -> list[str]:
    """Delete every secrets key but the current one; their ids."""
    directory = key_dir()
    kid = current_key_id(create=False)
    gone = []
    for path in sorted(directory.glob("secrets-*.key")):
        other = path.name[len("secrets-"):-len(".key")]
        if other != kid:
            path.unlink(missing_ok=True)
            gone.append(other)
    return gone
