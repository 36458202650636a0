"""Technical-field lists of a center: checking entries, showing titles. No Django."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from ipcenter.patents.ipc import IpcError, load_scheme
from ipcenter.patents.locarno import LocarnoError, locarno_title, parse_locarno


def normalise_field_symbols(
    ipc: Iterable[str], locarno: Iterable[str]
) -> tuple[list[str], list[str], dict[str, str]]:
    """Validate entries against the IPC scheme and the Locarno classes.

    Returns the normalised, de-duplicated IPC and Locarno symbols (in the order given) and the
    errors keyed by the entry as typed, so a person sees which line is wrong and why.
    """
    scheme = load_scheme()
    errors: dict[str, str] = {}
    ipc_out: list[str] = []
    for raw in ipc:
        text = raw.strip()
        if not text:
            continue
        try:
            symbol = scheme.validate(text)
        except IpcError as exc:
            errors[text] = str(exc)
            continue
        display = symbol.display(with_version=False)
        if display not in ipc_out:
            ipc_out.append(display)
    loc_out: list[str] = []
    for raw in locarno:
        text = raw.strip()
        if not text:
            continue
        try:
            code = str(parse_locarno(text))
        except LocarnoError as exc:
            errors[text] = str(exc)
            continue
        if code not in loc_out:
            loc_out.append(code)
    return ipc_out, loc_out, errors


def field_titles(symbols: Iterable[str], scheme: str, language: str) -> list[tuple[str, str]]:
    """(symbol, title) pairs in the person's language where a title in it is shipped."""
    lang: Literal["en", "zh"] = "zh" if language.startswith("zh") else "en"
    if scheme == "locarno":
        return [(s, locarno_title(s, lang)) for s in symbols]
    ipc = load_scheme()
    return [(s, _readable(ipc.title(s, lang) or "")) for s in symbols]


def _readable(title: str) -> str:
    # The scheme writes subclass titles in capitals; shown in a list they read better in
    # sentence case.
    return title[:1] + title[1:].lower() if title.isupper() else title
