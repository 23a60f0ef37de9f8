import pytest

from academy.credentials.urls import PublicUrls

pytestmark = pytest.mark.usefixtures("no_network")

BASE = "https://mentor-academy.org"


@pytest.mark.parametrize(
    ("method", "args", "path"),
    [
        ("verify", ("abc",), "/verify/abc"),
        ("pdf", ("abc",), "/certificates/abc.pdf"),
        ("preview_image", ("abc",), "/verify/abc/preview.png"),
        ("issuer", (), "/badges/issuer.json"),
        ("badge_class", (), "/badges/badge.json"),
        ("badge_image", (), "/badges/badge.png"),
        ("assertion", ("abc",), "/badges/assertions/abc.json"),
        ("baked_assertion", ("abc",), "/badges/assertions/abc.png"),
        ("revocations", (), "/badges/revocations.json"),
        ("credential", ("abc",), "/credentials/abc.json"),
        ("baked_credential", ("abc",), "/credentials/abc.png"),
        ("ob3_issuer", (), "/credentials/issuer.json"),
        ("verification_method", (), "/credentials/issuer.json#key-1"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_urls_path_matches_web_routes(method: str, args: tuple[str], path: str) -> None:
    assert getattr(PublicUrls(BASE), method)(*args) == BASE + path


def test_urls_base_with_path_prefix_kept() -> None:
    assert PublicUrls("https://example.org/academy").issuer() == (
        "https://example.org/academy/badges/issuer.json"
    )


def test_urls_odd_id_stays_in_its_segment() -> None:
    assert PublicUrls(BASE).verify("a/b?c") == BASE + "/verify/a%2Fb%3Fc"


@pytest.mark.parametrize(
    "base",
    ["https://mentor-academy.org/", "", "mentor-academy.org", "ftp://example.org"],
    ids=["trailing-slash", "empty", "no-scheme", "not-http"],
)
def test_urls_bad_base_rejected(base: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        PublicUrls(base)
