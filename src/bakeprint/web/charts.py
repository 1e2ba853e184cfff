"""Server-drawn SVG charts: no JavaScript, prints and archives as it is shown.

A time series as a line with the allowed band shaded and readings outside it
marked, sized by its viewBox so it fills a phone or a desktop column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

W, H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 28


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    span = hi - lo or 1.0
    raw = span / n
    mag = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=raw)
    first = (lo // step) * step
    ticks, v = [], first
    while v <= hi + step / 2:
        if v >= lo - 1e-9:
            ticks.append(round(v, 6))
        v += step
    return ticks


def line_chart(
    points: Sequence[tuple[datetime, float]],
    *,
    unit: str,
    title: str,
    low: float | None = None,
    high: float | None = None,
    tz: str = "Asia/Shanghai",
) -> Markup:
    """An accessible SVG line chart; ``low``/``high`` shade the allowed band."""
    if not points:
        return Markup("")
    zone = ZoneInfo(tz)
    pts = sorted(points)
    t0, t1 = pts[0][0].timestamp(), pts[-1][0].timestamp()
    values = [v for _, v in pts]
    bounds = [b for b in (low, high) if b is not None]
    lo, hi = min(values + bounds), max(values + bounds)
    pad = (hi - lo) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(ts: float) -> float:
        return LEFT + (ts - t0) / ((t1 - t0) or 1.0) * pw

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * ph

    out = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if bounds:
        band_top = y(high) if high is not None else TOP
        band_bottom = y(low) if low is not None else TOP + ph
        out.append(
            f'<rect class="band" x="{LEFT}" y="{band_top:.1f}" width="{pw}" '
            f'height="{max(band_bottom - band_top, 0):.1f}" fill="#2e7d3222"/>'
        )
        for b in bounds:
            out.append(
                f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y(b):.1f}" y2="{y(b):.1f}" '
                'stroke="#2e7d32" stroke-dasharray="4 3" stroke-width="1"/>'
            )
    for v in _nice_ticks(lo, hi):
        out.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#666">{v:g}</text>'
        )
    same_day = pts[0][0].astimezone(zone).date() == pts[-1][0].astimezone(zone).date()
    fmt = "%H:%M" if same_day else "%m-%d %H:%M"
    for i in range(5):
        ts = t0 + (t1 - t0) * i / 4
        label = datetime.fromtimestamp(ts, zone).strftime(fmt)
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        out.append(
            f'<text x="{x(ts):.1f}" y="{H - 8}" text-anchor="{anchor}" '
            f'font-size="11" fill="#666">{label}</text>'
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(t.timestamp()):.1f},{y(v):.1f}"
        for i, (t, v) in enumerate(pts)
    )
    out.append(
        f'<path class="series" d="{path}" fill="none" stroke="#1565c0" '
        'stroke-width="2" stroke-linejoin="round"/>'
    )
    for t, v in pts:
        if (low is not None and v < low) or (high is not None and v > high):
            out.append(
                f'<circle class="out" cx="{x(t.timestamp()):.1f}" cy="{y(v):.1f}" '
                'r="3.5" fill="#c62828"/>'
            )
    out.append(
        f'<text x="{LEFT}" y="{TOP - 2}" font-size="11" fill="#666">'
        f"{escape(unit)}</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))


def environment_charts(
    segments: Sequence[Any], tz: str, keep: Callable[[Any, Any], bool] | None = None
) -> list[tuple[Any, Any, Markup]]:
    """(segment, sensor summary, chart) for each sensor of each place a batch
    was that has readings (and that ``keep`` accepts)."""
    return [
        (
            seg,
            x,
            line_chart(
                x.points,
                unit=x.unit,
                title=f"{seg.place_name} · {x.sensor}",
                low=x.low,
                high=x.high,
                tz=tz,
            ),
        )
        for seg in segments
        for x in seg.sensors
        if x.points and (keep is None or keep(seg, x))
    ]


JOURNEY_ICONS = {
    "origin": "#7a9e5f",
    "kitchen": "#c0763b",
    "van": "#4a7fa8",
    "shop": "#8b5fa8",
}


def journey_map(stops: Sequence[dict[str, Any]], lang: str) -> Markup:
    """The way a piece came, origin → kitchen → van → shop, as a vertical SVG
    path with a labelled, timed stop each (fits a 360-px phone column)."""
    if not stops:
        return Markup("")
    row, width = 58, 360
    height = row * len(stops) + 10
    parts = [
        f'<svg class="journey" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape("供应链路径" if lang != "en" else "Supply-chain path")}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    x = 22
    ys = [20 + i * row for i in range(len(stops))]
    if len(ys) > 1:
        parts.append(
            f'<path d="M{x},{ys[0]} L{x},{ys[-1]}" stroke="#bbb" stroke-width="3" '
            'stroke-dasharray="5 4" fill="none"/>'
        )
    for y, stop in zip(ys, stops, strict=True):
        color = JOURNEY_ICONS.get(str(stop.get("stage")), "#777")
        parts.append(f'<circle cx="{x}" cy="{y}" r="9" fill="{color}"/>')
        parts.append(
            f'<text x="{x + 20}" y="{y - 2}" font-size="14" fill="#222">'
            f"{escape(str(stop.get('label', '')))}</text>"
        )
        if stop.get("when"):
            parts.append(
                f'<text x="{x + 20}" y="{y + 16}" font-size="12" fill="#666">'
                f"{escape(str(stop['when']))}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
