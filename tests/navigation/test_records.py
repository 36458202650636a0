"""Merging the same publication from two sources, and the content fingerprint (no database)."""

from __future__ import annotations

import datetime as dt

from ipcenter.navigation.records import content_hash, merge_records
from ipcenter.patents.corpus import PatentRecord

# US 8,311,961 as two real sources carry it: us_patents_ipc.jsonl (IPC, assignee) and
# PatentsView (grant date); the texts as printed there.
FROM_IPC_SET = PatentRecord(
    office="US",
    publication_number="US8311961",
    title="Effort estimation using text analysis",
    applicants=["International Business Machines Corporation"],
    ipc=["G06E 1/00", "G06N 3/02", "G06G 7/00", "G06F 15/18", "G06E 3/00"],
    language="en",
    source="us_patents_ipc.jsonl",
)
FROM_PATENTSVIEW = PatentRecord(
    office="US",
    publication_number="US8311961",
    publication_date=dt.date(2012, 11, 13),
    title="Effort estimation using text analysis",
    language="en",
    source="patentsview_neural_network.csv",
)


def test_a_thinner_source_adds_what_it_knows_and_loses_nothing() -> None:
    merged = merge_records(FROM_IPC_SET, FROM_PATENTSVIEW)
    assert merged.ipc == FROM_IPC_SET.ipc
    assert merged.applicants == ["International Business Machines Corporation"]
    assert merged.publication_date == dt.date(2012, 11, 13)
    assert merged.source == "patentsview_neural_network.csv"
    assert content_hash(merged) != content_hash(FROM_IPC_SET)


def test_the_fingerprint_ignores_where_a_record_came_from() -> None:
    again = merge_records(FROM_IPC_SET, FROM_IPC_SET)
    assert content_hash(again) == content_hash(FROM_IPC_SET)
    relabelled = PatentRecord(**{**FROM_IPC_SET.__dict__, "source": "elsewhere.jsonl"})
    assert content_hash(relabelled) == content_hash(FROM_IPC_SET)


def test_another_language_becomes_a_translation() -> None:
    # CN 85105156 as cn_patents_a01.jsonl has it, and an English title for it.
    chinese = PatentRecord(
        office="CN",
        application_number="CN85105156",
        title="利用苕子根茬免耕种植法",
        ipc=["A01B"],
        language="zh",
    )
    english = PatentRecord(  # the title in English, as an English-language export gives it
        office="CN",
        application_number="CN85105156",
        title="No-tillage planting method using vetch root stubble",
        language="en",
    )
    merged = merge_records(chinese, english)
    assert merged.title == "利用苕子根茬免耕种植法"
    assert merged.language == "zh"
    assert merged.translations == {
        "en": {"title": "No-tillage planting method using vetch root stubble"}
    }
