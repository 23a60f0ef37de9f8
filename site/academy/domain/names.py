"""Names as they go on certificates: what one must have, and what it may not."""

import unicodedata

MAX_NAME = 120

# Embedding, override and isolate controls reorder how text is shown: on a
# certificate they would let a name read differently from what was typed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_problem(name: str) -> str | None:
    """Why this name cannot go on a certificate, or None when it can."""
    if not name:
        return "Enter your name as it should appear on your certificate."
    if len(name) > MAX_NAME:
        return f"Keep your name under {MAX_NAME} characters."
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "The name contains control characters; remove them."
    if any(ch in BIDI_CONTROLS for ch in name):
        return "The name contains invisible text-direction characters; remove them."
    if "\ufffd" in name:
        return "Part of the name could not be read (�); type it again."
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        return "A name needs at least one letter."
    return None
