"""What anyone with a link sees: verification page, PDF, badges, credentials."""

import io
import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.credentials.baking import unbake
from academy.credentials.openbadges3 import verify_credential
from academy.domain.certificate import Certificate
from academy.services.academy import Academy
from tests.factories import finish_training, learner, make_eligible


@pytest.fixture
def cert(academy: Academy, clock: FrozenClock) -> Iterator[Certificate]:
    user = learner(academy, name="Zoë <b>O'Brien</b>")
    make_eligible(academy, user.email)
    finish_training(academy, clock, user)
    found = academy.certificates.current_of(user.id)
    assert found is not None
    yield found


def meta(html: str, key: str) -> str:
    match = re.search(
        rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html
    )
    assert match, key
    return match.group(1)


def test_verify_page_shows_status_and_open_graph(
    client: TestClient, cert: Certificate
) -> None:
    response = client.get(f"/verify/{cert.id}")
    assert response.status_code == 200
    html = response.text
    assert "Valid certificate" in html and cert.id in html
    assert "<b>O'Brien</b>" not in html and "&lt;b&gt;" in html
    assert meta(html, "og:image") == f"http://testserver/verify/{cert.id}/preview.png"
    assert (
        meta(html, "og:image:width") == "1200"
        and meta(html, "og:image:height") == "627"
    )
    assert meta(html, "og:url") == f"http://testserver/verify/{cert.id}"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert "What the mentor learned" in html


def test_verify_page_linkedin_buttons(client: TestClient, cert: Certificate) -> None:
    html = client.get(f"/verify/{cert.id}").text
    add = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html)
    assert add
    params = parse_qs(urlsplit(add.group(1).replace("&amp;", "&")).query)
    assert params["startTask"] == ["CERTIFICATION_NAME"]
    assert params["certId"] == [cert.id]
    assert params["certUrl"] == [f"http://testserver/verify/{cert.id}"]
    assert all(v and v[0] for v in params.values())
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in html


def test_preview_image_is_1200_by_627(client: TestClient, cert: Certificate) -> None:
    response = client.get(f"/verify/{cert.id}/preview.png")
    assert response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 627)


def test_pdf_is_served_from_storage(
    client: TestClient, cert: Certificate, academy: Academy
) -> None:
    response = client.get(f"/certificates/{cert.id}.pdf")
    assert (
        response.status_code == 200
        and response.headers["content-type"] == "application/pdf"
    )
    assert response.content == academy.store.blob(f"{cert.id}.pdf")


def test_pdf_of_a_revoked_certificate_is_gone(
    client: TestClient, cert: Certificate, academy: Academy
) -> None:
    academy.certificates.revoke(cert.id, "Issued in error.", "manager")

    response = client.get(f"/certificates/{cert.id}.pdf")

    assert response.status_code == 410
    assert "text/html" in response.headers["content-type"]
    assert "was revoked on" in response.text and "Issued in error." in response.text
    assert f"/verify/{cert.id}" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/verify/{id}",
        "/certificates/{id}.pdf",
        "/badges/assertions/{id}.json",
        "/credentials/{id}.json",
    ],
    ids=["verify", "pdf", "assertion", "credential"],
)
@pytest.mark.parametrize(
    "bad", ["0" * 32, "..%2F..%2Fetc", "x" * 500], ids=["unknown", "traversal", "huge"]
)
def test_unknown_or_forged_ids_are_404(client: TestClient, path: str, bad: str) -> None:
    assert client.get(path.format(id=bad)).status_code == 404


def test_open_badges_2_documents(client: TestClient, cert: Certificate) -> None:
    issuer = client.get("/badges/issuer.json")
    assert issuer.headers["content-type"].startswith("application/ld+json")
    badge = client.get("/badges/badge.json").json()
    assertion = client.get(f"/badges/assertions/{cert.id}.json").json()
    assert assertion["badge"] == badge["id"] == "http://testserver/badges/badge.json"
    assert assertion["recipient"]["hashed"] is True
    assert "ana@example.org" not in json.dumps(assertion)


def test_baked_badge_carries_the_assertion(
    client: TestClient, cert: Certificate
) -> None:
    png = client.get(f"/badges/assertions/{cert.id}.png").content
    baked = json.loads(unbake(png, "openbadges") or "{}")
    assert baked["id"] == f"http://testserver/badges/assertions/{cert.id}.json"


def test_open_badges_3_credential_verifies_with_published_key(
    client: TestClient, cert: Certificate
) -> None:
    credential = client.get(f"/credentials/{cert.id}.json").json()
    profile = client.get("/credentials/issuer.json").json()
    key = profile["verificationMethod"][0]["publicKeyMultibase"]
    assert verify_credential(credential, key)
    assert client.get(f"/credentials/{cert.id}.json").json() == credential
    tampered = {**credential, "name": credential["name"] + "!"}
    assert not verify_credential(tampered, key)
    baked = client.get(f"/credentials/{cert.id}.png").content
    assert json.loads(unbake(baked, "openbadgecredential") or "{}") == credential


def test_revoked_certificate_answers_410_and_is_listed(
    client: TestClient, cert: Certificate, academy: Academy
) -> None:
    academy.certificates.revoke(cert.id, "Issued in error", "m")
    response = client.get(f"/badges/assertions/{cert.id}.json")
    assert response.status_code == 410
    body = response.json()
    assert body["revoked"] is True and body["revocationReason"] == "Issued in error"
    listed = client.get("/badges/revocations.json").json()
    assert cert.id in json.dumps(listed)
    assert client.get(f"/credentials/{cert.id}.json").status_code == 410
    page = client.get(f"/verify/{cert.id}").text
    assert (
        "Revoked" in page
        and "Issued in error" in page
        and "Add to LinkedIn" not in page
    )


def test_superseded_page_links_to_new_certificate(
    client: TestClient, cert: Certificate, academy: Academy
) -> None:
    new = academy.certificates.reissue(cert.id, "Name fixed", "m", name="Zoë O'Brien")
    page = client.get(f"/verify/{cert.id}").text
    assert "Replaced" in page and f"/verify/{new.id}" in page


def test_expired_certificate_page(
    client: TestClient, cert: Certificate, clock: FrozenClock
) -> None:
    assert cert.expires_at is not None
    clock.set(cert.expires_at)
    page = client.get(f"/verify/{cert.id}").text
    assert "Expired" in page and "noindex" in page
