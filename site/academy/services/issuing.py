"""Issuing many certificates at once, with the rendering spread over processes.

WeasyPrint holds the GIL while it lays out a page, so threads would not render
two certificates at once; processes do. Each worker process builds one
CertificateRenderer when it starts and renders PDFs and preview images only.
This process keeps the only writer's role: it decides which certificates are
due, and saves what the workers rendered, under the data folder's lock.
"""

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from academy.content import load_content
from academy.credentials.pdf import CertificateRenderer
from academy.credentials.preview import render_preview
from academy.domain.certificate import Certificate
from academy.domain.program import Program
from academy.services.certificates import Certificates

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Worker:
    renderer: CertificateRenderer
    program: Program
    certificates_dir: Path


_worker: _Worker | None = None


def _start_worker(content_dir: Path) -> None:
    """Build this worker process's renderer once, before its first certificate."""
    global _worker
    content = load_content(content_dir)
    renderer = CertificateRenderer(content.certificates_dir)
    _worker = _Worker(renderer, content.program, content.certificates_dir)


def _render(cert: Certificate, verify_url: str, now: datetime) -> tuple[bytes, bytes]:
    assert _worker is not None, "the pool's initializer did not run"
    pdf = _worker.renderer.render(cert, _worker.program, verify_url)
    preview = render_preview(
        cert, _worker.program, now=now, certificates=_worker.certificates_dir
    )
    return pdf, preview


def issue_all(
    certificates: Certificates,
    user_ids: Sequence[str],
    workers: int,
    actor: str,
    done: Callable[[], object] = lambda: None,
) -> int:
    """Issue every certificate due among `user_ids`; how many were issued.

    With one worker this renders here, one after the other; with more, in
    that many processes. `done` is called after each learner, for progress.
    """
    if workers <= 1:
        issued = 0
        for user_id in user_ids:
            if certificates.issue_if_due(user_id, actor) is not None:
                issued += 1
            done()
        return issued

    ctx = certificates.ctx
    # "spawn": a worker starts clean instead of inheriting this process's
    # open files, locks and font caches.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers,
        mp_context=spawn,
        initializer=_start_worker,
        initargs=(ctx.settings.content_dir,),
    ) as pool:
        pending: dict[Future[tuple[bytes, bytes]], Certificate] = {}
        for user_id in user_ids:
            user = ctx.store.user(user_id)
            if user is None or not certificates.due(user_id):
                done()
                continue
            cert = certificates.new_certificate(user)
            verify_url = certificates.urls.verify(cert.id)
            pending[pool.submit(_render, cert, verify_url, ctx.now())] = cert
        issued = 0
        for future in as_completed(pending):
            cert = pending[future]
            pdf, preview = future.result()
            if certificates.issue_rendered(cert, pdf, preview, actor):
                issued += 1
            done()
    logger.info("issued %d certificate(s) with %d workers", issued, workers)
    return issued
