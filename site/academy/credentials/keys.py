"""The issuer's Ed25519 signing key, kept in the data folder, and its Multikey form."""

import logging
import os
import stat
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

logger = logging.getLogger(__name__)

KEY_PATH = Path("keys") / "issuer-ed25519.pem"

# Multicodec prefix of an Ed25519 public key (varint of 0xed), as Multikey wants.
_ED25519_PUB_PREFIX = b"\xed\x01"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58_encode(data: bytes) -> str:
    """Encode bytes in the Bitcoin base58 alphabet."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """Decode Bitcoin base58; raise ValueError on a character outside it."""
    number = 0
    for char in text:
        index = _BASE58.find(char)
        if index < 0:
            raise ValueError(f"{char!r} is not a base58 character")
        number = number * 58 + index
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * leading_zeros + body


def multibase_encode(data: bytes) -> str:
    """Encode bytes as multibase base58btc ('z' prefix)."""
    return "z" + base58_encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode multibase base58btc; raise ValueError on any other encoding."""
    if not text.startswith("z"):
        raise ValueError(f"expected multibase base58btc ('z...'), got {text[:8]!r}")
    return base58_decode(text[1:])


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Read an Ed25519 public key from its Multikey `publicKeyMultibase` form."""
    data = multibase_decode(value)
    if not data.startswith(_ED25519_PUB_PREFIX) or len(data) != 34:
        raise ValueError(f"{value!r} is not an Ed25519 Multikey public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


class SigningKey:
    """The issuer's Ed25519 private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key

    def __repr__(self) -> str:
        return f"SigningKey(public_key_multibase={self.public_key_multibase!r})"

    @property
    def public_key_multibase(self) -> str:
        """The public key as Multikey: 'z' + base58btc(0xed01 + 32 raw bytes)."""
        raw = self._private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return multibase_encode(_ED25519_PUB_PREFIX + raw)

    def sign(self, data: bytes) -> bytes:
        """Sign data with Ed25519 (64-byte signature)."""
        return self._private_key.sign(data)


def load_or_create_signing_key(data_dir: Path) -> SigningKey:
    """Load the key from `data_dir/keys/`, creating it (mode 0600) on first run.

    Raises DataError when the key file exists but cannot be read or is not an
    Ed25519 PEM key. A new key would not verify the certificates already
    issued, so the advice is to restore it, not to move it aside.
    """
    from academy.store.errors import DataError, folder_is_file, unreadable

    path = data_dir / KEY_PATH
    advice = (
        "restore it from a backup (a new key would not verify the certificates "
        "already issued)"
    )
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return _create(path)
    except OSError as error:
        if data_dir.is_file():
            raise folder_is_file(data_dir) from None
        raise unreadable(path, error, advice) from None
    _tighten_mode(path)
    try:
        return _parse(path, pem)
    except ValueError as error:
        # Without the parser's own detail (a URL, a framing code): one plain line.
        problem = str(error).removesuffix(f": {error.__cause__}")
        raise DataError(f"{problem}; {advice}.") from None


def _parse(path: Path, pem: bytes) -> SigningKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a readable PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return SigningKey(key)


def _tighten_mode(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("Signing key %s was readable by others (mode %o)", path, mode)
        path.chmod(0o600)


def _create(path: Path) -> SigningKey:
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask and ignored for an existing folder.
    folder.chmod(0o700)

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    # mkstemp creates the file with mode 0600 before any byte is written.
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=".issuer-ed25519-")
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(pem)
            temp.flush()
            os.fsync(temp.fileno())
        # A hard link is a rename that refuses to replace: if another process
        # created the key meanwhile, its key may already sign credentials.
        try:
            os.link(temp_name, path)
        except FileExistsError:
            return _parse(path, path.read_bytes())
    finally:
        os.unlink(temp_name)
    _fsync_folder(folder)

    signing_key = SigningKey(key)
    logger.info(
        "Created issuer signing key %s (public key %s)",
        path,
        signing_key.public_key_multibase,
    )
    return signing_key


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
