"""A stored finding reads in the reader's language, the words inside it included."""

from __future__ import annotations

from django.utils import translation

from ipcenter.preexam.selectors import finding_message


def test_the_unit_and_the_section_are_translated_with_the_message() -> None:
    too_long = {"count": 180, "limit": 150, "unit": "words"}
    no_field = {"section": "Technical field", "kind": "technical_field"}
    with translation.override("en"):
        assert finding_message("abstract_too_long", too_long) == (
            "The abstract has 180 words; the limit is 150."
        )
    with translation.override("zh-hans"):
        chinese = finding_message("abstract_too_long", too_long)
        section = finding_message("description_section_missing", no_field)
    assert "words" not in chinese and "180" in chinese and "150" in chinese
    assert "技术领域" in section and "Technical" not in section


def test_an_unknown_code_reads_as_itself() -> None:
    assert finding_message("no_such_rule", {}) == "no_such_rule"
