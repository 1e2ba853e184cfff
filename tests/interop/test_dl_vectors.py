"""GS1's own Digital Link test vectors (gs1-syntax-engine ``dl.c``, copied
unchanged into tests/conformance/gs1-syntax-engine): every URI of
``test_dl_parseDLuri`` gives GS1's element string or is refused, with the
engine's switches set as the C test sets them; the path AI sequences of
``test_dl_testValidateDLpathAIseq`` are valid; percent-decoding and -encoding
give ``test_dl_URIunescape`` / ``test_dl_URIescape``'s answers."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from bakeprint.errors import Invalid
from bakeprint.interop import gs1_ai
from bakeprint.interop.digital_link import (
    MAX_AIS,
    STRICT,
    Options,
    parse,
    uri_escape,
    uri_unescape,
)

DL_C = Path(__file__).resolve().parents[1] / "conformance/gs1-syntax-engine/dl.c"

_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")|//[^\n]*|/\*.*?\*/', re.S)
_STRING = r'(?:"(?:[^"\\]|\\.)*"\s*)+'


@cache
def _source() -> str:
    """dl.c without comments (strings kept: a comment may hold quotes)."""
    return _TOKEN.sub(lambda m: m.group(1) or "", DL_C.read_text())


def _c_string(literals: str) -> str:
    """Concatenate adjacent C string literals and undo their escapes."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', literals)
    return "".join(p.encode("latin-1").decode("unicode_escape") for p in parts)


def _body(name: str) -> str:
    src = _source()
    start = src.index(f"void {name}(void)")
    end = src.index("\nvoid ", start + 1) if "\nvoid " in src[start + 1 :] else None
    return src[start:end]


_SWITCH = {
    "gs1_encoder_setPermitZeroSuppressedGTINinDLuris": "zero_suppressed_gtin",
    "ctx->permitConvenienceAlphas": "convenience_alphas",
    "gs1_encoder_setPermitUnknownAIs": "unknown_ais",
}


def parse_vectors() -> list[tuple[int, bool, str, str, Options]]:
    """(line, should_succeed, uri, element string, switches) for each
    ``test_parseDLuri`` call, in file order."""
    body = _body("test_dl_parseDLuri")
    offset = _source().index(body)
    step = re.compile(
        r"(gs1_encoder_setPermitZeroSuppressedGTINinDLuris\(ctx, (true|false)\))"
        r"|(ctx->permitConvenienceAlphas = (true|false))"
        r"|(gs1_encoder_setPermitUnknownAIs\(ctx, (true|false)\))"
        r"|(gs1_encoder_setValidationEnabled\(ctx, "
        r"gs1_encoder_vUNKNOWN_AI_NOT_DL_ATTR, (true|false)\))"
        rf"|test_parseDLuri\(\s*(true|false)\s*,\s*({_STRING}),\s*({_STRING})\)"
    )
    opts = STRICT
    out = []
    for m in step.finditer(body):
        if m.group(9):
            line = _source()[: offset + m.start()].count("\n") + 1
            out.append(
                (
                    line,
                    m.group(9) == "true",
                    _c_string(m.group(10)),
                    _c_string(m.group(11)),
                    opts,
                )
            )
            continue
        if m.group(7):
            opts = replace(opts, unknown_ai_attributes=m.group(8) == "false")
            continue
        call = next(g for g in (m.group(1), m.group(3), m.group(5)) if g)
        name = next(k for k in _SWITCH if call.startswith(k))
        value = (m.group(2) or m.group(4) or m.group(6)) == "true"
        opts = replace(opts, **{_SWITCH[name]: value})
    return out


PARSE = parse_vectors()


def test_the_file_gives_every_vector():
    # a change in how dl.c is written must not silently drop vectors
    calls = _body("test_dl_parseDLuri").count("\ttest_parseDLuri(")
    assert len(PARSE) == calls > 110
    assert any(o.zero_suppressed_gtin for *_, o in PARSE)
    assert any(o.convenience_alphas for *_, o in PARSE)
    assert any(o.unknown_ai_attributes for *_, o in PARSE)


@pytest.mark.parametrize(
    ("ok", "uri", "expected", "opts"),
    [pytest.param(*v[1:], id=f"dl.c:{v[0]}") for v in PARSE],
)
def test_gs1_parse_vector(ok: bool, uri: str, expected: str, opts: Options):
    if ok:
        assert parse(uri, opts).element_string() == expected
    else:
        with pytest.raises(Invalid) as exc:
            parse(uri, opts)
        assert exc.value.en and exc.value.zh  # a reason, in both languages


def test_an_ai_99_value_of_90_characters_is_the_limit():
    # the C test builds these two URIs in code rather than as literals
    assert parse("https://a/01/12312312312333?99=" + "A" * 90)
    with pytest.raises(Invalid, match="too long"):
        parse("https://a/01/12312312312333?99=" + "A" * 91)


def test_too_many_ais_in_the_query_string_are_refused():
    query = "&".join(
        f"99={chr(65 + j // 26)}{chr(65 + j % 26)}" for j in range(MAX_AIS)
    )
    with pytest.raises(Invalid) as exc:
        parse("https://a/01/12312312312333?" + query)
    assert "Too many AIs" in exc.value.en


def _sequences() -> list[list[str]]:
    body = _body("test_dl_testValidateDLpathAIseq")
    table = body[body.index("seq[][MAX_AIS]") : body.index("};")]
    return [re.findall(r'"(\d+)"', row) for row in re.findall(r"\{([^{}]*)\}", table)]


SEQUENCES = _sequences()


@pytest.mark.parametrize("seq", SEQUENCES, ids=" ".join)
def test_gs1_path_ai_sequence_is_valid(seq: list[str]):
    assert gs1_ai.valid_path(seq)


def test_every_path_sequence_was_read_and_wrong_orders_are_not_valid():
    assert len(SEQUENCES) == 39
    for wrong in (["01", "21", "10"], ["01", "10", "22"], ["01", "235", "10"]):
        assert not gs1_ai.valid_path(wrong)
    assert not gs1_ai.valid_path(["10"]) and not gs1_ai.valid_path([])


def _pairs(name: str, macro: str) -> list[tuple[str, str, str]]:
    body = _body(name)
    call = re.compile(rf"{macro}\(\s*({_STRING}),\s*({_STRING}),\s*({_STRING})\)")
    return [
        (_c_string(a), _c_string(b), _c_string(c)) for a, b, c in call.findall(body)
    ]


UNESCAPE = _pairs("test_dl_URIunescape", "test_URIunescape")
ESCAPE = _pairs("test_dl_URIescape", "test_URIescape")


@pytest.mark.parametrize(("raw", "path", "query"), UNESCAPE)
def test_gs1_unescape_vector(raw: str, path: str, query: str):
    assert uri_unescape(raw) == path
    assert uri_unescape(raw, query=True) == query


def test_gs1_unescape_refuses_an_encoded_nul():
    assert len(UNESCAPE) > 20
    with pytest.raises(Invalid, match="NUL"):
        uri_unescape("A%00B")


@pytest.mark.parametrize(("raw", "path", "query"), ESCAPE)
def test_gs1_escape_vector(raw: str, path: str, query: str):
    assert uri_escape(raw) == path
    assert uri_escape(raw, query=True) == query
