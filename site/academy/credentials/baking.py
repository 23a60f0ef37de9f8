"""Baking: a badge's JSON carried inside its PNG image, in an iTXt chunk."""

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The keywords of the Open Badges 2.0 and 3.0 baking specifications.
OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG into (type, data) chunks; raise ValueError if it is not one."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image: it does not start with the PNG signature")
    chunks = []
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 8 > len(png):
            raise ValueError(f"PNG image truncated in a chunk header at byte {offset}")
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        end = offset + 12 + length
        if end > len(png):
            raise ValueError(f"PNG image truncated in its {kind!r} chunk")
        chunks.append((kind, png[offset + 8 : offset + 8 + length]))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise ValueError("PNG image has no IEND chunk")
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# The three text chunk types all open with a null-terminated keyword.
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")


def _keyword(data: bytes) -> bytes:
    return data.split(b"\0", 1)[0]


def bake(png: bytes, keyword: str, text: str) -> bytes:
    """Return the PNG with exactly one uncompressed iTXt chunk `keyword` = `text`.

    Any existing text chunk with that keyword (iTXt, or a tEXt or zTXt left by
    an older baker) is dropped; the new one goes just before IEND. Raises
    ValueError when `png` is not a PNG image.
    """
    key = keyword.encode("latin-1")
    # keyword, null, compression flag 0 and method 0, empty language tag and
    # translated keyword (each null-terminated), then the UTF-8 text.
    itxt = key + b"\0" + b"\0\0" + b"\0" + b"\0" + text.encode("utf-8")

    out = [PNG_SIGNATURE]
    for kind, data in _chunks(png):
        if kind in _TEXT_CHUNKS and _keyword(data) == key:
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", itxt))
        out.append(_chunk(kind, data))
    return b"".join(out)


def unbake(png: bytes, keyword: str) -> str | None:
    """Return the text of the iTXt chunk `keyword`, or None when there is none.

    Raises ValueError when `png` is not a PNG image or the chunk is malformed.
    """
    key = keyword.encode("latin-1")
    for kind, data in _chunks(png):
        if kind != b"iTXt" or _keyword(data) != key:
            continue
        rest = data[len(key) + 1 :]
        if len(rest) < 2:
            raise ValueError(f"malformed iTXt chunk {keyword!r}")
        compressed, body = rest[0], rest[2:]
        # Skip the language tag and the translated keyword.
        parts = body.split(b"\0", 2)
        if len(parts) != 3:
            raise ValueError(f"malformed iTXt chunk {keyword!r}")
        try:
            payload = zlib.decompress(parts[2]) if compressed else parts[2]
        except zlib.error as exc:
            raise ValueError(f"iTXt chunk {keyword!r} is corrupt: {exc}") from exc
        return payload.decode("utf-8")
    return None
