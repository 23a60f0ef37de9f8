"""LinkedIn links: add the certificate to a profile, or share its page."""

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .urls import PublicUrls

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
SHARE_OFFSITE = "https://www.linkedin.com/sharing/share-offsite/"


def _year_month(moment: datetime) -> tuple[str, str]:
    # LinkedIn keeps only the month; the site's dates are read in UTC, and a
    # naive datetime is taken to be UTC already, as in the badge documents.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return str(moment.year), str(moment.month)


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

    issue_year, issue_month = _year_month(cert.issued_at)
    params += [("issueYear", issue_year), ("issueMonth", issue_month)]
    if cert.expires_at is not None:
        expiry_year, expiry_month = _year_month(cert.expires_at)
        params += [("expirationYear", expiry_year), ("expirationMonth", expiry_month)]
    params += [("certUrl", urls.verify(cert.id)), ("certId", cert.id)]

    # A blank field in program.toml must not become an empty parameter.
    filled = [(name, value) for name, value in params if value]
    return ADD_TO_PROFILE + "?" + urlencode(filled, quote_via=quote)


def share_url(url: str) -> str:
    """LinkedIn's link to share a page in a post."""
    return SHARE_OFFSITE + "?" + urlencode({"url": url}, quote_via=quote)
