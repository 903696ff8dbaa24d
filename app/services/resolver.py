"""The resolver: from a body's name to the best region of the gazetteer, with how sure it is.

The body's name is read from the left: the longest name or alias anywhere in the gazetteer starts
the path, then each step takes the longest child name (or an alias) that the rest of the text
begins with. Fuzzy matching is used only among the children of a region already found. A name
that fits more than one place equally, or fits only loosely, gets no region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz

from app.rules.naming import normalise_organ
from app.services.gazetteer import TREES, Gazetteer, Region, gazetteer

THRESHOLD = 0.6  # below this a report is stored without a region
FUZZY_MIN = 88  # rapidfuzz ratio a child name must reach to be taken
_AMBIGUOUS = 0.5
ALIAS = 0.97
_SHORT = 0.95
_UNRESOLVED_UNIT = 0.9  # the region of a unit the gazetteer does not list (a 团 known by number only)

_REGIMENT = re.compile(r"(\d+)团")  # after normalising: 六十七团 → 67团
_CORPS_PREFIX = re.compile(r"^(?:新疆)?(?:生产建设)?兵团(?:(?:农|第)?\d+师)?")
_SHORT_SUFFIX = re.compile(r"(特别行政区|自治区|省|市|地区|盟|县|区|旗|街道办事处|街道|镇|乡)$")


def _indexed(region: Region) -> bool:
    """A 团 the statistics do not list (level `regiment`) joins the gazetteer when something first
    asks for it; it is found by its number (`_numbered_regiment`, `_bare_regiment`), never by the
    name indexes, so that a name is placed alike before and after it is made."""
    return region.level != "regiment"


@dataclass
class Match:
    code: str | None
    confidence: float
    rest: str = ""  # the part of the name below the region found (a department, an unlisted unit)
    candidates: list[str] = field(default_factory=list)


class Resolver:
    """Name indexes over the gazetteer, built once."""

    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        data = gaz.aliases
        ethnic = "|".join(sorted(data["ethnic"], key=len, reverse=True))
        self._ethnic_suffixes: dict[str, str] = data["ethnic_suffixes"]  # 自治县 → 县
        self._ethnic = re.compile(rf"^(.+?)(?:(?:{ethnic})族?)+({'|'.join(self._ethnic_suffixes)})$")
        self._strip = sorted({gaz.normalise(s) for s in data["strip"]}, key=len, reverse=True)
        self._units = tuple(gaz.normalise(s) for s in data["unit_suffixes"])
        self.root: dict[str, dict[str, float]] = {}
        self._children_names: dict[str, list[tuple[str, str, float]]] = {}
        for region in filter(_indexed, gaz.by_code.values()):
            for name, confidence in self.names(region, at_root=True):
                known = self.root.setdefault(name, {})
                known[region.code] = max(known.get(region.code, 0.0), confidence)

    def names(self, region: Region, at_root: bool = False) -> list[tuple[str, float]]:
        """Every way the region may be written, normalised, with how sure each one is."""
        norm = self.gaz.normalise
        found = [(norm(region.name), 1.0)]
        if region.xpcc_name:
            found.append((norm(region.xpcc_name), 1.0))
        found += [(norm(alias), ALIAS) for alias in region.aliases]
        ethnic = self._ethnic.match(region.name)
        if ethnic:
            base = ethnic.group(1)
            found += [(norm(base + self._ethnic_suffixes[ethnic.group(2)]), _SHORT), (norm(base), _SHORT)]
        regiment = re.search(r"(\d+团)(?:乡|农场|中心团场)?$", norm(region.name))
        if regiment and region.xpcc_level == "regiment":
            found.append((regiment.group(1), _SHORT))
        if region.xpcc_level == "regiment":  # 兵团农六师土墩子农场 is 第六师's 土墩子农场
            bare = _CORPS_PREFIX.sub("", norm(region.name))
            if bare != norm(region.name) and len(bare) >= 2:
                found.append((bare, _SHORT))
        if at_root and region.level == "township":
            return [(n, c) for n, c in found if c >= ALIAS or region.xpcc_level]
        short = _SHORT_SUFFIX.sub("", norm(region.name))
        if len(short) >= 2:
            found.append((short, _SHORT))
        parent = self.gaz.by_code.get(region.parent or "")
        if not at_root and parent and region.name.startswith(parent.name) and region.name != parent.name:
            found.append((norm(region.name[len(parent.name) :]), _SHORT))
        return found

    def children(self, code: str) -> list[tuple[str, str, float]]:
        """(name, code, confidence) of the region's children in both trees, longest name first."""
        if code not in self._children_names:
            kids = {r.code: r for tree in TREES for r in self.gaz.children[tree].get(code, []) if _indexed(r)}
            names = [(name, kid.code, conf) for kid in kids.values() for name, conf in self.names(kid)]
            self._children_names[code] = sorted(names, key=lambda n: -len(n[0]))
        return self._children_names[code]

    def clean(self, organ: str) -> str:
        text = self.gaz.normalise(normalise_organ(organ))
        changed = True
        while changed:
            changed = False
            for word in self._strip:
                if text.endswith(word) and len(text) > len(word):
                    text, changed = text[: -len(word)], True
        return text

    def own(self, code: str, rest: str) -> str:
        """第十师北屯市: the city's own name after the 师's name names the same region again."""
        region = self.gaz.get(code)
        if region is None:
            return rest
        for name, _ in sorted(self.names(region), key=lambda n: -len(n[0])):
            if name and rest.startswith(name):
                return rest[len(name) :]
        return rest

    def _exact(self, code: str, rest: str) -> tuple[str, str, float] | None:
        for name, child, confidence in self.children(code):
            if name and rest.startswith(name):
                return child, rest[len(name) :], confidence
        return None

    def _fuzzy(self, code: str, rest: str) -> tuple[str, str, float] | None:
        best: tuple[float, str, str] | None = None
        for name, child, _ in self.children(code):
            if len(name) < 3:
                continue
            for size in {len(name) - 1, len(name), len(name) + 1}:
                score = fuzz.ratio(name, rest[:size])
                if score >= FUZZY_MIN and (best is None or score > best[0]):
                    best = (score, child, rest[size:])
        return None if best is None else (best[1], best[2], best[0] / 100)

    def _step(self, code: str, rest: str) -> tuple[str, str, float] | None:
        """One level down: a child's name, else the region's own name again, else a grandchild's
        (北京市朝阳区 skips 市辖区), else a child's name written a little differently."""
        step = self._exact(code, rest)
        if step is None and (own := self.own(code, rest)) != rest:
            step = code, own, 1.0
        if step is None:
            for child in self.gaz.children["geo"].get(code, []):
                if (step := self._exact(child.code, rest)) is not None:
                    break
        if step is None:
            step = self._numbered_regiment(code, rest)
        return step or self._fuzzy(code, rest)

    def _numbered_regiment(self, code: str, rest: str) -> tuple[str, str, float] | None:
        """第四师六十七团: a 团 of this 师 that the statistics list under no name; 兵团一三七团:
        the corps steps into the 师 the number belongs to, where the 团 is then found."""
        match = _REGIMENT.match(rest)
        if match is None:
            return None
        if code == "XPCC":
            division = self.gaz.division_of(int(match.group(1)))
            target = self.gaz.xpcc["divisions"].get(division) if division else None
            return (target, rest, 1.0) if target else None
        division = self.gaz.division_number(code)
        if division is None:
            return None
        regiment = self.gaz.regiment(division, int(match.group(1)))
        return (regiment.code, rest[match.end() :], _SHORT) if regiment else None

    def descend(self, code: str, rest: str, confidence: float) -> Match:
        while rest:
            step = self._step(code, rest)
            if step is None:
                break
            code, rest, sure = step
            confidence *= sure
        return Match(code, confidence, rest)

    def resolve(self, organ: str) -> Match:
        text = self.clean(organ)
        bare = self._bare_regiment(text)
        if bare is not None:
            return bare
        for size in range(len(text), 0, -1):
            starts = self.root.get(text[:size])
            if not starts:
                continue
            matches = [self.descend(code, text[size:], conf) for code, conf in starts.items()]
            least = min(len(m.rest) for m in matches)
            best = [m for m in matches if len(m.rest) == least]
            codes = sorted({m.code for m in best if m.code})
            if len(codes) > 1:
                return Match(None, _AMBIGUOUS, text, candidates=codes)
            match = max(best, key=lambda m: m.confidence)
            if match.rest and match.rest.endswith(self._units):
                match.confidence *= _UNRESOLVED_UNIT
            match.confidence = round(match.confidence, 3)
            return match
        return Match(None, 0.0, text)

    def _bare_regiment(self, text: str) -> Match | None:
        """六十七团 printed without its 师: a regiment listed under that number (兵团一五二团),
        else the 团 its number names in the XPCC tree."""
        match = _REGIMENT.match(text)
        if match is None:
            return None
        listed = self.root.get(match.group(0), {})
        if len(listed) > 1:
            return Match(None, _AMBIGUOUS, text, candidates=sorted(listed))
        if listed:
            [(code, confidence)] = listed.items()
            return self.descend(code, text[match.end() :], confidence)
        division = self.gaz.division_of(int(match.group(1)))
        regiment = self.gaz.regiment(division, int(match.group(1))) if division else None
        if regiment is None:
            return None
        return self.descend(regiment.code, text[match.end() :], _SHORT)


@cache
def resolver() -> Resolver:
    return Resolver(gazetteer())
