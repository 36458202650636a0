"""Rebuild ``src/ipcenter/patents/samples/`` from the real USPTO full texts in the shared data.

    .venv/bin/python scripts/build_samples.py [--shared ../shared/data]

Copies a few office XML files as they are, turns others into DOCX applications (title,
abstract, description with its real headings and paragraph numbers, claims), and writes
``requests.json`` with each sample's bibliographic data. The output is deterministic: DOCX
core properties carry fixed dates, so a rebuild from the same data gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ipcenter.patents import documents  # noqa: E402

OUT = ROOT / "src" / "ipcenter" / "patents" / "samples"
DEFAULT_SHARED = Path(os.environ.get("IPCENTER_SHARED_DATA", ROOT.parent / "shared" / "data"))

# (source file in uspto_xml/, how it ships). Main IPC A61B is in Shanghai's field list,
# G06F in Pudong's.
SAMPLES: list[tuple[str, str]] = [
    ("xml2014__US08926509.xml", "docx"),  # A61B 5/00, Shanghai
    ("xmlApp2004__US20050004437A1.xml", "docx"),  # A61B 5/00, Shanghai
    ("xmlApp2004__US20050004437A1.xml", "xml"),
    ("xml2014__US08930553.xml", "docx"),  # G06F 15/16, Pudong
    ("xml2014__US08930553.xml", "xml"),
    ("pap__US20010009014A1.xml", "docx"),  # G06F 15/16, Pudong
    ("xml2006__US07272630B2.xml", "docx"),  # G06F 15/13, Pudong
    ("sgml__US06336130.xml", "xml"),  # G06F 15/16, Pudong
]

FIXED_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def patent_number(source: str) -> str:
    return source.split("__", 1)[1].removesuffix(".xml")


def build_docx(data: bytes, filename: str) -> bytes:
    import docx

    draft = documents._parse_xml(filename, data)
    app = documents._assemble(draft)
    document = docx.Document()
    core = document.core_properties
    core.author = "USPTO full text (public domain)"
    core.title = app.title
    core.created = core.modified = FIXED_DATE
    core.last_modified_by = "ipcenter scripts/build_samples.py"
    core.revision = 1
    document.add_heading(app.title, level=0)
    document.add_heading("Abstract", level=1)
    document.add_paragraph(app.abstract)
    document.add_heading("Description", level=1)
    for block in draft.blocks:
        if block.kind == "heading" and block.text:
            document.add_heading(block.text, level=2)
        elif block.kind == "p" and block.text:
            prefix = f"[{block.number}] " if block.number else ""
            document.add_paragraph(prefix + block.text)
    document.add_heading("Claims", level=1)
    document.add_paragraph("What is claimed is:")
    for claim in app.claims:
        document.add_paragraph(f"{claim.number}. {claim.text}")
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Same bytes for the same content: fixed member timestamps."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def request_for(data: bytes, filename: str) -> dict[str, object]:
    info = documents.bibliographic_data(data, filename=filename)
    app = documents.parse_document(filename, data)
    return {
        "patent_number": "US" + info["publication_number"].lstrip("0"),
        "title": info["title"],
        "patent_type": info["patent_type"],
        "language": app.language,
        # The applicant of a Chinese request is the owner: the assignee where there is one.
        "applicants": info["assignees"] or info["applicants"] or info["inventors"],
        "assignees": info["assignees"],
        "inventors": info["inventors"],
        "main_ipc": info["main_ipc"],
        "further_ipc": info["further_ipc"],
        "priorities": info["priorities"],
        "application_number": info["application_number"],
        "filing_date": info["filing_date"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    source_dir = args.shared / "uspto_xml"
    if not source_dir.is_dir():
        raise SystemExit(f"no USPTO XML folder at {source_dir}")
    OUT.mkdir(parents=True, exist_ok=True)
    requests: dict[str, dict[str, object]] = {}
    for source, kind in SAMPLES:
        data = (source_dir / source).read_bytes()
        name = f"{patent_number(source)}.{kind}"
        payload = build_docx(data, source) if kind == "docx" else data
        (OUT / name).write_bytes(payload)
        requests[name] = request_for(data, source) | {"source": f"uspto_xml/{source}"}
        print(f"{name:28} {len(payload):>8} bytes  {requests[name]['main_ipc']}")
    (OUT / "requests.json").write_text(
        json.dumps(requests, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
