"""Which language a patent text is written in, without a model: scripts, then function words.

Plain Python. Good enough for the corpus's own texts (abstracts, titles), where the answer
picks the analyser and the language filter: CJK scripts decide zh / ja / ko, Cyrillic ru, and
among Latin-script languages the most frequent function words win ("der", "und" -> de). Too
little evidence (a short title such as "PIZZA") gives English, unless the office's language
breaks a tie.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["OFFICE_LANGUAGES", "detect_language"]

# Function words (and a few patent-prose words) of the Latin-script languages in the data.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the of and to in is for with that an on by are be or from at which this said "
        "wherein comprising having invention method device",
        "de": "der die das und ist mit von zu den des ein eine einer eines dem im für auf wird "
        "werden sich nicht als bei oder zur zum durch vorrichtung verfahren erfindung",
        "fr": "le la les des du et est une pour dans par sur au aux qui que ce ladite ledit "
        "dispositif procédé invention selon comprenant",
        "es": "el los las del y en una que por para con es se al su sus dicho dicha sistema "
        "procedimiento invención",
        "pt": "o e os as do da dos das em um uma que para com por no na ao é se ou invenção "
        "refere-se sistema método",
        "it": "il lo gli di del della e in un una che per con è dei delle invenzione",
        "nl": "het een van is met voor op te dat die zijn door wordt aan uitvinding "
        "werkwijze inrichting",
        "sv": "och att ett av för med som är på till den det vid eller uppfinningen",
        "da": "og at et af for med som er på til den det ved eller opfindelsen omfattende",
        "fi": "ja on että joka jossa sekä tai kun se ovat keksintö",
        "pl": "i w z na do się jest oraz że o od przez który która sposób wynalazek",
        "ro": "și în la cu un o care pentru din este sau prin invenția",
        "sl": "in je za na v z ki se da so ali pri izum",
    }.items()
}
# Letters that only some languages use.
_LETTER_HINTS: dict[str, str] = {
    "ß": "de",
    "ä": "de",
    "ö": "de",
    "ü": "de",
    "ø": "da",
    "æ": "da",
    "å": "sv",
    "ã": "pt",
    "õ": "pt",
    "ç": "pt",
    "ñ": "es",
    "ł": "pl",
    "ą": "pl",
    "ę": "pl",
    "ż": "pl",
    "ș": "ro",
    "ț": "ro",
    "ş": "ro",
    "ţ": "ro",
    "è": "fr",
    "ê": "fr",
    "à": "fr",
}

# The language an office publishes in, for breaking ties on short texts.
OFFICE_LANGUAGES: dict[str, str] = {
    "AT": "de",
    "BE": "fr",
    "BR": "pt",
    "CH": "de",
    "CN": "zh",
    "DE": "de",
    "DK": "da",
    "EA": "ru",
    "ES": "es",
    "FI": "fi",
    "FR": "fr",
    "JP": "ja",
    "KR": "ko",
    "LU": "fr",
    "MX": "es",
    "NL": "nl",
    "PL": "pl",
    "PT": "pt",
    "RO": "ro",
    "RU": "ru",
    "SE": "sv",
    "SI": "sl",
    "TW": "zh",
}

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_LANGUAGES_OF_WORD: dict[str, tuple[str, ...]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _word in _words:
        _LANGUAGES_OF_WORD[_word] = (*_LANGUAGES_OF_WORD.get(_word, ()), _lang)

_SCRIPTS = {
    "kana": re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
    "han": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "greek": re.compile(r"[\u0370-\u03ff]"),
    "arabic": re.compile(r"[\u0600-\u06ff]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
}


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for script, pattern in _SCRIPTS.items():
        found = len(pattern.findall(text))
        if found:
            counts[script] = found
    return counts


def detect_language(text: str, office: str = "") -> str:
    """ISO 639-1 code of the text's language ("en", "zh", "ja", "ko", "de", ...); "" if empty.

    ``office`` (a two-letter office code) breaks ties between Latin-script languages.
    """
    sample = text[:1500]
    scripts = _script_counts(sample)
    if not scripts:
        return ""
    letters = sum(scripts.values())
    cjk = scripts["han"] + scripts["kana"] + scripts["hangul"]
    if cjk and cjk * 4 >= letters:
        if scripts["hangul"] >= max(scripts["kana"], 1) and scripts["hangul"] * 10 >= cjk:
            return "ko"
        if scripts["kana"] and scripts["kana"] * 20 >= cjk:
            return "ja"
        return "zh"
    for script, lang in (("cyrillic", "ru"), ("greek", "el"), ("arabic", "ar"), ("thai", "th")):
        if scripts[script] * 2 >= letters:
            return lang
    return _latin_language(sample, office)


def _latin_language(text: str, office: str) -> str:
    lowered = text.lower()
    scores: Counter[str] = Counter()
    for word in _WORD.findall(lowered):
        for lang in _LANGUAGES_OF_WORD.get(word, ()):
            scores[lang] += 2
    if not scores:
        return "en"  # letters alone ("MACHINEäó", a mangled export) are no evidence
    for char, lang in _LETTER_HINTS.items():
        if char in lowered:
            scores[lang] += 1
    hint = OFFICE_LANGUAGES.get(office.upper(), "")
    best = max(scores.values())
    leaders = [lang for lang, score in scores.items() if score == best]
    if len(leaders) == 1:
        return leaders[0]
    if hint in leaders:
        return hint
    return "en" if "en" in leaders else sorted(leaders)[0]
