"""Our Open Badges 3.0 credential, checked by Digital Bazaar's JavaScript verifier.

ob3_verify.mjs runs @digitalbazaar/vc with the Data Integrity eddsa-rdfc-2022
suite, as many real verifiers do. The npm packages are installed once under
the repository's `.cache/ob3-verifier/` and reused while the pins stay the
same. Its document loader answers only from the documents each test hands it
(our cached contexts and the issuer profile the site serves), so nothing is
fetched from the network.
"""

import copy
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from academy.credentials import openbadges3 as ob3
from academy.credentials.keys import SigningKey, load_or_create_signing_key
from academy.credentials.openbadges2 import hashed_identity, iso_utc
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .factories import ISSUED, make_cert

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / ".cache" / "ob3-verifier"
SCRIPT = Path(__file__).with_name("ob3_verify.mjs")

# Exact versions of the verifier and of the libraries under it that decide
# the outcome (expansion, canonicalization, signature); npm dedupes each
# dependent's range onto these. Checked on Node 20.
PINS = {
    "@digitalbazaar/vc": "7.3.0",
    "@digitalbazaar/data-integrity": "2.5.0",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite": "1.3.0",
    "@digitalbazaar/ed25519-multikey": "1.3.1",
    "jsonld-signatures": "11.6.0",
    "jsonld": "9.0.0",
    "rdf-canonize": "5.0.0",
}

# npm's words for "the registry cannot be reached from here" (not "our pins
# are wrong", which is a real failure).
UNAVAILABLE = (
    "code ENOTFOUND",
    "code EAI_AGAIN",
    "code ECONNREFUSED",
    "code ECONNRESET",
    "code ETIMEDOUT",
    "code ENETUNREACH",
    "code EHOSTUNREACH",
    "npm error network",
)

SIGNED_AT = ISSUED + timedelta(minutes=5)
# The verifier checks validFrom/validUntil against its clock; a fixed clock
# keeps the fixed 2025 certificate valid after its real expiry in 2027.
VERIFIED_AT = SIGNED_AT + timedelta(minutes=5)

CONTEXTS = (
    ob3.VC_V2_CONTEXT,
    ob3.OB3_CONTEXT,
    ob3.DATA_INTEGRITY_CONTEXT,
    ob3.MULTIKEY_CONTEXT,
)

# The verifier runs in a subprocess; this process itself stays offline.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.usefixtures("no_network"),
]


def _fingerprint() -> str:
    return json.dumps(PINS, sort_keys=True)


