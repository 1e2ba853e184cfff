"""Property tests for the strict GS1 Digital Link parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakeprint.errors import Invalid
from bakeprint.gs1 import check_digit
from bakeprint.interop import gs1_ai
from bakeprint.interop.digital_link import parse, uri_escape, uri_unescape

CSET82 = (
    "!\"%&'()*+,-./0123456789:;<=>?"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
gtins = st.text("0123456789", min_size=13, max_size=13).map(
    lambda d: d + str(check_digit(d))
)
texts = st.text(CSET82, min_size=1, max_size=20)
stems = st.lists(st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=8)).map(
    lambda parts: "".join(f"/{p}" for p in parts)
)
dates = st.tuples(st.integers(0, 99), st.integers(1, 12), st.integers(0, 28)).map(
    lambda t: f"{t[0]:02d}{t[1]:02d}{t[2]:02d}"
)
attributes = st.fixed_dictionaries(
    {},
    optional={
        "17": dates,
        "3103": st.text("0123456789", min_size=6, max_size=6),
        "99": st.text(CSET82, min_size=1, max_size=90),
        "98": texts,
    },
)


@st.composite
def links(draw):  # type: ignore[no-untyped-def]
    path = [("01", draw(gtins))]
    for ai in ("22", "10", "21"):
        if draw(st.booleans()):
            path.append((ai, draw(texts)))
    attrs = list(draw(attributes).items())
    return draw(stems), path, attrs


def _uri(host: str, stem: str, path, attrs) -> str:  # type: ignore[no-untyped-def]
    out = f"https://{host}{stem}" + "".join(f"/{a}/{uri_escape(v)}" for a, v in path)
    if attrs:
        out += "?" + "&".join(f"{a}={uri_escape(v, query=True)}" for a, v in attrs)
    return out


@given(links())
def test_any_valid_link_is_read_back_as_it_was_written(link):  # type: ignore[no-untyped-def]
    stem, path, attrs = link
    parsed = parse(_uri("id.example.com", stem, path, attrs))
    assert parsed.stem == stem and parsed.host == "id.example.com"
    assert list(parsed.path) == path and list(parsed.attributes) == attrs
    again = parse(parsed.uri())
    assert again.path == parsed.path and again.attributes == parsed.attributes
    assert again.element_string() == parsed.element_string()
    assert parsed.element_string().startswith("^01" + path[0][1])


@given(links())
def test_the_levels_walk_up_to_the_primary_key(link):  # type: ignore[no-untyped-def]
    stem, path, attrs = link
    levels = parse(_uri("a.example", stem, path, attrs)).levels()
    assert levels[0] == tuple(path) and levels[-1] == (path[0],)
    assert len(levels) == len(path)


@given(links(), st.data())
def test_an_ai_of_the_path_repeated_in_the_query_is_refused(link, data):  # type: ignore[no-untyped-def]
    stem, path, attrs = link
    ai, value = data.draw(st.sampled_from(path))
    with pytest.raises(Invalid, match=r"twice|belongs in the path"):
        parse(_uri("a.example", stem, path, [*attrs, (ai, value)]))


@given(gtins, texts, texts)
def test_qualifiers_out_of_order_are_refused(gtin, lot, serial):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid, match="sequence"):
        parse(
            f"https://a.example/01/{gtin}/21/{uri_escape(serial)}/10/{uri_escape(lot)}"
        )


@given(gtins, st.integers(1, 9))
def test_a_gtin_with_a_wrong_check_digit_or_fewer_digits_is_refused(gtin, delta):  # type: ignore[no-untyped-def]
    wrong = gtin[:-1] + str((int(gtin[-1]) + delta) % 10)
    with pytest.raises(Invalid, match="check digit"):
        parse(f"https://a.example/01/{wrong}")
    with pytest.raises(Invalid, match="14 digits"):
        parse(f"https://a.example/01/{gtin[1:]}")


@given(st.text(max_size=80))
def test_any_text_is_read_or_refused_with_a_reason(text):  # type: ignore[no-untyped-def]
    for candidate in (text, "https://a.example/01/" + text):
        try:
            parsed = parse(candidate)
        except Invalid as exc:
            assert exc.en and exc.zh
        else:
            key = gs1_ai.lookup(parsed.key[0])
            assert key is not None and key.qualifiers is not None


@given(st.text(st.characters(min_codepoint=1, max_codepoint=127)))
def test_escaping_then_unescaping_gives_the_text_back(text):  # type: ignore[no-untyped-def]
    assert uri_unescape(uri_escape(text)) == text
    assert uri_unescape(uri_escape(text, query=True), query=True) == text
