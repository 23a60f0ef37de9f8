"""Issuing many certificates at once, with the rendering spread over processes.

WeasyPrint holds the GIL while it lays out a page, so threads would not render
two certificates at once; processes do. Each worker process builds one
CertificateRenderer when it starts and renders PDFs and preview images only.
This process keeps the only writer's role: it decides which certificates are
due, and saves what the workers rendered, under the data folder's lock.

Workers come from a fork server that has already imported WeasyPrint, Pillow
and this module, so a worker starts in milliseconds instead of paying about a
second of imports each; `prepare_workers` starts that server early, while the
command is still opening the data folder. A fork server starts from a fresh
interpreter, so workers inherit none of this process's threads, open files,
locks or font caches.
"""

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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


# What the fork server imports once, for every worker it forks.
_PRELOAD = ["academy.services.issuing"]


def _pool_context() -> multiprocessing.context.BaseContext:
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:  # a platform without fork: start each worker afresh
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(_PRELOAD)
    return context


def prepare_workers(workers: int) -> None:
    """Start the fork server now, so it imports while the caller does other work."""
    if workers <= 1:
        return
    context = _pool_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _start_worker(certificates_dir: Path, program: Program) -> None:
    """Build this worker process's renderer once, before its first certificate."""
    global _worker
    _worker = _Worker(CertificateRenderer(certificates_dir), program, certificates_dir)


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
    content = ctx.content
    with ProcessPoolExecutor(
        workers,
        mp_context=_pool_context(),
        initializer=_start_worker,
        initargs=(content.certificates_dir, content.program),
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
