"""IPC suggestion: the main IPC subclass of a patent text (and its main group where the data
allows), with confidences and the reasons, i.e. the nearest labelled documents.

Plain Python, no Django. One model serves Chinese and English. It is trained on the labelled
sets of the shared data and blends three scorers (``search/models/MODEL_CARD.md`` has the data,
the fixed split, the figures of every candidate measured and how to retrain):

* a linear SVM over TF-IDF terms (stemmed English words, Chinese characters and character
  bigrams), its weights pruned to the largest per subclass and stored as int8;
* a logistic regression over the multilingual sentence embedding (USE multilingual v3, the
  search index's encoder, see :mod:`ipcenter.search.embedding`);
* a nearest-neighbour vote among *exemplars* of the text's language: every training document's
  embedding, reduced by PCA and stored as int8, with its key, title and IPC symbols. The
  exemplars also give the reasons shown with each suggestion and the group vote inside the best
  subclass.

A language whose labelled examples cover only part of the scheme (Chinese: A01 only) is
*gated*: a logistic regression trained on the other languages' examples (cross-lingual through
the embedding) says how much of the probability the covered subclasses get, and the rest goes
to that cross-lingual model's own ranking of the other subclasses. Without the gate every
Chinese text, whatever its field, would be put in A01.

When a search backend is passed to :meth:`IpcClassifier.suggest`, the reasons come from the
corpus instead (a dense search restricted to documents with those IPC subclasses); the
suggestions themselves never depend on the corpus.

The model is one versioned file (``ipc-classifier-YYYY.MM-N.npz.gz``: a numpy archive of plain
arrays and a JSON header, gzip-compressed, never pickled), shipped in the package and loaded
once per process by :meth:`IpcClassifier.load`. Nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import io
import json
import math
import re
import time
import warnings
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ipcenter.patents.corpus import RecordError, record_key
from ipcenter.patents.ipc import IpcError, normalise_ipc
from ipcenter.search.base import Encoder, Filters, SearchRequest

if TYPE_CHECKING:
    from ipcenter.search.base import SearchBackend

__all__ = [
    "MODEL_DIR",
    "SHIPPED_VERSION",
    "ClassifierError",
    "IpcClassifier",
    "IpcSuggestion",
    "LabelledExample",
    "Neighbour",
    "Params",
    "detect_language",
    "embed_texts",
    "evaluate",
    "load_labelled",
    "model_path",
    "split_of",
    "subsample",
    "train_classifier",
    "validate_version",
]

MODEL_DIR = Path(__file__).resolve().parent / "models"
SHIPPED_VERSION = "ipc-classifier-2026.11-1"
MODEL_SUFFIX = ".npz.gz"
FORMAT = 1  # bump when the file layout changes; load() refuses other formats

US_FILE = "us_patents_ipc.jsonl"
CN_FILE = "cn_patents_a01.jsonl"

_VERSION_RE = re.compile(r"ipc-classifier-\d{4}\.\d{2}-\d+")
# A text is worth classifying when it has a word: two Latin letters or one Chinese character.
_CONTENT_RE = re.compile(r"[A-Za-z]{2}|[\u3400-\u9fff]")
_WORD_RE = re.compile(r"[a-z][a-z0-9\-]+")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_CJK_RE = re.compile(r"[\u3400-\u9fff]+")
_CJK_CHAR_RE = re.compile(r"[\u3400-\u9fff]")
# Characters of a text that are embedded (the search index's own limit, see embedding.py).
EMBED_CHARS = 1200
REASONS_PER_SUGGESTION = 3


class ClassifierError(ValueError):
    """A model file that cannot be used, or training data that cannot make a model."""


# --- public results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    """A labelled document that supports a suggestion: its corpus key (``PatentRecord.key``),
    title, IPC symbols (main first, compact form) and its similarity to the text: the cosine in
    the model's reduced embedding space for the model's exemplars, the backend's dense score for
    corpus documents."""

    key: str
    title: str
    ipc: tuple[str, ...]
    similarity: float


@dataclass(frozen=True)
class IpcSuggestion:
    """A suggested IPC symbol ("A01B" or "A01B 1/00"), its confidence in [0, 1] and the
    nearest labelled documents that carry it."""

    symbol: str
    level: Literal["subclass", "group"]
    confidence: float
    reasons: tuple[Neighbour, ...]


# --- labelled data and the fixed split -----------------------------------------------------------


@dataclass(frozen=True)
class LabelledExample:
    """One labelled document of the shared data: ``id`` as the data set writes it, ``text``
    = title and abstract, ``ipc`` in compact form with the main symbol first, ``key`` the
    corpus key of the same document (``PatentRecord.key``)."""

    id: str
    language: str
    title: str
    text: str
    ipc: tuple[str, ...]
    key: str = ""

    @property
    def subclass(self) -> str:
        """The main IPC subclass, e.g. "A01B"."""
        return self.ipc[0][:4]

    @property
    def group(self) -> str | None:
        """The main group of the main symbol ("A01B 1/00"), None where only a subclass is
        known."""
        return _main_group(self.ipc[0])


def validate_version(version: str) -> None:
    """Raise :class:`ClassifierError` unless ``version`` reads ``ipc-classifier-YYYY.MM-N``."""
    if not _VERSION_RE.fullmatch(version):
        raise ClassifierError(
            f"model version {version!r} is not of the form ipc-classifier-YYYY.MM-N"
        )


def split_of(record_id: str) -> Literal["train", "test"]:
    """The fixed split of the labelled sets: "test" for the ids whose CRC-32 (of the UTF-8 id as
    the data file writes it) is divisible by 5, about 20 %; "train" for the rest."""
    return "test" if zlib.crc32(record_id.encode("utf-8")) % 5 == 0 else "train"


def subsample(examples: Sequence[LabelledExample], n: int) -> list[LabelledExample]:
    """A deterministic subset of ``n`` examples spread over both languages (ordered by a hash
    of the id, independent of the split's own hash), in their original order."""
    if n >= len(examples):
        return list(examples)
    chosen = sorted(
        range(len(examples)), key=lambda i: zlib.crc32(f"sample:{examples[i].id}".encode())
    )[:n]
    return [examples[i] for i in sorted(chosen)]


def _main_group(symbol: str) -> str | None:
    if " " not in symbol:
        return None
    subclass, group = symbol.split(" ", 1)
    return f"{subclass} {group.split('/', 1)[0]}/00"


def _compact_symbols(values: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        try:
            symbol = normalise_ipc(str(value))
        except IpcError:
            continue
        if symbol not in found:
            found.append(symbol)
    return tuple(found)


def load_labelled(data_dir: Path, *, split: str | None = None) -> list[LabelledExample]:
    """The labelled examples of ``us_patents_ipc.jsonl`` (English, full IPC symbols) and
    ``cn_patents_a01.jsonl`` (Chinese, A01 subclass only) in ``data_dir``, in file order;
    ``split`` ("train" or "test") keeps that part of :func:`split_of` only. Records without a
    well-formed main IPC symbol or without text are left out."""
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be 'train', 'test' or None, not {split!r}")
    data_dir = Path(data_dir)
    examples: list[LabelledExample] = []
    sources = ((US_FILE, "US", "en"), (CN_FILE, "CN", "zh"))
    for name, office, language in sources:
        path = data_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"labelled data set missing: {path}")
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                data = json.loads(line)
                record_id = str(data.get("id", "")).strip()
                if not record_id or (split is not None and split_of(record_id) != split):
                    continue
                raw = data.get("ipc") if office == "US" else [data.get("ipc_subclass", "")]
                if isinstance(raw, str):
                    raw = [raw]
                symbols = _compact_symbols(raw or [])
                title = str(data.get("title") or "").strip()
                text = "\n".join(p for p in (title, str(data.get("abstract") or "").strip()) if p)
                if not symbols or not text:
                    continue
                try:
                    if office == "US":
                        key = record_key(office=office, publication_number=record_id)
                    else:
                        key = record_key(office=office, application_number=record_id)
                except RecordError:
                    continue
                examples.append(
                    LabelledExample(
                        id=record_id,
                        language=str(data.get("lang") or language),
                        title=title,
                        text=text,
                        ipc=symbols,
                        key=key,
                    )
                )
    return examples


# --- text features ------------------------------------------------------------------------------


@functools.cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def analyse(text: str) -> list[str]:
    """The TF-IDF terms of a text: stemmed English words ("w:" prefix), and for every run of
    Chinese characters its characters and character bigrams. Version 1 of the analyser; a
    model records the version it was trained with."""
    terms = ["w:" + word for word in _stemmer().stemWords(_WORD_RE.findall(text.lower()))]
    for run in _CJK_RE.findall(text):
        terms.extend(run)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


ANALYSER = "en-stem-words+zh-char-1-2:1"


def _embed_text(text: str) -> str:
    from ipcenter.search.embedding import truncate

    return truncate(text, EMBED_CHARS)


def default_encoder() -> Encoder:
    """The process's sentence encoder (the one the search index uses)."""
    from ipcenter.search.embedding import get_encoder

    return get_encoder("use")


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -50, 50)))


