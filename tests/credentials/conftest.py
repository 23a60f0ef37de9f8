"""Fixtures for the credentials tests: a program, certificates, a key, a badge."""

import socket
from pathlib import Path

import pytest

from academy.credentials.keys import SigningKey, load_or_create_signing_key
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .factories import make_cert, make_program, png_bytes


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if it opens a connection from this process."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a credentials test tried to use the network: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def program() -> Program:
    return make_program()


@pytest.fixture
def cert() -> Certificate:
    return make_cert()


@pytest.fixture
def urls() -> PublicUrls:
    return PublicUrls("https://mentor-academy.org")


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return load_or_create_signing_key(tmp_path)


@pytest.fixture
def badge_png() -> bytes:
    return png_bytes()
