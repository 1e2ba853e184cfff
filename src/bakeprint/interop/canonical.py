"""Canonical GS1 identifiers: EPC URNs and Digital Link URIs → one form.

The CBV 2.0 event hash (and anything that compares identifiers written by
different systems) needs one spelling per thing. Per CBV 2.0 §8.9 rules 17–18:

- EPC URIs (``urn:epc:id:…``), EPC class URIs (``urn:epc:class:lgtin:…``) and
  EPC pattern URIs (``urn:epc:idpat:…:*``) become canonical GS1 Digital Link
  URIs (GS1 Tag Data Standard 2.x, the EPC URI ↔ Digital Link mapping);
- a GS1 Digital Link URI is *constrained*: host ``id.gs1.org``, no query
  string, convenience names (``/gtin/``) as numeric AIs, and only the finest
  identification kept (``/01/…/10/…/21/…`` → ``/01/…/21/…``).

Anything else (a geo: URI, a partner's own URL, bakeprint's ``urn:bakeprint:``
names, an EPC scheme without a Digital Link form) is returned unchanged. An EPC
URI of a GS1 key scheme whose digits do not make a GS1 key (a company prefix
and item reference that are not 13 digits together, letters where digits
belong) is refused with ``Invalid``: turned into a Digital Link it would name
a key that cannot exist (a 13-digit GTIN).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from bakeprint.errors import Invalid
from bakeprint.gs1 import check_digit

CANONICAL_HOST = "https://id.gs1.org"

# Primary key → the qualifiers that may follow it in a Digital Link path, and
# the ones kept in the constrained form, finest first.
_QUALIFIERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "00": ((), ()),
    "01": (("22", "10", "21", "235"), ("21", "235", "10")),
    "253": ((), ()),
    "255": ((), ()),
    "401": ((), ()),
    "402": ((), ()),
    "414": (("254", "7040"), ("254",)),
    "417": (("7040",), ()),
    "8003": ((), ()),
    "8004": ((), ()),
    "8006": (("22", "10", "21"), ("21", "10")),
    "8010": (("8011",), ("8011",)),
    "8017": (("8019",), ()),
    "8018": (("8019",), ()),
}
# Digital Link convenience names for the AIs above.
_ALPHA = {
    "sscc": "00",
    "gtin": "01",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
    "gdti": "253",
    "gcn": "255",
    "ginc": "401",
    "gsin": "402",
    "gln": "414",
    "glnx": "254",
    "party": "417",
    "grai": "8003",
    "giai": "8004",
    "itip": "8006",
    "cpid": "8010",
    "cpsn": "8011",
    "gsrnp": "8017",
    "gsrn": "8018",
}


def _enc(value: str) -> str:
    """A decoded AI value as a Digital Link path segment."""
    return quote(value, safe="'")


def _key(digits: str) -> str:
    """Digits completed with their GS1 check digit (GTIN, SSCC, GLN, …)."""
    return digits + str(check_digit(digits))


def _dl(*pairs: tuple[str, str]) -> str:
    return CANONICAL_HOST + "".join(f"/{ai}/{_enc(v)}" for ai, v in pairs)


def _gtin(cp: str, ir: str) -> str:
    return _key(ir[:1] + cp + ir[1:])


# Components of each EPC URI scheme (TDS 2.x §6), where not three.
_PARTS = {
    ("id", "sscc"): 2,
    ("id", "giai"): 2,
    ("id", "gsrn"): 2,
    ("id", "gsrnp"): 2,
    ("id", "ginc"): 2,
    ("id", "gsin"): 2,
    ("id", "pgln"): 2,
    ("id", "itip"): 5,
    ("idpat", "itip"): 5,
}


# Digits in the company prefix and the next component together, per EPC
# scheme with a fixed-length GS1 key (TDS 2.x §6); the company prefix alone
# has 6 to 12.
_KEY_DIGITS = {
    "sgtin": 13,
    "lgtin": 13,
    "itip": 13,
    "upui": 13,
    "sscc": 17,
    "sgln": 12,
    "grai": 12,
    "gdti": 12,
    "sgcn": 12,
    "pgln": 12,
    "gsrn": 17,
    "gsrnp": 17,
    "gsin": 16,
}
# Schemes whose second component is free text (the rest of the key).
_FREE_SECOND = {"giai", "cpi", "ginc"}


def _check_epc(text: str, scheme: str, raw: list[str]) -> None:
    """Refuse an EPC URI of a GS1 key scheme whose digits make no GS1 key."""
    if scheme not in _KEY_DIGITS and scheme not in _FREE_SECOND:
        return
    cp = raw[0]
    problem: tuple[str, str] | None = None
    if not (cp.isdigit() and 6 <= len(cp) <= 12):
        problem = "公司前缀应为 6–12 位数字", "the company prefix must be 6-12 digits"
    elif scheme in _KEY_DIGITS:
        second, want = raw[1], _KEY_DIGITS[scheme]
        if second == "*":  # an EPC pattern
            return
        # a 12-digit prefix leaves no digit for the reference: ``…999..9``
        if not (second.isdigit() or not second) or len(cp) + len(second) != want:
            problem = (
                f"公司前缀与其后的编号合计应为 {want} 位数字",
                f"the company prefix and the reference after it must be "
                f"{want} digits together",
            )
    if problem:
        zh, en = problem
        raise Invalid(f"EPC 标识 {text} 无效：{zh}", f"invalid EPC URI {text}: {en}")


def _from_epc_urn(text: str) -> str | None:
    """TDS EPC URI (id, class or pattern) → canonical Digital Link, if known."""
    head, _, rest = text.partition(":id:")
    kind = "id"
    if not rest:
        head, _, rest = text.partition(":idpat:")
        kind = "idpat"
    if not rest:
        head, _, rest = text.partition(":class:")
        kind = "class"
    if head != "urn:epc" or ":" not in rest:
        return None
    scheme, _, body = rest.partition(":")
    # the last component (a serial, a lot) may itself hold dots
    raw = body.split(".", _PARTS.get((kind, scheme), 3) - 1)
    parts = [unquote(p) for p in raw]
    if len(raw) < 2:
        if scheme in _KEY_DIGITS or scheme in _FREE_SECOND:
            raise Invalid(
                f"EPC 标识 {text} 无效：缺少组成部分",
                f"invalid EPC URI {text}: a component is missing",
            )
        return None
    _check_epc(text, scheme, raw)
    try:
        if kind == "class":
            if scheme == "lgtin" and len(parts) == 3:
                return _dl(("01", _gtin(parts[0], parts[1])), ("10", parts[2]))
            return None
        if kind == "idpat":
            if parts[-1] != "*":
                return None
            pat = {
                "sgtin": lambda p: (("01", _gtin(p[0], p[1])),),
                "grai": lambda p: (("8003", "0" + _key(p[0] + p[1])),),
                "gdti": lambda p: (("253", _key(p[0] + p[1])),),
                "sgcn": lambda p: (("255", _key(p[0] + p[1])),),
                "cpi": lambda p: (("8010", p[0] + p[1]),),
                "itip": lambda p: (("8006", _gtin(p[0], p[1]) + p[2] + p[3]),),
            }.get(scheme)
            return _dl(*pat(parts)) if pat else None
        one = {
            "sgtin": lambda p: (("01", _gtin(p[0], p[1])), ("21", p[2])),
            "sscc": lambda p: (("00", _key(p[1][:1] + p[0] + p[1][1:])),),
            "sgln": lambda p: (
                (("414", _key(p[0] + p[1])),)
                + ((("254", p[2]),) if p[2] != "0" else ())
            ),
            "grai": lambda p: (("8003", "0" + _key(p[0] + p[1]) + p[2]),),
            "giai": lambda p: (("8004", p[0] + p[1]),),
            "gsrn": lambda p: (("8018", _key(p[0] + p[1])),),
            "gsrnp": lambda p: (("8017", _key(p[0] + p[1])),),
            "gdti": lambda p: (("253", _key(p[0] + p[1]) + p[2]),),
            "cpi": lambda p: (("8010", p[0] + p[1]), ("8011", p[2])),
            "sgcn": lambda p: (("255", _key(p[0] + p[1]) + p[2]),),
            "ginc": lambda p: (("401", p[0] + p[1]),),
            "gsin": lambda p: (("402", _key(p[0] + p[1])),),
            "itip": lambda p: (
                ("8006", _gtin(p[0], p[1]) + p[2] + p[3]),
                ("21", p[4]),
            ),
            "upui": lambda p: (("01", _gtin(p[0], p[1])), ("235", p[2])),
            "pgln": lambda p: (("417", _key(p[0] + p[1])),),
        }.get(scheme)
        return _dl(*one(parts)) if one else None
    except IndexError:
        return None


def _from_digital_link(text: str) -> str | None:
    """An uncompressed Digital Link URI in its constrained canonical form."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        return None
    segs = [s for s in parts.path.split("/") if s]
    for i, seg in enumerate(segs):
        key = _ALPHA.get(seg, seg)
        if key not in _QUALIFIERS or i + 1 >= len(segs):
            continue
        allowed, kept = _QUALIFIERS[key]
        rest = segs[i + 2 :]
        if len(rest) % 2:
            continue
        quals = {
            _ALPHA.get(a, a): unquote(v)
            for a, v in zip(rest[::2], rest[1::2], strict=True)
        }
        if any(a not in allowed for a in quals):
            continue
        value = unquote(segs[i + 1])
        if key == "01":
            if not value.isdigit() or len(value) not in (8, 12, 13, 14):
                continue
            value = value.zfill(14)
        pairs = [(key, value)]
        for q in kept:
            if q in quals:
                pairs.append((q, quals[q]))
                break
        return _dl(*pairs)
    return None


@lru_cache(maxsize=65_536)
def canonical_id(value: str) -> str:
    """The canonical GS1 Digital Link form of an identifier, else ``value``
    (cached: an export meets the same places and lots over and over)."""
    text = value.strip()
    if text.startswith("urn:epc:"):
        return _from_epc_urn(text) or text
    if text.startswith(("http://", "https://")):
        return _from_digital_link(text) or text
    return text
