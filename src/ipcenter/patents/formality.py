"""Formality checks on a parsed application, before a pre-examiner reads it.

Plain Python, no Django. :func:`check_formalities` runs every rule in :data:`RULES` that applies
to the patent type and returns :class:`FormalityFinding` objects: a stable ``code``, a severity,
where in the application (``location``) and the values for the message (``params``). The English
message templates are in :data:`MESSAGES`; the Django layer translates them with
``gettext(MESSAGES[code]).format(**params)``.

The rules follow the Chinese Patent Law's Implementing Regulations (Rules 17 to 26: the parts of
the description, claims numbered in Arabic numerals, one sentence each, dependent claims
referring only to earlier claims, no multiple-dependent claim serving as the basis of another,
reference signs in parentheses, abstract length) and Guidelines for Patent Examination Part I.
They are formal and textual: they cannot judge whether a claim is clear or supported.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ipcenter.patents.application import SECTION_LABELS, ParsedApplication

__all__ = [
    "MESSAGES",
    "OTHER_MESSAGES",
    "PATENT_TYPES",
    "RULES",
    "FormalityFinding",
    "check_formalities",
    "format_finding",
    "render_message",
]


def _(message: str) -> str:
    """Marks a message for Django's makemessages; translated where it is shown."""
    return message


Severity = Literal["error", "warning", "info"]
PATENT_TYPES = ("invention", "utility_model", "design")

MESSAGES: dict[str, str] = {
    "claims_missing": _("The application has no claims."),
    "claims_numbering_start": _(
        "Claims must be numbered from 1; the first claim is numbered {found}."
    ),
    "claims_numbering_gap": _(
        "Claim numbering is not consecutive: claim {expected} is missing before claim {found}."
    ),
    "claims_numbering_duplicate": _("Claim number {claim} is used {count} times."),
    "claim_reference_self": _("Claim {claim} refers to itself."),
    "claim_reference_forward": _(
        "Claim {claim} refers to claim {ref}, which comes after it; a dependent claim may "
        "refer only to earlier claims."
    ),
    "claim_reference_missing": _("Claim {claim} refers to claim {ref}, which does not exist."),
    "claim_multiple_dependency_chain": _(
        "Claim {claim} refers to several claims and to claim {ref}, which itself refers to "
        "several claims; a multiple dependent claim may not serve as a basis for another "
        "multiple dependent claim."
    ),
    "claim_no_period": _("Claim {claim} does not end with a full stop."),
    "claim_several_sentences": _(
        "Claim {claim} contains more than one sentence (a full stop before “{context}”); "
        "each claim must be a single sentence."
    ),
    "claim_reference_sign_unknown": _(
        "Claim {claim} uses the reference sign ({sign}), which does not appear in the description."
    ),
    "abstract_missing": _("The application has no abstract."),
    "abstract_too_long": _("The abstract has {count} {unit}; the limit is {limit}."),
    "description_missing": _("The application has no description."),
    "description_section_missing": _("The description has no “{section}” part."),
    "figure_missing": _("Figure {figure} is referred to but there is no such figure."),
    "figure_unreferenced": _("Figure {figure} is never referred to in the description."),
    "utility_model_no_drawings": _("A utility model application must have drawings."),
    "title_missing": _("The application has no title."),
    "title_too_long": _("The title has {count} {unit}; keep it within {limit}."),
}

# Findings of checks other than the formality rules, stored and shown the same way: the automatic
# IPC suggestion compared with the applicant's code (ipcenter.preexam.analysis).
OTHER_MESSAGES: dict[str, str] = {
    "ipc_suggestion_mismatch": _(
        "The automatic classification suggests {suggested} ({confidence:.0%} confidence), not "
        "the applicant's main classification {applicant_code}."
    ),
    "ipc_suggestion_out_of_scope": _(
        "The automatic classification suggests {suggested} ({confidence:.0%} confidence), which "
        "is outside the center's technical fields."
    ),
}

# Parameters whose values are words of the message (a unit, a section's name), so the reader's
# language applies to them too; the values are marked for translation here or in SECTION_LABELS.
TRANSLATED_PARAMS = frozenset({"unit", "section"})
UNITS = {"characters": _("characters"), "words": _("words")}


