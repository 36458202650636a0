"""The text analyzer every backend shares: the same words go into every index and every query.

Text is cut into runs by script and each run analysed on its own, so mixed Chinese and English
("锂电池 battery pack") is handled word by word:

- Chinese (Han), Japanese kana and Korean Hangul runs become overlapping character bigrams,
  with each character's unigram beside them in documents (so a one-character query such as 钢
  still finds 钢材); a query uses the bigrams alone (a one-character run, its unigram).
  Bigrams measured better than jieba on the Chinese data (BM25, k1=1.2, b=0.75; MRR@10 of
  title -> abstract over all 9,088 cn_patents_a01 records; IPC subclass of the nearest
  neighbour for 2,000 of them; first sentence -> rest of 4,625 Chinese energy abstracts):

  ==========================  =========  ============  ============
  documents / queries         title MRR  subclass P@1  sentence MRR
  ==========================  =========  ============  ============
  bigrams+unigrams / bigrams  0.919      0.843         0.773
  bigrams / bigrams           0.919      0.841         0.773
  jieba precise / precise     0.883      0.835         0.749
  jieba search / precise      0.881      0.831         0.744
  jieba search / search       0.875      0.826         0.732
  ==========================  =========  ============  ============

  and analyses about twice as fast. jieba stays available through :data:`HAN_SEGMENTATION`
  ("search"/"precise"; its search mode keeps a word's parts at the word's position).
- Letters and digits of every other script are lowercased and Snowball-stemmed: Cyrillic with the
  Russian stemmer, Greek with the Greek one, everything else with the English one, whatever the
  document's language, so a query and a document always agree on a word's form.

Stop words are minimal (articles, conjunctions and prepositions of English, and a few Chinese
function characters, which get no unigram); BM25's IDF does the rest. Offsets always point into
the text as given, so a highlighter can mark the original characters. Full-width ASCII is folded
first; the folding keeps every character in place.

:func:`detect_language` guesses a text's language from its scripts and, for Latin text, from its
commonest function words. :func:`split_sentences` and :func:`sentence_spans` cut Chinese and
Western text into sentences (and long claim elements at semicolons).
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import Stemmer

__all__ = [
    "Token",
    "analyze",
    "analyze_query",
    "detect_language",
    "sentence_spans",
    "split_sentences",
    "tokenize",
]

Mode = Literal["index", "query"]

# Full-width ASCII (！ to ～) and the ideographic space fold onto ASCII, one character for one.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20

_WORD = re.compile(r"[^\W_]+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0002ffff"
_KANA = "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_SCRIPT_RUN = re.compile(f"([{_HAN}]+)|([{_KANA}]+)|([{_HANGUL}]+)|([^{_HAN}{_KANA}{_HANGUL}]+)")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_GREEK = re.compile(r"[\u0370-\u03ff]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH_STOP_WORDS = _words(
    "a an and are as at be by for from in into is it its of on or that the their then there "
    "these this to was were which with"
)
CHINESE_STOP_WORDS = _words("的 了 和 与 及 或 是 在 之 其 而 并 等 被 把 对 于 以 由 从 将")
_STOP_WORDS = ENGLISH_STOP_WORDS | CHINESE_STOP_WORDS
_CJK_STOP = frozenset(word for word in CHINESE_STOP_WORDS if len(word) == 1)
# Longer "words" (sequences, encodings) are not indexed.
MAX_WORD = 64

# How Han runs are cut, in documents and in queries: "bigram+unigram", "bigram", or jieba's
# "search" or "precise" mode. Module-level so a comparison can switch it (see the docstring).
HAN_SEGMENTATION: dict[Mode, str] = {"index": "bigram+unigram", "query": "bigram"}


@dataclass(frozen=True, slots=True)
class Token:
    """An analysed term, the span ``[start, end)`` of the original characters it came from, and
    its word position (tokens that overlap in a document share a position: a CJK character
    and the bigram starting at it, or a word and its parts in jieba's search mode, so a
    phrase of query tokens matches at consecutive positions)."""

    term: str
    start: int
    end: int
    position: int = 0


_jieba_lock = threading.Lock()


@functools.cache
def _jieba() -> object:
    """jieba's tokenizer, loaded once per process (its dictionary takes about a second)."""
    import logging

    import jieba

    with _jieba_lock:
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
    return tokenizer


_stemmers = threading.local()


def _stemmer(name: str) -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe; one set per thread, each with its own cache.
    found: dict[str, Stemmer.Stemmer] | None = getattr(_stemmers, "by_name", None)
    if found is None:
        found = _stemmers.by_name = {}
    stemmer = found.get(name)
    if stemmer is None:
        stemmer = found[name] = Stemmer.Stemmer(name, 100_000)
    return stemmer