def detect_language(text: str) -> str:
    """ "zh" for a text with at least as many Chinese characters as Latin words, else "en"."""
    chinese = len(_CJK_CHAR_RE.findall(text))
    return "zh" if chinese and chinese >= len(_LATIN_WORD_RE.findall(text)) else "en"


# --- the model ----------------------------------------------------------------------------------


@dataclass
class Params:
    """Hyper-parameters, chosen on a validation fold of the training part (MODEL_CARD.md)."""

    svm_c: float = 0.5
    svm_keep: int = 1500  # TF-IDF weights kept per subclass (largest magnitudes)
    svm_temperature: float = 0.1  # softmax(score / T) turns SVM scores into probabilities
    lr_c: float = 10.0
    pca_dims: int = 128
    knn_k: int = 20
    knn_power: float = 10.0
    group_k: int = 20
    weight_svm: float = 0.6
    weight_lr: float = 0.2
    weight_knn: float = 0.2
    # The gate of a partly covered language: sigmoid(slope * (mass + alpha * svm_max - tau)),
    # mass = the cross-lingual model's probability of the covered subclasses.
    gate_alpha: float = 0.3
    gate_tau: float = 0.05
    gate_slope: float = 50.0
    crosslingual_lr_share: float = 0.5  # the rest: kNN among the other languages' exemplars
    partial_coverage: float = 0.5  # a language covering less than this share of labels is gated
    min_df: int = 2

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class _Exemplars:
    """The training documents as the model keeps them: PCA-reduced unit vectors (int8) and
    what a reason shows."""

    keys: list[str]
    titles: list[str]
    ipc: list[tuple[str, ...]]
    languages: list[str]
    values: np.ndarray  # (n, d) int8
    scales: np.ndarray  # (d,) float32: values * scales = the reduced vectors
    vectors: np.ndarray = field(init=False)  # (n, d) float32 unit rows
    language_array: np.ndarray = field(init=False)
    by_subclass: dict[str, np.ndarray] = field(init=False)
    by_group: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.vectors = _dequantise(self.values, self.scales)
        self.language_array = np.asarray(self.languages)
        subclasses: dict[str, list[int]] = defaultdict(list)
        groups: dict[str, list[int]] = defaultdict(list)
        for index, symbols in enumerate(self.ipc):
            for subclass in dict.fromkeys(symbol[:4] for symbol in symbols):
                subclasses[subclass].append(index)
            for group in dict.fromkeys(g for g in map(_main_group, symbols) if g):
                groups[group].append(index)
        self.by_subclass = {k: np.asarray(v, dtype=np.int64) for k, v in subclasses.items()}
        self.by_group = {k: np.asarray(v, dtype=np.int64) for k, v in groups.items()}

    def neighbour(self, index: int, similarity: float) -> Neighbour:
        return Neighbour(
            key=self.keys[index],
            title=self.titles[index],
            ipc=self.ipc[index],
            similarity=round(float(similarity), 4),
        )