@dataclass
class FormalityFinding:
    code: str
    severity: Severity
    location: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message (the Django layer shows the translated one)."""
        return format_finding(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "location": self.location,
            "params": dict(self.params),
        }


def format_finding(finding: FormalityFinding, translate: Callable[[str], str] = _) -> str:
    """The message for a finding, through `translate` (e.g. Django's gettext)."""
    return render_message(finding.code, finding.params, translate)


def render_message(code: str, params: dict[str, Any], translate: Callable[[str], str] = _) -> str:
    """A stored finding's message, its words translated too; an unknown code stays as it is."""
    template = MESSAGES.get(code) or OTHER_MESSAGES.get(code)
    if template is None:
        return code
    words = {
        key: translate(value) if key in TRANSLATED_PARAMS and isinstance(value, str) else value
        for key, value in params.items()
    }
    try:
        return translate(template).format(**words)
    except (KeyError, IndexError, ValueError):
        return translate(template)


@dataclass(frozen=True)
class _Context:
    patent_type: str
    abstract_max_chars: int


Rule = Callable[[ParsedApplication, _Context], Iterable[FormalityFinding]]


@dataclass(frozen=True)
class RegisteredRule:
    function: Rule
    patent_types: tuple[str, ...]
    codes: tuple[str, ...]


RULES: list[RegisteredRule] = []


def rule(
    *codes: str, types: tuple[str, ...] = ("invention", "utility_model")
) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES.append(RegisteredRule(function, types, codes))
        return function

    return register


def claim_location(number: int) -> str:
    return f"claim {number}"


# --------------------------------------------------------------------------------------------
# Claims
# --------------------------------------------------------------------------------------------


@rule("claims_missing")
def claims_present(app: ParsedApplication, ctx: _Context) -> Iterator[FormalityFinding]:
    if not app.claims:
        yield FormalityFinding("claims_missing", "error", "claims")


@rule("claims_numbering_start", "claims_numbering_gap", "claims_numbering_duplicate")
def claims_numbered_consecutively(
    app: ParsedApplication, ctx: _Context
) -> Iterator[FormalityFinding]:
    numbers = [c.number for c in app.claims]
    if not numbers:
        return
    for number, count in sorted(Counter(numbers).items()):
        if count > 1:
            yield FormalityFinding(
                "claims_numbering_duplicate",
                "error",
                claim_location(number),
                {"claim": number, "count": count},
            )
    if numbers[0] != 1:
        yield FormalityFinding(
            "claims_numbering_start", "error", claim_location(numbers[0]), {"found": numbers[0]}
        )
    for previous, number in itertools.pairwise(numbers):
        if number > previous + 1:
            yield FormalityFinding(
                "claims_numbering_gap",
                "error",
                claim_location(number),
                {"expected": previous + 1, "found": number},
            )


@rule("claim_reference_self", "claim_reference_forward", "claim_reference_missing")
def claims_refer_to_earlier_claims(
    app: ParsedApplication, ctx: _Context
) -> Iterator[FormalityFinding]:
    positions = {c.number: i for i, c in reversed(list(enumerate(app.claims)))}
    for index, claim in enumerate(app.claims):
        for ref in claim.depends_on:
            params = {"claim": claim.number, "ref": ref}
            where = claim_location(claim.number)
            if ref == claim.number:
                yield FormalityFinding("claim_reference_self", "error", where, params)
            elif ref not in positions:
                yield FormalityFinding("claim_reference_missing", "error", where, params)
            elif positions[ref] > index:
                yield FormalityFinding("claim_reference_forward", "error", where, params)


@rule("claim_multiple_dependency_chain")
def multiple_dependent_claims_not_chained(
    app: ParsedApplication, ctx: _Context
) -> Iterator[FormalityFinding]:
    multiple = {c.number for c in app.claims if len(c.depends_on) > 1}
    for claim in app.claims:
        if claim.number not in multiple:
            continue
        for ref in claim.depends_on:
            if ref in multiple and ref != claim.number:
                yield FormalityFinding(
                    "claim_multiple_dependency_chain",
                    "error",
                    claim_location(claim.number),
                    {"claim": claim.number, "ref": ref},
                )


_CLOSING = "\"'”’)）]】 "
_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "fig",
    "figs",
    "no",
    "nos",
    "vs",
    "approx",
    "ca",
    "al",
    "wt",
    "mol",
    "u.s",
    "incl",
    "resp",
    "viz",
    "cf",
    "eq",
    "eqs",
    "ref",
    "refs",
    "st",
    "dr",
    "mr",
    "ms",
    "inc",
    "co",
    "corp",
    "ltd",
    "min",
    "max",
    "sec",
    "deg",
    "temp",
    "vol",
    "pp",
    "ser",
    "pat",
    "appl",
    "ex",
    "esp",
    "nr",
    "art",
    "para",
    "sect",
    "ch",
    "conc",
    "av",
    "mt",
    "jr",
    "sr",
    "pub",
}
_EN_STOP_THEN_CAPITAL = re.compile(r"([^\s]*)\.\s+(?=[A-Z][a-z])")


