"""What happens when the same publication arrives twice: merging records, fingerprints.

Plain Python. Sources differ in what they carry: a weekly USPTO zip has claims and citations, a
JSONL export only a title, an abstract and IPC codes. A publication seen again is merged into
what the corpus holds rather than replaced, so importing a thinner source never loses fields.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from ipcenter.patents.corpus import PatentRecord

__all__ = ["content_hash", "excerpt", "merge_records"]

_PROVENANCE = ("source", "source_id")
# Fields in the record's own language: moved to `translations` when the new source is in
# another language than the stored document.
_TEXT_FIELDS = ("title", "abstract")
_LANGUAGE_BOUND = ("title", "abstract", "claims", "description", "language")


def content_hash(record: PatentRecord) -> str:
    """A fingerprint of what the record says (not where it came from)."""
    data = record.to_dict()
    for name in _PROVENANCE:
        data.pop(name, None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def merge_records(stored: PatentRecord, new: PatentRecord) -> PatentRecord:
    """``stored`` with what ``new`` says: each field ``new`` fills replaces the stored one, each
    it leaves empty keeps the stored value; translations are united.

    When both name their language and the languages differ (an English export of a Chinese
    publication), the stored text stays the document's own and the new title and abstract
    become its translation in that language.
    """
    merged = dataclasses.replace(stored, translations=dict(stored.translations))
    other_language = bool(stored.language and new.language and stored.language != new.language)
    for field in dataclasses.fields(PatentRecord):
        name = field.name
        if name == "translations" or (other_language and name in _LANGUAGE_BOUND):
            continue
        value = getattr(new, name)
        if value:
            setattr(merged, name, value)
    for language, texts in new.translations.items():
        if language == merged.language:
            continue  # a "translation" into the document's own language says nothing new
        merged.translations[language] = {**merged.translations.get(language, {}), **texts}
    if other_language:
        texts = {name: getattr(new, name) for name in _TEXT_FIELDS if getattr(new, name)}
        if texts:
            merged.translations[new.language] = {
                **merged.translations.get(new.language, {}),
                **texts,
            }
    return merged


def excerpt(record: PatentRecord, limit: int = 500) -> str:
    """A short, readable trace of a refused record for the rejections table."""
    data = {
        key: value
        for key, value in record.to_dict().items()
        if value and key in ("office", "publication_number", "application_number", "title")
    }
    text = json.dumps(data, ensure_ascii=False)
    return text[:limit]
