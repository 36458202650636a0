"""A patent application as parsed from its documents: claims, description, abstract, figures.

Plain Python, no Django. :class:`ParsedApplication` is what the parsers in
:mod:`ipcenter.patents.documents` produce and what the formality checker in
:mod:`ipcenter.patents.formality` reads; it is stored as JSON (:meth:`ParsedApplication.to_dict`
/ :meth:`ParsedApplication.from_dict`), so every field is a plain string, number, list or dict.

:class:`ParseError` is the one error a parser raises for input it cannot read; it carries a
stable ``code``, an English ``message`` and the place in the document (``location``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "PARSE_ERROR_MESSAGES",
    "SECTION_KINDS",
    "SECTION_LABELS",
    "Claim",
    "Paragraph",
    "ParseError",
    "ParsedApplication",
    "normalise_space",
]

# The description's sections, in the order the Chinese Implementing Regulations (Rule 17) and
# USPTO practice (37 CFR 1.77) lay them out.
SECTION_KINDS: tuple[str, ...] = (
    "technical_field",
    "background",
    "summary",
    "drawings",
    "detailed_description",
)


def _(message: str) -> str:
    """Marks a message for Django's makemessages; translated where it is shown."""
    return message


# English labels for reports and messages (the Django layer translates them).
SECTION_LABELS: dict[str, str] = {
    "technical_field": _("Technical field"),
    "background": _("Background art"),
    "summary": _("Summary of the invention"),
    "drawings": _("Description of the drawings"),
    "detailed_description": _("Detailed description"),
}

_SPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace (line breaks, tabs, no-break spaces) to one space."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ").replace("\u3000", " ")).strip()


@dataclass
class Claim:
    """One claim: its number as written, its text and the claims it refers back to."""

    number: int
    text: str
    depends_on: list[int] = field(default_factory=list)

    @property
    def independent(self) -> bool:
        return not self.depends_on


@dataclass
class Paragraph:
    """One paragraph of the description, with its number ("0012") and the section it is under."""

    text: str
    number: str | None = None
    section: str | None = None


@dataclass
class ParsedApplication:
    """The parts of an application that formality checks and comparisons need."""

    language: str = "en"
    title: str = ""
    abstract: str = ""
    claims: list[Claim] = field(default_factory=list)
    description: list[Paragraph] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    figure_refs: list[str] = field(default_factory=list)
    reference_signs: dict[str, str] = field(default_factory=dict)
    source_format: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (for a JSONField); :meth:`from_dict` reads it back."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedApplication:
        return cls(
            language=str(data.get("language") or "en"),
            title=str(data.get("title") or ""),
            abstract=str(data.get("abstract") or ""),
            claims=[
                Claim(
                    number=int(c["number"]),
                    text=str(c.get("text") or ""),
                    depends_on=[int(n) for n in c.get("depends_on") or []],
                )
                for c in data.get("claims") or []
            ],
            description=[
                Paragraph(
                    text=str(p.get("text") or ""),
                    number=p.get("number"),
                    section=p.get("section"),
                )
                for p in data.get("description") or []
            ],
            sections=[str(s) for s in data.get("sections") or []],
            figures=[str(f) for f in data.get("figures") or []],
            figure_refs=[str(f) for f in data.get("figure_refs") or []],
            reference_signs={
                str(k): str(v) for k, v in (data.get("reference_signs") or {}).items()
            },
            source_format=str(data.get("source_format") or ""),
        )

    def claims_text(self) -> str:
        """The claims as one text, one claim per line ("1. A device ..."), for diffs."""
        sep = "、" if self.language == "zh" else ". "
        return "\n".join(f"{c.number}{sep}{c.text}" for c in self.claims)

    def description_text(self) -> str:
        """The description as one text, one paragraph per line."""
        return "\n".join(p.text for p in self.description)

    def claim(self, number: int) -> Claim | None:
        return next((c for c in self.claims if c.number == number), None)


# Stable error codes -> English message templates; ``{name}`` placeholders come from params.
PARSE_ERROR_MESSAGES: dict[str, str] = {
    "empty_file": _("The file is empty."),
    "unknown_format": _(
        "The file {filename} is not a DOCX, PDF or XML document that can be read as a patent "
        "application."
    ),
    "corrupt_zip": _(
        "The file {filename} is not a readable DOCX (the ZIP container is damaged: {detail})."
    ),
    "docx_unreadable": _("The DOCX file {filename} cannot be opened: {detail}."),
    "pdf_unreadable": _("The PDF file {filename} cannot be opened: {detail}."),
    "pdf_encrypted": _("The PDF file {filename} is encrypted; upload it without a password."),
    "pdf_no_text": _(
        "The PDF file {filename} has no text layer (it is a scan or an image); upload a PDF with "
        "text or a DOCX file."
    ),
    "xml_not_well_formed": _("The XML file {filename} is not well-formed: {detail}."),
    "xml_forbidden": _(
        "The XML file {filename} uses a construct that is refused for safety: {detail}."
    ),
    "xml_unknown_root": _("The XML root element <{root}> is not a known patent document format."),
    "xml_no_document": _("The file {filename} holds no patent document."),
    "no_claims": _("No claims were found in the document."),
    "claim_number_unreadable": _("The number of a claim cannot be read: {text}"),
    "no_description": _("No description was found in the document."),
    "no_abstract": _("No abstract was found in the document."),
    "archive_unpacked_too_large": _(
        "The file {filename} would unpack to more than {limit} bytes; it is refused as a "
        "possible ZIP bomb."
    ),
    "archive_too_many_entries": _(
        "The file {filename} holds {count} parts; at most {limit} are accepted."
    ),
    "archive_compression_ratio": _(
        "The file {filename} contains a part compressed {ratio} to 1 (at most {limit} to 1 is "
        "accepted); it is refused as a possible ZIP bomb."
    ),
    "archive_too_many_paragraphs": _(
        "The document {filename} has more than {limit} paragraphs; split it into smaller documents."
    ),
    "archive_dtd": _(
        "The file {filename} declares a DTD or XML entities, which office documents never "
        "contain; it is refused for safety."
    ),
    "too_many_paragraphs": _(
        "The document {filename} has more than {limit} paragraphs; split it into smaller documents."
    ),
    "text_too_long": _(
        "The document {filename} holds more than {limit} characters of text; split it into "
        "smaller documents."
    ),
    "unknown_part": _(
        "Unknown document part {part}; expected full, claims, description or abstract."
    ),
}


class ParseError(Exception):
    """A document that cannot be read, with a stable ``code`` and where the problem is."""

    def __init__(
        self, code: str, *, location: str = "", message: str | None = None, **params: Any
    ) -> None:
        self.code = code
        self.params = params
        self.location = location
        template = message or PARSE_ERROR_MESSAGES.get(code, code)
        try:
            self.message = template.format(**params)
        except (KeyError, IndexError):
            self.message = template
        text = self.message if not location else f"{self.message} ({location})"
        super().__init__(text)