def _inner_sentence_break(text: str) -> int | None:
    """Where a claim's text has a full stop ending a sentence before its end, if anywhere."""
    body = text.rstrip(_CLOSING)
    body = body[:-1] if body.endswith((".", "。")) else body
    position = body.find("。")
    if position >= 0:
        return position
    for match in _EN_STOP_THEN_CAPITAL.finditer(body):
        word = match.group(1).lstrip("(\"'“‘[").lower()
        if word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS:
            continue
        if (len(word) == 1 and word.isalpha()) or re.fullmatch(r"[^\W\d]\.[\w.]*|[ivx]+", word):
            continue  # initials, "U.S.", roman numerals
        return match.start() + len(match.group(1))
    return None


@rule("claim_no_period", "claim_several_sentences")
def claims_are_one_sentence(app: ParsedApplication, ctx: _Context) -> Iterator[FormalityFinding]:
    for claim in app.claims:
        where = claim_location(claim.number)
        if not claim.text.rstrip(_CLOSING).endswith((".", "。", "．")):
            yield FormalityFinding("claim_no_period", "error", where, {"claim": claim.number})
        position = _inner_sentence_break(claim.text)
        if position is not None:
            context = claim.text[position + 1 : position + 31].strip()
            yield FormalityFinding(
                "claim_several_sentences",
                "error",
                where,
                {"claim": claim.number, "context": context},
            )


_CLAIM_SIGN = re.compile(
    r"([\w\u4e00-\u9fff]+)\s?[（(]\s*(\d{1,4}[a-zA-Z]?'*(?:\s*[,，、]\s*\d{1,4}[a-zA-Z]?'*)*)\s*[)）]"
)
_NOT_SIGN_WORDS = re.compile(
    r"formula|formulae|formulas|equation|equations|expression|structure|compound|step|steps|"
    r"claim|claims|comprising|comprises|comprise|including|includes|include|either|both|being|"
    r"is|are|has|have|to|with|by|for|in|on|at|from|a|an|the|and|or|of|wherein|item",
    re.I,
)
_NOT_SIGN_CJK_END = re.compile(r"(?:式|通式|公式|化学式|方程|步骤|权利要求)$")


def _not_a_sign_before(word: str) -> bool:
    return bool(_NOT_SIGN_WORDS.fullmatch(word) or _NOT_SIGN_CJK_END.search(word))


def _enumerators(text: str) -> set[str]:
    """ "(1) ..., (2) ..." lists items, not reference signs: the run 1, 2, ... n in a claim."""
    numbers = {int(n) for n in re.findall(r"[（(](\d{1,2})[)）]", text)}
    run = 0
    while run + 1 in numbers:
        run += 1
    return {str(n) for n in range(1, run + 1)} if run >= 2 else set()


@rule("claim_reference_sign_unknown")
def claim_reference_signs_defined(
    app: ParsedApplication, ctx: _Context
) -> Iterator[FormalityFinding]:
    if not app.description:
        return
    known = {sign.lower() for sign in app.reference_signs}
    for claim in app.claims:
        reported = _enumerators(claim.text)
        for match in _CLAIM_SIGN.finditer(claim.text):
            if _not_a_sign_before(match.group(1)):
                continue
            for sign in re.split(r"\s*[,，、]\s*", match.group(2)):
                if sign.lower() not in known and sign not in reported:
                    reported.add(sign)
                    yield FormalityFinding(
                        "claim_reference_sign_unknown",
                        "warning",
                        claim_location(claim.number),
                        {"claim": claim.number, "sign": sign},
                    )


# --------------------------------------------------------------------------------------------
# Abstract and title
# --------------------------------------------------------------------------------------------


