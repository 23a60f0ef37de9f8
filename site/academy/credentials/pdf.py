"""The certificate as a PDF, rendered by WeasyPrint from certificates/."""

import functools
import io
import logging
import re
import threading
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from academy.domain.certificate import Certificate, CertificatePage
from academy.domain.program import Program

logger = logging.getLogger(__name__)
# The paper under the seal: the page background in certificate.css.
PAPER = (251, 248, 240, 255)

TEMPLATE = "certificate.html"
STYLESHEET = "certificate.css"

# Asking for PDF/UA-1 turns on tagging (a structure tree, /MarkInfo), writes
# /Lang from <html lang>, shows the document title instead of the file name
# and adds XMP metadata; `pdf_tags=True` alone would leave out the XMP. It is
# WeasyPrint's own claim: the file has not been through a PDF/UA validator.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip

# The name is set in DejaVu Serif across a line of about 230 mm (650 pt).
# Its characters average 0.53 to 0.58 em; 0.62 leaves room for wide letters.
NAME_LINE_PT = 620.0
NAME_EM_PER_CHAR = 0.62
NAME_LARGEST_PT = 40.0
NAME_ONE_LINE_DOWN_TO_PT = 22.0
NAME_SMALLEST_PT = 12.0
# A wrapped line breaks between words, so it is never quite full.
NAME_WRAP_FILL = 0.85


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """Fetches data: URLs and files under one folder; never the network."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self._root = root.resolve()
        # Rendered files that exist only in memory, by URL (the print badge).
        self.virtual: dict[str, bytes] = {}

    def fetch(
        self, url: str, headers: dict[str, str] | None = None
    ) -> URLFetcherResponse:
        """Refuse files outside the folder; hand the rest to WeasyPrint."""
        if url in self.virtual:
            return URLFetcherResponse(
                url, body=self.virtual[url], headers={"Content-Type": "image/jpeg"}
            )
        if url.lower().startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self._root):
                raise ValueError(f"{url} is outside {self._root.name}/")
        return super().fetch(url, headers)


class _ThreadTools(threading.local):
    """The WeasyPrint objects one thread renders with, made once per thread.

    A FontConfiguration wraps a Pango font map whose fonts share FreeType
    faces, which must not be used by two threads at once; cffi releases the
    GIL during those calls, so two renders sharing one configuration could
    run Pango and FreeType concurrently on the same faces. Pango itself keeps
    one default font map per thread for this reason. Each thread therefore
    builds its own configuration once and reuses it for every render; the
    URL fetcher (which keeps per-request state) and the image cache go with it.
    """

    def __init__(self, directory: Path) -> None:
        self.font_config = FontConfiguration()
        self.url_fetcher = LocalOnlyFetcher(directory)
        source = (directory / STYLESHEET).read_text(encoding="utf-8")
        self.stylesheet = CSS(
            string=inline_custom_properties(source),
            base_url=directory.as_uri() + "/",
            font_config=self.font_config,
            url_fetcher=self.url_fetcher,
        )
        # Keyed by URL; only the badge is fetched by URL (the QR code is an
        # inline SVG), so the cache stays one image large.
        self.image_cache: dict[str, object] = {}


class CertificateRenderer:
    """Renders certificates to PDF; create one per process and share it.

    The template, stylesheet and badge are read once (per thread for the last
    two), so a change to them takes effect when the process restarts.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory.resolve()
        environment = Environment(
            loader=FileSystemLoader(self._directory),
            autoescape=True,
            undefined=StrictUndefined,
            auto_reload=False,
        )
        self._template = environment.get_template(TEMPLATE)
        self._base_url = self._directory.as_uri() + "/"
        self._tools = _ThreadTools(self._directory)

    @property
    def font_config(self) -> FontConfiguration:
        """The font configuration the calling thread renders with."""
        return self._tools.font_config

    def render(self, cert: Certificate, program: Program, verify_url: str) -> bytes:
        """The certificate as a one-page A4 landscape, tagged PDF."""
        started = time.perf_counter()
        page = self.page(cert, program, verify_url)
        html = self._template.render(page=page)
        # The certificate id becomes the PDF's permanent file identifier.
        pdf = self._write(html, pdf_identifier=cert.id.encode())
        logger.debug(
            "rendered certificate %s in %.0f ms",
            cert.id,
            (time.perf_counter() - started) * 1000,
        )
        return pdf

    def render_plain(self, text: str) -> bytes:
        """A one-line PDF with the same fonts: the baseline for benchmarks."""
        html = (
            '<!DOCTYPE html><html lang="en"><title>Plain</title>'
            "<p style=\"font-family: 'DejaVu Serif', serif\">"
            f"{escape(text)}</p></html>"
        )
        return self._write(html, stylesheets=False)

    def page(
        self, cert: Certificate, program: Program, verify_url: str
    ) -> CertificatePage:
        """The template's inputs for one certificate."""
        credential = program.credential
        issuer = program.issuer
        name = printable(cert.recipient_name)
        issued_on = long_date(cert.issued_at)
        return CertificatePage(
            title=f"Certificate: {credential.name} \N{EM DASH} {name}",
            subject=(
                f"{credential.name}, awarded to {name} by "
                f"{issuer.name} on {issued_on}. Verify at {verify_url}"
            ),
            keywords=(credential.name, issuer.name, *credential.skills),
            credential_name=credential.name,
            credential_description=credential.description,
            skills=credential.skills,
            recipient_name=name,
            name_size_pt=name_size_pt(name),
            issued_on=issued_on,
            issued_w3c=_as_utc(cert.issued_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
            expires_on=long_date(cert.expires_at) if cert.expires_at else None,
            certificate_id=cert.id,
            verify_url=verify_url,
            qr_uri=qr_data_uri(verify_url),
            issuer_name=issuer.name,
            issuer_url=issuer.url,
            badge_url=self._print_badge_url(credential.image),
            badge_alt=f"{credential.name} badge",
        )

    def _print_badge_url(self, image: str) -> str:
        """A URL the fetcher answers with the badge flattened for print."""
        path = self._badge_path(image)
        url = path.with_name(f".{path.stem}.print.jpg").as_uri()
        fetcher = self._tools.url_fetcher
        if url not in fetcher.virtual:
            fetcher.virtual[url] = print_badge(path)
        return url

    def _badge_path(self, image: str) -> Path:
        path = (self._directory / image).resolve()
        if not path.is_relative_to(self._directory) or not path.is_file():
            # A missing badge is a deployment error; a certificate without
            # its badge must not go out quietly.
            raise FileNotFoundError(f"badge image {image!r} not found in certificates/")
        return path

    def _write(
        self, html: str, *, stylesheets: bool = True, pdf_identifier: bytes = b""
    ) -> bytes:
        tools = self._tools
        document = HTML(
            string=html, base_url=self._base_url, url_fetcher=tools.url_fetcher
        )
        pdf: bytes = document.write_pdf(
            stylesheets=[tools.stylesheet] if stylesheets else None,
            font_config=tools.font_config,
            cache=tools.image_cache,
            pdf_identifier=pdf_identifier or None,
            **PDF_OPTIONS,
        )
        return pdf


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_ROOT_BLOCK = re.compile(r":root\s*\{([^}]*)\}")
_CUSTOM_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]+?)\s*(?:;|$)")
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*\)")