@dataclass
class _Linear:
    """A softmax-linear model over the embedding for some of the labels."""

    labels: np.ndarray  # indices into the classifier's labels
    weights: np.ndarray  # (len(labels), dimension), float16 as stored
    bias: np.ndarray
    _weights_t: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.weights = np.asarray(self.weights, dtype=np.float16)
        self.bias = np.asarray(self.bias, dtype=np.float32)
        self._weights_t = np.ascontiguousarray(self.weights.T, dtype=np.float32)

    def probabilities(self, embeddings: np.ndarray, n_labels: int) -> np.ndarray:
        out = np.zeros((len(embeddings), n_labels), dtype=np.float32)
        out[:, self.labels] = _softmax(embeddings @ self._weights_t + self.bias)
        return out


@dataclass
class _Scored:
    probabilities: np.ndarray  # (n, labels)
    similarities: np.ndarray  # (n, exemplars): cosine in the reduced space
    known: np.ndarray  # (n,) the text has a term of the vocabulary


class IpcClassifier:
    """A trained IPC suggestion model. Build one with :func:`train_classifier` or
    :meth:`load`; it is read-only after that and may be shared between threads."""

    def __init__(
        self,
        *,
        version: str,
        labels: Sequence[str],
        params: Params,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        svm_quantised: Any,  # scipy.sparse CSR (labels x vocabulary), int8
        svm_scales: np.ndarray,  # one per label: svm_quantised * scale = the SVM weights
        svm_bias: np.ndarray,
        regression: _Linear,
        crosslingual: dict[str, _Linear],
        coverage: dict[str, list[int]],
        pca_mean: np.ndarray,
        pca_components: np.ndarray,
        exemplars: _Exemplars,
        metadata: dict[str, Any] | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        validate_version(version)
        self.version = version
        self.labels = list(labels)
        self.params = params
        self.vocabulary = list(vocabulary)
        self._term_index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float16)
        self.svm_quantised = svm_quantised
        self.svm_scales = np.asarray(svm_scales, dtype=np.float32)
        self._svm_weights_t = _dequantise_rows(svm_quantised, self.svm_scales).T.tocsr()
        self.svm_bias = np.asarray(svm_bias, dtype=np.float32)
        self.regression = regression
        self.crosslingual = crosslingual
        self.coverage = coverage
        self.pca_mean = np.asarray(pca_mean, dtype=np.float32)
        self.pca_components = np.asarray(pca_components, dtype=np.float16)
        self._projection = np.ascontiguousarray(self.pca_components.T, dtype=np.float32)
        self.exemplars = exemplars
        self.metadata: dict[str, Any] = dict(metadata or {})
        label_index = {label: i for i, label in enumerate(self.labels)}
        self._exemplar_labels = np.array(
            [label_index.get(symbols[0][:4], -1) for symbols in exemplars.ipc], dtype=np.int64
        )
        self._encoder = encoder

    def __repr__(self) -> str:
        return f"<IpcClassifier {self.version}: {len(self.labels)} subclasses>"

    # -- loading and saving ---------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> IpcClassifier:
        """The model in ``path``; None: the model shipped in the package, loaded once per
        process."""
        if path is None:
            return _shipped_classifier()
        return _read_model(Path(path))

    def save(self, path: Path) -> Path:
        """Write the model to ``path``: a file named ``*.npz.gz``, or else a folder (made if
        missing) that gets ``<version>.npz.gz``; returns the file written."""
        path = Path(path)
        if path.is_dir() or not path.name.endswith(MODEL_SUFFIX):
            path = path / f"{self.version}{MODEL_SUFFIX}"
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_model(self, path)
        return path

    @property
    def encoder(self) -> Encoder:
        """The sentence encoder the model was trained with (loaded once per process)."""
        if self._encoder is None:
            from ipcenter.search.embedding import get_encoder

            name = str(self.metadata.get("encoder", {}).get("name", "use"))
            try:
                self._encoder = get_encoder(name)
            except ValueError as exc:
                raise ClassifierError(f"{self.version} needs the encoder {name!r}: {exc}") from exc
        return self._encoder

    def info(self) -> dict[str, Any]:
        """What the model is: version, labels, training data, parameters, figures."""
        return {
            "version": self.version,
            "subclasses": len(self.labels),
            "vocabulary": len(self.vocabulary),
            "exemplars": len(self.exemplars.keys),
            "coverage": {
                language: len(indices) for language, indices in sorted(self.coverage.items())
            },
            "gated_languages": sorted(self.crosslingual),
            "params": self.params.to_dict(),
            **self.metadata,
        }

    # -- suggesting -----------------------------------------------------------------------------

    def suggest(
        self, text: str, *, k: int = 5, backend: SearchBackend | None = None
    ) -> list[IpcSuggestion]:
        """The ``k`` likeliest main IPC subclasses of ``text``, best first, each with its
        nearest labelled documents; the best main group inside the best subclass follows as an
        extra suggestion of level "group" where labelled documents there have groups. Its
        confidence (the subclass's times the group's share of the neighbours' votes) never
        exceeds its subclass's, so the list stays sorted by confidence and starts with a
        subclass.

        An empty list for a text with nothing to classify (no word, or no word the model has
        seen). With ``backend``, the reasons are documents of that corpus (one dense search
        among documents with the suggested subclasses) instead of the model's exemplars; a
        suggestion whose symbol no corpus document near the text carries has no reasons then.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}")
        if k < 1:
            raise ValueError("k must be at least 1")
        if not _CONTENT_RE.search(text):
            return []
        embeddings = np.asarray(self.encoder.encode([_embed_text(text)]), dtype=np.float32)
        scored = self._score([text], embeddings)
        if not scored.known[0]:
            return []
        return self._suggestions(
            text, scored.probabilities[0], scored.similarities[0], k=k, backend=backend
        )

    def rank(
        self, texts: Sequence[str], *, embeddings: np.ndarray | None = None, k: int = 5
    ) -> list[tuple[list[tuple[str, float]], tuple[str, float] | None]]:
        """For each text: its ``k`` best subclasses with their confidences, and the best group
        of the best subclass with its confidence (None where unknown); no reasons. For
        evaluation: embeds in batches unless ``embeddings`` (see :func:`embed_texts`) are
        given. A text with nothing to classify gets ``([], None)``."""
        texts = list(texts)
        if embeddings is None:
            embeddings = embed_texts(self.encoder, texts)
        ranked: list[tuple[list[tuple[str, float]], tuple[str, float] | None]] = []
        for start in range(0, len(texts), 256):
            chunk = texts[start : start + 256]
            scored = self._score(chunk, np.asarray(embeddings[start : start + 256]))
            for row, text in enumerate(chunk):
                if not scored.known[row] or not _CONTENT_RE.search(text):
                    ranked.append(([], None))
                    continue
                probabilities = scored.probabilities[row]
                order = np.argsort(-probabilities, kind="stable")[:k]
                best = [(self.labels[i], float(probabilities[i])) for i in order]
                group = self._best_group(best[0][0], scored.similarities[row])
                ranked.append(
                    (best, (group[0], best[0][1] * group[1]) if group is not None else None)
                )
        return ranked

    def _score(self, texts: Sequence[str], embeddings: np.ndarray) -> _Scored:
        params = self.params
        n_labels = len(self.labels)
        features = self._tfidf(texts)
        known = np.asarray(features.getnnz(axis=1) > 0)
        svm = np.asarray((features @ self._svm_weights_t).todense(), dtype=np.float32)
        svm += self.svm_bias
        embeddings = _unit_rows(np.asarray(embeddings, dtype=np.float32))
        reduced = _unit_rows((embeddings - self.pca_mean) @ self._projection)
        similarities = reduced @ self.exemplars.vectors.T
        blended = params.weight_svm * _softmax(svm / params.svm_temperature)
        blended += params.weight_lr * self.regression.probabilities(embeddings, n_labels)
        probabilities = np.zeros_like(blended)
        languages = np.asarray([detect_language(text) for text in texts])
        for language in np.unique(languages):
            rows = np.flatnonzero(languages == language)
            own = self.exemplars.language_array == language
            if not own.any():
                own = np.ones_like(own)
            base = blended[rows] + params.weight_knn * self._knn_votes(similarities[rows], own)
            base /= params.weight_svm + params.weight_lr + params.weight_knn
            gate_model = self.crosslingual.get(str(language))
            if gate_model is None:
                probabilities[rows] = base
                continue
            covered = np.zeros(n_labels, dtype=bool)
            covered[self.coverage[str(language)]] = True
            other = self.exemplars.language_array != language
            foreign = gate_model.probabilities(embeddings[rows], n_labels)
            mass = foreign[:, covered].sum(axis=1)
            svm_max = svm[rows][:, covered].max(axis=1)
            gate = _sigmoid(
                params.gate_slope * (mass + params.gate_alpha * svm_max - params.gate_tau)
            )[:, None]
            share = params.crosslingual_lr_share
            foreign = share * foreign + (1 - share) * self._knn_votes(similarities[rows], other)
            inside = np.where(covered, base, 0.0)
            outside = np.where(covered, 0.0, foreign)
            inside /= np.maximum(inside.sum(axis=1, keepdims=True), 1e-12)
            outside_sum = outside.sum(axis=1, keepdims=True)
            gate = np.where(outside_sum > 0, gate, 1.0)
            outside /= np.maximum(outside_sum, 1e-12)
            probabilities[rows] = gate * inside + (1 - gate) * outside
        return _Scored(probabilities=probabilities, similarities=similarities, known=known)

    def _tfidf(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import csr_matrix

        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for row, text in enumerate(texts):
            counts = Counter(
                self._term_index[term] for term in analyse(text) if term in self._term_index
            )
            if not counts:
                continue
            weights = np.array(
                [(1.0 + math.log(c)) * float(self.idf[i]) for i, c in counts.items()],
                dtype=np.float32,
            )
            weights /= float(np.linalg.norm(weights)) or 1.0
            rows.extend([row] * len(counts))
            columns.extend(counts)
            values.extend(weights.tolist())
        return csr_matrix(
            (np.asarray(values, dtype=np.float32), (rows, columns)),
            shape=(len(texts), len(self.vocabulary)),
        )

    def _knn_votes(self, similarities: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """Each row's vote over the labels: the ``knn_k`` nearest allowed exemplars, weighted
        by similarity ** ``knn_power``, normalised to sum 1 (all zeros without exemplars)."""
        votes = np.zeros((len(similarities), len(self.labels)), dtype=np.float32)
        candidates = np.flatnonzero(allowed & (self._exemplar_labels >= 0))
        if not len(candidates):
            return votes
        k = min(self.params.knn_k, len(candidates))
        sims = similarities[:, candidates]
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        weights = np.clip(np.take_along_axis(sims, top, axis=1), 0.0, None) ** self.params.knn_power
        labels = self._exemplar_labels[candidates[top]]
        for row in range(len(similarities)):
            np.add.at(votes[row], labels[row], weights[row])
        totals = votes.sum(axis=1, keepdims=True)
        return votes / np.where(totals > 0, totals, 1.0)

    def _best_group(self, subclass: str, similarities: np.ndarray) -> tuple[str, float] | None:
        """The main group inside ``subclass`` that the nearest exemplars with a group there
        vote for (a main symbol counts fully, a further symbol half), and its share of the
        votes."""
        candidates = self.exemplars.by_subclass.get(subclass)
        if candidates is None:
            return None
        prefix = subclass + " "
        indices = np.asarray(
            [
                i
                for i in candidates.tolist()
                if any(s.startswith(prefix) for s in self.exemplars.ipc[i])
            ],
            dtype=np.int64,
        )
        if not len(indices):
            return None
        sims = similarities[indices]
        order = np.argsort(-sims, kind="stable")[: self.params.group_k]
        votes: dict[str, float] = defaultdict(float)
        for position in order:
            symbols = self.exemplars.ipc[int(indices[position])]
            weight = max(float(sims[position]), 0.0) ** self.params.knn_power
            for symbol in symbols:
                group = _main_group(symbol)
                if group is not None and symbol.startswith(prefix):
                    votes[group] += weight if symbol == symbols[0] else weight / 2
        total = sum(votes.values())
        if not total:
            return None
        group, weight = max(votes.items(), key=lambda item: (item[1], item[0]))
        return group, weight / total

    def _suggestions(
        self,
        text: str,
        probabilities: np.ndarray,
        similarities: np.ndarray,
        *,
        k: int,
        backend: SearchBackend | None,
    ) -> list[IpcSuggestion]:
        order = np.argsort(-probabilities, kind="stable")[:k]
        subclasses = [(self.labels[i], float(probabilities[i])) for i in order]
        corpus = self._corpus_reasons(text, [s for s, _ in subclasses], backend)
        found: list[IpcSuggestion] = []
        for subclass, confidence in subclasses:
            if corpus is not None:
                reasons = tuple(n for n in corpus if any(s[:4] == subclass for s in n.ipc))
            else:
                reasons = self._exemplar_reasons(
                    self.exemplars.by_subclass.get(subclass), similarities
                )
            found.append(
                IpcSuggestion(
                    symbol=subclass,
                    level="subclass",
                    confidence=_confidence(confidence),
                    reasons=reasons[:REASONS_PER_SUGGESTION],
                )
            )
        best_group = self._best_group(subclasses[0][0], similarities)
        if best_group is not None:
            group, share = best_group
            if corpus is not None:
                reasons = tuple(n for n in corpus if any(_main_group(s) == group for s in n.ipc))
            else:
                reasons = self._exemplar_reasons(self.exemplars.by_group.get(group), similarities)
            found.append(
                IpcSuggestion(
                    symbol=group,
                    level="group",
                    confidence=_confidence(subclasses[0][1] * share),
                    reasons=reasons[:REASONS_PER_SUGGESTION],
                )
            )
        found.sort(key=lambda s: (-s.confidence, s.level != "subclass"))
        return found

    def _exemplar_reasons(
        self, candidates: np.ndarray | None, similarities: np.ndarray
    ) -> tuple[Neighbour, ...]:
        if candidates is None or not len(candidates):
            return ()
        sims = similarities[candidates]
        order = np.argsort(-sims, kind="stable")[:REASONS_PER_SUGGESTION]
        return tuple(self.exemplars.neighbour(int(candidates[i]), sims[i]) for i in order)

    def _corpus_reasons(
        self, text: str, subclasses: list[str], backend: SearchBackend | None
    ) -> list[Neighbour] | None:
        if backend is None:
            return None
        request = SearchRequest(
            like_text=text,
            mode="dense",
            filters=Filters(ipc_prefixes=tuple(subclasses), has_ipc=True),
            limit=max(30, 6 * len(subclasses)),
            explain=False,
        )
        found: list[Neighbour] = []
        for hit in backend.search(request).hits:
            record = hit.record
            title = record.title or next(
                (t["title"] for t in record.translations.values() if t.get("title")), ""
            )
            similarity = hit.dense_score if hit.dense_score is not None else hit.score
            found.append(
                Neighbour(
                    key=hit.key,
                    title=title,
                    ipc=tuple(record.ipc),
                    similarity=round(float(similarity), 4),
                )
            )
        return found


def _confidence(value: float) -> float:
    return round(min(max(float(value), 0.0), 1.0), 4)


def embed_texts(encoder: Encoder, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """The vectors the classifier uses for ``texts`` (each cut to :data:`EMBED_CHARS`)."""
    prepared = [_embed_text(text) for text in texts]
    chunks = [
        np.asarray(encoder.encode(prepared[i : i + batch_size]), dtype=np.float32)
        for i in range(0, len(prepared), batch_size)
    ]
    if not chunks:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.vstack(chunks)


# --- training -----------------------------------------------------------------------------------


def train_classifier(
    examples: Sequence[LabelledExample],
    *,
    encoder: Encoder | None = None,
    version: str,
    seed: int = 0,
    embeddings: np.ndarray | None = None,
    params: Params | None = None,
) -> IpcClassifier:
    """Train a model on ``examples``, each labelled by its main subclass. ``embeddings``: the
    rows of :func:`embed_texts` for ``[e.text for e in examples]``, where already computed.
    Deterministic for the same examples, seed, parameters and encoder."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    params = params or Params()
    examples = list(examples)
    validate_version(version)
    labels = sorted({e.subclass for e in examples})
    if len(labels) < 2:
        raise ClassifierError("training needs examples of at least two IPC subclasses")
    started = time.monotonic()
    encoder = encoder or default_encoder()
    if embeddings is None:
        embeddings = embed_texts(encoder, [e.text for e in examples])
    embeddings = _unit_rows(np.asarray(embeddings, dtype=np.float32))
    if embeddings.shape != (len(examples), encoder.dimension):
        raise ClassifierError(
            f"embeddings of shape {embeddings.shape}; expected {(len(examples), encoder.dimension)}"
        )
    label_index = {label: i for i, label in enumerate(labels)}
    targets = np.array([label_index[e.subclass] for e in examples])
    languages = np.array([e.language for e in examples])

    vectorizer = TfidfVectorizer(
        analyzer=analyse,
        min_df=params.min_df if len(examples) >= 50 * params.min_df else 1,
        sublinear_tf=True,
        dtype=np.float32,
    )
    features = vectorizer.fit_transform([e.text for e in examples])
    svm = LinearSVC(C=params.svm_c, random_state=seed)
    svm.fit(features, targets)
    svm_weights, svm_bias = _one_row_per_label(svm.coef_, svm.intercept_, symmetric=True)
    pruned = _prune(svm_weights, params.svm_keep)
    used = np.unique(pruned.indices)  # terms without any weight left are dropped
    pruned = pruned[:, used].tocsr()
    vocabulary = [str(term) for term in vectorizer.get_feature_names_out()[used]]
    svm_quantised, svm_scales = _quantise_rows(pruned)

    regression = _fit_linear(embeddings, targets, np.arange(len(labels)), params.lr_c, seed)
    coverage = {
        str(language): sorted({int(t) for t in targets[languages == language]})
        for language in np.unique(languages)
    }
    crosslingual: dict[str, _Linear] = {}
    for language, covered in coverage.items():
        if len(covered) >= params.partial_coverage * len(labels):
            continue
        others = languages != language
        if len(set(targets[others].tolist())) < 2:
            continue
        crosslingual[language] = _fit_linear(
            embeddings[others], targets[others], None, params.lr_c, seed
        )

    mean = embeddings.mean(axis=0)
    _u, _s, vt = np.linalg.svd(embeddings - mean, full_matrices=False)
    components = _sign_fixed(vt[: min(params.pca_dims, vt.shape[0])]).astype(np.float16)
    reduced = _unit_rows((embeddings - mean) @ components.T.astype(np.float32))
    values, scales = _quantise(reduced)
    exemplars = _Exemplars(
        keys=[e.key or e.id for e in examples],
        titles=[e.title for e in examples],
        ipc=[e.ipc for e in examples],
        languages=[e.language for e in examples],
        values=values,
        scales=scales,
    )
    metadata = {
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "analyser": ANALYSER,
        "encoder": {"name": encoder.name, "dimension": int(encoder.dimension)},
        "training": {
            "examples": len(examples),
            "languages": dict(sorted(Counter(e.language for e in examples).items())),
            "seed": seed,
            "seconds": round(time.monotonic() - started, 1),
        },
    }
    return IpcClassifier(
        version=version,
        labels=labels,
        params=params,
        vocabulary=vocabulary,
        idf=vectorizer.idf_[used].astype(np.float16),
        svm_quantised=svm_quantised,
        svm_scales=svm_scales,
        svm_bias=svm_bias,
        regression=regression,
        crosslingual=crosslingual,
        coverage=coverage,
        pca_mean=mean,
        pca_components=components,
        exemplars=exemplars,
        metadata=metadata,
        encoder=encoder,
    )


