"""Real files of every accepted type, and hostile ones, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
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
