"""Locarno classification (International Classification for Industrial Designs).

Design patents (外观设计专利) are classified with the Locarno classification: 32 classes
("01" to "32"), each divided into subclasses written "NN-NN" ("14-02"). This module knows the
32 class titles in English (WIPO, 13th edition wording) and Chinese (CNIPA wording), and checks
the *form* of subclass codes. It deliberately carries no subclass list: a subclass code is
accepted when its class is valid and its number has two digits (00-99; "99" is each class's
"Miscellaneous", "00" is used for classes without subclasses such as 32).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "LOCARNO_CLASSES",
    "LocarnoClass",
    "LocarnoCode",
    "LocarnoError",
    "LocarnoSyntaxError",
    "is_locarno_class",
    "locarno_in_field_list",
    "locarno_title",
    "parse_locarno",
]

Lang = Literal["en", "zh"]


class LocarnoError(ValueError):
    """Base class of the Locarno errors."""


class LocarnoSyntaxError(LocarnoError):
    """The text is not a well-formed Locarno class or subclass code."""


@dataclass(frozen=True, slots=True)
class LocarnoClass:
    number: str
    title_en: str
    title_zh: str


_CLASS_TABLE: tuple[tuple[str, str, str], ...] = (
    ("01", "Foodstuffs", "食品"),
    ("02", "Articles of clothing and haberdashery", "服装、服饰用品和缝纫用品"),
    (
        "03",
        "Travel goods, cases, parasols and personal belongings, not elsewhere specified",
        "其他类未列入的旅行用品、箱包、阳伞和个人用品",
    ),
    ("04", "Brushware", "刷子"),
    (
        "05",
        "Textile piece goods, artificial and natural sheet material",
        "纺织品、人造或天然材料片材",
    ),
    ("06", "Furnishing", "家具和家居用品"),
    ("07", "Household goods, not elsewhere specified", "其他类未列入的家用物品"),
    ("08", "Tools and hardware", "工具和五金器具"),
    (
        "09",
        "Packages and containers for the transport or handling of goods",
        "用于商品运输或装卸的包装和容器",
    ),
    (
        "10",
        "Clocks and watches and other measuring instruments, checking and signalling instruments",
        "钟、表及其他测量仪器，检测仪器，信号仪器",
    ),
    ("11", "Articles of adornment", "装饰品"),
    ("12", "Means of transport or hoisting", "运输或提升工具"),
    (
        "13",
        "Equipment for production, distribution or transformation of electricity",
        "发电、配电或变电设备",
    ),
    (
        "14",
        "Recording, telecommunication or data processing equipment",
        "记录、电信或数据处理设备",
    ),
    ("15", "Machines, not elsewhere specified", "其他类未列入的机械"),
    (
        "16",
        "Photographic, cinematographic and optical apparatus",
        "照相设备、电影摄影设备和光学设备",
    ),
    ("17", "Musical instruments", "乐器"),
    ("18", "Printing and office machinery", "印刷和办公机械"),
    (
        "19",
        "Stationery and office equipment, artists' and teaching materials",
        "文具、办公用品、美术用品和教学用品",
    ),
    ("20", "Sales and advertising equipment, signs", "销售设备、广告设备和标志物"),
    ("21", "Games, toys, tents and sports goods", "游戏器具、玩具、帐篷和体育用品"),
    (
        "22",
        "Arms, pyrotechnic articles, articles for hunting, fishing and pest killing",
        "武器，烟火用品，用于狩猎、捕鱼及捕杀有害动物的用具",
    ),
    (
        "23",
        "Fluid distribution equipment, sanitary, heating, ventilation and air-conditioning "
        "equipment, solid fuel",
        "流体分配设备、卫生设备、加热设备、通风和空气调节设备、固体燃料",
    ),
    ("24", "Medical and laboratory equipment", "医疗设备和实验室设备"),
    ("25", "Building units and construction elements", "建筑构件和施工元件"),
    ("26", "Lighting apparatus", "照明设备"),
    ("27", "Tobacco and smokers' supplies", "烟草和吸烟用具"),
    (
        "28",
        "Pharmaceutical and cosmetic products, toilet articles and apparatus",
        "药品，化妆品，梳妆用品和设备",
    ),
    (
        "29",
        "Devices and equipment against fire hazards, for accident prevention and for rescue",
        "防火灾、防事故、救援用的装置及设备",
    ),
    ("30", "Articles for the care and handling of animals", "动物照管与驯养用品"),
    (
        "31",
        "Machines and appliances for preparing food or drink, not elsewhere specified",
        "其他类未列入的食品或饮料制备机械和设备",
    ),
    (
        "32",
        "Graphic symbols and logos, surface patterns, ornamentation",
        "图形符号、标识、表面图案、纹饰",
    ),
)

LOCARNO_CLASSES: dict[str, LocarnoClass] = {
    number: LocarnoClass(number, en, zh) for number, en, zh in _CLASS_TABLE
}


def is_locarno_class(number: str) -> bool:
    """Whether ``number`` is a Locarno class in two-digit form ("01" to "32")."""
    return number in LOCARNO_CLASSES


@dataclass(frozen=True, slots=True)
class LocarnoCode:
    """A Locarno class ("14") or subclass ("14-02").

    ``edition`` is the Locarno edition when the source gave one ("LOC (12) Cl. 14-02"); it is
    ignored by ``==`` and ``hash``.
    """

    class_: str
    subclass: str | None = None
    edition: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.class_ not in LOCARNO_CLASSES:
            raise LocarnoSyntaxError(
                f"Locarno class {self.class_!r} is not one of 01-32 (two digits)"
            )
        if self.subclass is not None and not re.fullmatch(r"\d\d", self.subclass):
            raise LocarnoSyntaxError(f"Locarno subclass {self.subclass!r} is not two digits")
        if self.edition is not None and not 1 <= self.edition <= 99:
            raise LocarnoSyntaxError(f"Locarno edition {self.edition!r} is out of range")

    @property
    def is_class_only(self) -> bool:
        return self.subclass is None

    @property
    def class_code(self) -> LocarnoCode:
        return LocarnoCode(self.class_)

    @property
    def class_info(self) -> LocarnoClass:
        return LOCARNO_CLASSES[self.class_]

    def title(self, lang: Lang = "en") -> str:
        """The title of the code's class (subclass titles are not shipped)."""
        return locarno_title(self.class_, lang)

    def display(self, *, with_edition: bool = True) -> str:
        """ "LOC (13) Cl. 14-02" when the edition is known, else "14-02"."""
        if with_edition and self.edition is not None:
            return f"LOC ({self.edition}) Cl. {self}"
        return str(self)

    def __str__(self) -> str:
        return self.class_ if self.subclass is None else f"{self.class_}-{self.subclass}"


