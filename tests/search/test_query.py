"""The query language: words, fields, Boolean operators, phrases, filters, and clear errors."""

from __future__ import annotations

import datetime as dt

import pytest

from ipcenter.search.base import DateRange
from ipcenter.search.query import (
    And,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Term,
    like_text_query,
    normalise_symbol_prefix,
    parse_query,
)


def test_plain_words_only_rank_and_any_of_them_matches() -> None:
    query = parse_query("lithium batteries")
    assert query.must is None
    assert [word.terms for word in query.should] == [("lithium",), ("batteri",)]
    assert query.terms == ("lithium", "batteri")
    assert query.dense_text == "lithium batteries"
    assert query.match_node() == Or(query.should)


def test_fielded_clauses_and_operators_are_constraints() -> None:
    query = parse_query("battery title:drone")
    assert query.must == Term("title", "drone", ("drone",))
    assert query.should == (Term(None, "battery", ("batteri",)),)

    query = parse_query("title:drone AND applicant:dji")
    assert query.must == And(
        (Term("title", "drone", ("drone",)), Term("applicants", "dji", ("dji",)))
    )
    assert query.should == ()

    query = parse_query("(title:drone OR title:uav) NOT claims:military")
    assert query.must == And(
        (
            Or((Term("title", "drone", ("drone",)), Term("title", "uav", ("uav",)))),
            Not(Term("claims", "military", ("militari",))),
        )
    )
    # Words under NOT do not rank and do not drive the dense query.
    assert query.terms == ("drone", "uav")
    assert query.dense_text == "drone uav"


def test_explicit_and_makes_plain_words_required() -> None:
    query = parse_query("lithium AND battery")
    assert query.must == And(
        (Term(None, "lithium", ("lithium",)), Term(None, "battery", ("batteri",)))
    )


def test_minus_negates_and_field_parentheses_apply_inside() -> None:
    query = parse_query("-abs:hydraulic title:(brake OR braking)")
    assert query.must == And(
        (
            Not(Term("abstract", "hydraulic", ("hydraul",))),
            Or((Term("title", "brake", ("brake",)), Term("title", "braking", ("brake",)))),
        )
    )


def test_phrases_and_unspaced_chinese_words_are_phrases_with_document_offsets() -> None:
    query = parse_query('"regenerative braking" title:无人机')
    assert query.must == And(
        (
            Phrase(None, "regenerative braking", ("regen", "brake"), (0, 1)),
            Phrase("title", "无人机", ("无人", "人机"), (0, 2)),
        )
    )
    mixed = parse_query('"电池 pack"').must
    assert isinstance(mixed, Phrase) and mixed.offsets == (0, 2)


def test_filters_become_filters() -> None:
    query = parse_query("battery ipc:h01m10/0525 office:cn,US lang:ZH pd:2015..2020 cpc:Y02E")
    filters = query.filters
    assert filters.ipc_prefixes == ("H01M 10/0525",)
    assert filters.cpc_prefixes == ("Y02E",)
    assert filters.offices == ("CN", "US")
    assert filters.languages == ("zh",)
    assert filters.dates == (
        DateRange("publication_date", dt.date(2015, 1, 1), dt.date(2021, 1, 1)),
    )
    assert query.should == (Term(None, "battery", ("batteri",)),)
    assert parse_query("ipc:A01B OR ipc:A01C").filters.ipc_prefixes == ("A01B", "A01C")
    assert parse_query("ipc:(A01B OR A01C)").filters.ipc_prefixes == ("A01B", "A01C")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "pd:2015-01-01..2016-06-30",
            DateRange("publication_date", dt.date(2015, 1, 1), dt.date(2016, 7, 1)),
        ),
        ("ad:2019-02", DateRange("filing_date", dt.date(2019, 2, 1), dt.date(2019, 3, 1))),
        ("prd:..2010", DateRange("priority_date", None, dt.date(2011, 1, 1))),
        ("gd:2018..", DateRange("grant_date", dt.date(2018, 1, 1), None)),
        ("pd:<2015-06-01", DateRange("publication_date", None, dt.date(2015, 6, 1))),
        ("pd:<=2015-06-01", DateRange("publication_date", None, dt.date(2015, 6, 2))),
        ("pd:>2015", DateRange("publication_date", dt.date(2016, 1, 1), None)),
        ("pd:>=2015", DateRange("publication_date", dt.date(2015, 1, 1), None)),
    ],
)
def test_dates(text: str, expected: DateRange) -> None:
    assert parse_query(text).filters.dates == (expected,)


def test_symbol_prefixes_are_normalised() -> None:
    assert normalise_symbol_prefix("a01b") == "A01B"
    assert normalise_symbol_prefix("A01B1/") == "A01B 1/"
    assert normalise_symbol_prefix("A01B 0001/02") == "A01B 1/02"
    assert normalise_symbol_prefix("H04L29/06") == "H04L 29/06"
    assert normalise_symbol_prefix("A0") is None
    assert normalise_symbol_prefix("battery") is None


def test_full_width_punctuation_from_chinese_input_methods() -> None:
    query = parse_query("title：（无人机 OR 飞行器） “锂电池”")
    assert isinstance(query.must, And)
    assert isinstance(query.must.children[0], Or)
    assert query.must.children[1] == Phrase(None, "锂电池", ("锂电", "电池"), (0, 2))


def test_a_query_of_stop_words_finds_nothing_rather_than_everything() -> None:
    query = parse_query("the")
    assert query.should == (Term(None, "the", ("the",)),)
    assert not query.matches_everything
    assert parse_query("").matches_everything
    assert parse_query("office:CN").matches_everything


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("(a OR b", "unbalanced_parenthesis", 0),
        ("a OR b)", "unbalanced_parenthesis", 6),
        ("a AND", "missing_operand", 2),
        ("OR b", "missing_operand", 0),
        ("a OR OR b", "missing_operand", 2),
        ("NOT", "missing_operand", 0),
        ("title:", "missing_value", 0),
        ("foo:bar", "unknown_field", 0),
        ('"abc', "unclosed_quote", 0),
        ("()", "empty_parentheses", 0),
        ("pd:2015-13-01", "bad_date", 3),
        ("pd:soon", "bad_date", 3),
        ("pd:2020..2015", "empty_date_range", 3),
        ("ipc:battery", "bad_symbol", 4),
        ("office:CHN", "bad_office", 7),
        ("lang:chinese", "bad_language", 5),
        ("NOT ipc:A01B", "filter_placement", 4),
        ("ipc:A01B OR battery", "filter_placement", 0),
        ("ipc:A01B ipc:A01C", "repeated_filter", 9),
        ("title:(abstract:x)", "nested_field", 7),
    ],
)
def test_malformed_queries_raise_with_a_code_and_position(
    text: str, code: str, position: int
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value.code == code
    assert caught.value.position == position
    assert caught.value.message
    assert f"(at character {position + 1})" in str(caught.value)


def test_like_text_has_no_syntax_and_keeps_its_commonest_terms() -> None:
    claim = (
        "1. A battery pack (10) comprising: cells: a housing; the battery pack of claim "
        'AND a cooling plate OR NOT "quoted'
    )
    query = like_text_query(claim)
    assert query.must is None
    assert query.terms[0] == "batteri"  # the commonest term first
    assert "pack" in query.terms and "hous" in query.terms
    assert query.dense_text == claim
    assert len(like_text_query(" ".join(f"word{i}" for i in range(200))).terms) == 64