class _Out:
    """Tokens being collected, with the next word position."""

    __slots__ = ("position", "tokens")

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.position = 0

    def add(self, term: str, start: int, end: int) -> None:
        self.tokens.append(Token(term, start, end, self.position))
        self.position += 1


# Stems already computed (a dictionary lookup is much cheaper than a call into the stemmer).
_STEMS: dict[str, str] = {}
_STEMS_LIMIT = 500_000


def _stem(term: str) -> str:
    """The stem of a lowercased word: Russian for Cyrillic, Greek for Greek, else English."""
    found = _STEMS.get(term)
    if found is not None:
        return found
    if term.isascii():
        stemmer = "english"
    elif _CYRILLIC.search(term):
        stemmer = "russian"
    elif _GREEK.search(term):
        stemmer = "greek"
    else:
        stemmer = "english"
    stem: str = _stemmer(stemmer).stemWord(term)
    if len(_STEMS) >= _STEMS_LIMIT:
        _STEMS.clear()
    _STEMS[term] = stem
    return stem


def _word_tokens(word: str, start: int, out: _Out) -> None:
    term = word.lower()
    if term in _STOP_WORDS or len(term) > MAX_WORD:
        return
    out.add(_stem(term), start, start + len(word))


def _bigrams(run: str, start: int, out: _Out) -> None:
    if len(run) == 1:
        if run not in _STOP_WORDS:
            out.add(run, start, start + 1)
        return
    for i in range(len(run) - 1):
        out.add(run[i : i + 2], start + i, start + i + 2)


def _bigrams_and_unigrams(run: str, start: int, out: _Out) -> None:
    """Each character at its position, and the bigram starting there at the same position."""
    for i, char in enumerate(run):
        if char not in _STOP_WORDS:
            out.tokens.append(Token(char, start + i, start + i + 1, out.position))
        if i + 1 < len(run):
            out.tokens.append(Token(run[i : i + 2], start + i, start + i + 2, out.position))
        out.position += 1


def _cjk_tokens(run: str, start: int, mode: Mode, out: _Out) -> None:
    """Kana and Hangul: bigrams and unigrams in documents, bigrams in queries."""
    if mode == "index":
        _bigrams_and_unigrams(run, start, out)
    else:
        _bigrams(run, start, out)


def _han_tokens(run: str, start: int, mode: Mode, out: _Out) -> None:
    how = HAN_SEGMENTATION[mode]
    if how == "bigram":
        _bigrams(run, start, out)
        return
    if how == "bigram+unigram":
        _bigrams_and_unigrams(run, start, out)
        return
    tokenizer: Any = _jieba()
    begin = start
    for word in tokenizer.cut(run, HMM=True):
        width = len(word)
        if word in _STOP_WORDS:
            begin += width
            continue
        if how == "search":
            # jieba's search mode (jieba.Tokenizer.tokenize), the parts at the word's position.
            frequencies = tokenizer.FREQ
            for size in (2, 3):
                if width > size:
                    for i in range(width - size + 1):
                        part = word[i : i + size]
                        if frequencies.get(part):
                            out.tokens.append(
                                Token(part, begin + i, begin + i + size, out.position)
                            )
        out.add(word, begin, begin + width)
        begin += width


def _tokens(text: str, mode: Mode) -> list[Token]:
    out = _Out()
    folded = text.translate(_FOLD)
    for match in _WORD.finditer(folded):
        word, start = match.group(), match.start()
        if word.isascii():
            _word_tokens(word, start, out)
            continue
        for run in _SCRIPT_RUN.finditer(word):
            begin = start + run.start()
            if run.group(1):
                _han_tokens(run.group(1), begin, mode, out)
            elif run.group(2) or run.group(3):
                _cjk_tokens(run.group(), begin, mode, out)
            else:
                _word_tokens(run.group(4), begin, out)
    return out.tokens


def tokenize(text: str, *, mode: Mode = "index") -> list[Token]:
    """The analysed tokens of ``text`` with their spans in ``text``, in text order.

    ``mode="index"`` analyses a document (CJK unigrams and bigrams, which overlap),
    ``mode="query"`` a query (CJK bigrams).
    """
    if not text:
        return []
    return _tokens(text, mode)


def analyze(text: str) -> list[str]:
    """The terms a document's text is indexed under: ``tokenize(text)``'s terms, computed
    without building tokens (indexing calls this for every field of every document)."""
    if not text:
        return []
    if HAN_SEGMENTATION["index"] != "bigram+unigram":
        return [token.term for token in tokenize(text, mode="index")]
    out: list[str] = []
    stop = _STOP_WORDS
    for word in _WORD.findall(text.translate(_FOLD)):
        if word.isascii():
            term = word.lower()
            if term not in stop and len(term) <= MAX_WORD:
                out.append(_STEMS.get(term) or _stem(term))
            continue
        for run in _SCRIPT_RUN.finditer(word):
            other = run.group(4)
            if other is not None:
                term = other.lower()
                if term not in stop and len(term) <= MAX_WORD:
                    out.append(_stem(term))
                continue
            cjk = run.group()
            pairs = [a + b for a, b in itertools.pairwise(cjk)]
            terms = [term for pair in zip(cjk, pairs, strict=False) for term in pair]
            terms.append(cjk[-1])
            if not _CJK_STOP.isdisjoint(cjk):
                terms = [term for term in terms if len(term) > 1 or term not in stop]
            out.extend(terms)
    return out


