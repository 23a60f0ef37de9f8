"""Our baked Open Badges 2.0 badge, checked by 1EdTech's own validator.

PyPI's `openbadges` 1.1.2 (github.com/1EdTech/openbadges-validator-core) pins
libraries far older than the app's, so it runs in a virtualenv of its own,
made once under the repository's `.cache/obvalidator-venv/` and reused while
the pins and the Python version stay the same. Every HTTP request it makes is
answered locally by obvalidator_wrapper.py; nothing reaches the network.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from academy.credentials import openbadges2 as ob2
from academy.credentials.baking import OB2_KEYWORD, bake
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate

from .factories import make_cert, make_program, png_bytes

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".cache" / "obvalidator-venv"
WRAPPER = Path(__file__).with_name("obvalidator_wrapper.py")

# Installed with --no-deps, so this list is the whole environment. It keeps
# openbadges 1.1.2's own pins except three that no longer import on Python
# 3.10+, replaced by releases with the same API: pycryptodome 3.6.6 (Python 2
# syntax), python-jose 3.0.1 and pytz 2017.2 (both use collections.Mapping).
# Checked on Python 3.11.
REQUIREMENTS = (
    "openbadges==1.1.2",
    "aniso8601==10.0.1",
    "Click==6.7",
    "future==0.16.0",
    "jsonschema==2.6.0",
    "language-tags==0.4.3",
    "openbadges-bakery==1.2.4",
    "pycryptodome==3.23.0",
    "pydux==0.2.2",
    "PyLD==0.7.1",
    "python-jose==3.3.0",
    "python-mimeparse==1.6.0",
    "pytz==2024.2",
    "requests==2.34.2",
    "requests-cache==0.4.13",
    "rfc3986==0.4.1",
    "validators==0.11.2",
    # What those need in turn.
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "decorator==5.3.1",
    "defusedxml==0.7.1",
    "ecdsa==0.19.2",
    "idna==3.20",
    "pyasn1==0.6.5",
    "pypng==0.20220715.0",
    "rsa==4.9.1",
    "six==1.17.0",
    "urllib3==2.8.0",
)

# pip's words for "this package cannot be had here" (not "our pins are wrong").
UNAVAILABLE = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Connection refused",
    "HTTP error",
)

# The validator runs in a subprocess; this process itself stays offline.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.usefixtures("no_network"),
]


def _fingerprint() -> str:
    text = "\n".join(REQUIREMENTS) + "\n" + sys.version
    return hashlib.sha256(text.encode()).hexdigest()


def _run(command: list[str], what: str) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, env=env, check=False
    )
    if done.returncode == 0:
        return
    output = (done.stdout + done.stderr)[-3000:]
    if any(phrase in output for phrase in UNAVAILABLE):
        pytest.skip(f"1EdTech's validator cannot be installed here ({what}): {output}")
    pytest.fail(f"could not {what}:\n{output}")


@pytest.fixture(scope="session")
def validator_python() -> Path:
    """The Python of a virtualenv holding openbadges 1.1.2, made on first use."""
    python = VENV / "bin" / "python"
    marker = VENV / "installed.sha256"
    if python.exists() and marker.exists() and marker.read_text() == _fingerprint():
        return python

    shutil.rmtree(VENV, ignore_errors=True)
    VENV.parent.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "venv", str(VENV)], "create its virtualenv")
    _run(
        [str(python), "-m", "pip", "install", "--no-deps", *REQUIREMENTS],
        "install openbadges 1.1.2 from PyPI",
    )
    _run([str(python), "-c", "import openbadges.verifier"], "import openbadges")
    marker.write_text(_fingerprint())
    return python


def _json(document: dict[str, Any], status: int = 200) -> dict[str, Any]:
    return {
        "status": status,
        "content_type": "application/ld+json",
        "text": json.dumps(document),
    }


def _png(data: bytes) -> dict[str, Any]:
    return {
        "status": 200,
        "content_type": "image/png",
        "base64": base64.b64encode(data).decode(),
    }


def validate(
    python: Path,
    tmp_path: Path,
    cert: Certificate,
    email: str,
    revoked_at: datetime | None = None,
) -> dict[str, Any]:
    """Bake the assertion with our code and run the validator on the PNG."""
    program = make_program()
    urls = PublicUrls("https://mentor-academy.org")
    badge = png_bytes()
    baked = bake(badge, OB2_KEYWORD, json.dumps(ob2.assertion(cert, program, urls)))

    listed = cert
    hosted = _json(ob2.assertion(cert, program, urls))
    if revoked_at is not None:
        listed = cert.revoked(revoked_at, "Issued in error")
        hosted = _json(ob2.revoked_assertion(listed, urls), status=410)
    now = revoked_at or cert.issued_at
    answers = {
        urls.issuer(): _json(ob2.issuer_document(program, urls)),
        urls.badge_class(): _json(ob2.badge_class(program, urls)),
        urls.assertion(cert.id): hosted,
        urls.baked_assertion(cert.id): _png(baked),
        urls.badge_image(): _png(badge),
        urls.revocations(): _json(ob2.revocation_list([listed], program, urls, now)),
    }
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    (tmp_path / "badge.png").write_bytes(baked)

    done = subprocess.run(
        [str(python), "-I", str(WRAPPER), "answers.json", "badge.png", email],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["refused"] == [], "the validator asked for a URL we do not serve"
    return result


def _recent_cert() -> Certificate:
    # The validator compares issuedOn and expires with its own clock.
    return make_cert(issued_at=datetime.now(UTC).replace(microsecond=0) - timedelta(1))


# The hash is of the lowercased address, so the recipient is named in lowercase.
EMAIL = "ada.lovelace@example.org"


def test_obvalidator_good_assertion_valid(
    validator_python: Path, tmp_path: Path
) -> None:
    cert = _recent_cert()

    result = validate(validator_python, tmp_path, cert, EMAIL)

    report = result["report"]
    assert report["messages"] == []
    assert (report["valid"], report["errorCount"], report["warningCount"]) == (
        True,
        0,
        0,
    )
    assert report["openBadgesVersion"] == "2.0"
    assert report["recipientProfile"] == {"email": EMAIL}
    # It checked the hosted copy, not only the one baked into the PNG.
    assert (
        "https://mentor-academy.org/badges/assertions/c3rt-0001.json"
        in (result["requested"])
    )


def test_obvalidator_revoked_assertion_invalid(
    validator_python: Path, tmp_path: Path
) -> None:
    cert = _recent_cert()
    assertion_url = "https://mentor-academy.org/badges/assertions/c3rt-0001.json"

    result = validate(
        validator_python, tmp_path, cert, EMAIL, revoked_at=datetime.now(UTC)
    )

    report = result["report"]
    assert report["valid"] is False
    assert report["errorCount"] >= 1
    # Validator 1.1.2 has no explicit check of `revoked` on a hosted
    # assertion: it refuses the 410 body because that is no Assertion.
    errors = [m for m in report["messages"] if m["messageLevel"] == "ERROR"]
    assert any(m.get("node_id") == assertion_url for m in errors), errors


def test_obvalidator_other_recipient_invalid(
    validator_python: Path, tmp_path: Path
) -> None:
    result = validate(validator_python, tmp_path, _recent_cert(), "mallory@example.org")

    report = result["report"]
    assert report["valid"] is False
    assert [m["name"] for m in report["messages"]] == ["VERIFY_RECIPIENT_IDENTIFIER"]
