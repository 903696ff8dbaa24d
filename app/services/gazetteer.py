"""The region gazetteer, loaded once from app/data: two trees over one set of codes.

The geographic tree is the NBS statistical division (省 → 地 → 县 → 乡), codes padded to twelve
digits. The XPCC tree (兵团 → 师 → 团场) reuses those codes where a 师 is a city (第四师 = 可克达拉市)
and a 团场 is a township; a 师 without a city gets the key `XPCC<number>`, the corps `XPCC`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

GEO_LEVELS = ("province", "prefecture", "county", "township")
XPCC_LEVELS = ("corps", "division", "regiment")
TREES = ("geo", "xpcc")

# the report columns that hold each level of a report's region path
PATH_COLUMNS = {
    "province": "region_province",
    "prefecture": "region_prefecture",
    "county": "region_county",
    "township": "region_township",
    "corps": "xpcc_corps",
    "division": "xpcc_division",
    "regiment": "xpcc_regiment",
}

_NUMERALS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百]+(?=团|师)")
_SPACE_AND_MARKS = re.compile(r"[\s()（）\[\]【】·•.,，、\"'“”‘’]+")


def chinese_number(text: str) -> int:
    """六十七 → 67, 二二三 → 223 (digit by digit), 一零四 → 104, 十二 → 12, 一百零五 → 105."""
    if "十" not in text and "百" not in text:
        return int("".join(str(_NUMERALS[c]) for c in text))
    total = digit = 0
    for char in text:
        if char == "百":
            total += (digit or 1) * 100
            digit = 0
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _NUMERALS[char]
    return total + digit


_DIGITS = "零一二三四五六七八九"


def regiment_name(number: int) -> str:
    """67 → 六十七团, 152 → 一五二团, 104 → 一零四团: the way 团场 are written."""
    if number >= 100:
        return "".join(_DIGITS[int(d)] for d in str(number)) + "团"
    tens, ones = divmod(number, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones or not tens else "") + "团"


# the key of a 团场 the statistics list under no name: its 师's number and its own
_REGIMENT_KEY = re.compile(r"^XPCC(\d{2})R(\d{3})$")


@dataclass
class Region:
    code: str
    name: str
    level: str  # province | prefecture | county | township, or corps | division | regiment for XPCC-only keys
    kind: str  # admin | functional
    parent: str | None = None  # in the geographic tree
    xpcc_parent: str | None = None
    xpcc_level: str | None = None  # corps | division | regiment when the region is in the XPCC tree
    xpcc_name: str | None = None  # 第四师可克达拉市
    source: str = "nbs"  # nbs | xpcc | local
    aliases: list[str] = field(default_factory=list)

    def in_tree(self, tree: str) -> bool:
        return self.xpcc_level is not None if tree == "xpcc" else self.level in GEO_LEVELS

    def level_in(self, tree: str) -> str:
        return (self.xpcc_level or "") if tree == "xpcc" else self.level

    def name_in(self, tree: str) -> str:
        return (self.xpcc_name or self.name) if tree == "xpcc" else self.name

    def parent_in(self, tree: str) -> str | None:
        return self.xpcc_parent if tree == "xpcc" else self.parent


def full_code(code: str) -> str:
    """A 2/4/6/9/12-digit statistical code as the twelve-digit key; other keys unchanged."""
    return code.ljust(12, "0") if code.isdigit() else code


class Gazetteer:
    """Every region by code, the children of each in both trees, and the data the resolver reads."""

    def __init__(self, regions: list[Region], aliases: dict, xpcc: dict | None = None) -> None:
        self.by_code = {r.code: r for r in regions}
        self.aliases = aliases
        self.xpcc = xpcc or {"divisions": {}, "regiments": []}
        self._lock = threading.Lock()
        self.children: dict[str, dict[str | None, list[Region]]] = {tree: {} for tree in TREES}
        for region in regions:
            for tree in TREES:
                if region.in_tree(tree):
                    self.children[tree].setdefault(region.parent_in(tree), []).append(region)
        self._rewrite = sorted(aliases["rewrite"].items(), key=lambda kv: -len(kv[0]))
        self._traditional = str.maketrans(aliases["traditional"])

    def get(self, code: str) -> Region | None:
        code = full_code(code)
        found = self.by_code.get(code)
        if found is None and (key := _REGIMENT_KEY.match(code)):
            return self.regiment(int(key.group(1)), int(key.group(2)))
        return found

    def division_of(self, number: int) -> int | None:
        """The 师 a 团's number belongs to (app/data/xpcc.json)."""
        return next((r["division"] for r in self.xpcc["regiments"] if r["from"] <= number <= r["to"]), None)

    def division_number(self, code: str) -> int | None:
        return next((n for n, c in self.xpcc["divisions"].items() if c == code), None)

    def regiment(self, division: int, number: int) -> Region | None:
        """A 团场 the statistics do not list, known by its number: a regiment of its 师 in the
        XPCC tree (key `XPCC04R067`), counted in the geographic tree under the 师's city. Made
        when a name or a key first asks for it, the same every time."""
        if self.division_of(number) != division or division not in self.xpcc["divisions"]:
            return None
        code = f"XPCC{division:02d}R{number:03d}"
        with self._lock:
            if code not in self.by_code:
                parent = self.xpcc["divisions"][division]
                city = self.by_code.get(parent)
                region = Region(
                    code,
                    regiment_name(number),
                    "regiment",
                    "admin",
                    parent=parent if city is not None and city.level in GEO_LEVELS else None,
                    xpcc_parent=parent,
                    xpcc_level="regiment",
                    source="xpcc",
                )
                self.by_code[code] = region
                self.children["xpcc"].setdefault(parent, []).append(region)
            return self.by_code[code]

    def path(self, code: str, tree: str) -> list[Region]:
        """Root first, the region itself last; empty when the region is not in that tree."""
        region = self.get(code)
        if region is not None and tree == "geo" and region.level == "regiment" and region.parent:
            region = self.by_code.get(region.parent)  # a 团场 known by number: counted in its city
        if region is None or not region.in_tree(tree):
            return []
        found: list[Region] = []
        while region is not None and region not in found:
            found.append(region)
            parent = region.parent_in(tree)
            region = self.by_code.get(parent) if parent else None
        return found[::-1]

    def path_columns(self, code: str | None) -> dict[str, str | None]:
        """The report columns for a region: its ancestor at every level of both trees."""
        columns: dict[str, str | None] = dict.fromkeys(PATH_COLUMNS.values())
        if code is None:
            return columns
        for tree in TREES:
            for region in self.path(code, tree):
                columns[PATH_COLUMNS[region.level_in(tree)]] = region.code
        return columns

    def normalise(self, text: str) -> str:
        """NFKC, 繁→简 for the characters region names use, no spaces or brackets, 六十七团 → 67团."""
        text = unicodedata.normalize("NFKC", text).translate(self._traditional)
        text = _SPACE_AND_MARKS.sub("", text)
        text = _NUMERAL_RUN.sub(lambda m: str(chinese_number(m.group(0))), text)
        for old, new in self._rewrite:
            text = text.replace(old, new)
        return text


