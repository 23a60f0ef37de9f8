"""Open Badges 3.0 credentials signed with Data Integrity eddsa-rdfc-2022."""

import copy
import functools
import hashlib
import json
import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from pyld import jsonld

from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .keys import SigningKey, multibase_decode, multibase_encode
from .keys import public_key_from_multibase as _public_key
from .openbadges2 import hashed_identity, iso_utc
from .urls import PublicUrls

logger = logging.getLogger(__name__)

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
CRYPTOSUITE = "eddsa-rdfc-2022"

_CONTEXT_DIR = Path(__file__).parent / "contexts"
_CONTEXT_FILES = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    OB3_CONTEXT: "ob-context-3.0.3.json",
    DATA_INTEGRITY_CONTEXT: "data-integrity-v2.jsonld",
    MULTIKEY_CONTEXT: "multikey-v1.jsonld",
}

Document = dict[str, Any]

# pyld keeps its resolved contexts in module-level caches that are not safe to
# change from two threads at once, and Starlette runs sync code in a pool.
_PYLD_LOCK = threading.Lock()

# The two controller-document terms a Profile needs to publish its key, as the
# W3C controlled-identifier context defines them; that context is not among
# the cached ones, and without a definition JSON-LD would drop both terms.
_KEY_TERMS: Document = {
    "verificationMethod": {
        "@id": "https://w3id.org/security#verificationMethod",
        "@type": "@id",
        "@container": "@set",
    },
    "assertionMethod": {
        "@id": "https://w3id.org/security#assertionMethod",
        "@type": "@id",
        "@container": "@set",
    },
}


class UnknownContextError(LookupError):
    """A document named a JSON-LD context that is not cached; nothing is fetched."""


class DataLossError(ValueError):
    """A property is undefined by the document's contexts, so it would go unsigned."""


@functools.cache
def _context_text(url: str) -> str:
    return (_CONTEXT_DIR / _CONTEXT_FILES[url]).read_text(encoding="utf-8")


def offline_document_loader(
    url: str, options: Mapping[str, Any] | None = None
) -> Document:
    """Serve the cached contexts to pyld; refuse any other URL without fetching it."""
    if url not in _CONTEXT_FILES:
        raise UnknownContextError(
            f"refusing to load {url!r}: only these cached contexts are served "
            f"offline: {', '.join(sorted(_CONTEXT_FILES))}"
        )
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(_context_text(url)),
    }


def canonicalize(document: Mapping[str, Any]) -> str:
    """Canonical N-Quads (RDFC-1.0, known to pyld as URDNA2015) of a document.

    Raises DataLossError when a property is undefined by the contexts: the
    Data Integrity spec forbids signing data that canonicalization drops.
    """

    def refuse(term: str | None) -> None:
        raise DataLossError(
            f"property {term!r} is not defined by the document's contexts and "
            "would be left out of the signature"
        )

    processor = jsonld.JsonLdProcessor(on_property_dropped=refuse)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": offline_document_loader,
    }
    try:
        with _PYLD_LOCK:
            return str(processor.normalize(copy.deepcopy(dict(document)), options))
    except jsonld.JsonLdError as exc:
        # pyld wraps our errors in its own; give back the reason itself.
        cause = _root_cause(exc)
        if isinstance(cause, DataLossError | UnknownContextError):
            raise cause from None
        raise


def _root_cause(exc: BaseException) -> BaseException:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    cause = getattr(exc, "cause", None)
    return _root_cause(cause) if isinstance(cause, BaseException) else exc


