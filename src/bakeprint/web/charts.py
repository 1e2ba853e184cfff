"""Server-drawn SVG charts: no JavaScript, prints and archives as it is shown.

A time series as a line with the allowed band shaded and readings outside it
marked, sized by its viewBox so it fills a phone or a desktop column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from bakeprint.web.i18n import t

# A 390-px phone shows the chart at ~0.7× (its labels at ~10 px); the page
# caps its width on a desktop (app.css) so they do not grow past ~16 px.
W, H = 480, 210
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 26, 32
FONT = 14
# Above this many readings a line would zig-zag into a solid band on a phone:
# the series is drawn per time slot instead, its min–max as a light band and
# its mean as the line.
DENSE, SLOTS = 150, 100


def _ticks(lo: float, hi: float, n: int = 4) -> tuple[float, float, list[float]]:
    """A nice step and the range widened to it: every tick lies inside."""
    span = hi - lo or 1.0
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    first, last = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if last - first < step / 2:  # one value: give it a step of room
        first, last = first - step, last + step
    count = round((last - first) / step)
    return first, last, [round(first + i * step, 6) for i in range(count + 1)]


def _slots(
    pts: Sequence[tuple[float, float]], t0: float, t1: float
) -> list[tuple[float, float, float, float]]:
    """(time, min, max, mean) per time slot that has readings."""
    width = (t1 - t0) / SLOTS or 1.0
    slots: dict[int, list[float]] = {}
    for ts, v in pts:
        slots.setdefault(min(int((ts - t0) / width), SLOTS - 1), []).append(v)
    return [
        (t0 + (i + 0.5) * width, min(vs), max(vs), sum(vs) / len(vs))
        for i, vs in sorted(slots.items())
    ]


def _text(x: float, y: float, label: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'font-size="{FONT}" fill="#555">{escape(label)}</text>'
    )


def line_chart(
    points: Sequence[tuple[datetime, float]],
    *,
    unit: str,
    title: str,
    low: float | None = None,
    high: float | None = None,
    tz: str = "Asia/Shanghai",
) -> Markup:
    """An accessible SVG line chart; ``low``/``high`` shade the allowed band.
    Every label lies inside the viewBox."""
    if not points:
        return Markup("")
    zone = ZoneInfo(tz)
    pts = sorted((t.timestamp(), v) for t, v in points)
    t0, t1 = pts[0][0], pts[-1][0]
    values = [v for _, v in pts]
    bounds = [b for b in (low, high) if b is not None]
    lo, hi, ticks = _ticks(min(values + bounds), max(values + bounds))
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(ts: float) -> float:
        return LEFT + (ts - t0) / ((t1 - t0) or 1.0) * pw

    def y(v: float) -> float:
        return TOP + (hi - v) / ((hi - lo) or 1.0) * ph

    def outside(v: float) -> bool:
        return (low is not None and v < low) or (high is not None and v > high)

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
                'stroke="#2e7d32" stroke-dasharray="4 3" stroke-width="1" '
                'vector-effect="non-scaling-stroke"/>'
            )
    for v in ticks:
        out.append(_text(LEFT - 6, y(v) + FONT / 3, f"{v:g}", "end"))
    same_day = (
        datetime.fromtimestamp(t0, zone).date()
        == datetime.fromtimestamp(t1, zone).date()
    )
    # as many time labels as fit side by side: 5 clock times, 3 dated ones
    fmt, n = ("%H:%M", 4) if same_day else ("%m-%d %H:%M", 2)
    for i in range(n + 1):
        ts = t0 + (t1 - t0) * i / n
        label = datetime.fromtimestamp(ts, zone).strftime(fmt)
        anchor = "start" if i == 0 else "end" if i == n else "middle"
        out.append(_text(x(ts), H - 10, label, anchor))
    if len(pts) > DENSE:
        slots = _slots(pts, t0, t1)
        edge = [(x(ts), y(v_max)) for ts, _, v_max, _ in slots] + [
            (x(ts), y(v_min)) for ts, v_min, _, _ in reversed(slots)
        ]
        out.append(
            '<polygon class="spread" fill="#1565c033" stroke="none" points="'
            + " ".join(f"{px:.1f},{py:.1f}" for px, py in edge)
            + '"/>'
        )
        line = [(ts, mean) for ts, _, _, mean in slots]
        marks = [
            (ts, v)
            for ts, v_min, v_max, _ in slots
            for v in (v_min, v_max)
            if outside(v)
        ]
    else:
        line, marks = pts, [(ts, v) for ts, v in pts if outside(v)]
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(ts):.1f},{y(v):.1f}"
        for i, (ts, v) in enumerate(line)
    )
    out.append(
        f'<path class="series" d="{path}" fill="none" stroke="#1565c0" '
        'stroke-width="2" stroke-linejoin="round" vector-effect="non-scaling-stroke"/>'
    )
    for ts, v in marks:
        out.append(
            f'<circle class="out" cx="{x(ts):.1f}" cy="{y(v):.1f}" '
            'r="3.5" fill="#c62828"/>'
        )
    out.append(_text(LEFT, FONT + 2, unit))
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
        f'aria-label="{escape(t(lang, "p_journey_map"))}" '
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
