"""The query language: free text, fields, Boolean operators, phrases, IPC prefixes and dates.

Examples::

    lithium battery charging                 any of the words, ranked by BM25 (and dense)
    锂电池 充电 battery                       Chinese and English mixed
    title:drone AND applicant:dji             both clauses must match
    (title:drone OR title:uav) NOT claims:military
    "regenerative braking" -abs:hydraulic     a phrase, and a word that must not occur
    battery ipc:H01M pd:2015..2020            ranked by "battery", restricted to H01M, 2015-2020
    pd:2015-01-01..2016-06-30 office:CN,US    an exact date range (inclusive) and two offices

Semantics (those of Lucene with OR as the default operator): clauses joined by AND, NOT, ``-``,
fielded clauses and phrases are *constraints* a document must satisfy; plain words beside them
only rank. A query of plain words alone matches documents with any of them. A word that
analyses into several terms (Chinese without spaces, "x-ray") is matched as a phrase where it
is a constraint.

Fields: ``title:``, ``abstract:`` (``abs:``), ``claims:``, ``description:`` (``desc:``),
``applicant:``, ``inventor:`` search text; ``ipc:`` and ``cpc:`` (symbol prefixes: "A01B",
"A01B1/", "H04L 29/06"), ``office:`` and ``lang:`` (comma lists allowed: ``office:CN,US``) and
the dates ``pd:`` (publication), ``ad:`` (application/filing), ``prd:`` (priority), ``gd:``
(grant) are filters, applied inside every retriever. Dates: ``2015``, ``2015-03``,
``2015-03-01``, ranges ``2015..2020`` (both years included), open ranges ``..2020``,
``2015..``, and ``<``, ``<=``, ``>``, ``>=`` before a date. A filter must be joined to the rest
of the query by AND (alternatives of one filter: ``ipc:A01B OR ipc:A01C`` or ``ipc:A01B,A01C``).

Operators are the upper-case words AND, OR, NOT (and ``-`` before a clause); full-width
brackets, quotes and colons typed with a Chinese input method work too. A malformed query raises
:class:`QuerySyntaxError` with an English message, a code and parameters for translation and the
position of the fault.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ipcenter.search.analysis import analyze_query, tokenize
from ipcenter.search.base import DateRange, Filters

__all__ = [
    "TEXT_FIELDS",
    "And",
    "Node",
    "Not",
    "Or",
    "ParsedQuery",
    "Phrase",
    "QuerySyntaxError",
    "Term",
    "like_text_query",
    "normalise_symbol_prefix",
    "parse_query",
]

# Query field name -> the indexed text field. None (an unfielded clause) means every text field.
TEXT_FIELDS: dict[str, str] = {
    "title": "title",
    "abstract": "abstract",
    "abs": "abstract",
    "claims": "claims",
    "claim": "claims",
    "description": "description",
    "desc": "description",
    "applicant": "applicants",
    "applicants": "applicants",
    "inventor": "inventors",
    "inventors": "inventors",
}
_DATE_FIELDS = {
    "pd": "publication_date",
    "ad": "filing_date",
    "fd": "filing_date",
    "prd": "priority_date",
    "gd": "grant_date",
}
_FILTER_FIELDS = frozenset({"ipc", "cpc", "office", "lang", *_DATE_FIELDS})
_ALL_FIELDS = sorted({*TEXT_FIELDS, *_FILTER_FIELDS})


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed. ``message`` is English; ``code`` and ``params`` let a
    user interface translate it; ``position`` is the 0-based character where the fault is."""

    def __init__(self, code: str, message: str, position: int, **params: Any) -> None:
        self.code = code
        self.message = message
        self.position = position
        self.params = params
        super().__init__(f"{message} (at character {position + 1})")


