"""The files the certificate is made of: its template, stylesheet and badge.

The PDF renderer lives in credentials/, a sibling of content/ above domain, so
content/ may not import it. The template is therefore compiled and tried here
with Jinja alone, under the same settings and with the same page record
(domain.certificate.CertificatePage) the renderer gives it; WeasyPrint, which
forgives bad HTML and CSS, is left out.
"""

import io
import os
import traceback
from dataclasses import replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateSyntaxError
from PIL import Image

from academy.content.source import Problem, read_text
from academy.domain.certificate import CertificatePage

TEMPLATE = "certificate.html"
STYLESHEET = "certificate.css"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The last chunk of every PNG: no data, type IEND, then its CRC.
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


SAMPLE = CertificatePage(
    title="Certificate: Sample Credential \N{EM DASH} Ada Lovelace",
    subject="Sample Credential, awarded to Ada Lovelace by Sample Issuer.",
    keywords=("Sample Credential", "Sample Issuer", "Sample skill"),
    credential_name="Sample Credential",
    credential_description="Completed a sample of the training.",
    skills=("Sample skill", "Another skill"),
    recipient_name="Ada Lovelace",
    name_size_pt=40.0,
    issued_on="3 December 2026",
    issued_w3c="2026-12-03T14:30:00Z",
    expires_on="2 December 2028",
    certificate_id="0123456789abcdef",
    verify_url="https://example.org/verify/0123456789abcdef",
    qr_uri="data:image/png;base64,",
    issuer_name="Sample Issuer",
    issuer_url="https://example.org",
    badge_url="file:///certificates/.badge.print.jpg",
    badge_alt="Sample Credential badge",
)
# The template's optional parts: a certificate that never expires, no skills.
SAMPLES = (SAMPLE, replace(SAMPLE, expires_on=None, skills=()))


def check_certificate_files(folder: Path, problems: list[Problem]) -> None:
    """Report a missing or unreadable template or stylesheet, or a broken template."""
    readable = []
    for name in (TEMPLATE, STYLESHEET):
        label = f"{folder.name}/{name}"
        if not (folder / name).is_file():
            problems.append(Problem(label, 0, f"{label} is missing"))
        elif read_text(folder / name, label, problems) is not None:
            readable.append(name)
    if TEMPLATE in readable:
        problems.extend(_template_problems(folder))


def _template_problems(folder: Path) -> list[Problem]:
    # The settings of credentials.pdf.CertificateRenderer.
    environment = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    found: list[Problem] = []
    try:
        template = environment.get_template(TEMPLATE)
        for page in SAMPLES:
            template.render(page=page)
    except TemplateSyntaxError as error:
        name = error.name or TEMPLATE
        message = f"template syntax error: {error.message}"
        found.append(Problem(f"{folder.name}/{name}", error.lineno, message))
    # Whatever a template raises while rendering would fail every certificate.
    except Exception as error:
        name, line = _template_line(error, folder)
        found.append(
            Problem(
                f"{folder.name}/{name}",
                line,
                f"a sample certificate does not render: {error}",
            )
        )
    return found


def _template_line(error: Exception, folder: Path) -> tuple[str, int]:
    """The template and line an error was raised at, from its traceback."""
    root = folder.resolve()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if not os.path.isabs(frame.filename):
            continue
        path = Path(frame.filename).resolve()
        if path.is_relative_to(root) and frame.lineno:
            return path.relative_to(root).as_posix(), frame.lineno
    return TEMPLATE, 1


def badge_problem(folder: Path, image: str) -> str | None:
    """Why `image` cannot be the badge, or None when it is a PNG in `folder`."""
    if Path(image).is_absolute() or image.startswith("\\"):
        return f"image must be a path relative to {folder.name}/, not {image!r}"
    root = folder.resolve()
    path = (root / image).resolve()
    if not path.is_relative_to(root):
        return f"image {image!r} is outside {folder.name}/"
    if not path.is_file():
        return f"image {image!r} is not a file in {folder.name}/"
    try:
        data = path.read_bytes()
    except OSError as error:
        return f"image {image!r} cannot be read: {error.strerror}"
    if not data.startswith(PNG_SIGNATURE):
        return f"image {image!r} is not a PNG image"
    if PNG_END not in data:
        return f"image {image!r} is a damaged PNG image: it is cut short"
    try:
        # verify() checks the chunks; only load() decodes the pixels.
        with Image.open(io.BytesIO(data), formats=["PNG"]) as badge:
            badge.verify()
        with Image.open(io.BytesIO(data), formats=["PNG"]) as badge:
            badge.load()
    # Pillow raises many kinds of error for a damaged image, not one.
    except Exception as error:
        return f"image {image!r} is a damaged PNG image: {error}"
    return None
