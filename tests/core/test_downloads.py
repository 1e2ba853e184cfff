"""Download names with any text (a Chinese product name, a lot number with a
slash) make a header that encodes, and the UTF-8 name comes back whole."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from bakeprint.downloads import disposition


@given(st.text(min_size=1, max_size=80))
def test_any_name_makes_a_valid_header(name: str) -> None:
    header = disposition(name)
    header.encode("latin-1")  # what HTTP headers must be
    assert header.startswith('attachment; filename="')
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == name
    fallback = header.split('"')[1]
    assert fallback and all(c.isascii() and c not in '"\\;' for c in fallback)


def test_a_chinese_name_keeps_an_ascii_fallback() -> None:
    h = disposition("追溯报告-251203-SS-PM-002.pdf", inline=True)
    assert h.startswith('inline; filename="251203-SS-PM-002.pdf"')


def test_huge_sequence_numbers_are_refused_not_crashing(client, bakery) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/events", params={"after": 2**63}, headers=bakery.headers)
    assert r.status_code == 422
    r = client.get(f"/api/v1/events/{2**63}", headers=bakery.headers)
    assert r.status_code == 422
    r = client.get("/api/v1/batch-alerts", params={"limit": -1}, headers=bakery.headers)
    assert r.status_code == 422