def analyze_query(text: str) -> list[str]:
    """The terms a query's words are looked up under."""
    return [token.term for token in tokenize(text, mode="query")]


# --- language ---------------------------------------------------------------------------------

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to a in is for with which that are by an on from"),
    "de": _words("der die das und ist mit von zu ein eine den dem des für auf wird sich"),
    "fr": _words("le la les des et est une un du dans pour par sur qui au aux ou"),
    "es": _words("el la los las de y en que con por una para del se un"),
    "it": _words("il la le di e che un una per con del della sono nel al"),
    "pt": _words("o a os as de e que um uma para com do da em no na"),
    "nl": _words("de het een en van is met voor op te die dat zijn"),
    "sv": _words("och att en ett som av för med till är på den det"),
}
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def detect_language(text: str) -> str:
    """The ISO 639-1 code of ``text``'s main language, or ``""`` when it has no letters.

    Han without kana is Chinese, kana Japanese, Hangul Korean, Cyrillic Russian, Greek Greek;
    Latin text is told apart by its function words (English when none decides). Mixed text
    goes to the script with the most characters (a CJK character counting as a word's three).
    """
    han = kana = hangul = cyrillic = greek = latin = 0
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
            kana += 1
        elif 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or code >= 0x20000:
            han += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            hangul += 1
        elif 0x0400 <= code <= 0x04FF:
            cyrillic += 1
        elif 0x0370 <= code <= 0x03FF:
            greek += 1
        elif _LATIN_LETTER.match(char):
            latin += 1
    cjk = han + kana + hangul
    counts = {"cjk": cjk * 3, "cyrillic": cyrillic, "greek": greek, "latin": latin}
    script = max(counts, key=lambda name: counts[name])
    if counts[script] == 0:
        return ""
    if script == "cjk":
        if hangul >= max(han, kana):
            return "ko"
        return "ja" if kana * 10 >= cjk else "zh"
    if script == "cyrillic":
        return "ru"
    if script == "greek":
        return "el"
    words = [word.lower() for word in _WORD.findall(text)]
    scores = {
        lang: sum(1 for word in words if word in vocabulary)
        for lang, vocabulary in _FUNCTION_WORDS.items()
    }
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores["en"] else "en"


# --- sentences --------------------------------------------------------------------------------

# A sentence ends after Chinese/Japanese terminators, ! ? ; (claims list their elements with
# semicolons), or a full stop followed by a space and a capital, digit or CJK character; a line
# break ends one too. Abbreviations common in patents do not end a sentence.
_BREAK = re.compile(
    r"[。！？；]+[”’」』）)]*"
    r"|[!?;]+[\"')\]]*(?=\s|$)"
    r"|\.[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9\u3400-\u9fff]|\s*$)"
    r"|\n+"
)
_ABBREVIATIONS = _words(
    "e.g i.e etc fig figs no nos approx ca cf vs al mr mrs dr prof u.s wt vol ref eq"
)
_MAX_SENTENCE = 400
_SOFT_BREAK = re.compile(r"[，,、：:]\s*|\s+")


def _abbreviation_before(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _split_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a run longer than :data:`_MAX_SENTENCE` at the last comma or space before the limit."""
    while end - start > _MAX_SENTENCE:
        limit = start + _MAX_SENTENCE
        cut = None
        for match in _SOFT_BREAK.finditer(text, start + _MAX_SENTENCE // 2, limit):
            cut = match.end()
        if cut is None or cut <= start:
            cut = limit
        yield start, cut
        start = cut
    if end > start:
        yield start, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, surrounding spaces left out."""
    spans: list[tuple[int, int]] = []
    start = 0

    def close(end: int) -> None:
        begin = start
        while begin < end and text[begin].isspace():
            begin += 1
        stop = end
        while stop > begin and text[stop - 1].isspace():
            stop -= 1
        if stop > begin:
            spans.extend(_split_long(text, begin, stop))

    for match in _BREAK.finditer(text):
        if match.group().startswith(".") and _abbreviation_before(text, match.start()):
            continue
        close(match.end())
        start = match.end()
    close(len(text))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (Chinese, Japanese or Western punctuation), in order."""
    return [text[start:end] for start, end in sentence_spans(text)]
