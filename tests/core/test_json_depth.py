"""Measuring how deeply a JSON text nests without parsing it (issue #17,
item 6): the measure is exact for any JSON (brackets inside strings, escaped
quotes and backslashes do not count), and a body past the limit is refused
with a readable 400 before ``json.loads`` could raise ``RecursionError``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakeprint.bodies import TooDeep, check_depth, json_depth, too_deep

# strings full of what could fool a scanner: brackets, quotes, backslashes
tricky = st.text(alphabet=st.sampled_from('[]{}"\\/ a中\n\t\u2028'), max_size=12)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
json_values = st.recursive(
    scalars | tricky | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(tricky | st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=40,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(json_values, st.booleans(), st.sampled_from([None, 2]))
def test_the_measured_depth_is_the_documents_depth(
    value: Any, ascii_only: bool, indent: int | None
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    assert json_depth(text.encode()) == depth(value)


@given(st.integers(min_value=0, max_value=200), st.sampled_from("[{"))
def test_a_document_is_refused_exactly_when_it_passes_the_limit(
    n: int, opener: str
) -> None:
    closer = "]" if opener == "[" else "}"
    inner = "1" if opener == "[" else ""
    if opener == "{":  # objects nest through a member: {"a": {"a": {}}}
        text = '{"a": ' * max(n - 1, 0) + ("{}" if n else "0") + "}" * max(n - 1, 0)
    else:
        text = opener * n + inner + closer * n
    assert json_depth(text.encode()) == n
    assert (too_deep(text.encode(), limit=64) is not None) == (n > 64)


def test_five_thousand_brackets_are_refused_with_a_readable_message() -> None:
    with pytest.raises(TooDeep) as caught:
        check_depth(b"[" * 5000)
    err = caught.value
    assert err.status == 400
    assert "deeper than 64 levels" in err.en and "64 层" in err.zh
    # and in a string it is just text
    check_depth(json.dumps({"note": "[" * 5000}))


def test_an_endless_string_of_escaped_quotes_is_measured_in_one_pass() -> None:
    """A regular expression that can fail would try again from every escaped
    quote: quadratic, minutes for this body (hours for the routes' caps)."""
    raw = b"[" * 70 + b'"' + b'\\"' * 200_000
    assert json_depth(raw) == 70  # what follows the open string is in it
    assert too_deep(raw) is not None
    tricky = b'["\\\\", ["\\\\\\"[["]]'  # strings: \\ and \\\"[[
    assert json.loads(tricky) == ["\\", ['\\"[[']]
    assert json_depth(tricky) == 2
