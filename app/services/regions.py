"""From an issuing body's name to a region: normalise, strip, match down the tree, never guess.

The body's name is read from the left: the longest name or alias anywhere in the gazetteer starts
the path, then each step takes the longest child name (or an alias) that the rest of the text
begins with. Fuzzy matching is used only among the children of a region already found. A name
that fits more than one place equally, or fits only loosely, gets no region.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from app.draft import Finding
from app.errors import ProblemError
from app.extract import contacts
from app.models.regions import RegionList, RegionPublic, RegionRef, Resolution
from app.rules.catalogue import RULES_BY_ID
from app.rules.naming import normalise_organ
from app.rules.registry import evaluates
from app.services.gazetteer import TREES, Region, full_code, gazetteer
from app.services.resolver import ALIAS, THRESHOLD, Match, Resolver, resolver  # noqa: F401

# ---- the API ------------------------------------------------------------------------------------


def _ref(region: Region, tree: str) -> RegionRef:
    return RegionRef(code=region.code, name=region.name_in(tree), level=region.level_in(tree))


def region_public(region: Region, tree: str = "geo") -> RegionPublic:
    gaz = gazetteer()
    has_children = bool(gaz.children[tree].get(region.code))
    return RegionPublic(
        code=region.code,
        name=region.name_in(tree),
        level=region.level_in(tree) if region.in_tree(tree) else region.level,
        kind=region.kind,
        parent=region.parent_in(tree),
        has_children=has_children,
        source=region.source,
        path=[_ref(r, tree) for r in gaz.path(region.code, tree)],
    )


def resolve(*, name: str) -> Resolution:
    """The region a body's name places it in, with the path in both trees and a confidence."""
    match = resolver().resolve(name)
    gaz = gazetteer()
    placed = match.code is not None and match.confidence >= THRESHOLD
    region = gaz.by_code[match.code] if placed and match.code else None
    return Resolution(
        name=name,
        code=region.code if region else None,
        region=region_public(region) if region else None,
        path=[_ref(r, "geo") for r in gaz.path(region.code, "geo")] if region else [],
        xpcc_path=[_ref(r, "xpcc") for r in gaz.path(region.code, "xpcc")] if region else [],
        confidence=match.confidence,
        rest=match.rest or None,
        candidates=[region_public(gaz.by_code[c]) for c in match.candidates],
    )


@cache
def _searchable(tree: str) -> dict[str, str]:
    """Normalised names of the regions of a tree, for search by name."""
    gaz = gazetteer()
    return {r.code: gaz.normalise(r.name_in(tree)) for r in gaz.by_code.values() if r.in_tree(tree)}


def list_regions(
    *, tree: str, parent: str | None, level: str | None, q: str | None, limit: int
) -> RegionList:
    """Children of a region (the roots without one), or regions whose name contains `q`."""
    gaz = gazetteer()
    if parent is not None and gaz.get(parent) is None:
        raise ProblemError(404, "unknown_region", f"没有代码为 {parent} 的地区")
    if q:
        wanted = gaz.normalise(q)
        under = full_code(parent) if parent else None
        names = _searchable(tree)
        found = [
            r
            for r in gaz.by_code.values()
            if r.code in names
            and wanted in names[r.code]
            and (level is None or r.level_in(tree) == level)
            and (under is None or any(a.code == under for a in gaz.path(r.code, tree)))
        ]
    elif level is not None and parent is None:
        found = [r for r in gaz.by_code.values() if r.in_tree(tree) and r.level_in(tree) == level]
    else:
        found = gaz.children[tree].get(full_code(parent) if parent else None, [])
    return RegionList(tree=tree, total=len(found), items=[region_public(r, tree) for r in found[:limit]])


# ---- at ingest ----------------------------------------------------------------------------------


@dataclass
class Placement:
    code: str | None
    columns: dict[str, str | None]
    findings: list[Finding]


def _finding(organ: str, match: Match) -> Finding:
    """REGION: the name fits no place, several places equally, or one only loosely."""
    rule = RULES_BY_ID["REGION"]
    fields: dict[str, object] = {"organ": organ, "reported": organ[:200]}
    if match.candidates:
        names = "、".join("".join(r.name for r in gazetteer().path(c, "geo")[1:]) for c in match.candidates)
        case, fields["names"], fields["count"] = "ambiguous", names, len(match.candidates)
    elif match.code:
        case, fields["confidence"], fields["threshold"] = "loose", match.confidence, THRESHOLD
    else:
        case = "unknown"
    return rule.finding(case, fields, hint=rule.hints["unplaced"])


