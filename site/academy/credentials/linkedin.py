"""LinkedIn links: add the certificate to a profile, or share its page."""

from urllib.parse import quote, urlencode

from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .urls import PublicUrls

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
SHARE_OFFSITE = "https://www.linkedin.com/sharing/share-offsite/"


def add_to_profile_url(cert: Certificate, program: Program, urls: PublicUrls) -> str:
    """LinkedIn's "Add to Profile" link, with the certification form filled in."""
    issuer = program.issuer
    params = [("startTask", "CERTIFICATION_NAME"), ("name", program.credential.name)]
    # LinkedIn links the organization page (and shows its logo) only by id;
    # a name is shown as plain text.
    organization_id = (issuer.linkedin_organization_id or "").strip()
    if organization_id:
        params.append(("organizationId", organization_id))
    else:
        name = (issuer.linkedin_organization_name or "").strip() or issuer.name
        params.append(("organizationName", name))

    # LinkedIn keeps only the month; the site's dates are in UTC.
    params += [
        ("issueYear", str(cert.issued_at.year)),
        ("issueMonth", str(cert.issued_at.month)),
    ]
    if cert.expires_at is not None:
        params += [
            ("expirationYear", str(cert.expires_at.year)),
            ("expirationMonth", str(cert.expires_at.month)),
        ]
    params += [("certUrl", urls.verify(cert.id)), ("certId", cert.id)]

    return ADD_TO_PROFILE + "?" + urlencode([p for p in params if p[1]], quote_via=quote)


def share_url(url: str) -> str:
    """LinkedIn's link to share a page in a post."""
    return SHARE_OFFSITE + "?" + urlencode({"url": url}, quote_via=quote)
