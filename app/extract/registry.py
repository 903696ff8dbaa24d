"""A registry (名录) of bodies from CSV, XLSX or JSON: one row per body, headers in Chinese or
English. Pure: bytes in, rows or the problems of each bad row out."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

MAX_ROWS = 50_000

# header (as a clerk may write it) → field
_HEADERS = {
    "name": "name",
    "名称": "name",
    "机关": "name",
    "机关名称": "name",
    "单位名称": "name",
    "aliases": "aliases",
    "别名": "aliases",
    "其他名称": "aliases",
    "region_code": "region_code",
    "区划代码": "region_code",
    "地区代码": "region_code",
    "统计用区划代码": "region_code",
    "kind": "kind",
    "类别": "kind",
    "类型": "kind",
    "must_publish": "must_publish",
    "应公开": "must_publish",
    "是否应公开": "must_publish",
    "应发布": "must_publish",
}
KINDS = {
    "government": "government",
    "人民政府": "government",
    "政府": "government",
    "department": "department",
    "部门": "department",
    "township": "township",
    "乡镇街道": "township",
    "乡镇": "township",
    "街道": "township",
    "regiment": "regiment",
    "团场": "regiment",
    "zone": "zone",
    "开发区": "zone",
    "园区": "zone",
    "other": "other",
    "其他": "other",
}
_YES = {"", "1", "true", "yes", "y", "是", "应", "应公开", "√"}
_NO = {"0", "false", "no", "n", "否", "不", "不应公开", "×"}
_ALIAS_SPLIT = re.compile(r"[;；、|,，]")


@dataclass
class BodyIn:
    line: int  # the row in the file (1 is the header)
    name: str
    aliases: list[str] = field(default_factory=list)
    region_code: str | None = None
    kind: str = "other"
    must_publish: bool = True


@dataclass
class RowProblem:
    line: int
    detail: str  # zh


def _table(data: bytes, fmt: str) -> list[dict[str, object]]:
    if fmt == "json":
        parsed = json.loads(data.decode("utf-8-sig"))
        items = parsed.get("bodies") if isinstance(parsed, dict) else parsed
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError('JSON 应为机关对象的数组，或 {"bodies": [...]}')
        return items
    if fmt == "xlsx":
        import openpyxl  # read-only, values only: no formula is evaluated

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        found: list[dict[str, object]] = []
        for row in rows:
            if len(found) > MAX_ROWS:
                break
            found.append(dict(zip(header, row, strict=False)))
        book.close()
        return found
    best = from_bytes(data).best()
    text = str(best) if best is not None else data.decode("utf-8", errors="replace")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def sniff(data: bytes, filename: str | None, media_type: str | None) -> str:
    """csv | xlsx | json, from the bytes first (an XLSX is a zip), then the name or media type."""
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        return "xlsx"
    name = (filename or "").lower()
    if name.endswith(".json") or (media_type or "").endswith("json") or data.lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse(data: bytes, fmt: str) -> tuple[list[BodyIn], list[RowProblem]]:
    """The rows, and a problem for each row that cannot be a body (all or nothing is the caller's)."""
    try:
        table = _table(data, fmt)
    except Exception as exc:  # whatever a sent file makes a reader raise: a problem, never a 500
        detail = str(exc) if isinstance(exc, ValueError) and "JSON" in str(exc) else "无法读取名录文件"
        return [], [
            RowProblem(
                0, f"{detail}：请上传 CSV、XLSX 或 JSON，首行为表头（名称、别名、区划代码、类别、应公开）"
            )
        ]
    if len(table) > MAX_ROWS:
        return [], [RowProblem(0, f"名录最多 {MAX_ROWS} 行")]
    bodies: list[BodyIn] = []
    problems: list[RowProblem] = []
    for line, raw in enumerate(table, start=2):
        row = {
            _HEADERS.get(str(k).strip().lower(), _HEADERS.get(str(k).strip(), "")): v
            for k, v in raw.items()
            if k
        }
        name = _text(row.get("name"))
        if not any(_text(v) for v in row.values()) or name in ("name", "合计"):
            continue  # an empty line, or the codes' row and the 合计 row of a download
        if not name:
            problems.append(RowProblem(line, "缺少机关名称"))
            continue
        if len(name) > 200:
            problems.append(RowProblem(line, "机关名称超过 200 字"))
            continue
        aliases = row.get("aliases")
        if isinstance(aliases, list):
            names = [_text(a) for a in aliases]
        else:
            names = _ALIAS_SPLIT.split(_text(aliases))
        code = _text(row.get("region_code")) or None
        if code is not None and not re.fullmatch(r"\d{2,12}|XPCC(\d{2}(R\d{3})?)?", code):
            problems.append(RowProblem(line, f"区划代码“{code[:20]}”格式不对，应为 2 至 12 位数字"))
            continue
        kind_text = _text(row.get("kind")) or "other"
        kind = KINDS.get(kind_text.lower(), KINDS.get(kind_text))
        if kind is None:
            problems.append(
                RowProblem(
                    line, f"类别“{kind_text[:20]}”不认识，可填：人民政府、部门、乡镇街道、团场、开发区、其他"
                )
            )
            continue
        must = row.get("must_publish")
        must_text = _text(must).lower() if not isinstance(must, bool) else ("1" if must else "0")
        if must_text not in _YES and must_text not in _NO:
            problems.append(RowProblem(line, f"应公开“{must_text[:10]}”应为 是 或 否"))
            continue
        bodies.append(
            BodyIn(
                line=line,
                name=name,
                aliases=[a for a in dict.fromkeys(n.strip() for n in names) if a and a != name][:20],
                region_code=code,
                kind=kind,
                must_publish=must_text not in _NO,
            )
        )
    return bodies, problems