def _fit_linear(
    embeddings: np.ndarray, targets: np.ndarray, labels: np.ndarray | None, c: float, seed: int
) -> _Linear:
    """A multinomial logistic regression; ``labels``: the label indices it covers (those of
    ``targets`` when None)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=300, tol=1e-3, random_state=seed)
    with warnings.catch_warnings():
        # Small retrains have many subclasses with one example: that is expected here.
        warnings.filterwarnings(
            "ignore", message="The number of unique classes", category=UserWarning
        )
        model.fit(embeddings, targets)
    weights, bias = _one_row_per_label(model.coef_, model.intercept_)
    classes = np.asarray(model.classes_, dtype=np.int64)
    if labels is not None and not np.array_equal(classes, labels):
        raise ClassifierError("the regression did not see every subclass")
    return _Linear(labels=classes, weights=weights.astype(np.float16), bias=bias)


def _one_row_per_label(
    coef: np.ndarray, intercept: np.ndarray, *, symmetric: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn keeps one row for two classes; the model keeps one per label."""
    coef = np.asarray(coef, dtype=np.float32)
    intercept = np.asarray(intercept, dtype=np.float32)
    if coef.shape[0] != 1:
        return coef, intercept
    if symmetric:  # SVM: score -s for the first class, s for the second
        return np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    # logistic: softmax([0, z]) is the sigmoid of z
    return (
        np.vstack([np.zeros_like(coef), coef]),
        np.concatenate([np.zeros(1, np.float32), intercept]),
    )