_DOCUMENT_CHARS = 20_000  # the title and the first pages name the place if anything does


def from_document(candidates: list[str], text: str) -> tuple[str | None, str | None]:
    """(the candidate, the place named) when the document names an ancestor of exactly one of
    the places the name fits (城关区人民政府 whose report speaks of 兰州市), else (None, None)."""
    if not candidates or not text:
        return None, None
    found = resolver()
    gaz = gazetteer()
    body = gaz.normalise(normalise_organ(text[:_DOCUMENT_CHARS]))
    hits: dict[str, str] = {}
    for code in candidates:
        for tree in TREES:
            for region in gaz.path(code, tree)[:-1]:
                names = [n for n, sure in found.names(region) if sure >= ALIAS and len(n) >= 3]
                named = next((n for n in names if n in body), None)
                if named and region.level_in(tree) != "province":  # a province is shared too often
                    hits.setdefault(code, region.name_in(tree))
    if len(hits) == 1:
        [(code, place)] = hits.items()
        return code, place
    return None, None


@cache
def _contact_codes() -> dict[str, dict[str, list[str]]]:
    """app/data/contact_codes.json: area codes and postcode prefixes → region codes (its
    `source` says where they come from)."""
    data = json.loads(resources.files("app").joinpath("data", "contact_codes.json").read_bytes())
    return {"area_codes": data["area_codes"], "postcodes": data["postcodes"]}


def _by_prefix(table: dict[str, list[str]], code: str) -> list[str]:
    """The regions of the longest prefix of `code` the table lists (7300 for 730030)."""
    for size in range(len(code), 2, -1):
        if code[:size] in table:
            return table[code[:size]]
    return []


def from_contacts(candidates: list[str], text: str) -> tuple[str | None, str | None]:
    """(the candidate, the code that says so) when the postcodes and telephone area codes the
    document prints all point into exactly one of the places the name fits, else (None, None).
    Evidence only narrows: codes pointing at two candidates, or at none, settle nothing."""
    if not candidates or not text:
        return None, None
    tables = _contact_codes()
    head = text[:_DOCUMENT_CHARS]
    said = [("邮编", c, _by_prefix(tables["postcodes"], c)) for c in contacts.postcodes(head)]
    said += [("电话区号", c, tables["area_codes"].get(c, [])) for c in contacts.area_codes(head)]
    gaz = gazetteer()
    hits: dict[str, str] = {}
    for word, printed, regions in said:
        wanted = {full_code(r) for r in regions}
        for code in candidates:
            if any(step.code in wanted for tree in TREES for step in gaz.path(code, tree)):
                hits.setdefault(code, f"{word} {printed}")
    if len(hits) == 1:
        [(code, evidence)] = hits.items()
        return code, evidence
    return None, None


@evaluates("region")
def place(*, organ: str, region_code: str | None, document: str = "") -> Placement:
    """The region a report is counted under: the given code if it exists, else the resolved name;
    a name that fits several places is settled by the place its document names, if one does,
    else by the postcode and telephone area code it prints, if they point to one of them."""
    gaz = gazetteer()
    if region_code:
        region = gaz.get(region_code)
        if region is None:
            raise ProblemError(422, "unknown_region", f"region_code {region_code} 不是已知的统计用区划代码")
        return Placement(region.code, gaz.path_columns(region.code), [])
    match = resolver().resolve(normalise_organ(organ))  # a name that looks alike resolves alike
    if match.code is None and match.candidates:
        code, named = from_document(match.candidates, document)
        if code is None:
            code, named = from_contacts(match.candidates, document)
        if code is not None:
            return Placement(code, gaz.path_columns(code), [_placed_finding(organ, code, named or "")])
    if match.code is None or match.confidence < THRESHOLD:
        return Placement(None, gaz.path_columns(None), [_finding(organ, match)])
    return Placement(match.code, gaz.path_columns(match.code), [])


def _placed_finding(organ: str, code: str, named: str) -> Finding:
    """Said, not silent: the name fitted several places and the document settled which."""
    where = "".join(r.name for r in gazetteer().path(code, "geo")[1:])
    fields = {"organ": organ[:60], "named": named, "where": where, "reported": organ[:200]}
    return RULES_BY_ID["REGION"].finding("settled", fields)
