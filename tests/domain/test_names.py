"""Names that go on certificates: what is refused, and why."""

import pytest

from academy.domain.names import MAX_NAME, name_problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "Enter your name"),
        ("x" * (MAX_NAME + 1), f"under {MAX_NAME} characters"),
        ("Ana\x00Silva", "control characters"),
        ("\u202eavliS anA", "text-direction"),
        ("Ana \u2066Silva\u2069", "text-direction"),
        ("\ufffd\ufffd", "could not be read"),
        ("\u200b\u200b", "at least one letter"),
        ("12345", "at least one letter"),
        ("😀", "at least one letter"),
    ],
    ids=[
        "empty",
        "too-long",
        "nul",
        "override",
        "isolate",
        "undecodable",
        "zero-width-only",
        "digits-only",
        "emoji-only",
    ],
)
def test_name_problem_refuses(name: str, problem: str) -> None:
    found = name_problem(name)
    assert found is not None and problem in found


@pytest.mark.parametrize(
    "name",
    [
        "Ana Silva",
        "Zoë O'Brien-Łukasiewicz",
        "محمد عبد الله",
        "\u200fשרה לוי",  # a right-to-left mark is a mark, not an override
        "میرزا\u200cزاده",  # Persian writes some names with a zero-width non-joiner
        "山田 太郎",
        "Ana 😀 Silva",
    ],
    ids=[
        "plain",
        "accents",
        "arabic",
        "hebrew-rlm",
        "persian-zwnj",
        "japanese",
        "emoji",
    ],
)
def test_name_problem_accepts(name: str) -> None:
    assert name_problem(name) is None
