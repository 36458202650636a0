"""The shared analyzer: English stems, CJK bigrams, offsets into the original text, languages,
sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipcenter.search import analysis
from ipcenter.search.analysis import (
    analyze,
    analyze_query,
    detect_language,
    sentence_spans,
    split_sentences,
    tokenize,
)


def test_english_is_lowercased_and_stemmed_without_stop_words() -> None:
    assert analyze("The Batteries of a charging battery") == ["batteri", "charg", "batteri"]
    assert analyze_query("batteries") == analyze("battery")


def test_chinese_documents_get_bigrams_and_unigrams_and_queries_bigrams() -> None:
    assert analyze("锂电池") == ["锂", "锂电", "电", "电池", "池"]
    assert analyze_query("锂电池") == ["锂电", "电池"]
    # A one-character query still finds the character inside a longer word.
    assert analyze_query("钢") == ["钢"]
    assert "钢" in analyze("钢材")
    # Function characters get no unigram.
    assert "的" not in analyze("电池的")


def test_every_query_term_of_a_text_is_among_its_document_terms() -> None:
    text = "一种用于无人机的锂电池充电装置 with 5G-ready Batteries, バッテリー, 리튬 전지"
    assert set(analyze_query(text)) <= set(analyze(text))


def test_mixed_text_is_analysed_run_by_run_with_offsets_into_the_original() -> None:
    text = "无人机Battery（ＡＢＣ）pack 리튬"
    tokens = tokenize(text)
    for token in tokens:
        original = text[token.start : token.end]
        assert original, token
    by_term = {token.term: text[token.start : token.end] for token in tokens}
    assert by_term["batteri"] == "Battery"
    assert by_term["无人"] == "无人"
    assert by_term["abc"] == "ＡＢＣ"  # full-width letters fold, offsets stay
    assert by_term["리튬"] == "리튬"


def test_overlapping_cjk_tokens_share_positions_and_words_follow() -> None:
    tokens = tokenize("钢材 steel")
    positions = {token.term: token.position for token in tokens}
    assert positions["钢"] == positions["钢材"] == 0
    assert positions["材"] == 1
    assert positions["steel"] == 2


def test_russian_and_greek_words_get_their_own_stemmers() -> None:
    assert analyze("двигатели") == analyze("двигатель")
    assert analyze("Ηλεκτρικός")[0].islower()


def test_long_runs_of_letters_are_not_indexed() -> None:
    assert analyze("a" * 65 + " motor") == ["motor"]


def test_jieba_segmentation_remains_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(analysis.HAN_SEGMENTATION, "index", "search")
    monkeypatch.setitem(analysis.HAN_SEGMENTATION, "query", "precise")
    tokens = tokenize("锂电池充电装置")
    assert {"锂电池", "电池", "充电"} <= {token.term for token in tokens}
    # The parts of 锂电池 share its position.
    assert (
        len({token.position for token in tokens if token.term in ("锂电", "电池", "锂电池")}) == 1
    )
    assert analyze_query("锂电池") == ["锂电池"]


def _first(path: Path, test: object) -> dict:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if test(row):  # type: ignore[operator]
                return row
    raise AssertionError("no such row")


@pytest.mark.parametrize(
    ("office", "language"), [("CN", "zh"), ("KR", "ko"), ("DE", "de"), ("JP", "ja"), ("US", "en")]
)
def test_detect_language_on_real_abstracts(data_dir: Path, office: str, language: str) -> None:
    path = data_dir / "energy_abstracts_cpc.jsonl"
    row = _first(path, lambda r: r["office"] == office and (office != "JP" or r["abstract_en"]))
    assert detect_language(row["abstract"]) == language


def test_detect_language_of_short_and_mixed_text() -> None:
    assert detect_language("") == ""
    assert detect_language("12345 !!") == ""
    assert detect_language("锂电池 battery") == "zh"
    assert (
        detect_language("Le procédé de fabrication des batteries est décrit dans la demande")
        == "fr"
    )
    assert detect_language("lithium battery") == "en"


def test_split_sentences_in_chinese_and_english() -> None:
    text = (
        "A method. The device comprises e.g. a coil; and a sensor. See Fig. 1 for details.\n"
        "本发明涉及一种装置。其特征在于：包括电池！结构简单？"
    )
    assert split_sentences(text) == [
        "A method.",
        "The device comprises e.g. a coil;",
        "and a sensor.",
        "See Fig. 1 for details.",
        "本发明涉及一种装置。",
        "其特征在于：包括电池！",
        "结构简单？",
    ]
    for start, end in sentence_spans(text):
        assert text[start:end] == text[start:end].strip()


def test_very_long_sentences_are_cut_at_commas() -> None:
    text = "，".join(["一种装置包括一个电池和一个电机"] * 60) + "。"
    spans = sentence_spans(text)
    assert len(spans) > 1
    assert all(end - start <= 400 for start, end in spans)
    assert "".join(text[start:end] for start, end in spans) == text


def test_the_fast_analyzer_agrees_with_the_tokenizer_on_real_text(data_dir: Path) -> None:
    texts = ["的的电的池的", "Ｂａｔｔｅｒｙ（锂电池）x-ray"]
    for name in ("us_patents_ipc.jsonl", "cn_patents_a01.jsonl", "energy_abstracts_cpc.jsonl"):
        with (data_dir / name).open(encoding="utf-8") as handle:
            for _, line in zip(range(200), handle, strict=False):
                row = json.loads(line)
                texts += [row.get("title") or "", row["abstract"], row.get("abstract_en") or ""]
    for text in texts:
        assert analyze(text) == [token.term for token in tokenize(text)], text[:60]
