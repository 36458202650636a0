"""Real sample application documents shipped with ipcenter, for demo data and browser tests.

Plain Python, no Django. The files in ``patents/samples/`` are USPTO public-domain full texts:
some as the office published them (XML), some turned into a DOCX application (title, abstract,
description with its real headings and paragraph numbers, claims) by ``scripts/build_samples.py``.
``requests.json`` holds each sample's bibliographic data (title, applicants, inventors, IPC,
priority) as read from the XML.

:func:`seeded_defect` returns a DOCX sample with one deliberate formality defect, so that a
demo or a test can show the formality checker at work; the sample itself is the corrected
document.
"""

from __future__ import annotations

import functools
import io
import json
import re
from importlib import resources
from typing import Any

__all__ = [
    "DEFECTS",
    "sample_bytes",
    "sample_names",
    "sample_request",
    "seeded_defect",
]

# A folder beside this module (not a package of its own: this module has its name).
_PACKAGE = "ipcenter.patents"
_FOLDER = "samples"

# Defect name -> the finding code the formality checker reports for it.
DEFECTS: dict[str, str] = {
    "claim_forward_reference": "claim_reference_forward",
    "claim_no_period": "claim_no_period",
    "abstract_too_long": "abstract_too_long",
    "claims_numbering_gap": "claims_numbering_gap",
    "figure_missing": "figure_missing",
}


@functools.cache
def _requests() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(
        resources.files(_PACKAGE).joinpath(_FOLDER, "requests.json").read_text(encoding="utf-8")
    )
    return data


def sample_names() -> list[str]:
    """File names of the samples ("US08926509.docx", "US08930553.xml", ...)."""
    return sorted(_requests())


def _check(name: str) -> None:
    if name not in _requests():
        raise KeyError(f"no sample named {name!r}; samples: {', '.join(sample_names())}")


def sample_bytes(name: str) -> bytes:
    """The sample document as uploaded by an applicant."""
    _check(name)
    return resources.files(_PACKAGE).joinpath(_FOLDER, name).read_bytes()


def sample_request(name: str) -> dict[str, Any]:
    """Bibliographic data for a pre-examination request: title, applicants, inventors,
    assignees, main_ipc, further_ipc, priorities, patent_number, patent_type, language."""
    _check(name)
    return json.loads(json.dumps(_requests()[name]))  # a copy the caller may change


_CLAIM_START = re.compile(r"^\s*(\d{1,3})\s*[.．、]\s*")
_CLAIM_REF = re.compile(r"\bclaims?\s+\d+(?:\s*(?:,|or|and|to|-)\s*\d+)*", re.I)


def seeded_defect(name: str, defect: str) -> bytes:
    """The DOCX sample `name` with one defect from :data:`DEFECTS` injected."""
    import docx

    if defect not in DEFECTS:
        raise KeyError(f"unknown defect {defect!r}; defects: {', '.join(DEFECTS)}")
    if not name.endswith(".docx"):
        raise ValueError(f"defects are seeded in DOCX samples only, not {name}")
    document = docx.Document(io.BytesIO(sample_bytes(name)))
    paragraphs = document.paragraphs
    styles = [(p.style.name if p.style is not None else "") for p in paragraphs]
    headings = [i for i, s in enumerate(styles) if s.startswith("Heading 1")]

    def part(title: str) -> list[int]:
        start = next(i for i in headings if paragraphs[i].text.strip().lower() == title)
        end = next((i for i in headings if i > start), len(paragraphs))
        return [i for i in range(start + 1, end) if paragraphs[i].text.strip()]

    claims = {
        int(m.group(1)): i for i in part("claims") if (m := _CLAIM_START.match(paragraphs[i].text))
    }
    if defect == "claim_forward_reference":
        paragraph = paragraphs[claims[3]]
        text = paragraph.text
        if _CLAIM_REF.search(text):
            text = _CLAIM_REF.sub("claim 5", text, count=1)
        else:
            text = text.rstrip(". ") + ", as in claim 5."
        _set_text(paragraph, text)
    elif defect == "claim_no_period":
        last = max(i for i in part("claims") if i < claims.get(3, len(paragraphs)))
        _set_text(paragraphs[last], paragraphs[last].text.rstrip().rstrip("."))
    elif defect == "abstract_too_long":
        index = part("abstract")[0]
        text = paragraphs[index].text
        while len(text.split()) <= 160:
            text += " " + paragraphs[index].text
        _set_text(paragraphs[index], text)
    elif defect == "claims_numbering_gap":
        numbers = sorted(claims)
        for number in reversed(numbers[numbers.index(3) :]):
            paragraph = paragraphs[claims[number]]
            _set_text(paragraph, _CLAIM_START.sub(f"{number + 1}. ", paragraph.text, count=1))
    elif defect == "figure_missing":
        index = part("description")[-1]
        _set_text(paragraphs[index], paragraphs[index].text + " A variant is shown in FIG. 99.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_text(paragraph: Any, text: str) -> None:
    """Replace a paragraph's text, keeping its style (runs collapse into the first)."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""
