"""The certification program: issuer, credential and eligibility thresholds."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str
    email: str
    description: str
    linkedin_organization_id: str | None = None
    linkedin_organization_name: str | None = None


@dataclass(frozen=True)
class CredentialSpec:
    name: str
    description: str
    criteria: str
    image: str
    validity_days: int | None = None
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    min_grade_percent: float
    min_forum_posts: int
    min_forum_upvotes: int
    max_forum_flags: int


@dataclass(frozen=True)
class Program:
    issuer: Issuer
    credential: CredentialSpec
    thresholds: Thresholds