def _xpcc(regions: dict[str, Region], data: dict) -> dict[int, str]:
    corps = data["corps"]
    regions[corps["code"]] = Region(
        corps["code"],
        corps["name"],
        "corps",
        "admin",
        xpcc_level="corps",
        source="xpcc",
        aliases=list(corps["aliases"]),
    )
    division_codes: dict[int, str] = {}
    for division in data["divisions"]:
        if division["city"]:
            city = regions[full_code(division["city"])]
            city.xpcc_parent, city.xpcc_level = corps["code"], "division"
            city.xpcc_name = division["name"] + city.name
            city.aliases += [division["name"], *division["aliases"]]
            code = city.code
            for township in [r for r in regions.values() if r.parent == code]:
                township.xpcc_parent, township.xpcc_level = code, "regiment"
        else:
            code = f"{corps['code']}{division['number']:02d}"
            regions[code] = Region(
                code,
                division["name"],
                "division",
                "admin",
                xpcc_parent=corps["code"],
                xpcc_level="division",
                source="xpcc",
                aliases=list(division["aliases"]),
            )
        division_codes[division["number"]] = code
    # a 团场 inside an ordinary county belongs to the 师 its number names (兵团一三七团乡,
    # 兵团二二二团农场), a farm to the 师 its name names (兵团农六师土墩子农场); a 分部 (a
    # 团's land in another county) is not the 团 itself
    numbered = re.compile(
        r"(?:新疆)?(?:兵团)?(?:(?:农|第)?[零〇一二三四五六七八九十]+师)?([零〇一二三四五六七八九十百]+)团"
        r"(?:乡|农场|中心团场)?"
    )
    farm = re.compile(r"(?:新疆)?兵团(?:农|第)?([一二三四五六七八九十]+)师.+(?:农场|牧场|养禽场)")
    for region in list(regions.values()):
        if region.level != "township" or region.xpcc_level:
            continue
        division = None
        if match := numbered.fullmatch(region.name):
            number = chinese_number(match.group(1))
            division = next(
                (r["division"] for r in data["regiments"] if r["from"] <= number <= r["to"]), None
            )
        elif match := farm.fullmatch(region.name):
            division = chinese_number(match.group(1))
        if division in division_codes:
            region.xpcc_parent, region.xpcc_level = division_codes[division], "regiment"
    return division_codes


def _read(name: str) -> bytes:
    return resources.files("app").joinpath("data", name).read_bytes()


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, read once per process (about 45 000 regions)."""
    regions: dict[str, Region] = {}
    text = gzip.decompress(_read("gazetteer.csv.gz")).decode("utf-8")
    for row in csv.DictReader(io.StringIO(text)):
        code = row["code"]
        regions[code] = Region(
            code, row["name"], GEO_LEVELS[int(row["level"]) - 1], row["kind"], row["parent"] or None
        )
    aliases = json.loads(_read("region_aliases.json"))
    for unit in aliases["units"]:
        code = full_code(unit["code"])
        regions[code] = Region(
            code,
            unit["name"],
            GEO_LEVELS[unit["level"] - 1],
            unit["kind"],
            full_code(unit["parent"]),
            source="local",
            aliases=list(unit.get("aliases", [])),
        )
    xpcc = json.loads(_read("xpcc.json"))
    divisions = _xpcc(regions, xpcc)
    for alias, target in aliases["aliases"].items():
        regions[full_code(target)].aliases.append(alias)
    return Gazetteer(
        sorted(regions.values(), key=lambda r: r.code),
        aliases,
        {"divisions": divisions, "regiments": xpcc["regiments"]},
    )
