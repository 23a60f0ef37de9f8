import json
import logging
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from academy.credentials import keys
from academy.credentials.keys import (
    KEY_PATH,
    base58_decode,
    base58_encode,
    load_or_create_signing_key,
    multibase_decode,
    public_key_from_multibase,
)
from academy.store import DataError

from .factories import DATA

pytestmark = pytest.mark.usefixtures("no_network")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_first_load_creates_private_file(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path)

    path = tmp_path / KEY_PATH
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    # No temporary file is left beside the key.
    assert [p.name for p in path.parent.iterdir()] == ["issuer-ed25519.pem"]
    assert key.public_key_multibase.startswith("z6Mk")


def test_keys_second_load_reuses_key(tmp_path: Path) -> None:
    first = load_or_create_signing_key(tmp_path)
    pem = (tmp_path / KEY_PATH).read_bytes()

    second = load_or_create_signing_key(tmp_path)

    assert second.public_key_multibase == first.public_key_multibase
    assert (tmp_path / KEY_PATH).read_bytes() == pem


def test_keys_creation_race_keeps_the_first_key(tmp_path: Path) -> None:
    # Another process wrote the key between our read and our write.
    first = load_or_create_signing_key(tmp_path)
    pem = (tmp_path / KEY_PATH).read_bytes()

    second = keys._create(tmp_path / KEY_PATH)

    assert second.public_key_multibase == first.public_key_multibase
    assert (tmp_path / KEY_PATH).read_bytes() == pem
    assert [p.name for p in (tmp_path / KEY_PATH).parent.iterdir()] == [
        "issuer-ed25519.pem"
    ]


def test_keys_loose_mode_tightened_with_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_or_create_signing_key(tmp_path)
    (tmp_path / KEY_PATH).chmod(0o644)

    with caplog.at_level(logging.WARNING, logger="academy.credentials.keys"):
        load_or_create_signing_key(tmp_path)

    assert _mode(tmp_path / KEY_PATH) == 0o600
    assert "readable by others" in caplog.text


@pytest.mark.parametrize(
    "content",
    [b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
    ids=["garbage", "bad-pem-body"],
)
def test_keys_unreadable_file_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / KEY_PATH
    path.parent.mkdir(mode=0o700)
    path.write_bytes(content)
    path.chmod(0o600)

    with pytest.raises(DataError, match="issuer-ed25519.pem"):
        load_or_create_signing_key(tmp_path)


def test_keys_other_algorithm_rejected(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / KEY_PATH
    path.parent.mkdir(mode=0o700)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)

    with pytest.raises(DataError, match="not an Ed25519 key"):
        load_or_create_signing_key(tmp_path)


def test_keys_signature_verifies_with_published_multikey(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path)
    public = public_key_from_multibase(key.public_key_multibase)

    signature = key.sign(b"hello")

    assert len(signature) == 64
    public.verify(signature, b"hello")
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"hellO")


def test_keys_multikey_of_test_vector_decoded() -> None:
    vector = json.loads((DATA / "vector.json").read_text())
    public = public_key_from_multibase(
        vector["verificationMethod"]["publicKeyMultibase"]
    )
    raw = public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert raw.hex() == vector["publicKeyHex"]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes(range(256)), None),
    ],
    ids=["empty", "zero", "leading-zeros", "known-text", "all-bytes"],
)
def test_keys_base58_round_trip(data: bytes, text: str | None) -> None:
    encoded = base58_encode(data)
    if text is not None:
        assert encoded == text
    assert base58_decode(encoded) == data


@pytest.mark.parametrize(
    "value",
    ["z0OIl", "m6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "z" + "2" * 10],
    ids=["not-base58", "not-base58btc", "not-ed25519-multikey"],
)
def test_keys_bad_multikey_rejected(value: str) -> None:
    with pytest.raises(ValueError):
        public_key_from_multibase(value)


def test_keys_multibase_needs_z_prefix() -> None:
    with pytest.raises(ValueError, match="base58btc"):
        multibase_decode("f00")
