"""Loading certificates/program.toml: issuer, credential and thresholds."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from academy.content.certificate import badge_problem
from academy.content.source import (
    Problem,
    SourceFile,
    Table,
    check_table,
    is_text_list,
    read_text,
)
from academy.domain.program import CredentialSpec, Issuer, Program, Thresholds

SECTIONS: dict[str, Any] = {"issuer": dict, "credential": dict, "eligibility": dict}
ISSUER: tuple[dict[str, Any], dict[str, Any]] = (
    {"name": str, "url": str, "email": str, "description": str},
    {"linkedin_organization_id": str, "linkedin_organization_name": str},
)
CREDENTIAL: tuple[dict[str, Any], dict[str, Any]] = (
    {"name": str, "description": str, "criteria": str, "image": str},
    {"validity_days": int, "skills": list},
)
ELIGIBILITY: tuple[dict[str, Any], dict[str, Any]] = (
    {
        "min_grade_percent": (int, float),
        "min_forum_posts": int,
        "min_forum_upvotes": int,
        "max_forum_flags": int,
    },
    {},
)
KEYS = {"issuer": ISSUER, "credential": CREDENTIAL, "eligibility": ELIGIBILITY}
# name@domain.tld: one @, no spaces, and a domain of two or more labels.
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def load_program(folder: Path, label: str, problems: list[Problem]) -> Program | None:
    """Parse and check program.toml and the badge it names."""
    path = folder / "program.toml"
    text = read_text(path, label, problems)
    if text is None:
        return None
    source = SourceFile(path, label, text)
    data = source.parse_toml()
    program = _build(folder, source, data) if data is not None else None
    problems.extend(source.problems)
    return program


def _section(source: SourceFile, data: Table, raw: dict[str, Any], name: str) -> Table:
    """The section's usable keys; empty when the section is missing or mistyped."""
    headers = source.lines_matching(r"^\s*\[")
    start = source.line_of(rf"^\s*\[\s*{name}\s*\]")
    end = next((n for n in headers if n > start), None)
    required, optional = KEYS[name]
    if name not in data:
        return Table(source, {}, start, end)
    return check_table(source, raw[name], required, optional, f"[{name}]", start, end)


def _build(folder: Path, source: SourceFile, raw: dict[str, Any]) -> Program | None:
    data = check_table(source, raw, SECTIONS, {}, "program.toml", 1)
    issuer = _section(source, data, raw, "issuer")
    credential = _section(source, data, raw, "credential")
    limits = _section(source, data, raw, "eligibility")

    url = issuer.get("url")
    if url is not None and not _is_web_address(url):
        issuer.problem(
            "url",
            "issuer url must be a whole web address such as "
            f"https://example.org, not {url!r}",
        )
    email = issuer.get("email")
    if email is not None and not EMAIL.match(email):
        issuer.problem(
            "email",
            f"issuer email must look like name@example.org, not {email!r}",
        )
    linkedin = ("linkedin_organization_id", "linkedin_organization_name")
    if "issuer" in data and not any(key in raw["issuer"] for key in linkedin):
        issuer.problem(
            None, "give linkedin_organization_id or linkedin_organization_name"
        )
    org_id = issuer.get("linkedin_organization_id")
    if org_id is not None and not org_id.isdigit():
        issuer.problem(
            "linkedin_organization_id",
            "linkedin_organization_id must be the organization's numeric id",
        )

    validity = credential.get("validity_days")
    if validity is not None and validity < 1:
        credential.problem("validity_days", "validity_days must be 1 or more")
    skills = credential.get("skills", [])
    if skills and not is_text_list(skills):
        credential.problem("skills", "skills must be a list of text")
    image = credential.get("image")
    if image is not None:
        problem = badge_problem(folder, image)
        if problem is not None:
            credential.problem("image", problem)

    grade = limits.get("min_grade_percent")
    if grade is not None and not 0 <= grade <= 100:
        limits.problem(
            "min_grade_percent", "min_grade_percent must be between 0 and 100"
        )
    for key in ("min_forum_posts", "min_forum_upvotes", "max_forum_flags"):
        if limits.get(key, 0) < 0:
            limits.problem(key, f"{key} must be 0 or more")

    if source.problems:
        return None
    return Program(
        issuer=Issuer(
            name=issuer.get("name"),
            url=url,
            email=email,
            description=issuer.get("description"),
            linkedin_organization_id=org_id,
            linkedin_organization_name=issuer.get("linkedin_organization_name"),
        ),
        credential=CredentialSpec(
            name=credential.get("name"),
            description=credential.get("description"),
            criteria=credential.get("criteria"),
            image=image,
            validity_days=validity,
            skills=tuple(skills),
        ),
        thresholds=Thresholds(
            min_grade_percent=float(grade),
            min_forum_posts=limits.get("min_forum_posts"),
            min_forum_upvotes=limits.get("min_forum_upvotes"),
            max_forum_flags=limits.get("max_forum_flags"),
        ),
    )


def _is_web_address(url: str) -> bool:
    """True for an absolute http or https URL with a host name."""
    if any(char.isspace() for char in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when the port is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0
