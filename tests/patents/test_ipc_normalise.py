"""normalise_ipc / normalise_cpc, the SGML field reader and the scheme's ancestors.

Symbols are copied from the shared data set: the USPTO SGML grants (<B511>/<B512>), the CPC
groups of energy_abstracts_cpc.jsonl, the Lens and Patentscope exports.
"""

from __future__ import annotations

import pytest

from ipcenter.patents.ipc import (
    IpcError,
    IpcSyntaxError,
    load_scheme,
    normalise_cpc,
    normalise_ipc,
    parse_ipc,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("F16H 47/08", "F16H 47/08"),
        ("A01B0001020000", "A01B 1/02"),
        ("H04L 29/06 (20060101)", "H04L 29/06"),
        ("C07D41700", "C07D 417/00"),  # ritonavir_804.csv
        ("A21D 13/00", "A21D 13/00"),  # patentscope_pizza_10000.csv
        ("B60T1/10", "B60T 1/10"),  # energy_abstracts_cpc.jsonl, CPC-like compact form
        ("A01K47/00", "A01K 47/00"),  # lens_drones_5884.csv
        ("G07F 9/10 20060101AFI20130528VHKR", "G07F 9/10"),  # Patentscope IPCR record
        ("A01B", "A01B"),  # cn_patents_a01.jsonl ipc_subclass
        ("G06F 1516", "G06F 15/16"),  # sgml__US06336130.xml <B511>
    ],
)
def test_normalise_ipc(text: str, expected: str) -> None:
    assert normalise_ipc(text) == expected
    assert normalise_ipc(expected) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A21D 13/0", "a subgroup has at least two digits"),
        ("128 ()", "is not an IPC symbol"),
        ("Y02T 10/72", "IPC sections are A-H"),  # a CPC tagging code is not IPC
        ("", "empty"),
    ],
)
def test_normalise_ipc_says_why_not(text: str, message: str) -> None:
    with pytest.raises(IpcError, match=message):
        normalise_ipc(text)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("G06F 1516", "G06F 15/16"),  # sgml__US06336130.xml <B511>
        ("G06F 1300", "G06F 13/00"),  # sgml__US06336130.xml <B512>
        ("B32B  302", "B32B 3/02"),  # sgml__US06337117.xml <B511>
        ("G06F 15", "G06F 15/00"),  # a bare main group
        ("G06F 15  \n", "G06F 15/00"),
        ("G06F  9", "G06F 9/00"),
        ("G01N 2320008", "G01N 23/20008"),  # five subgroup digits (G01N 23/20008 exists)
        ("C07D213643", "C07D 213/643"),  # a three-digit main group fills its columns
        ("G06F 15/16", "G06F 15/16"),  # slashed text is read as usual
    ],
)
def test_sgml_fields(field: str, expected: str) -> None:
    assert str(parse_ipc(field, sgml=True)) == expected


def test_sgml_field_errors_and_default_strictness() -> None:
    with pytest.raises(IpcSyntaxError, match="not an SGML IPC field"):
        parse_ipc("1402", sgml=True)  # sgml__USD435854S1.xml: a Locarno class in <B511>
    # Outside the SGML field a bare main group is refused: typed text must name the subgroup.
    with pytest.raises(IpcSyntaxError, match=r"e\.g\. 'G06F 15/00'"):
        parse_ipc("G06F 15")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B60T1/10", "B60T 1/10"),  # energy_abstracts_cpc.jsonl
        ("F24F3/147", "F24F 3/147"),
        ("A63F2009/241", "A63F 2009/241"),  # lens_drones_5884.csv, an indexing code
        ("Y02T50/62", "Y02T 50/62"),  # lens_drones_5884.csv, section Y
        ("G05D1/0016", "G05D 1/0016"),
        ("H05K9/0066 20130101", "H05K 9/0066"),  # BRS CPOI
        ("H05K 9/0066 (20130101)", "H05K 9/0066"),
        ("A01B0001020000", "A01B 1/02"),
        ("B64C", "B64C"),
    ],
)
def test_normalise_cpc(text: str, expected: str) -> None:
    assert normalise_cpc(text) == expected


@pytest.mark.parametrize("text", ["", "Z01B 1/00", "B60T 0/10", "B60T 1/1", "B60", "hello"])
def test_normalise_cpc_refuses(text: str) -> None:
    with pytest.raises(IpcSyntaxError):
        normalise_cpc(text)


def test_ancestors() -> None:
    scheme = load_scheme()
    assert scheme.ancestors("A01B 1/04") == ["A", "A01", "A01B", "A01B 1/00"]
    assert scheme.ancestors("A01B 1/00") == ["A", "A01", "A01B"]
    assert scheme.ancestors("A01B") == ["A", "A01"]
    assert scheme.ancestors("A01") == ["A"]
    assert scheme.ancestors("A") == []
    assert scheme.ancestors("H04L 29/06 (20060101)") == ["H", "H04", "H04L", "H04L 29/00"]
    # A group deleted before 2020 (us_patents_ipc.jsonl, pap__US20010000044A1.xml) still has
    # the ancestors the scheme holds; parent() refuses it.
    assert scheme.ancestors("G06F 17/60") == ["G", "G06", "G06F", "G06F 17/00"]
    for symbol in ("A01B 1/04", "F16H 47/08", "C12Q 1/6895"):
        chain = scheme.ancestors(symbol)
        assert chain[-1] == scheme.parent(symbol)
        assert all(scheme.exists(entry) for entry in chain)
    with pytest.raises(IpcSyntaxError):
        scheme.ancestors("not a symbol")


def test_title_language_keyword() -> None:
    scheme = load_scheme()
    assert scheme.title("A01B 1/02", language="zh") == "锹；铲"
    assert scheme.title("A01B 1/02", language="en") == "Spades; Shovels"
    assert scheme.title("F16H", language="zh") == "GEARING"  # no Chinese title: English
    with pytest.raises(ValueError, match="lang"):
        scheme.title("A61K", language="fr")  # type: ignore[arg-type]
