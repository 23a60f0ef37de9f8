"""Pages and documents anyone with a link may see: verification and badges."""

import json
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from academy.credentials import linkedin, openbadges2, openbadges3
from academy.credentials.baking import bake
from academy.domain.certificate import Certificate, CertificateStatus
from academy.domain.errors import Gone
from academy.services.academy import Academy
from academy.web.rendering import page
from academy.web.security import academy_of

LD_JSON = "application/ld+json"


class LDResponse(JSONResponse):
    media_type = LD_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass(frozen=True)
class CertificateLinks:
    verify: str
    pdf: str
    preview: str
    assertion: str
    baked_assertion: str
    credential: str
    baked_credential: str
    add_to_linkedin: str
    share_on_linkedin: str


def certificate_links(academy: Academy, cert: Certificate) -> CertificateLinks:
    urls, program = academy.urls, academy.ctx.content.program
    return CertificateLinks(
        verify=urls.verify(cert.id),
        pdf=urls.pdf(cert.id),
        preview=urls.preview_image(cert.id),
        assertion=urls.assertion(cert.id),
        baked_assertion=urls.baked_assertion(cert.id),
        credential=urls.credential(cert.id),
        baked_credential=urls.baked_credential(cert.id),
        add_to_linkedin=linkedin.add_to_profile_url(cert, program, urls),
        share_on_linkedin=linkedin.share_url(urls.verify(cert.id)),
    )


def _badge_png(academy: Academy) -> bytes:
    content = academy.ctx.content
    return (content.certificates_dir / content.program.credential.image).read_bytes()


async def _certificate(request: Request) -> Certificate:
    academy = academy_of(request)
    cert_id = request.path_params["certificate_id"]
    return await run_in_threadpool(academy.certificates.get, cert_id)


async def verify(request: Request) -> Response:
    """The public verification page, with Open Graph tags for link previews."""
    academy = academy_of(request)
    cert = await _certificate(request)
    status = cert.status(academy.ctx.now())
    successor = None
    if cert.superseded_by:
        successor = await run_in_threadpool(
            academy.ctx.store.certificate, cert.superseded_by
        )
    return page(
        request,
        "verify.html",
        {
            "cert": cert,
            "status": status,
            "successor": successor,
            "links": certificate_links(academy, cert),
            "program": academy.ctx.content.program,
            "modules": academy.ctx.content.curriculum.modules,
        },
    )


async def preview_png(request: Request) -> Response:
    academy = academy_of(request)
    cert = await _certificate(request)
    image = await run_in_threadpool(academy.certificates.preview_image, cert.id)
    return Response(image, media_type="image/png", headers=_cache(3600))


async def certificate_pdf(request: Request) -> Response:
    """The stored PDF, rendered once when the certificate was issued."""
    academy = academy_of(request)
    cert = await _certificate(request)
    pdf = await run_in_threadpool(academy.certificates.pdf, cert.id)
    filename = f"mentor-academy-certificate-{cert.id[:8]}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            **_cache(300),
        },
    )


def _cache(seconds: int) -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={seconds}"}


async def issuer(request: Request) -> Response:
    academy = academy_of(request)
    return LDResponse(
        openbadges2.issuer_document(academy.ctx.content.program, academy.urls)
    )


async def badge_class(request: Request) -> Response:
    academy = academy_of(request)
    return LDResponse(
        openbadges2.badge_class(academy.ctx.content.program, academy.urls)
    )


async def badge_image(request: Request) -> Response:
    return Response(
        _badge_png(academy_of(request)), media_type="image/png", headers=_cache(3600)
    )


def _ensure_not_revoked(academy: Academy, cert: Certificate) -> None:
    if cert.status(academy.ctx.now()) is CertificateStatus.REVOKED:
        raise Gone(f"This certificate was revoked: {cert.revocation_reason}")


async def assertion(request: Request) -> Response:
    """The hosted Open Badges 2.0 assertion; 410 with the reason once revoked."""
    academy = academy_of(request)
    cert = await _certificate(request)
    if cert.status(academy.ctx.now()) is CertificateStatus.REVOKED:
        return LDResponse(
            openbadges2.revoked_assertion(cert, academy.urls), status_code=410
        )
    return LDResponse(
        openbadges2.assertion(cert, academy.ctx.content.program, academy.urls)
    )


async def baked_assertion(request: Request) -> Response:
    academy = academy_of(request)
    cert = await _certificate(request)
    _ensure_not_revoked(academy, cert)
    document = openbadges2.assertion(cert, academy.ctx.content.program, academy.urls)
    png = bake(_badge_png(academy), "openbadges", json.dumps(document))
    return _download(png, f"mentor-badge-{cert.id[:8]}.png")


def _download(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def revocations(request: Request) -> Response:
    academy = academy_of(request)
    certs = await run_in_threadpool(academy.certificates.all)
    document = openbadges2.revocation_list(
        certs, academy.ctx.content.program, academy.urls, academy.ctx.now()
    )
    return LDResponse(document)


def signed_credential(academy: Academy, cert: Certificate) -> dict[str, Any]:
    """The OB 3.0 credential, signed once and kept: Ed25519 is deterministic,
    so signing at issue time always gives the same document."""
    name = f"{cert.id}.ob3.json"
    stored = academy.ctx.store.blob(name)
    if stored is not None:
        document: dict[str, Any] = json.loads(stored)
        return document
    document = openbadges3.build_credential(
        cert,
        academy.ctx.content.program,
        academy.urls,
        academy.signing_key,
        cert.issued_at,
    )
    academy.ctx.store.save_blob(name, json.dumps(document, ensure_ascii=False).encode())
    return document


async def credential(request: Request) -> Response:
    """The signed Open Badges 3.0 credential."""
    academy = academy_of(request)
    cert = await _certificate(request)
    _ensure_not_revoked(academy, cert)
    document = await run_in_threadpool(signed_credential, academy, cert)
    return LDResponse(document)


async def baked_credential(request: Request) -> Response:
    academy = academy_of(request)
    cert = await _certificate(request)
    _ensure_not_revoked(academy, cert)
    document = await run_in_threadpool(signed_credential, academy, cert)
    png = bake(_badge_png(academy), "openbadgecredential", json.dumps(document))
    return _download(png, f"mentor-credential-{cert.id[:8]}.png")


async def ob3_issuer(request: Request) -> Response:
    academy = academy_of(request)
    return LDResponse(
        openbadges3.issuer_profile(
            academy.ctx.content.program, academy.urls, academy.signing_key
        )
    )


routes = [
    Route("/verify/{certificate_id}", verify),
    Route("/verify/{certificate_id}/preview.png", preview_png),
    Route("/certificates/{certificate_id}.pdf", certificate_pdf),
    Route("/badges/issuer.json", issuer),
    Route("/badges/badge.json", badge_class),
    Route("/badges/badge.png", badge_image),
    Route("/badges/revocations.json", revocations),
    Route("/badges/assertions/{certificate_id}.json", assertion),
    Route("/badges/assertions/{certificate_id}.png", baked_assertion),
    Route("/credentials/issuer.json", ob3_issuer),
    Route("/credentials/{certificate_id}.json", credential),
    Route("/credentials/{certificate_id}.png", baked_credential),
]
