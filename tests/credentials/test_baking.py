import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from academy.credentials.baking import OB2_KEYWORD, OB3_KEYWORD, bake, unbake

from .factories import png_bytes

pytestmark = pytest.mark.usefixtures("no_network")

KEYWORDS = pytest.mark.parametrize("keyword", [OB2_KEYWORD, OB3_KEYWORD])


@pytest.fixture
def strict_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make Pillow check ancillary chunks' CRCs, which WeasyPrint's import turns off."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC independently of the code."""
    found = []
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + data), f"bad CRC in {kind!r}"
        found.append((kind, data))
        offset += 12 + length
    return found


def itxt_with(png: bytes, keyword: str) -> list[bytes]:
    prefix = keyword.encode() + b"\0"
    return [
        data
        for kind, data in chunks(png)
        if kind == b"iTXt" and data.startswith(prefix)
    ]


@KEYWORDS
def test_baking_round_trip_keeps_text(keyword: str, badge_png: bytes) -> None:
    text = '{"name": "Mentor – certifié ✓"}'
    assert unbake(bake(badge_png, keyword, text), keyword) == text


@KEYWORDS
def test_baking_writes_one_uncompressed_chunk_before_iend(
    keyword: str, badge_png: bytes
) -> None:
    baked = bake(badge_png, keyword, "{}")

    kinds = [kind for kind, _ in chunks(baked)]
    assert kinds[-2:] == [b"iTXt", b"IEND"]
    (data,) = itxt_with(baked, keyword)
    # keyword, null, compression flag 0, method 0, empty language and
    # translated keyword, then the text.
    assert data == keyword.encode() + b"\0\0\0\0\0{}"


@KEYWORDS
def test_baking_twice_replaces_the_chunk(keyword: str, badge_png: bytes) -> None:
    baked = bake(bake(badge_png, keyword, "first"), keyword, "second")

    assert len(itxt_with(baked, keyword)) == 1
    assert unbake(baked, keyword) == "second"


def test_baking_drops_older_text_chunks_with_the_keyword() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text(OB2_KEYWORD, "legacy tEXt")
    info.add_text(OB2_KEYWORD, "legacy zTXt", zip=True)
    info.add_text("Author", "kept")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG", pnginfo=info)

    baked = bake(buffer.getvalue(), OB2_KEYWORD, "new")

    texts = [(kind, data) for kind, data in chunks(baked) if kind.endswith(b"Xt")]
    assert texts == [
        (b"tEXt", b"Author\0kept"),
        (b"iTXt", b"openbadges\0\0\0\0\0new"),
    ]


def test_baking_keeps_the_other_standards_chunk(badge_png: bytes) -> None:
    baked = bake(bake(badge_png, OB2_KEYWORD, "two"), OB3_KEYWORD, "three")

    assert unbake(baked, OB2_KEYWORD) == "two"
    assert unbake(baked, OB3_KEYWORD) == "three"


@KEYWORDS
@pytest.mark.usefixtures("strict_pillow")
def test_baking_readable_by_pillow(keyword: str, badge_png: bytes) -> None:
    baked = bake(badge_png, keyword, '{"id": "x"}')

    image = Image.open(io.BytesIO(baked))
    image.verify()  # checks every chunk's CRC
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.text[keyword] == '{"id": "x"}'
    assert image.size == (64, 64)


@pytest.mark.usefixtures("strict_pillow")
def test_baking_corrupt_crc_detected_by_pillow(badge_png: bytes) -> None:
    # Proves the Pillow check above would catch a wrong CRC.
    baked = bytearray(bake(badge_png, OB2_KEYWORD, "text"))
    iend = baked.rindex(b"IEND")
    baked[iend - 9] ^= 0xFF  # last byte of the text, before CRC and IEND length

    with pytest.raises(SyntaxError, match="checksum"):
        Image.open(io.BytesIO(bytes(baked))).verify()


def test_baking_unbake_without_chunk_gives_none(badge_png: bytes) -> None:
    assert unbake(badge_png, OB2_KEYWORD) is None
    assert unbake(bake(badge_png, OB3_KEYWORD, "x"), OB2_KEYWORD) is None


def test_baking_unbake_reads_compressed_chunk(badge_png: bytes) -> None:
    # Other bakers may compress; the specs allow reading it.
    data = b"openbadges\0\x01\0\0\0" + zlib.compress(b"squeezed")
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + data))
    iend = badge_png.rindex(b"IEND") - 4
    png = badge_png[:iend] + chunk + badge_png[iend:]

    assert unbake(png, OB2_KEYWORD) == "squeezed"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a\x01\x00\x01\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b'{"not": "an image"}',
        png_bytes()[:30],
        png_bytes()[:-12],
    ],
    ids=["empty", "gif", "jpeg", "json", "truncated", "no-iend"],
)
@pytest.mark.parametrize("operation", ["bake", "unbake"])
def test_baking_non_png_rejected(data: bytes, operation: str) -> None:
    with pytest.raises(ValueError, match="PNG"):
        if operation == "bake":
            bake(data, OB2_KEYWORD, "{}")
        else:
            unbake(data, OB2_KEYWORD)