def inline_custom_properties(css: str) -> str:
    """The stylesheet with each `var(--name)` set in `:root` replaced by its value.

    WeasyPrint resolves custom properties again for every element, which took
    an eighth of a certificate's render; the stylesheet keeps them for the
    people who edit it, and the renderer substitutes them once, when it loads.
    A var() with a fallback, or one not set in :root, is left to WeasyPrint.
    """
    css = _COMMENT.sub("", css)
    values: dict[str, str] = {}
    for block in _ROOT_BLOCK.findall(css):
        values.update(_CUSTOM_PROPERTY.findall(block))

    def substitute(text: str, known: dict[str, str]) -> str:
        return _VAR.sub(lambda m: known.get(m.group(1), m.group(0)), text)

    # A value may itself use var(); substitute inside the values first.
    for _ in range(len(values)):
        changed = {name: substitute(value, values) for name, value in values.items()}
        if changed == values:
            break
        values = changed
    return substitute(css, values)


def name_size_pt(name: str) -> float:
    """The largest type size, in points, that sets the name in one or two lines."""
    width_em = max(len(name), 1) * NAME_EM_PER_CHAR
    one_line = NAME_LINE_PT / width_em
    if one_line >= NAME_ONE_LINE_DOWN_TO_PT:
        return round(min(one_line, NAME_LARGEST_PT), 1)
    two_lines = 2 * NAME_LINE_PT * NAME_WRAP_FILL / width_em
    return round(max(min(two_lines, NAME_ONE_LINE_DOWN_TO_PT), NAME_SMALLEST_PT), 1)


def qr_data_uri(url: str) -> str:
    """The URL as a QR code: a tiny PNG, one pixel per module, as a data URI.

    A bitmap scaled with sharp edges prints as crisply as vector paths, and
    WeasyPrint embeds it several times faster than it draws an SVG of the
    same code.
    """
    # Medium error correction survives print wear and a folded page while
    # keeping the modules large enough to scan from a phone at arm's length.
    # Any of the eight masks gives a valid code; scoring all eight to pick
    # one took a tenth of a render, so the first is used.
    code = segno.make_qr(url, error="m", mask=0, boost_error=False)
    uri: str = code.png_data_uri(scale=1, border=4, dark="#1b2a52", light="#ffffff")
    return uri


@functools.lru_cache(maxsize=4)
def print_badge(path: Path) -> bytes:
    """The badge flattened onto the paper colour, as a JPEG.

    WeasyPrint passes a JPEG into the PDF as it is, while a PNG with an alpha
    channel is split and recompressed on every render (a third of the time
    a certificate took). The badge sits on the paper, so nothing is lost.
    """
    with Image.open(path) as source:
        badge = source.convert("RGBA")
    paper = Image.new("RGBA", badge.size, PAPER)
    paper.alpha_composite(badge)
    out = io.BytesIO()
    paper.convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


def printable(text: str) -> str:
    """Text without control characters or lone surrogates; breaks become spaces."""
    # No font draws these, XML (the PDF's XMP metadata) forbids most of them
    # and a lone surrogate cannot be encoded at all. Format characters (bidi
    # marks, zero-width joiners) stay: some scripts need them.
    kept = []
    for char in text:
        if unicodedata.category(char) not in _UNPRINTABLE:
            kept.append(char)
        elif char.isspace():
            kept.append(" ")
    return re.sub(" {2,}", " ", "".join(kept)).strip()


_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})


def long_date(moment: datetime) -> str:
    """A date as it reads on a certificate: 3 December 2026 (UTC)."""
    day = _as_utc(moment).date()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _as_utc(moment: datetime) -> datetime:
    # Naive datetimes from the store are UTC; the certificate shows UTC dates
    # because a mentor's time zone is not known here.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
