"""The public addresses of everything a certificate is made of."""

from dataclasses import dataclass
from urllib.parse import quote, urlsplit


def _segment(value: str) -> str:
    # Certificate ids are URL-safe today; quoting keeps an odd one from
    # escaping its path segment.
    return quote(value, safe="")


@dataclass(frozen=True)
class PublicUrls:
    """Absolute URLs under `base_url`, which has no trailing slash."""

    base_url: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or self.base_url.endswith("/")
        ):
            raise ValueError(
                "base_url must be an absolute http(s) URL without a trailing "
                f"slash, got {self.base_url!r}"
            )

    def _url(self, path: str) -> str:
        return self.base_url + path

    def verify(self, cert_id: str) -> str:
        """The public verification page of a certificate."""
        return self._url(f"/verify/{_segment(cert_id)}")

    def pdf(self, cert_id: str) -> str:
        """The certificate as a PDF."""
        return self._url(f"/certificates/{_segment(cert_id)}.pdf")

    def preview_image(self, cert_id: str) -> str:
        """The Open Graph preview image of the verification page."""
        return self._url(f"/verify/{_segment(cert_id)}/preview.png")

    def issuer(self) -> str:
        """The Open Badges 2.0 issuer profile."""
        return self._url("/badges/issuer.json")

    def badge_class(self) -> str:
        """The Open Badges 2.0 BadgeClass."""
        return self._url("/badges/badge.json")

    def badge_image(self) -> str:
        """The plain badge image, not baked."""
        return self._url("/badges/badge.png")

    def assertion(self, cert_id: str) -> str:
        """The Open Badges 2.0 hosted assertion of a certificate."""
        return self._url(f"/badges/assertions/{_segment(cert_id)}.json")

    def baked_assertion(self, cert_id: str) -> str:
        """The badge image with the Open Badges 2.0 assertion baked in."""
        return self._url(f"/badges/assertions/{_segment(cert_id)}.png")

    def revocations(self) -> str:
        """The Open Badges 2.0 revocation list."""
        return self._url("/badges/revocations.json")

    def credential(self, cert_id: str) -> str:
        """The signed Open Badges 3.0 credential of a certificate."""
        return self._url(f"/credentials/{_segment(cert_id)}.json")

    def baked_credential(self, cert_id: str) -> str:
        """The badge image with the Open Badges 3.0 credential baked in."""
        return self._url(f"/credentials/{_segment(cert_id)}.png")

    def ob3_issuer(self) -> str:
        """The Open Badges 3.0 issuer profile, which publishes the public key."""
        return self._url("/credentials/issuer.json")

    def verification_method(self) -> str:
        """The id of the issuer's signing key, inside its Open Badges 3.0 profile."""
        return self.ob3_issuer() + "#key-1"