# "LOC (13) Cl. 14-02", "LOC(12)CL.14-02", "Cl. 14-02", "14-02", "14 - 02", "14.02", "1402",
# "14", "4" (class written without its leading zero).
_PREFIX_RE = re.compile(r"^(?:LOC\s*(?:\(\s*(?P<edition>\d{1,2})\s*\))?\s*)?(?:CL\s*\.?\s*)?")
_CODE_RE = re.compile(r"(?P<cls>\d{1,2})(?:\s*[-.]\s*(?P<sub>\d+))?")
_PACKED_RE = re.compile(r"(?P<cls>\d\d)(?P<sub>\d\d)")


def parse_locarno(text: str) -> LocarnoCode:
    """Parse a Locarno class or subclass code.

    Accepts "14-02", "14 - 02", "14.02", the packed four-digit form used in USPTO SGML
    ("1402"), an optional "LOC (13) Cl." prefix as printed on design publications, a class
    alone ("14", or "4" for "04") and full-width digits. Raises :class:`LocarnoSyntaxError`
    for anything else, for a class outside 01-32 and for a subclass that is not two digits.
    """
    if not isinstance(text, str):
        raise LocarnoSyntaxError(f"a Locarno code must be text, not {type(text).__name__}")
    original = text
    body = unicodedata.normalize("NFKC", text).strip().upper()
    if not body:
        raise LocarnoSyntaxError("an empty string is not a Locarno code")
    prefix = _PREFIX_RE.match(body)
    edition = int(prefix["edition"]) if prefix and prefix["edition"] else None
    body = body[prefix.end() :].strip() if prefix else body
    match = _PACKED_RE.fullmatch(body) or _CODE_RE.fullmatch(body)
    if match is None:
        raise LocarnoSyntaxError(
            f"{original!r} is not a Locarno code; expected a class '14' or subclass '14-02'"
        )
    number = match["cls"].zfill(2)
    if number not in LOCARNO_CLASSES:
        raise LocarnoSyntaxError(f"{original!r}: Locarno classes are 01 to 32, not {number}")
    sub = match["sub"]
    if sub is not None and len(sub) != 2:
        raise LocarnoSyntaxError(
            f"{original!r}: a Locarno subclass has two digits (e.g. {number}-02)"
        )
    return LocarnoCode(number, sub, edition)


def locarno_title(number: str | LocarnoCode, lang: Lang = "en") -> str:
    """The title of a Locarno class ("14", "14-02" or a :class:`LocarnoCode`)."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    code = number if isinstance(number, LocarnoCode) else parse_locarno(number)
    info = LOCARNO_CLASSES[code.class_]
    return info.title_zh if lang == "zh" else info.title_en


def locarno_in_field_list(code: str | LocarnoCode, entries: Iterable[str | LocarnoCode]) -> bool:
    """Whether a design's Locarno code falls within a field list of classes or subclasses.

    A class entry ("14") covers all its subclasses; a subclass entry ("14-02") covers only
    that subclass. A bare class code is covered only by a class entry.
    """
    target = code if isinstance(code, LocarnoCode) else parse_locarno(code)
    # Parse every entry first so that a malformed list fails loudly, whatever the code.
    items = [entry if isinstance(entry, LocarnoCode) else parse_locarno(entry) for entry in entries]
    for item in items:
        if item.class_ != target.class_:
            continue
        if item.subclass is None or item.subclass == target.subclass:
            return True
    return False