# --- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word of one analysed term. ``field`` is an indexed text field or None for every one.
    (A word of several terms is a :class:`Phrase` where it is a constraint; among the plain
    words that only rank it stays a Term, any of whose terms counts.)"""

    field: str | None
    text: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """Words that must occur together, in this order, inside one field value.

    ``offsets`` place each term in the document's token stream relative to the first (a
    document holds a CJK character's unigram between two bigrams, so they are 2 apart there;
    see :func:`phrase_offsets`)."""

    field: str | None
    text: str
    terms: tuple[str, ...]
    offsets: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.offsets:
            object.__setattr__(self, "offsets", phrase_offsets(self.text, self.terms))


def phrase_offsets(text: str, terms: Sequence[str]) -> tuple[int, ...]:
    """Where the query terms of ``text`` stand in a document's token stream of the same text,
    counted from the first: the stream is ``analysis.tokenize(text, mode="index")``, each
    query term found at its own characters."""
    stream = tokenize(text, mode="index")
    by_span = {
        (token.start, token.end, token.term): ordinal for ordinal, token in enumerate(stream)
    }
    offsets: list[int] = []
    for token in tokenize(text, mode="query"):
        ordinal = by_span.get((token.start, token.end, token.term))
        if ordinal is None:  # not in the stream: fall back to consecutive places
            ordinal = (offsets[-1] + 1) if offsets else 0
        offsets.append(ordinal)
    if len(offsets) != len(terms):
        return tuple(range(len(terms)))
    return tuple(ordinal - offsets[0] for ordinal in offsets) if offsets else ()


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Phrase | And | Or | Not


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query, ready for any backend.

    ``must`` is the constraint a document has to satisfy (None: none); ``should`` are the
    plain words that only rank, or, with no ``must``, of which one has to match. ``filters``
    come from the filter fields. ``terms`` are the analysed terms BM25 ranks by (every term not
    under NOT, once) and ``dense_text`` the words the dense retriever embeds.
    """

    must: Node | None = None
    should: tuple[Term, ...] = ()
    filters: Filters = field(default_factory=Filters)
    terms: tuple[str, ...] = ()
    dense_text: str = ""

    @property
    def matches_everything(self) -> bool:
        """True when nothing but filters restricts the documents (no words, no constraint)."""
        return self.must is None and not self.should

    def match_node(self) -> Node | None:
        """The whole matching condition as one tree: ``must``, or any of ``should``."""
        if self.must is not None:
            return self.must
        if not self.should:
            return None
        return self.should[0] if len(self.should) == 1 else Or(tuple(self.should))


# --- lexer ------------------------------------------------------------------------------------

# Full-width punctuation typed with a Chinese input method, folded one character for one.
_FOLD = str.maketrans({"“": '"', "”": '"', "＂": '"', "（": "(", "）": ")", "：": ":", "　": " "})
_FIELD = re.compile(r"([A-Za-z]+):")


@dataclass(frozen=True)
class _Tok:
    kind: str  # "(", ")", "AND", "OR", "NOT", "-", "FIELD", "PHRASE", "WORD"
    text: str
    pos: int


def _lex(query: str) -> Iterator[_Tok]:
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            yield _Tok(char, char, i)
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("unclosed_quote", "The quotation mark is never closed.", i)
            yield _Tok("PHRASE", query[i + 1 : end], i)
            i = end + 1
        elif char == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != "-":
            yield _Tok("-", "-", i)
            i += 1
        else:
            match = _FIELD.match(query, i)
            if match:
                yield _Tok("FIELD", match.group(1).lower(), i)
                i = match.end()
                continue
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"':
                i += 1
            word = query[start:i]
            yield _Tok(word if word in ("AND", "OR", "NOT") else "WORD", word, start)


# --- parser -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filter:
    """A filter clause before it joins :class:`Filters`."""

    name: str
    values: tuple[Any, ...]
    pos: int


@dataclass(frozen=True)
class _Word:
    """A plain word or phrase with the position it was typed at (bare: not fielded, not in a
    phrase, not negated, not inside an operator)."""

    node: Term | Phrase
    pos: int
    bare: bool


