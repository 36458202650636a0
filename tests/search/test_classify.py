"""The IPC suggestion model: the shipped file, its quality on real test-split documents, its
reasons, saving and loading, and retraining on a small real subset."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.base import Encoder
from ipcenter.search.classify import (
    MODEL_DIR,
    SHIPPED_VERSION,
    ClassifierError,
    IpcClassifier,
    IpcSuggestion,
    LabelledExample,
    detect_language,
    embed_texts,
    evaluate,
    load_labelled,
    model_path,
    split_of,
    subsample,
    train_classifier,
)
from ipcenter.search.embedded import EmbeddedBackend


@pytest.fixture(scope="module")
def labelled(data_dir: Path) -> list[LabelledExample]:
    return load_labelled(data_dir)


@pytest.fixture(scope="module")
def test_part(labelled: list[LabelledExample]) -> list[LabelledExample]:
    return [e for e in labelled if split_of(e.id) == "test"]


@pytest.fixture(scope="module")
def model() -> IpcClassifier:
    return IpcClassifier.load()


def _check_order(suggestions: list[IpcSuggestion]) -> None:
    confidences = [s.confidence for s in suggestions]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)
    assert suggestions[0].level == "subclass"


# -- the data and the split -----------------------------------------------------------------


def test_the_split_is_fixed_and_about_one_in_five(labelled: list[LabelledExample]) -> None:
    assert split_of("CN85105156") == "test"
    assert split_of("CN00129265.X") == "test"
    assert split_of("US10917092") == "train"
    share = sum(split_of(e.id) == "test" for e in labelled) / len(labelled)
    assert 0.18 < share < 0.22
    assert {e.language for e in labelled} == {"en", "zh"}


def test_labelled_examples_carry_compact_symbols_and_corpus_keys(
    labelled: list[LabelledExample],
) -> None:
    by_id = {e.id: e for e in labelled}
    us = by_id["US10917092"]
    assert us.ipc == ("H03K 17/97", "G01R 33/07", "G01D 5/14")
    assert (us.subclass, us.group, us.key) == ("H03K", "H03K 17/00", "US10917092")
    cn = by_id["CN85105156"]
    assert (cn.ipc, cn.group, cn.key, cn.language) == (("A01B",), None, "CNAPP85105156", "zh")
    # Zero-padded symbols with an empty version ("A01K 003/00 ()") come out compact.
    assert all(" 0" not in symbol and "(" not in symbol for e in labelled for symbol in e.ipc)


def test_load_labelled_refuses_a_missing_folder_and_a_bad_split(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_labelled(tmp_path)
    with pytest.raises(ValueError, match="split"):
        load_labelled(tmp_path, split="dev")


# -- the shipped model ----------------------------------------------------------------------


def test_the_shipped_model_loads_once_and_reports_its_version(model: IpcClassifier) -> None:
    assert model.version == SHIPPED_VERSION
    assert IpcClassifier.load() is model  # cached per process
    path = model_path()
    assert path.parent == MODEL_DIR and SHIPPED_VERSION in path.name
    assert path.stat().st_size < 10_000_000
    info = model.info()
    assert info["version"] == SHIPPED_VERSION
    assert info["training"]["split"] == "train"
    assert info["gated_languages"] == ["zh"]
    assert info["figures"]["zh"]["p_at_1"] > 0.85
    assert (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8").count(SHIPPED_VERSION) >= 1


def test_chinese_agricultural_abstracts_get_their_a01_subclass(
    model: IpcClassifier, test_part: list[LabelledExample]
) -> None:
    sample = subsample([e for e in test_part if e.language == "zh"], 50)
    firsts = [model.suggest(e.text)[0].symbol for e in sample]
    hits = sum(first == e.subclass for first, e in zip(firsts, sample, strict=True))
    assert hits / len(sample) >= 0.76  # measured 0.88 on these 50, 0.90 on the whole test part
    assert sum(first.startswith("A01") for first in firsts) >= 44


def test_english_grants_find_their_main_subclass_in_the_top_five(
    model: IpcClassifier, test_part: list[LabelledExample]
) -> None:
    sample = subsample([e for e in test_part if e.language == "en"], 40)
    ranked = model.rank([e.text for e in sample])
    found = sum(
        e.subclass in [s for s, _ in best] for e, (best, _g) in zip(sample, ranked, strict=True)
    )
    assert found / len(sample) >= 0.65  # measured 0.825 on these 40, 0.76 on the test part


def test_suggestions_are_sorted_confidences_with_a_group_after_its_subclass(
    model: IpcClassifier, labelled: list[LabelledExample]
) -> None:
    example = next(e for e in labelled if e.id == "US10914161")
    suggestions = model.suggest(example.text, k=3)
    _check_order(suggestions)
    assert [s.level for s in suggestions].count("subclass") == 3
    groups = [s for s in suggestions if s.level == "group"]
    assert len(groups) == 1
    best = suggestions[0]
    assert groups[0].symbol.startswith(best.symbol + " ") and groups[0].symbol.endswith("/00")
    assert groups[0].confidence <= best.confidence
    assert len(model.suggest(example.text, k=1)) <= 2


def test_reasons_are_real_labelled_documents_that_carry_the_symbol(
    model: IpcClassifier, labelled: list[LabelledExample], test_part: list[LabelledExample]
) -> None:
    by_key = {e.key: e for e in labelled}
    for example in subsample(test_part, 6):
        for suggestion in model.suggest(example.text):
            assert suggestion.reasons
            similarities = [n.similarity for n in suggestion.reasons]
            assert similarities == sorted(similarities, reverse=True)
            for neighbour in suggestion.reasons:
                source = by_key[neighbour.key]
                assert split_of(source.id) == "train"  # the model saw only the train part
                assert (neighbour.title, neighbour.ipc) == (source.title, source.ipc)
                if suggestion.level == "subclass":
                    assert any(s[:4] == suggestion.symbol for s in neighbour.ipc)
                else:
                    assert any(s.split("/")[0] + "/00" == suggestion.symbol for s in neighbour.ipc)


def test_chinese_texts_outside_agriculture_are_not_forced_into_a01(
    model: IpcClassifier, test_part: list[LabelledExample], data_dir: Path
) -> None:
    # The Chinese training data is A01 only; the gate lets the English-trained model speak for
    # the rest. Real Chinese abstracts on regenerative braking (CPC B60T 1/10), never trained on.
    lines = (data_dir / "energy_abstracts_cpc.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    braking = [r["abstract"] for r in records if r["office"] == "CN" and r["abstract"]][:30]
    assert all(detect_language(text) == "zh" for text in braking)
    firsts = [best[0] for best, _group in model.rank(braking)]
    assert sum(symbol.startswith("A01") for symbol, _ in firsts) <= 3  # measured 0 of 30
    assert np.mean([confidence for _, confidence in firsts]) < 0.5  # measured 0.19
    farming = [e.text for e in subsample([e for e in test_part if e.language == "zh"], 30)]
    confident = np.mean([best[0][1] for best, _group in model.rank(farming)])
    assert confident > 0.7  # agricultural texts keep their confidence


@pytest.mark.parametrize("text", ["", "   \n", "12345 -- 678", "!!! ???", "qzxv wqpt xkcdj"])
def test_text_with_nothing_to_classify_gets_no_suggestion(model: IpcClassifier, text: str) -> None:
    assert model.suggest(text) == []


def test_wrong_arguments_are_refused(model: IpcClassifier) -> None:
    with pytest.raises(TypeError):
        model.suggest(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must"):
        model.suggest("a plough", k=0)


def test_a_missing_or_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ClassifierError, match="no IPC classifier model"):
        IpcClassifier.load(tmp_path / "ipc-classifier-2026.11-9.npz.gz")
    damaged = tmp_path / "ipc-classifier-2026.11-8.npz.gz"
    damaged.write_bytes(model_path().read_bytes()[:5000])
    with pytest.raises(ClassifierError, match="not a readable"):
        IpcClassifier.load(damaged)


# -- reasons from a corpus ----------------------------------------------------------------------


def _record(example: LabelledExample) -> PatentRecord:
    title, _, abstract = example.text.partition("\n")
    if example.language == "zh":
        return PatentRecord(
            office="CN",
            application_number=example.id,
            title=title,
            abstract=abstract,
            ipc=list(example.ipc),
            language="zh",
        )
    return PatentRecord(
        office="US",
        publication_number=example.id,
        title=title,
        abstract=abstract,
        ipc=list(example.ipc),
        language="en",
    )


def test_with_a_backend_the_reasons_are_corpus_documents(
    model: IpcClassifier, labelled: list[LabelledExample], encoder: Encoder, tmp_path: Path
) -> None:
    chinese = [e for e in labelled if e.language == "zh"]
    corpus = subsample(chinese, 60)
    query = next(e for e in subsample(chinese, 200) if e not in corpus and e.subclass == "A01K")
    backend = EmbeddedBackend(tmp_path / "index", encoder)
    try:
        backend.upsert(_record(e) for e in corpus)
        backend.commit()
        suggestions = model.suggest(query.text, backend=backend)
    finally:
        backend.close()
    _check_order(suggestions)
    keys = {e.key for e in corpus}
    reasons = [n for s in suggestions for n in s.reasons]
    # Every reason is a document of that corpus, none from the model's own exemplars.
    assert reasons and all(n.key in keys for n in reasons)
    best = suggestions[0]
    assert all(any(s[:4] == best.symbol for s in n.ipc) for n in best.reasons)


# -- saving, loading, retraining ----------------------------------------------------------------


def test_save_and_load_give_the_same_suggestions(
    model: IpcClassifier, test_part: list[LabelledExample], tmp_path: Path
) -> None:
    written = model.save(tmp_path)
    assert written.name == f"{SHIPPED_VERSION}.npz.gz"
    again = IpcClassifier.load(written)
    assert again.version == model.version and again is not model
    for example in subsample(test_part, 5):
        assert again.suggest(example.text) == model.suggest(example.text)


@pytest.fixture(scope="module")
def small_set(labelled: list[LabelledExample], encoder: Encoder) -> tuple[list, np.ndarray]:
    train = subsample([e for e in labelled if split_of(e.id) == "train"], 300)
    return train, embed_texts(encoder, [e.text for e in train])


def test_a_retrain_on_300_examples_works_and_is_deterministic(
    small_set: tuple[list[LabelledExample], np.ndarray],
    test_part: list[LabelledExample],
    encoder: Encoder,
    tmp_path: Path,
) -> None:
    train, vectors = small_set
    assert {e.language for e in train} == {"en", "zh"}
    first = train_classifier(
        train, encoder=encoder, version="ipc-classifier-2026.11-7", embeddings=vectors
    )
    second = train_classifier(
        train, encoder=encoder, version="ipc-classifier-2026.11-7", embeddings=vectors
    )
    probe = subsample(test_part, 8)
    assert [first.suggest(e.text) for e in probe] == [second.suggest(e.text) for e in probe]
    assert first.version == "ipc-classifier-2026.11-7"
    assert first.info()["exemplars"] == 300
    figures = evaluate(first, subsample(test_part, 40))
    assert 0.0 <= figures["p_at_1"] <= figures["r_at_5"] <= 1.0
    # What is saved is what was trained.
    loaded = IpcClassifier.load(first.save(tmp_path / "small.npz.gz"))
    assert [loaded.suggest(e.text) for e in probe] == [first.suggest(e.text) for e in probe]


def test_training_refuses_a_bad_version_and_a_single_subclass(
    small_set: tuple[list[LabelledExample], np.ndarray], encoder: Encoder
) -> None:
    train, vectors = small_set
    with pytest.raises(ClassifierError, match=r"ipc-classifier-YYYY\.MM-N"):
        train_classifier(train, encoder=encoder, version="v1", embeddings=vectors)
    one = [i for i, e in enumerate(train) if e.subclass == "A01K"]
    with pytest.raises(ClassifierError, match="two IPC subclasses"):
        train_classifier(
            [train[i] for i in one],
            encoder=encoder,
            version="ipc-classifier-2026.11-7",
            embeddings=vectors[one],
        )
