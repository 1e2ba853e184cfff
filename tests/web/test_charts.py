"""The server-drawn charts at phone size (issue 16 item 12): every label lies
inside the chart (none clipped at the top), and a week of readings every few
minutes is drawn as a readable line over its min–max band, not as thousands
of zig-zags that a phone shows as one solid band."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from bakeprint.web.charts import H, W, line_chart

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2025, 12, 3, 10, 0, tzinfo=UTC)


def _texts(svg: str) -> list[tuple[float, float, str, str, float]]:
    root = ElementTree.fromstring(svg)
    return [
        (
            float(el.get("x", 0)),
            float(el.get("y", 0)),
            el.get("text-anchor", "start"),
            el.text or "",
            float(el.get("font-size", 12)),
        )
        for el in root.iter(f"{SVG}text")
    ]


def _inside(svg: str) -> list[str]:
    """Labels whose box (a digit ~0.6 em wide, ~0.8 em tall) leaves the chart."""
    bad = []
    for x, y, anchor, text, size in _texts(svg):
        width = len(text) * size * 0.6
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        if y - size * 0.8 < 0 or y > H or left < 0 or left + width > W:
            bad.append(f"{text!r} at ({x}, {y}) {anchor}")
    return bad


readings = st.lists(
    st.floats(min_value=-40, max_value=150, allow_nan=False, width=32),
    min_size=1,
    max_size=400,
)


@settings(max_examples=150, deadline=None)
@given(
    values=readings,
    minutes=st.integers(min_value=1, max_value=60),
    low=st.none() | st.floats(min_value=-30, max_value=40, width=32),
    span=st.floats(min_value=0.5, max_value=60, width=32),
)
def test_every_label_stays_inside_the_chart(values, minutes, low, span):
    points = [(T0 + timedelta(minutes=minutes * i), v) for i, v in enumerate(values)]
    high = None if low is None else low + span
    svg = str(line_chart(points, unit="°C", title="t", low=low, high=high))
    assert not _inside(svg)


def test_the_top_label_of_a_tight_series_is_not_clipped():
    # 75 %RH throughout against ≤ 70: the top tick used to sit above the chart
    points = [(T0 + timedelta(minutes=5 * i), 75.0) for i in range(16)]
    svg = str(line_chart(points, unit="%RH", title="HALL-1-RH", high=70))
    assert not _inside(svg)
    assert all(y > 0 for _, y, _, _, _ in _texts(svg))


def test_a_week_of_readings_is_a_line_over_its_band():
    # every 5 minutes for a week, with a daily swing and noise
    points = [
        (T0 + timedelta(minutes=5 * i), 5 + 1.5 * ((i % 288) / 288) + (i % 7) * 0.2)
        for i in range(7 * 288)
    ]
    svg = str(line_chart(points, unit="°C", title="shop", low=2, high=10))
    path = re.search(r'class="series" d="([^"]+)"', svg)
    assert path is not None
    vertices = path.group(1).count("L") + 1
    assert vertices <= 160, vertices  # not 2016 zig-zags
    assert 'class="spread"' in svg  # the min–max band behind the line
    assert "vector-effect" in svg  # the line stays 2 px wide on a phone


def test_a_few_readings_are_drawn_as_they_are():
    points = [(T0 + timedelta(minutes=10 * i), v) for i, v in enumerate([3, 9, 4])]
    svg = str(line_chart(points, unit="°C", title="van", low=0, high=8))
    path = re.search(r'class="series" d="([^"]+)"', svg)
    assert path is not None and path.group(1).count("L") == 2
    assert svg.count('class="out"') == 1  # 9 °C, above 8
