from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from academy.credentials.linkedin import add_to_profile_url, share_url
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .factories import make_cert, make_program

pytestmark = pytest.mark.usefixtures("no_network")


def query(url: str) -> dict[str, str]:
    """The query of a LinkedIn URL, checking there is one value per name."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "www.linkedin.com",
        "/profile/add",
    )
    params = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in params.values()), params
    return {name: values[0] for name, values in params.items()}


def test_linkedin_add_to_profile_every_parameter(
    cert: Certificate, program: Program, urls: PublicUrls
) -> None:
    assert query(add_to_profile_url(cert, program, urls)) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Certified Course Mentor",
        "organizationName": "Mentor Academy",
        "issueYear": "2025",
        "issueMonth": "3",
        "expirationYear": "2027",
        "expirationMonth": "3",
        "certUrl": "https://mentor-academy.org/verify/c3rt-0001",
        "certId": "c3rt-0001",
    }


@pytest.mark.parametrize(
    ("expires", "present"), [(True, True), (False, False)], ids=["expiring", "lasting"]
)
def test_linkedin_expiry_only_when_expiring(
    expires: bool, present: bool, program: Program, urls: PublicUrls
) -> None:
    params = query(add_to_profile_url(make_cert(expires=expires), program, urls))
    assert ("expirationYear" in params) is present
    assert ("expirationMonth" in params) is present


@pytest.mark.parametrize(
    ("organization_id", "organization_name", "expected"),
    [
        ("1337", "Mentor Academy", {"organizationId": "1337"}),
        ("1337", None, {"organizationId": "1337"}),
        (
            None,
            "Mentor Academy Foundation",
            {"organizationName": "Mentor Academy Foundation"},
        ),
        ("  ", "Mentor Academy", {"organizationName": "Mentor Academy"}),
        (None, None, {"organizationName": "Mentor Academy"}),
        ("", "", {"organizationName": "Mentor Academy"}),
    ],
    ids=["id-and-name", "id-only", "name-only", "blank-id", "neither", "both-empty"],
)
def test_linkedin_organization_id_preferred_over_name(
    organization_id: str | None,
    organization_name: str | None,
    expected: dict[str, str],
    cert: Certificate,
    urls: PublicUrls,
) -> None:
    program = make_program(organization_id, organization_name)
    params = query(add_to_profile_url(cert, program, urls))
    organization = {k: v for k, v in params.items() if k.startswith("organization")}
    assert organization == expected


@pytest.mark.parametrize("organization_id", [None, "1337"], ids=["by-name", "by-id"])
@pytest.mark.parametrize("expires", [True, False], ids=["expiring", "lasting"])
def test_linkedin_no_empty_parameter(
    organization_id: str | None, expires: bool, urls: PublicUrls
) -> None:
    url = add_to_profile_url(
        make_cert(expires=expires), make_program(organization_id), urls
    )
    assert all(value.strip() for value in query(url).values())
    assert "=&" not in url and not url.endswith("=")


def test_linkedin_dates_read_in_utc(program: Program, urls: PublicUrls) -> None:
    # 00:30 on 1 April in UTC+2 is still March in UTC.
    issued = datetime(2025, 4, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    params = query(add_to_profile_url(make_cert(issued_at=issued), program, urls))
    assert (params["issueYear"], params["issueMonth"]) == ("2025", "3")


def test_linkedin_special_characters_encoded(urls: PublicUrls) -> None:
    program = make_program(organization_name="Mentors & Co. — Zürich")
    cert = make_cert("id with space&x=1", issued_at=datetime(2025, 12, 1, tzinfo=UTC))

    url = add_to_profile_url(cert, program, urls)
    params = query(url)

    assert " " not in url
    assert params["organizationName"] == "Mentors & Co. — Zürich"
    assert params["certId"] == "id with space&x=1"
    assert params["certUrl"] == urls.verify("id with space&x=1")
    assert params["issueMonth"] == "12"


def test_linkedin_share_url(urls: PublicUrls) -> None:
    page = urls.verify("c3rt-0001") + "?utm=a&b=c"

    url = share_url(page)

    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("www.linkedin.com", "/sharing/share-offsite/")
    assert parse_qs(parts.query) == {"url": [page]}