@dataclass(frozen=True)
class _Group:
    op: str  # "AND" (explicit), "JUXT" (juxtaposed), "OR", "NOT"
    children: tuple[_Raw, ...]
    pos: int


_Raw = _Word | _Filter | _Group


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = list(_lex(query))
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> _Raw | None:
        if not self.tokens:
            return None
        node = self.or_expr(None)
        extra = self.peek()
        if extra is not None:  # only a stray ")" stops or_expr early
            raise QuerySyntaxError(
                "unbalanced_parenthesis",
                "This closing parenthesis has no opening one.",
                extra.pos,
            )
        return node

    def or_expr(self, field: str | None) -> _Raw:
        first = self.peek()
        children = [self.and_expr(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            self.need_operand(token)
            children.append(self.and_expr(field))
        if len(children) == 1:
            return children[0]
        return _Group("OR", tuple(children), first.pos if first else 0)

    def and_expr(self, field: str | None) -> _Raw:
        first = self.peek()
        children = [self.unary(field)]
        explicit = False
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.take()
                self.need_operand(token)
                explicit = True
            children.append(self.unary(field))
        if len(children) == 1:
            return children[0]
        return _Group("AND" if explicit else "JUXT", tuple(children), first.pos if first else 0)

    def need_operand(self, operator: _Tok) -> None:
        after = self.peek()
        if after is None or after.kind in ("AND", "OR", ")"):
            raise QuerySyntaxError(
                "missing_operand",
                f"{operator.text} needs a clause after it.",
                operator.pos,
                operator=operator.text,
            )

    def unary(self, field: str | None) -> _Raw:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("unexpected_end", "The query ends too early.", len(self.query))
        if token.kind in ("NOT", "-"):
            self.take()
            self.need_operand(token)
            return _Group("NOT", (self.unary(field),), token.pos)
        if token.kind in ("AND", "OR"):
            raise QuerySyntaxError(
                "missing_operand",
                f"{token.text} needs a clause before it.",
                token.pos,
                operator=token.text,
            )
        return self.primary(field)

    def primary(self, field: str | None) -> _Raw:
        token = self.take()
        if token.kind == "(":
            if (inner := self.peek()) is not None and inner.kind == ")":
                raise QuerySyntaxError("empty_parentheses", "The parentheses are empty.", token.pos)
            node = self.or_expr(field)
            close = self.peek()
            if close is None or close.kind != ")":
                raise QuerySyntaxError(
                    "unbalanced_parenthesis",
                    "This opening parenthesis is never closed.",
                    token.pos,
                )
            self.take()
            return node
        if token.kind == ")":
            raise QuerySyntaxError(
                "unbalanced_parenthesis", "This closing parenthesis has no opening one.", token.pos
            )
        if token.kind == "FIELD":
            return self.fielded(token, field)
        if token.kind == "PHRASE":
            terms = tuple(analyze_query(token.text))
            return _Word(Phrase(field_of(field), token.text, terms), token.pos, field is None)
        return _Word(
            Term(field_of(field), token.text, _word_terms(token.text)), token.pos, field is None
        )

    def fielded(self, token: _Tok, outer: str | None) -> _Raw:
        name = token.text
        if name not in TEXT_FIELDS and name not in _FILTER_FIELDS:
            raise QuerySyntaxError(
                "unknown_field",
                f"Unknown field {name!r}; the fields are {', '.join(_ALL_FIELDS)}.",
                token.pos,
                field=name,
                fields=", ".join(_ALL_FIELDS),
            )
        if outer is not None:
            raise QuerySyntaxError(
                "nested_field",
                f"The field {name}: cannot be used inside another field's parentheses.",
                token.pos,
                field=name,
            )
        value = self.peek()
        if value is None or value.kind not in ("WORD", "PHRASE", "("):
            raise QuerySyntaxError(
                "missing_value",
                f"{name}: needs a value right after the colon.",
                token.pos,
                field=name,
            )
        if name in TEXT_FIELDS:
            return self.primary(name)
        if value.kind == "(":
            self.take()
            node = self.filter_group(name, token)
            return node
        self.take()
        return _Filter(name, _filter_values(name, value.text, value.pos), token.pos)

    def filter_group(self, name: str, field_token: _Tok) -> _Raw:
        """``ipc:(A01B OR A01C)``: alternatives of one filter."""
        values: list[Any] = []
        while True:
            token = self.peek()
            if token is None:
                raise QuerySyntaxError(
                    "unbalanced_parenthesis",
                    "This opening parenthesis is never closed.",
                    field_token.pos,
                )
            self.take()
            if token.kind == ")":
                break
            if token.kind == "OR":
                continue
            if token.kind not in ("WORD", "PHRASE"):
                raise QuerySyntaxError(
                    "filter_operator",
                    f"Inside {name}:( ) only alternatives joined by OR are allowed.",
                    token.pos,
                    field=name,
                )
            values.extend(_filter_values(name, token.text, token.pos))
        if not values:
            raise QuerySyntaxError(
                "missing_value", f"{name}: needs a value.", field_token.pos, field=name
            )
        return _Filter(name, tuple(values), field_token.pos)


def _word_terms(text: str) -> tuple[str, ...]:
    """A word's analysed terms. A stop word keeps itself as a term that no index holds, so a
    query of stop words finds nothing rather than everything."""
    terms = tuple(analyze_query(text))
    if not terms:
        letters = "".join(char for char in text.lower() if char.isalnum())
        terms = (letters,) if letters else ()
    return terms


def field_of(name: str | None) -> str | None:
    return TEXT_FIELDS[name] if name is not None else None


# --- filter values ----------------------------------------------------------------------------

_IPC_PREFIX = re.compile(r"^([A-HY])(\d{2})?([A-Z])?(?:\s*(\d{1,4})(?:/(\d*))?)?$")


def normalise_symbol_prefix(text: str) -> str | None:
    """An IPC/CPC prefix in the corpus' compact form ("A01B1/02" -> "A01B 1/02"), or None.

    Leading zeros of the group are dropped ("A01B0001/02" -> "A01B 1/02"); a prefix can stop
    anywhere: "A", "A01", "A01B", "A01B 1", "A01B 1/", "A01B 1/0".
    """
    compact = re.sub(r"\s+", " ", text.strip().upper())
    match = _IPC_PREFIX.match(compact)
    if match is None:
        return None
    section, klass, subclass, group, subgroup = match.groups()
    if subclass and not klass:
        return None
    if group and not subclass:
        return None
    out = section + (klass or "") + (subclass or "")
    if group is not None:
        out += " " + (group.lstrip("0") or "0")
        if subgroup is not None:
            out += "/" + subgroup
    return out


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date_bounds(text: str, pos: int) -> tuple[dt.date, dt.date]:
    """The first day of a year/month/day and the day after its last."""
    match = _DATE.match(text)
    if match is None:
        raise QuerySyntaxError(
            "bad_date",
            f"{text!r} is not a date; write 2015, 2015-03 or 2015-03-01.",
            pos,
            value=text,
        )
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last) + dt.timedelta(days=1)
        start = dt.date(year, month, day)
    except ValueError:
        raise QuerySyntaxError(
            "bad_date", f"{text!r} is not a valid date.", pos, value=text
        ) from None
    return start, start + dt.timedelta(days=1)


def _date_range(name: str, text: str, pos: int) -> DateRange:
    field_name = _DATE_FIELDS[name]
    for operator in (">=", "<=", ">", "<"):
        if text.startswith(operator):
            low, high = _date_bounds(text[len(operator) :], pos + len(operator))
            if operator == ">=":
                return DateRange(field_name, start=low)  # type: ignore[arg-type]
            if operator == ">":
                return DateRange(field_name, start=high)  # type: ignore[arg-type]
            if operator == "<=":
                return DateRange(field_name, end=high)  # type: ignore[arg-type]
            return DateRange(field_name, end=low)  # type: ignore[arg-type]
    if ".." in text:
        first, _, last = text.partition("..")
        start = _date_bounds(first, pos)[0] if first else None
        end = _date_bounds(last, pos + len(first) + 2)[1] if last else None
        if start is None and end is None:
            raise QuerySyntaxError(
                "bad_date", "A date range needs at least one end.", pos, value=text
            )
        if start is not None and end is not None and start >= end:
            raise QuerySyntaxError(
                "empty_date_range", f"The range {text!r} ends before it starts.", pos, value=text
            )
        return DateRange(field_name, start=start, end=end)  # type: ignore[arg-type]
    start, end = _date_bounds(text, pos)
    return DateRange(field_name, start=start, end=end)  # type: ignore[arg-type]


def _filter_values(name: str, text: str, pos: int) -> tuple[Any, ...]:
    if name in _DATE_FIELDS:
        return (_date_range(name, text, pos),)
    values = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        if name in ("ipc", "cpc"):
            prefix = normalise_symbol_prefix(part)
            if prefix is None:
                raise QuerySyntaxError(
                    "bad_symbol",
                    f"{part!r} is not an {name.upper()} symbol or the start of one.",
                    pos,
                    value=part,
                    scheme=name.upper(),
                )
            values.append(prefix)
        elif name == "office":
            if not re.fullmatch(r"[A-Za-z]{2}", part):
                raise QuerySyntaxError(
                    "bad_office",
                    f"{part!r} is not a two-letter office code such as CN or US.",
                    pos,
                    value=part,
                )
            values.append(part.upper())
        else:  # lang
            if not re.fullmatch(r"[A-Za-z]{2,3}", part):
                raise QuerySyntaxError(
                    "bad_language",
                    f"{part!r} is not a language code such as zh or en.",
                    pos,
                    value=part,
                )
            values.append(part.lower())
    if not values:
        raise QuerySyntaxError("missing_value", f"{name}: needs a value.", pos, field=name)
    return tuple(values)


# --- from the raw tree to a ParsedQuery --------------------------------------------------------


def _check_no_filter(node: _Raw, where: str) -> None:
    if isinstance(node, _Filter):
        raise QuerySyntaxError(
            "filter_placement",
            f"The filter {node.name}: can only be joined to the query with AND, not used {where}.",
            node.pos,
            field=node.name,
        )
    if isinstance(node, _Group):
        for child in node.children:
            _check_no_filter(child, where)


def _as_filter_alternatives(node: _Group) -> _Filter | None:
    """``ipc:A01B OR ipc:A01C`` -> one filter with both values; None if not of that shape."""
    if node.op != "OR" or not all(isinstance(child, _Filter) for child in node.children):
        return None
    names = {child.name for child in node.children if isinstance(child, _Filter)}
    if len(names) != 1:
        return None
    name = names.pop()
    if name in _DATE_FIELDS:
        return None
    values = tuple(
        value for child in node.children if isinstance(child, _Filter) for value in child.values
    )
    return _Filter(name, values, node.pos)


def _top_conjuncts(node: _Raw, *, bare: bool = True) -> list[tuple[_Raw, bool]]:
    """The clauses the query's top level joins with AND, each with whether a plain word there
    may only rank (juxtaposed words) or must match (words joined by an explicit AND)."""
    if isinstance(node, _Group) and node.op in ("AND", "JUXT"):
        found: list[tuple[_Raw, bool]] = []
        for child in node.children:
            found.extend(_top_conjuncts(child, bare=bare and node.op == "JUXT"))
        return found
    return [(node, bare)]


def _build(node: _Raw, *, negated: bool = False) -> Node | None:
    """The constraint tree of a raw node; words without terms (stop words) drop out."""
    if isinstance(node, _Word):
        word = node.node
        if not word.terms:
            return None
        if isinstance(word, Term) and len(word.terms) > 1:
            return Phrase(word.field, word.text, word.terms)  # offsets from the text
        return word
    assert isinstance(node, _Group)
    if node.op == "NOT":
        child = _build(node.children[0], negated=not negated)
        return Not(child) if child is not None else None
    children = tuple(
        child for child in (_build(c, negated=negated) for c in node.children) if child is not None
    )
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return Or(children) if node.op == "OR" else And(children)


def _positive_words(node: _Raw, negated: bool = False) -> Iterator[Term | Phrase]:
    if isinstance(node, _Word):
        if not negated:
            yield node.node
    elif isinstance(node, _Group):
        for child in node.children:
            yield from _positive_words(child, negated ^ (node.op == "NOT"))


def _filters(clauses: list[_Filter]) -> Filters:
    ipc: list[str] = []
    cpc: list[str] = []
    offices: list[str] = []
    languages: list[str] = []
    dates: list[DateRange] = []
    seen: dict[str, int] = {}
    for clause in clauses:
        if clause.name not in _DATE_FIELDS and clause.name in seen:
            raise QuerySyntaxError(
                "repeated_filter",
                f"{clause.name}: is given twice; list alternatives in one clause "
                f"({clause.name}:A,B) or join them with OR.",
                clause.pos,
                field=clause.name,
            )
        seen[clause.name] = clause.pos
        target = {"ipc": ipc, "cpc": cpc, "office": offices, "lang": languages}.get(clause.name)
        if target is None:
            dates.extend(clause.values)
        else:
            target.extend(value for value in clause.values if value not in target)
    return Filters(
        ipc_prefixes=tuple(ipc),
        cpc_prefixes=tuple(cpc),
        offices=tuple(offices),
        languages=tuple(languages),
        dates=tuple(dates),
    )


def parse_query(text: str) -> ParsedQuery:
    """Parse a query in the language described in this module's docstring.

    Raises :class:`QuerySyntaxError` for a malformed query.
    """
    parser = _Parser(text.translate(_FOLD))
    raw = parser.parse()
    if raw is None:
        return ParsedQuery()
    filters: list[_Filter] = []
    should: list[Term] = []
    must: list[Node] = []
    for conjunct, bare in _top_conjuncts(raw):
        if isinstance(conjunct, _Filter):
            filters.append(conjunct)
            continue
        if isinstance(conjunct, _Group) and (merged := _as_filter_alternatives(conjunct)):
            filters.append(merged)
            continue
        _check_no_filter(conjunct, "inside OR, NOT or parentheses")
        if (
            bare
            and isinstance(conjunct, _Word)
            and conjunct.bare
            and isinstance(conjunct.node, Term)
        ):
            if conjunct.node.terms:
                should.append(conjunct.node)
            continue
        built = _build(conjunct)
        if built is not None:
            must.append(built)
    words = [word for word in _positive_words(raw) if word.terms]
    terms = tuple(dict.fromkeys(term for word in words for term in word.terms))
    return ParsedQuery(
        must=None if not must else must[0] if len(must) == 1 else And(tuple(must)),
        should=tuple(should),
        filters=_filters(filters),
        terms=terms,
        dense_text=" ".join(word.text for word in words),
    )


# How many distinct terms of a passage rank a "like this text" search.
LIKE_TEXT_TERMS = 64


def like_text_query(text: str, *, max_terms: int = LIKE_TEXT_TERMS) -> ParsedQuery:
    """A "documents like this text" query: the passage's commonest terms, any of which may
    match, ranked by BM25; the passage itself (as given) for the dense retriever.

    No query syntax: brackets, quotes and colons in a claim are plain text.
    """
    counts: dict[str, int] = {}
    for term in analyze_query(text):
        if len(term) > 1 or not term.isascii():
            counts[term] = counts.get(term, 0) + 1
    ranked = sorted(counts, key=lambda term: -counts[term])[:max_terms]
    should = tuple(Term(None, term, (term,)) for term in ranked)
    return ParsedQuery(should=should, terms=tuple(ranked), dense_text=text)
