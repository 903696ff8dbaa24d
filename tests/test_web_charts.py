"""Charts are plain SVG with their numbers written out, so they read without colour or script."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from app.web.charts import Series, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def test_side_by_side_bars_carry_their_values_and_scale_to_the_largest():
    svg = bar_chart(
        title="行政复议与行政诉讼",
        labels=["六十七团", "可克达拉经济技术开发区管理委员会"],
        series=[Series("行政复议", [3, 0], "#000"), Series("行政诉讼", [6, None], "#111")],
    )
    texts = _texts(svg)
    assert [t for t in texts if t in ("3", "6", "0", "空")] == ["3", "6", "0", "空"]
    assert "可克达拉经济技术开发区…" in texts  # long names are shortened, the full name is in the bar's title
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="15"', svg)]
    assert widths[1] == 2 * widths[0] and widths[2] == widths[3] == 0


def test_stacked_bars_write_the_total_and_escape_names():
    svg = bar_chart(
        title="办理结果",
        labels=["<甲>"],
        series=[Series("予以公开", [2], "#000"), Series("不予公开", [5], "#111")],
        stacked=True,
    )
    assert "&lt;甲&gt;" in svg
    assert _texts(svg)[-1] == "7"
    assert "<title>&lt;甲&gt; · 不予公开：5</title>" in svg


def test_an_empty_chart_says_so():
    assert "没有数据" in _texts(bar_chart(title="x", labels=[], series=[Series("a", [], "#000")]))
