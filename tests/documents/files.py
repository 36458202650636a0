"""Real files of every accepted type, and hostile ones, built in memory."""

from __future__ import annotations

import base64
import functools
import io
import itertools
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import docx
from pypdf import PdfWriter

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
USPTO_XML = SHARED_DATA / "uspto_xml" / "xml2014__US08930553.xml"


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Pre-examination request"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("企业知识产权管理制度", level=1)
    document.add_paragraph("第一条 为规范本公司的知识产权管理工作，制定本制度。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1 pixel, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte + one red pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def uspto_xml_bytes() -> bytes:
    return USPTO_XML.read_bytes()


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(248)


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office document")
    return buffer.getvalue()


def truncated_pdf_bytes() -> bytes:
    whole = pdf_bytes()
    return whole[: len(whole) // 2]


MALFORMED_XML = b"<?xml version='1.0'?><patent><title>Unclosed</patent>"

ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>
"""


# --- ZIP bombs: valid DOCX files that unpack to far more than they weigh ----------------------

_BODY = b"<w:body>"
BOMB_PARAGRAPH = b"<w:p><w:r><w:t>lol</w:t></w:r></w:p>"


def _docx_parts() -> tuple[dict[str, bytes], bytes, bytes]:
    """A real DOCX's entries, and its body split where paragraphs go."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = parts.pop("word/document.xml")
    head, tail = body.split(_BODY, 1)
    return parts, head + _BODY, tail


def docx_built(
    paragraphs: Iterable[bytes],
    *,
    extra: Iterable[tuple[str, bytes]] = (),
    level: int = 1,
    prolog: bytes = b"",
) -> bytes:
    """A DOCX whose body is `paragraphs`, streamed into the archive (never held whole)."""
    parts, head, tail = _docx_parts()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("word/document.xml", "w") as body:
            body.write(prolog + head if not prolog else _with_prolog(head, prolog))
            for block in paragraphs:
                body.write(block)
            body.write(tail)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_prolog(head: bytes, prolog: bytes) -> bytes:
    declaration, rest = head.split(b"?>", 1)
    return declaration + b"?>" + prolog + rest


@functools.lru_cache(maxsize=1)
def docx_bomb() -> bytes:
    """About 1 MB that unpacks to 200 MB of paragraphs (the issue's 416 KB / 200 MB file)."""
    block = BOMB_PARAGRAPH * (1024 * 1024 // len(BOMB_PARAGRAPH))
    return docx_built(itertools.repeat(block, 200))


def docx_many_entries(count: int = 5000) -> bytes:
    """A small DOCX carrying thousands of tiny parts."""
    return docx_built(
        [BOMB_PARAGRAPH], extra=((f"customXml/extra{i}.xml", b"<a/>") for i in range(count))
    )


def docx_high_ratio() -> bytes:
    """A DOCX under every size limit with one part compressed about a thousand to one."""
    return docx_built(
        [BOMB_PARAGRAPH], extra=[("word/embeddings/blob.bin", bytes(10 * 1024 * 1024))], level=9
    )


def docx_many_paragraphs(count: int = 30_000) -> bytes:
    """Small in every way but its paragraph count (empty paragraphs weigh six bytes)."""
    return docx_built([b"<w:p/>" * count])


def docx_with_dtd() -> bytes:
    """A DOCX whose body declares entities: the XML bomb inside the ZIP."""
    return docx_built(
        [b"<w:p><w:r><w:t>&lol4;</w:t></w:r></w:p>"],
        prolog=b'<!DOCTYPE w:document [<!ENTITY lol "lol"><!ENTITY lol4 "&lol;&lol;&lol;&lol;">]>',
    )


# --- the main document where _rels/.rels points, not at word/document.xml ---------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TITLE = "<w:p><w:r><w:t>A method for measuring blood sugar</w:t></w:r></w:p>"


def _word_part(body: str, *, prefix: str = "w", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<{prefix}:document xmlns:{prefix}="{_W}"><{prefix}:body>{body}'
        f"</{prefix}:body></{prefix}:document>"
    ).encode()


def docx_redirected(main: bytes, *, main_name: str = "word/main.dat") -> bytes:
    """A bare DOCX whose _rels/.rels and content types point at `main_name`; a harmless
    word/document.xml is there too, so the file is still recognised as a DOCX by name."""
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_name}" ContentType="{_MAIN_TYPE}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main_name}"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", _word_part(_TITLE))
        archive.writestr(main_name, main)
    return buffer.getvalue()


def _random_comment(markup: int) -> str:
    """Incompressible filler that keeps the ratio of a part of `markup` bytes under 100 to 1."""
    return f"<!--{base64.b64encode(os.urandom(markup // 95)).decode()}-->"


@functools.lru_cache(maxsize=1)
def docx_redirected_paragraphs(count: int = 1_200_000) -> bytes:
    """The security re-check's file: the main part is word/main.dat, with `count` paragraphs."""
    return docx_redirected(_word_part(_TITLE + "<w:p/>" * count + _random_comment(6 * count)))


@functools.lru_cache(maxsize=1)
def docx_long_prefix(count: int = 150_000, prefix: str = "q" * 45) -> bytes:
    """word/document.xml itself, its paragraphs under a namespace prefix of 45 characters."""
    body = f"<{prefix}:p><{prefix}:r><{prefix}:t>Title</{prefix}:t></{prefix}:r></{prefix}:p>"
    body += f"<{prefix}:p/>" * count + _random_comment(len(prefix) * 2 * count)
    parts, _head, _tail = _docx_parts()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        archive.writestr("word/document.xml", _word_part(body, prefix=prefix))
    return buffer.getvalue()


def docx_redirected_dtd() -> bytes:
    """The main part, word/main.dat, declares entities."""
    prolog = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    body = _TITLE + "<w:p><w:r><w:t>&b;</w:t></w:r></w:p>"
    return docx_redirected(_word_part(body, prolog=prolog))


def docx_redirected_utf16(count: int = 30_000) -> bytes:
    """The main part in UTF-16, where no byte pattern of UTF-8 markup would find a paragraph."""
    text = _word_part(_TITLE + "<w:p/>" * count).decode().replace("UTF-8", "UTF-16")
    return docx_redirected(text.encode("utf-16"))
