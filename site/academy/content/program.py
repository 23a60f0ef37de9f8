"""Loading certificates/program.toml: issuer, credential and thresholds."""

from pathlib import Path
from typing import Any

from academy.content.source import Problem, SourceFile, check_keys, read_text
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
TEMPLATE_FILES = ("certificate.html", "certificate.css")


def load_program(folder: Path, label: str, problems: list[Problem]) -> Program | None:
    """Parse and check program.toml and the files it names."""
    path = folder / "program.toml"
    text = read_text(path, label, problems)
    if text is None:
        return None
    source = SourceFile(path, label, text)
    data = source.parse_toml()
    program = _build(folder, source, data) if data is not None else None
    problems.extend(source.problems)
    return program


def _section(
    source: SourceFile, data: dict[str, Any], name: str
) -> dict[str, Any] | None:
    table: dict[str, Any] = data[name]
    line = source.line_of(rf"^\s*\[\s*{name}\s*\]")
    required, optional = {"issuer": ISSUER, "credential": CREDENTIAL}.get(
        name, ELIGIBILITY
    )
    if not check_keys(source, table, required, optional, f"[{name}]", line):
        return None
    for key, value in table.items():
        if isinstance(value, str) and not value.strip():
            source.problem(source.key_line(key, line), f"{key!r} in [{name}] is empty")
            return None
    return table


def _build(folder: Path, source: SourceFile, data: dict[str, Any]) -> Program | None:
    if not check_keys(source, data, SECTIONS, {}, "program.toml", 1):
        return None
    issuer = _section(source, data, "issuer")
    credential = _section(source, data, "credential")
    limits = _section(source, data, "eligibility")
    if issuer is None or credential is None or limits is None:
        return None

    ok = True
    if not issuer["url"].startswith(("https://", "http://")):
        source.problem(source.key_line("url"), "issuer url must start with https://")
        ok = False
    if "@" not in issuer["email"]:
        source.problem(source.key_line("email"), "issuer email is not an email address")
        ok = False
    if not (
        issuer.get("linkedin_organization_id")
        or issuer.get("linkedin_organization_name")
    ):
        source.problem(
            source.line_of(r"^\s*\[\s*issuer\s*\]"),
            "give linkedin_organization_id or linkedin_organization_name",
        )
        ok = False
    org_id = issuer.get("linkedin_organization_id")
    if org_id is not None and not org_id.isdigit():
        source.problem(
            source.key_line("linkedin_organization_id"),
            "linkedin_organization_id must be the organization's numeric id",
        )
        ok = False
    validity = credential.get("validity_days")
    if validity is not None and validity < 1:
        source.problem(
            source.key_line("validity_days"), "validity_days must be 1 or more"
        )
        ok = False
    skills = credential.get("skills", [])
    if not all(isinstance(s, str) and s.strip() for s in skills):
        source.problem(source.key_line("skills"), "skills must be a list of text")
        ok = False
    if not (folder / credential["image"]).is_file():
        source.problem(
            source.key_line("image"),
            f"image {credential['image']!r} is not a file in {folder.name}/",
        )
        ok = False
    for name in TEMPLATE_FILES:
        if not (folder / name).is_file():
            source.problem(1, f"{folder.name}/{name} is missing")
            ok = False
    for key in ("min_grade_percent",):
        if not 0 <= limits[key] <= 100:
            source.problem(source.key_line(key), f"{key} must be between 0 and 100")
            ok = False
    for key in ("min_forum_posts", "min_forum_upvotes", "max_forum_flags"):
        if limits[key] < 0:
            source.problem(source.key_line(key), f"{key} must be 0 or more")
            ok = False
    if not ok:
        return None
    return Program(
        issuer=Issuer(
            name=issuer["name"],
            url=issuer["url"],
            email=issuer["email"],
            description=issuer["description"],
            linkedin_organization_id=issuer.get("linkedin_organization_id"),
            linkedin_organization_name=issuer.get("linkedin_organization_name"),
        ),
        credential=CredentialSpec(
            name=credential["name"],
            description=credential["description"],
            criteria=credential["criteria"],
            image=credential["image"],
            validity_days=validity,
            skills=tuple(skills),
        ),
        thresholds=Thresholds(
            min_grade_percent=float(limits["min_grade_percent"]),
            min_forum_posts=limits["min_forum_posts"],
            min_forum_upvotes=limits["min_forum_upvotes"],
            max_forum_flags=limits["max_forum_flags"],
        ),
    )
