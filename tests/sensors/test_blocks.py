"""Hour blocks: what goes in comes out exactly, once, in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bakeprint.sensors import blocks

HOUR = 1_764_741_600_000  # an hour boundary (2025-12-03 06:00 UTC)
offsets = st.integers(min_value=0, max_value=blocks.HOUR_MS - 1)
values = st.integers(min_value=-(2**31) + 1, max_value=2**31 - 1)
readings = st.lists(st.tuples(offsets.map(lambda o: HOUR + o), values), max_size=60)


@given(readings, readings)
def test_merging_in_any_order_keeps_every_time_once_with_its_first_value(a, b):
    first = blocks.merge(HOUR, None, a)
    both = blocks.merge(HOUR, first.blob, b)
    expected: dict[int, int] = {}
    for ts, v in [*a, *b]:
        expected.setdefault(ts, v)
    assert blocks.decode(HOUR, both.blob) == sorted(expected.items())
    assert both.count == len(expected)
    if expected:
        assert both.v_min == min(expected.values())
        assert both.v_max == max(expected.values())
        assert both.v_sum == sum(expected.values())
    new_in_b = {ts for ts, _ in b} - {ts for ts, _ in a}
    assert both.added == len(new_in_b)


@given(readings)
def test_offering_the_same_readings_again_adds_nothing(a):
    once = blocks.merge(HOUR, None, a)
    again = blocks.merge(HOUR, once.blob, a)
    assert again.blob == once.blob and again.added == 0
    assert again.duplicates + len(again.conflicts) == len(a)


@given(st.decimals(min_value=-1000, max_value=1000, places=3))
def test_values_are_exact_to_a_thousandth(d):
    assert blocks.to_milli(float(d)) / 1000 == float(d)


def test_a_reading_outside_its_hour_is_refused():
    import pytest

    with pytest.raises(ValueError):
        blocks.merge(HOUR, None, [(HOUR + blocks.HOUR_MS, 1)])


@given(
    st.dictionaries(
        st.integers(0, blocks.HOUR_MS - 1),
        st.integers(-(2**31) + 1, 2**31 - 1),
        min_size=1,
        max_size=200,
    ),
    st.integers(-10, blocks.HOUR_MS + 10),
    st.integers(-10, blocks.HOUR_MS + 10),
)
def test_window_statistics_match_the_decoded_readings(points, x, y):
    hour = 3_600_000 * 480_000
    blob = blocks.encode(hour, sorted((hour + k, v) for k, v in points.items()))
    a, b = hour + min(x, y), hour + max(x, y)
    inside = [(t, v) for t, v in blocks.decode(hour, blob) if a <= t <= b]
    got = blocks.stats_in(hour, blob, a, b)
    if not inside:
        assert got is None
    else:
        vals = [v for _, v in inside]
        assert got == (len(vals), sum(vals), min(vals), max(vals), inside[0][0])
