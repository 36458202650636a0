"""What changed between two versions of an application: claims by number, and the abstract.

Plain Python over the parsed dicts (CaseVersion.parsed). Words are compared with difflib; Chinese
text, which has no spaces, is compared character by character.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

# A CJK character, a run of letters/digits, a run of spaces, or one other character.
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+|\s+|[^\w\s]|_", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass
class TextDiff:
    segments: list[Segment] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)


@dataclass
class ClaimDiff:
    number: int
    status: str  # "added" | "removed" | "changed" | "unchanged"
    segments: list[Segment]


@dataclass
class VersionDiff:
    claims: list[ClaimDiff]
    abstract: TextDiff
    title_changed: bool

    @property
    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
        for c in self.claims:
            out[c.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "claims": [asdict(c) for c in self.claims],
            "abstract": [asdict(s) for s in self.abstract.segments],
            "abstract_changed": self.abstract.changed,
            "title_changed": self.title_changed,
            "counts": self.counts,
        }


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def text_diff(old: str, new: str) -> TextDiff:
    """Word-level differences, merged into runs of equal, deleted and inserted text."""
    a, b = tokens(old), tokens(new)
    segments: list[Segment] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return TextDiff(segments)


def _claims(parsed: dict[str, Any]) -> dict[int, str]:
    return {int(c["number"]): str(c.get("text") or "") for c in parsed.get("claims") or []}


def version_diff(old: dict[str, Any], new: dict[str, Any]) -> VersionDiff:
    """Claims matched by number (added, removed, changed, unchanged), and the abstract."""
    before, after = _claims(old), _claims(new)
    claims = []
    for number in sorted(before.keys() | after.keys()):
        if number not in before:
            claims.append(ClaimDiff(number, "added", [Segment("insert", after[number])]))
        elif number not in after:
            claims.append(ClaimDiff(number, "removed", [Segment("delete", before[number])]))
        elif before[number] == after[number]:
            claims.append(ClaimDiff(number, "unchanged", [Segment("equal", after[number])]))
        else:
            claims.append(
                ClaimDiff(number, "changed", text_diff(before[number], after[number]).segments)
            )
    return VersionDiff(
        claims=claims,
        abstract=text_diff(str(old.get("abstract") or ""), str(new.get("abstract") or "")),
        title_changed=(old.get("title") or "") != (new.get("title") or ""),
    )