def hash_data(unsigned: Mapping[str, Any], proof_options: Mapping[str, Any]) -> bytes:
    """sha256(canonical proof configuration) + sha256(canonical document)."""
    proof_config = {k: v for k, v in proof_options.items() if k != "proofValue"}
    proof_config["@context"] = unsigned["@context"]
    proof_hash = hashlib.sha256(canonicalize(proof_config).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(canonicalize(unsigned).encode("utf-8")).digest()
    return proof_hash + doc_hash


def build_credential(
    cert: Certificate,
    program: Program,
    urls: PublicUrls,
    key: SigningKey,
    now: datetime,
) -> Document:
    """The signed OpenBadgeCredential served at /credentials/{id}.json."""
    spec = program.credential
    achievement: Document = {
        "id": urls.badge_class(),
        "type": ["Achievement"],
        # Time-limited, revocable and awarded by the program that set the bar:
        # the vocabulary's "Certification" rather than "Certificate".
        "achievementType": "Certification",
        "name": spec.name,
        "description": spec.description,
        "criteria": {"narrative": spec.criteria},
        "image": {"id": urls.badge_image(), "type": "Image"},
    }
    if spec.skills:
        achievement["tag"] = list(spec.skills)

    unsigned: Document = {
        "@context": [VC_V2_CONTEXT, OB3_CONTEXT],
        "id": urls.credential(cert.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": urls.ob3_issuer(),
            "type": ["Profile"],
            "name": program.issuer.name,
            "url": program.issuer.url,
            "email": program.issuer.email,
        },
        "validFrom": iso_utc(cert.issued_at),
        "name": spec.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": hashed_identity(cert.recipient_email, cert.salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": cert.salt,
                }
            ],
            "achievement": achievement,
        },
    }
    if cert.expires_at is not None:
        unsigned["validUntil"] = iso_utc(cert.expires_at)
    # No credentialStatus: the site serves no status list in a form an OB 3.0
    # verifier reads (revocations.json is the 2.0 RevocationList), so a
    # revoked credential is known only by asking the site.

    proof: Document = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": iso_utc(now),
        "verificationMethod": urls.verification_method(),
        "proofPurpose": "assertionMethod",
    }
    proof["proofValue"] = multibase_encode(key.sign(hash_data(unsigned, proof)))
    # 1EdTech's JSON schema wants `proof` as an array, even of one.
    return {**unsigned, "proof": [proof]}


def verify_credential(doc: Mapping[str, Any], public_key_multibase: str) -> bool:
    """True if the document's one eddsa-rdfc-2022 proof verifies with the key.

    The caller chooses the key, normally the one that the issuer profile
    publishes under the proof's verificationMethod. Never raises on a
    malformed document or proof: it is simply not verified.
    """
    try:
        proof = doc["proof"]
        if isinstance(proof, list):
            if len(proof) != 1:
                return False
            proof = proof[0]
        if (
            proof.get("type") != "DataIntegrityProof"
            or proof.get("cryptosuite") != CRYPTOSUITE
            or proof.get("proofPurpose") != "assertionMethod"
        ):
            return False
        if "created" in proof:
            datetime.fromisoformat(proof["created"])
        signature = multibase_decode(proof["proofValue"])
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        if "@context" in proof:
            # The proof's contexts must open the document's, and then stand in
            # for them (vc-di-eddsa, Verify Proof, step 4).
            proof_contexts = _as_list(proof["@context"])
            if _as_list(doc["@context"])[: len(proof_contexts)] != proof_contexts:
                return False
            unsigned["@context"] = proof["@context"]
        _public_key(public_key_multibase).verify(signature, hash_data(unsigned, proof))
    except (
        InvalidSignature,
        LookupError,
        ValueError,
        TypeError,
        AttributeError,
        jsonld.JsonLdError,
    ) as exc:
        logger.debug("Credential not verified: %s", exc)
        return False
    return True


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def issuer_profile(program: Program, urls: PublicUrls, key: SigningKey) -> Document:
    """The issuer Profile served at /credentials/issuer.json, with its public key."""
    issuer = program.issuer
    key_id = urls.verification_method()
    return {
        "@context": [VC_V2_CONTEXT, OB3_CONTEXT, MULTIKEY_CONTEXT, _KEY_TERMS],
        "id": urls.ob3_issuer(),
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
        "description": issuer.description,
        "verificationMethod": [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": urls.ob3_issuer(),
                "publicKeyMultibase": key.public_key_multibase,
            }
        ],
        "assertionMethod": [key_id],
    }