def _install(npm: str) -> None:
    env = dict(os.environ, npm_config_update_notifier="false")
    done = subprocess.run(
        [
            npm,
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            # None of these packages has an install step; nothing else may run.
            "--ignore-scripts",
            "--prefix",
            str(PACKAGES),
            *(f"{name}@{version}" for name, version in PINS.items()),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    if done.returncode == 0:
        return
    output = (done.stdout + done.stderr)[-3000:]
    if any(phrase in output for phrase in UNAVAILABLE):
        pytest.skip(f"the npm registry cannot be reached from here: {output}")
    pytest.fail(f"could not install Digital Bazaar's verifier from npm:\n{output}")


def _installed_version(name: str) -> str | None:
    manifest = PACKAGES / "node_modules" / name / "package.json"
    if not manifest.exists():
        return None
    version: str = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    return version


@dataclass(frozen=True)
class Verifier:
    node: str

    def verify(
        self, workdir: Path, credential: dict[str, Any], documents: dict[str, Any]
    ) -> dict[str, Any]:
        """Run ob3_verify.mjs on the credential with only these documents."""
        (workdir / "credential.json").write_text(json.dumps(credential))
        (workdir / "documents.json").write_text(json.dumps(documents))
        done = subprocess.run(
            [
                self.node,
                str(SCRIPT),
                "credential.json",
                "documents.json",
                "--now",
                iso_utc(VERIFIED_AT),
                "--packages",
                str(PACKAGES),
            ],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        # 0 and 1 are "verified" and "not verified"; anything else is a crash.
        assert done.returncode in (0, 1), done.stderr[-3000:]
        result: dict[str, Any] = json.loads(done.stdout)
        assert result["verified"] is (done.returncode == 0)
        return result


@pytest.fixture(scope="session")
def verifier() -> Verifier:
    """Node and Digital Bazaar's verifier packages, installed on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run Digital Bazaar's verifier")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    found = re.match(r"v(\d+)\.", version)
    if found is None or int(found.group(1)) < 18:
        pytest.skip(f"Digital Bazaar's verifier needs Node 18 or later, not {version}")

    marker = PACKAGES / "installed.json"
    if not (marker.exists() and marker.read_text() == _fingerprint()):
        shutil.rmtree(PACKAGES, ignore_errors=True)
        PACKAGES.mkdir(parents=True)
        _install(npm)
        marker.write_text(_fingerprint())
    installed = {name: _installed_version(name) for name in PINS}
    assert installed == PINS, f"{PACKAGES} holds other versions than pinned"
    return Verifier(node)


def served_documents(profile: dict[str, Any]) -> dict[str, Any]:
    """What a verifier can load: our cached contexts and the issuer profile."""
    documents = {url: ob3.offline_document_loader(url)["document"] for url in CONTEXTS}
    documents[profile["id"]] = profile
    return documents


@pytest.fixture
def documents(program: Program, urls: PublicUrls, key: SigningKey) -> dict[str, Any]:
    return served_documents(ob3.issuer_profile(program, urls, key))


def _sign(
    cert: Certificate, program: Program, urls: PublicUrls, key: SigningKey
) -> dict[str, Any]:
    return ob3.build_credential(cert, program, urls, key, SIGNED_AT)


@pytest.mark.parametrize("expires", [True, False], ids=["expiring", "lasting"])
def test_ob3_interop_credential_verifies(
    expires: bool,
    verifier: Verifier,
    tmp_path: Path,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
    documents: dict[str, Any],
) -> None:
    credential = _sign(make_cert(expires=expires), program, urls, key)

    result = verifier.verify(tmp_path, credential, documents)

    assert result["error"] is None
    assert result["verified"] is True
    assert result["refused"] == []
    # The key came from the profile, and the profile, as the key's controller,
    # was read for its assertionMethod.
    assert urls.verification_method() in result["requested"]
    assert urls.ob3_issuer() in result["requested"]


TAMPERING: dict[str, Callable[[dict[str, Any]], None]] = {
    "name": lambda d: d.update(name="Certified Course Mentor (Gold)"),
    # One second later, still before the verifier's clock: only the
    # signature can tell.
    "validFrom": lambda d: d.update(validFrom="2025-03-14T09:26:54Z"),
    "recipient": lambda d: d["credentialSubject"]["identifier"][0].update(
        identityHash=hashed_identity("mallory@example.org", "5a1t-of-ada")
    ),
}


@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_ob3_interop_tampered_field_fails(
    change: Callable[[dict[str, Any]], None],
    verifier: Verifier,
    tmp_path: Path,
    cert: Certificate,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
    documents: dict[str, Any],
) -> None:
    credential = _sign(cert, program, urls, key)
    tampered = copy.deepcopy(credential)
    change(tampered)
    assert tampered != credential

    result = verifier.verify(tmp_path, tampered, documents)

    assert result["verified"] is False
    assert result["error"] == "Invalid signature."
    assert result["refused"] == []


def test_ob3_interop_other_signing_key_fails(
    verifier: Verifier,
    tmp_path: Path,
    cert: Certificate,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
    documents: dict[str, Any],
) -> None:
    # The profile publishes `key`; the credential is signed with another.
    other = load_or_create_signing_key(tmp_path / "other")
    assert other.public_key_multibase != key.public_key_multibase
    credential = _sign(cert, program, urls, other)

    result = verifier.verify(tmp_path, credential, documents)

    assert result["verified"] is False
    assert result["error"] == "Invalid signature."


ISSUER = "https://mentor-academy.org/credentials/issuer.json"


@pytest.mark.parametrize(
    ("missing", "asked_for"),
    [(ISSUER, ISSUER + "#key-1"), (ob3.OB3_CONTEXT, ob3.OB3_CONTEXT)],
    ids=["issuer-profile", "ob3-context"],
)
def test_ob3_interop_missing_document_fails(
    missing: str,
    asked_for: str,
    verifier: Verifier,
    tmp_path: Path,
    cert: Certificate,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
    documents: dict[str, Any],
) -> None:
    del documents[missing]

    result = verifier.verify(tmp_path, _sign(cert, program, urls, key), documents)

    assert result["verified"] is False
    assert set(result["refused"]) == {asked_for}
    assert result["error"] == f"offline document loader: no document for {asked_for}"


def test_ob3_interop_key_not_assertion_method_fails(
    verifier: Verifier,
    tmp_path: Path,
    cert: Certificate,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
) -> None:
    # The key is published but not for issuing: the verifier must refuse.
    profile = ob3.issuer_profile(program, urls, key)
    del profile["assertionMethod"]

    result = verifier.verify(
        tmp_path, _sign(cert, program, urls, key), served_documents(profile)
    )

    assert result["verified"] is False
    assert result["error"] == (
        f'Verification method "{urls.verification_method()}" not authorized '
        'by controller for proof purpose "assertionMethod".'
    )


def test_ob3_interop_verifiers_own_vc_context_verifies(
    verifier: Verifier,
    tmp_path: Path,
    cert: Certificate,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
    documents: dict[str, Any],
) -> None:
    # A verifier built on @digitalbazaar/vc serves the VC 2.0 context from its
    # own bundled copy, a later revision than ours (it types statusSize
    # differently); our credential must not depend on the difference.
    bundled = (
        PACKAGES
        / "node_modules"
        / "@digitalbazaar"
        / "credentials-context"
        / "contexts"
        / "v2.jsonld"
    )
    theirs = json.loads(bundled.read_text(encoding="utf-8"))
    assert theirs != documents[ob3.VC_V2_CONTEXT]
    documents[ob3.VC_V2_CONTEXT] = theirs

    result = verifier.verify(tmp_path, _sign(cert, program, urls, key), documents)

    assert result["error"] is None
    assert result["verified"] is True
