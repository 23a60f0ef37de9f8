import copy
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jsonschema
import pytest

from academy.credentials import openbadges3 as ob3
from academy.credentials.keys import (
    SigningKey,
    load_or_create_signing_key,
    multibase_decode,
)
from academy.credentials.openbadges2 import hashed_identity
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .factories import DATA, ISSUED, make_cert

pytestmark = pytest.mark.usefixtures("no_network")

NOW = ISSUED + timedelta(minutes=5)


@pytest.fixture(scope="module")
def vector() -> dict[str, Any]:
    return json.loads((DATA / "vector.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema_validator() -> jsonschema.Draft201909Validator:
    schema = json.loads(
        (DATA / "ob_v3p0_achievementcredential_schema.json").read_text()
    )
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )


@pytest.fixture
def credential(
    cert: Certificate, program: Program, urls: PublicUrls, key: SigningKey
) -> dict[str, Any]:
    return ob3.build_credential(cert, program, urls, key, NOW)


def _unsigned(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


# 1EdTech's test vector


def test_ob3_vector_document_canonical_form(vector: dict[str, Any]) -> None:
    canonical = ob3.canonicalize(_unsigned(vector["signedCredential"]))

    assert canonical == (DATA / "document-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(canonical.encode()).hexdigest() == vector["documentHashHex"]


def test_ob3_vector_proof_canonical_form(vector: dict[str, Any]) -> None:
    signed = vector["signedCredential"]
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config["@context"] = signed["@context"]

    canonical = ob3.canonicalize(config)

    assert canonical == (DATA / "proof-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(canonical.encode()).hexdigest() == vector["proofHashHex"]


def test_ob3_vector_hash_data_is_proof_hash_then_document_hash(
    vector: dict[str, Any],
) -> None:
    signed = vector["signedCredential"]
    data = ob3.hash_data(_unsigned(signed), signed["proof"])
    assert data.hex() == vector["proofHashHex"] + vector["documentHashHex"]


def test_ob3_vector_signature_verifies(vector: dict[str, Any]) -> None:
    signed = vector["signedCredential"]
    multikey = vector["verificationMethod"]["publicKeyMultibase"]

    assert (
        multibase_decode(signed["proof"]["proofValue"]).hex() == vector["signatureHex"]
    )
    assert ob3.verify_credential(signed, multikey)


def test_ob3_vector_tampered_fails(vector: dict[str, Any]) -> None:
    signed = copy.deepcopy(vector["signedCredential"])
    signed["name"] = "Teamwork Badge!"
    assert not ob3.verify_credential(
        signed, vector["verificationMethod"]["publicKeyMultibase"]
    )


# Our credential


def test_ob3_credential_fields(
    credential: dict[str, Any], cert: Certificate, program: Program, key: SigningKey
) -> None:
    base = "https://mentor-academy.org"
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == base + "/credentials/c3rt-0001.json"
    assert credential["issuer"] == {
        "id": base + "/credentials/issuer.json",
        "type": ["Profile"],
        "name": "Mentor Academy",
        "url": "https://mentor-academy.org",
        "email": "mentors@mentor-academy.org",
    }
    assert credential["validFrom"] == "2025-03-14T09:26:53Z"
    assert credential["validUntil"] == "2027-03-14T09:26:53Z"
    assert credential["name"] == "Certified Course Mentor"
    assert "credentialStatus" not in credential

    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": hashed_identity(cert.recipient_email, cert.salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": cert.salt,
        }
    ]
    achievement = subject["achievement"]
    assert achievement["id"] == base + "/badges/badge.json"
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"] == {"narrative": program.credential.criteria}
    assert achievement["image"] == {"id": base + "/badges/badge.png", "type": "Image"}
    assert achievement["tag"] == list(program.credential.skills)

    (proof,) = credential["proof"]
    assert {k: v for k, v in proof.items() if k != "proofValue"} == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-03-14T09:31:53Z",
        "verificationMethod": base + "/credentials/issuer.json#key-1",
        "proofPurpose": "assertionMethod",
    }
    assert len(multibase_decode(proof["proofValue"])) == 64


def test_ob3_credential_without_expiry_has_no_valid_until(
    program: Program, urls: PublicUrls, key: SigningKey
) -> None:
    credential = ob3.build_credential(make_cert(expires=False), program, urls, key, NOW)
    assert "validUntil" not in credential
    assert ob3.verify_credential(credential, key.public_key_multibase)


@pytest.mark.parametrize("expires", [True, False], ids=["expiring", "lasting"])
def test_ob3_credential_valid_against_1edtech_schema(
    expires: bool,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
    schema_validator: jsonschema.Draft201909Validator,
) -> None:
    credential = ob3.build_credential(
        make_cert(expires=expires), program, urls, key, NOW
    )
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in schema_validator.iter_errors(credential)
    ]
    assert errors == []


