"""Horizontal bar charts as inline SVG, drawn on the server: no script, no library, no network.

One bar (or one stack) per label; every bar carries its value as text and a <title> for hover,
so the chart reads without colour too.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#0b5cad", "#2e9e5b", "#c77c02", "#b3261e", "#6f42c1", "#00838f", "#8d6e63", "#5f6b7a")

_WIDTH = 600
_LABEL = 150  # room for a region's name on the left
_VALUE = 56  # room for the number at the end of a bar
_BAR = 18
_GAP = 10
_LEGEND = 26


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | int | None]
    color: str


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "空"
    return f"{value:,.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def _legend(series: list[Series]) -> list[str]:
    parts, x = [], _LABEL
    for s in series:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{s.color}"/>')
        parts.append(f'<text x="{x + 16}" y="16">{escape(s.name)}</text>')
        x += 30 + 13 * len(s.name)
    return parts


def bar_chart(*, title: str, labels: list[str], series: list[Series], stacked: bool = False) -> Markup:
    """Bars per label: side by side for each series, or stacked into one bar per label."""
    per_label = 1 if stacked or len(series) == 1 else len(series)
    row_height = per_label * _BAR + _GAP
    height = _LEGEND + max(1, len(labels)) * row_height + 6
    totals = [
        sum(s.values[i] or 0 for s in series)
        if stacked
        else max((s.values[i] or 0 for s in series), default=0)
        for i in range(len(labels))
    ]
    top = max([*totals, 1])
    scale = (_WIDTH - _LABEL - _VALUE) / top
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="system-ui, sans-serif">',
        f"<title>{escape(title)}</title>",
        *(_legend(series) if len(series) > 1 else []),
    ]
    if not labels:
        parts.append(f'<text x="{_LABEL}" y="{_LEGEND + 14}" fill="#57606a">没有数据</text>')
    for i, label in enumerate(labels):
        y = _LEGEND + i * row_height
        middle = y + per_label * _BAR / 2 + 4
        short = label if len(label) <= 12 else label[:11] + "…"
        parts.append(f'<text x="{_LABEL - 6}" y="{middle}" text-anchor="end">{escape(short)}</text>')
        x = float(_LABEL)
        for j, s in enumerate(series):
            value = s.values[i]
            width = (value or 0) * scale
            bar_y = y if stacked or per_label == 1 else y + j * _BAR
            tip = f"{label} · {s.name}：{_fmt(value)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{bar_y}" width="{width:.1f}" height="{_BAR - 3}" fill="{s.color}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if stacked:
                x += width
            else:
                parts.append(
                    f'<text x="{x + width + 4:.1f}" y="{bar_y + _BAR - 6}">{escape(_fmt(value))}</text>'
                )
        if stacked:
            parts.append(f'<text x="{x + 4:.1f}" y="{middle}">{escape(_fmt(totals[i]))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