def _prune(weights: np.ndarray, keep: int) -> Any:
    """The ``keep`` largest-magnitude weights of each row, as a CSR matrix."""
    from scipy.sparse import csr_matrix

    keep = min(keep, weights.shape[1])
    columns = np.argpartition(-np.abs(weights), keep - 1, axis=1)[:, :keep]
    columns.sort(axis=1)
    rows = np.repeat(np.arange(weights.shape[0]), keep)
    values = np.take_along_axis(weights, columns, axis=1).ravel()
    return csr_matrix((values, (rows, columns.ravel())), shape=weights.shape)


def _quantise_rows(matrix: Any) -> tuple[Any, np.ndarray]:
    """A CSR matrix as int8 values with one scale per row."""
    matrix = matrix.tocsr().astype(np.float32)
    scales = np.ones(matrix.shape[0], dtype=np.float32)
    data = np.zeros(len(matrix.data), dtype=np.int8)
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        peak = float(np.abs(matrix.data[start:end]).max()) if end > start else 0.0
        scales[row] = peak / 127 if peak else 1.0
        data[start:end] = np.round(matrix.data[start:end] / scales[row]).astype(np.int8)
    quantised = matrix.copy()
    quantised.data = data
    return quantised, scales


def _dequantise_rows(matrix: Any, scales: np.ndarray) -> Any:
    from scipy.sparse import diags

    return (diags(scales.astype(np.float32)) @ matrix.astype(np.float32)).tocsr()


