"""The anchor signing keys: Ed25519, in the key directory outside the database (ADR 0023).

Layout of ``settings.ANSKAF_KEY_DIR`` (mode 0700):

- ``anchor-<id>.key``  the private key (PKCS#8 PEM, mode 0600); only the current one is kept;
- ``anchor-<id>.pub``  its public key (SubjectPublicKeyInfo PEM); every one is kept, so old
  anchors still verify after a rotation;
- ``anchor-current``   the id of the key that signs now.

A key's id is the first 16 hex digits of SHA-256 over its raw public key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

CURRENT = "anchor-current"


class KeyDirError(Exception):
    """The key directory cannot be used (unreadable, a key file missing or damaged)."""


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private: Ed25519PrivateKey

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self.private.sign(payload)).decode("ascii")


def key_dir() -> Path:
    """The key directory, created with mode 0700 when missing."""
    path = Path(settings.ANSKAF_KEY_DIR)
    if not path.is_dir():
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)
        except OSError as exc:
            raise KeyDirError(f"cannot create the key directory {path} ({exc.strerror})") from None
    return path


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(public)).hexdigest()[:16]


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _new_key(directory: Path) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    kid = key_id_of(private.public_key())
    _write_private(directory / f"anchor-{kid}.key", private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (directory / f"anchor-{kid}.pub").write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    draft = directory / f".{CURRENT}.{os.getpid()}"
    draft.write_text(kid + "\n", encoding="ascii")
    os.replace(draft, directory / CURRENT)  # atomic: a reader sees the old id or the new one
    return SigningKey(kid, private)


def current_key_id() -> str | None:
    try:
        return (key_dir() / CURRENT).read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyDirError(f"cannot read {key_dir() / CURRENT} ({exc.strerror})") from None


def signing_key(*, create: bool = True) -> SigningKey | None:
    """The current signing key; generated on first use when ``create``."""
    directory = key_dir()
    kid = current_key_id()
    if kid is None:
        return _new_key(directory) if create else None
    path = directory / f"anchor-{kid}.key"
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyDirError(f"the current anchor key {path} is missing") from None
    except (OSError, ValueError) as exc:
        raise KeyDirError(f"cannot load the anchor key {path} ({exc})") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyDirError(f"{path} is not an Ed25519 key")
    return SigningKey(kid, private)


def rotate() -> tuple[str | None, SigningKey]:
    """A new current key; the old private key is deleted, its public key kept."""
    directory = key_dir()
    old = current_key_id()
    new = _new_key(directory)
    if old:
        (directory / f"anchor-{old}.key").unlink(missing_ok=True)
    return old, new


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every verification key in the key directory, by id."""
    keys: dict[str, Ed25519PublicKey] = {}
    directory = Path(settings.ANSKAF_KEY_DIR)
    if not directory.is_dir():
        return keys
    for path in sorted(directory.glob("anchor-*.pub")):
        try:
            public = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError):
            continue  # a damaged file: its anchors will not verify, which verify reports
        if isinstance(public, Ed25519PublicKey):
            keys[key_id_of(public)] = public
    return keys


def signature_ok(public: Ed25519PublicKey, payload: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), payload)
    except (InvalidSignature, ValueError):
        return False
    return True