def test_ob3_schema_check_is_not_vacuous(
    credential: dict[str, Any], schema_validator: jsonschema.Draft201909Validator
) -> None:
    # A single-object proof breaks the plain-JSON schema: the check has teeth.
    broken = dict(credential, proof=credential["proof"][0])
    assert not schema_validator.is_valid(broken)


def test_ob3_credential_signature_verifies(
    credential: dict[str, Any], key: SigningKey
) -> None:
    assert ob3.verify_credential(credential, key.public_key_multibase)
    # It survives the trip through JSON, as a verifier receives it.
    assert ob3.verify_credential(
        json.loads(json.dumps(credential)), key.public_key_multibase
    )


def test_ob3_credential_verifies_with_key_from_issuer_profile(
    credential: dict[str, Any], program: Program, urls: PublicUrls, key: SigningKey
) -> None:
    profile = ob3.issuer_profile(program, urls, key)
    wanted = credential["proof"][0]["verificationMethod"]

    (method,) = [m for m in profile["verificationMethod"] if m["id"] == wanted]

    assert method["controller"] == credential["issuer"]["id"] == profile["id"]
    assert wanted in profile["assertionMethod"]
    assert ob3.verify_credential(credential, method["publicKeyMultibase"])


def test_ob3_credential_other_key_fails(
    credential: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = load_or_create_signing_key(tmp_path_factory.mktemp("other"))
    assert not ob3.verify_credential(credential, other.public_key_multibase)


def _set(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


TAMPERING = {
    "name": _set("name", value="Certified Course Mentor (Gold)"),
    "subject-identity": _set(
        "credentialSubject",
        "identifier",
        0,
        "identityHash",
        value=hashed_identity("mallory@example.org", "5a1t-of-ada"),
    ),
    "subject-salt": _set("credentialSubject", "identifier", 0, "salt", value="x"),
    "validFrom": _set("validFrom", value="2025-03-14T09:26:54Z"),
    "validUntil": _set("validUntil", value="2099-03-14T09:26:53Z"),
    "issuer-id": _set("issuer", "id", value="https://evil.example/issuer.json"),
    "achievement-criteria": _set(
        "credentialSubject", "achievement", "criteria", "narrative", value="None."
    ),
    "credential-id": _set("id", value="https://mentor-academy.org/credentials/x.json"),
    "proof-created": _set("proof", 0, "created", value="2025-03-14T09:31:54Z"),
    "proof-verification-method": _set(
        "proof", 0, "verificationMethod", value="https://evil.example/key#1"
    ),
    "proof-value": _set("proof", 0, "proofValue", value="z" + "1" * 10 + "2" * 76),
    "undefined-property": _set("credentialSubject", "grade", value="A+"),
    "extra-context": _set(
        "@context",
        value=[
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://evil.example/context.json",
        ],
    ),
}


@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_ob3_credential_tampered_field_fails(
    change: Callable[[dict[str, Any]], None],
    credential: dict[str, Any],
    key: SigningKey,
) -> None:
    tampered = copy.deepcopy(credential)
    change(tampered)
    assert tampered != credential
    assert not ob3.verify_credential(tampered, key.public_key_multibase)


MALFORMED = {
    "no-proof": lambda d: d.pop("proof"),
    "proof-string": _set("proof", value="signed, trust me"),
    "proof-empty-list": _set("proof", value=[]),
    "two-proofs": lambda d: d["proof"].append(d["proof"][0]),
    "proof-not-multibase": _set("proof", 0, "proofValue", value="not base58 0OIl"),
    "proof-value-missing": lambda d: d["proof"][0].pop("proofValue"),
    "proof-value-number": _set("proof", 0, "proofValue", value=42),
    "wrong-cryptosuite": _set("proof", 0, "cryptosuite", value="ecdsa-rdfc-2019"),
    "wrong-type": _set("proof", 0, "type", value="Ed25519Signature2020"),
    "wrong-purpose": _set("proof", 0, "proofPurpose", value="authentication"),
    "proof-created-not-a-time": _set("proof", 0, "created", value="yesterday"),
    "proof-context-not-the-documents": _set(
        "proof", 0, "@context", value=["https://w3id.org/security/data-integrity/v2"]
    ),
    "no-context": lambda d: d.pop("@context"),
    "context-not-json-ld": _set("@context", value=42),
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_ob3_malformed_proof_is_false_not_error(
    change: Callable[[dict[str, Any]], Any],
    credential: dict[str, Any],
    key: SigningKey,
) -> None:
    tampered = copy.deepcopy(credential)
    change(tampered)
    assert ob3.verify_credential(tampered, key.public_key_multibase) is False


def test_ob3_proof_repeating_document_contexts_verifies(
    credential: dict[str, Any], key: SigningKey
) -> None:
    # A proof may carry @context when it opens the document's (vc-di-eddsa).
    with_context = copy.deepcopy(credential)
    with_context["proof"][0]["@context"] = list(credential["@context"])
    assert ob3.verify_credential(with_context, key.public_key_multibase)


@pytest.mark.parametrize(
    "document", [[], "text", None, {}], ids=["list", "string", "none", "empty"]
)
def test_ob3_non_credential_is_false_not_error(document: Any, key: SigningKey) -> None:
    assert ob3.verify_credential(document, key.public_key_multibase) is False


def test_ob3_bad_public_key_is_false_not_error(credential: dict[str, Any]) -> None:
    assert ob3.verify_credential(credential, "not a key") is False


def test_ob3_signing_refuses_undefined_property(
    credential: dict[str, Any],
) -> None:
    document = _unsigned(credential)
    document["credentialSubject"] = dict(document["credentialSubject"], grade="A+")
    with pytest.raises(ob3.DataLossError, match="grade"):
        ob3.canonicalize(document)


# The offline loader and the cached contexts


@pytest.mark.parametrize(
    "url",
    [
        "https://w3id.org/openbadges/v2",
        "https://www.w3.org/2018/credentials/v1",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
    ids=["ob2-context", "vc1-context", "plain-http", "file"],
)
def test_ob3_loader_refuses_unknown_url(url: str) -> None:
    with pytest.raises(ob3.UnknownContextError, match="refusing to load"):
        ob3.offline_document_loader(url)


def test_ob3_canonicalize_with_unknown_context_names_it() -> None:
    document = {"@context": "https://example.org/context.json", "name": "x"}
    with pytest.raises(ob3.UnknownContextError, match="example.org/context.json"):
        ob3.canonicalize(document)


CONTEXT_HASHES = {
    "https://www.w3.org/ns/credentials/v2": (
        "c15efde6c48fa6e07ed5962f19530b58e6956bcabe86a4ee2341b7fac84ebe12"
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": (
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
    ),
    "https://w3id.org/security/data-integrity/v2": (
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4"
    ),
    "https://w3id.org/security/multikey/v1": (
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597"
    ),
}


@pytest.mark.parametrize(
    ("url", "sha256"),
    CONTEXT_HASHES.items(),
    ids=["credentials-v2", "ob-3.0.3", "data-integrity-v2", "multikey-v1"],
)
def test_ob3_loader_serves_unchanged_copies(url: str, sha256: str) -> None:
    # A changed context would silently change every signature.
    text = ob3._context_text(url)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == sha256

    answer = ob3.offline_document_loader(url)

    assert answer["documentUrl"] == url
    assert answer["document"] == json.loads(text)


# The issuer profile


def test_ob3_issuer_profile_publishes_multikey(
    program: Program, urls: PublicUrls, key: SigningKey
) -> None:
    profile = ob3.issuer_profile(program, urls, key)

    assert profile["id"] == "https://mentor-academy.org/credentials/issuer.json"
    assert profile["type"] == ["Profile"]
    assert "https://w3id.org/security/multikey/v1" in profile["@context"]
    assert profile["verificationMethod"] == [
        {
            "id": "https://mentor-academy.org/credentials/issuer.json#key-1",
            "type": "Multikey",
            "controller": "https://mentor-academy.org/credentials/issuer.json",
            "publicKeyMultibase": key.public_key_multibase,
        }
    ]


def test_ob3_issuer_profile_is_linked_data_without_loss(
    program: Program, urls: PublicUrls, key: SigningKey
) -> None:
    canonical = ob3.canonicalize(ob3.issuer_profile(program, urls, key))

    assert (
        "<https://mentor-academy.org/credentials/issuer.json#key-1> "
        "<https://w3id.org/security#publicKeyMultibase> "
        f'"{key.public_key_multibase}"'
    ) in canonical
    assert "<https://w3id.org/security#assertionMethod>" in canonical