def _quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 values and one scale per component."""
    peak = np.abs(vectors).max(axis=0)
    scales = np.where(peak > 0, peak / 127, 1.0).astype(np.float32)
    return np.round(vectors / scales).astype(np.int8), scales


def _dequantise(values: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return _unit_rows(values.astype(np.float32) * scales)


def _sign_fixed(components: np.ndarray) -> np.ndarray:
    """PCA components with a deterministic sign (largest coordinate positive)."""
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    signs[signs == 0] = 1
    return components * signs[:, None]


# --- evaluation ---------------------------------------------------------------------------------


def evaluate(
    classifier: IpcClassifier,
    examples: Sequence[LabelledExample],
    *,
    embeddings: np.ndarray | None = None,
) -> dict[str, float]:
    """Figures on labelled examples: ``p_at_1`` (the best subclass is the main one),
    ``r_at_5`` (the main subclass is among the best five), ``group_p_at_1`` (the suggested
    group is the main symbol's main group, over the examples whose main symbol has a group;
    absent if none has), ``n`` and ``n_group`` (the counts)."""
    examples = list(examples)
    if not examples:
        return {"n": 0.0}
    ranked = classifier.rank([e.text for e in examples], embeddings=embeddings, k=5)
    hits_1 = hits_5 = group_hits = group_total = 0
    for example, (best, group) in zip(examples, ranked, strict=True):
        symbols = [symbol for symbol, _ in best]
        hits_1 += bool(symbols) and symbols[0] == example.subclass
        hits_5 += example.subclass in symbols
        if example.group is not None:
            group_total += 1
            group_hits += group is not None and group[0] == example.group
    figures = {
        "p_at_1": hits_1 / len(examples),
        "r_at_5": hits_5 / len(examples),
        "n": float(len(examples)),
    }
    if group_total:
        figures["group_p_at_1"] = group_hits / group_total
        figures["n_group"] = float(group_total)
    return figures


# --- the file -----------------------------------------------------------------------------------


def model_path(version: str = SHIPPED_VERSION) -> Path:
    """Where the shipped model of that version lies in the package."""
    return MODEL_DIR / f"{version}{MODEL_SUFFIX}"


@functools.cache
def _shipped_classifier() -> IpcClassifier:
    return _read_model(model_path())


_HEADER_KEYS = frozenset(
    {"version", "labels", "params", "vocabulary", "exemplars", "coverage", "crosslingual"}
)


def _write_model(classifier: IpcClassifier, path: Path) -> None:
    exemplars = classifier.exemplars
    header = {
        **classifier.metadata,
        "format": FORMAT,
        "version": classifier.version,
        "labels": classifier.labels,
        "params": classifier.params.to_dict(),
        "coverage": classifier.coverage,
        "crosslingual": sorted(classifier.crosslingual),
        "vocabulary": classifier.vocabulary,
        "exemplars": {
            "keys": exemplars.keys,
            "titles": exemplars.titles,
            "ipc": [list(symbols) for symbols in exemplars.ipc],
            "languages": exemplars.languages,
        },
    }
    svm = classifier.svm_quantised
    arrays: dict[str, np.ndarray] = {
        "header": np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), np.uint8),
        "idf": classifier.idf.astype(np.float16),
        "svm_indptr": svm.indptr.astype(np.int32),
        "svm_indices": svm.indices.astype(np.int32),
        "svm_data": svm.data.astype(np.int8),
        "svm_scales": classifier.svm_scales,
        "svm_bias": classifier.svm_bias,
        "pca_mean": classifier.pca_mean,
        "pca_components": classifier.pca_components.astype(np.float16),
        "exemplar_values": exemplars.values,
        "exemplar_scales": exemplars.scales,
    }
    for name, linear in [("lr", classifier.regression)] + [
        (f"xl_{language}", model) for language, model in sorted(classifier.crosslingual.items())
    ]:
        arrays[f"{name}_labels"] = linear.labels.astype(np.int32)
        arrays[f"{name}_weights"] = linear.weights.astype(np.float16)
        arrays[f"{name}_bias"] = linear.bias.astype(np.float32)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    temporary = path.with_name(path.name + ".tmp")
    with gzip.GzipFile(temporary, "wb", compresslevel=9, mtime=0) as out:
        out.write(buffer.getvalue())
    temporary.replace(path)


def _read_model(path: Path) -> IpcClassifier:
    if not path.is_file():
        raise ClassifierError(f"no IPC classifier model at {path}")
    try:
        with gzip.open(path, "rb") as raw:
            arrays = np.load(io.BytesIO(raw.read()), allow_pickle=False)
            header = json.loads(arrays["header"].tobytes().decode("utf-8"))
            return _from_arrays(header, arrays, path)
    except ClassifierError:
        raise
    except (OSError, KeyError, ValueError, EOFError, TypeError) as exc:
        raise ClassifierError(f"{path} is not a readable IPC classifier model: {exc}") from exc


def _from_arrays(header: dict[str, Any], arrays: Any, path: Path) -> IpcClassifier:
    from scipy.sparse import csr_matrix

    if header.get("format") != FORMAT:
        raise ClassifierError(
            f"{path}: model format {header.get('format')!r}; this code reads format {FORMAT}"
        )
    labels = header["labels"]
    vocabulary = header["vocabulary"]

    def linear(name: str) -> _Linear:
        return _Linear(
            labels=arrays[f"{name}_labels"].astype(np.int64),
            weights=arrays[f"{name}_weights"],
            bias=arrays[f"{name}_bias"],
        )

    info = header["exemplars"]
    return IpcClassifier(
        version=header["version"],
        labels=labels,
        params=Params.from_dict(header["params"]),
        vocabulary=vocabulary,
        idf=arrays["idf"],
        svm_quantised=csr_matrix(
            (arrays["svm_data"], arrays["svm_indices"], arrays["svm_indptr"]),
            shape=(len(labels), len(vocabulary)),
        ),
        svm_scales=arrays["svm_scales"],
        svm_bias=arrays["svm_bias"],
        regression=linear("lr"),
        crosslingual={language: linear(f"xl_{language}") for language in header["crosslingual"]},
        coverage={language: list(v) for language, v in header["coverage"].items()},
        pca_mean=arrays["pca_mean"],
        pca_components=arrays["pca_components"],
        exemplars=_Exemplars(
            keys=list(info["keys"]),
            titles=list(info["titles"]),
            ipc=[tuple(symbols) for symbols in info["ipc"]],
            languages=list(info["languages"]),
            values=arrays["exemplar_values"],
            scales=arrays["exemplar_scales"],
        ),
        metadata={k: v for k, v in header.items() if k not in _HEADER_KEYS},
    )