def _chinese_length(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


@rule("abstract_missing", "abstract_too_long")
def abstract_within_limit(app: ParsedApplication, ctx: _Context) -> Iterator[FormalityFinding]:
    """Abstract present and short enough.

    Chinese: characters, whitespace not counted, at most ``abstract_max_chars`` (300 by Rule
    26). English equivalent: at most ``abstract_max_chars // 2`` words (150 for 300, which is
    also the USPTO's limit in 37 CFR 1.72(b)).
    """
    if not app.abstract.strip():
        yield FormalityFinding("abstract_missing", "error", "abstract")
        return
    if app.language == "zh":
        count, limit, unit = _chinese_length(app.abstract), ctx.abstract_max_chars, "characters"
    else:
        count, limit, unit = len(app.abstract.split()), ctx.abstract_max_chars // 2, "words"
    if count > limit:
        yield FormalityFinding(
            "abstract_too_long", "error", "abstract", {"count": count, "limit": limit, "unit": unit}
        )


TITLE_MAX_ZH = 25
TITLE_MAX_EN = 150


@rule("title_missing", "title_too_long", types=PATENT_TYPES)
def title_present_and_short(app: ParsedApplication, ctx: _Context) -> Iterator[FormalityFinding]:
    if not app.title.strip():
        yield FormalityFinding("title_missing", "error", "title")
        return
    if app.language == "zh":
        count, limit, unit = _chinese_length(app.title), TITLE_MAX_ZH, "characters"
    else:
        count, limit, unit = len(app.title.strip()), TITLE_MAX_EN, "characters"
    if count > limit:
        yield FormalityFinding(
            "title_too_long", "warning", "title", {"count": count, "limit": limit, "unit": unit}
        )


# --------------------------------------------------------------------------------------------
# Description and drawings
# --------------------------------------------------------------------------------------------

REQUIRED_SECTIONS = ("technical_field", "background", "summary", "detailed_description")


@rule("description_missing", "description_section_missing")
def description_has_sections(app: ParsedApplication, ctx: _Context) -> Iterator[FormalityFinding]:
    if not app.description:
        yield FormalityFinding("description_missing", "error", "description")
        return
    required = list(REQUIRED_SECTIONS)
    if app.figures:
        required.insert(3, "drawings")
    for kind in required:
        if kind not in app.sections:
            yield FormalityFinding(
                "description_section_missing",
                "warning",
                "description",
                {"section": SECTION_LABELS[kind], "kind": kind},
            )


def _figure_exists(label: str, figures: set[str]) -> bool:
    """ "FIG. 2" names figures 2A and 2B together."""
    if label in figures:
        return True
    return any(f.startswith(label) and f[len(label) :].isalpha() for f in figures)


def _figure_referenced(figure: str, refs: set[str]) -> bool:
    if figure in refs:
        return True
    base = re.match(r"\d+", figure)
    return bool(base and base.group(0) in refs)


@rule("figure_missing", "figure_unreferenced", types=PATENT_TYPES)
def figures_referenced_exist(app: ParsedApplication, ctx: _Context) -> Iterator[FormalityFinding]:
    from ipcenter.patents.documents import extract_figure_labels

    figures = set(app.figures)
    if figures or ctx.patent_type != "utility_model":  # else utility_model_no_drawings says it
        for label in app.figure_refs:
            if not _figure_exists(label, figures):
                yield FormalityFinding("figure_missing", "error", "description", {"figure": label})
    if ctx.patent_type == "design":
        return
    outside_list: set[str] = set()
    for paragraph in app.description:
        if paragraph.section != "drawings":
            outside_list.update(extract_figure_labels(paragraph.text))
    for claim in app.claims:
        outside_list.update(extract_figure_labels(claim.text))
    if not app.description:
        return
    for figure in app.figures:
        if not _figure_referenced(figure, outside_list):
            yield FormalityFinding("figure_unreferenced", "warning", "drawings", {"figure": figure})


@rule("utility_model_no_drawings", types=("utility_model",))
def utility_model_has_drawings(app: ParsedApplication, ctx: _Context) -> Iterator[FormalityFinding]:
    if not app.figures:
        yield FormalityFinding("utility_model_no_drawings", "error", "drawings")


# --------------------------------------------------------------------------------------------


def check_formalities(
    app: ParsedApplication, *, patent_type: str, abstract_max_chars: int = 300
) -> list[FormalityFinding]:
    """Every formality defect found in `app`, errors first, in the order of the rules."""
    if patent_type not in PATENT_TYPES:
        raise ValueError(f"unknown patent type {patent_type!r}; expected one of {PATENT_TYPES}")
    ctx = _Context(patent_type=patent_type, abstract_max_chars=abstract_max_chars)
    findings: list[FormalityFinding] = []
    for registered in RULES:
        if patent_type in registered.patent_types:
            findings.extend(registered.function(app, ctx))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])
