"""GS1 Digital Link URIs and GS1 element strings.

:func:`parse` reads any GS1 Digital Link URI strictly, per the GS1 Digital
Link URI syntax 1.4 as GS1's own syntax engine does (its ``dl.c`` test vectors
are bakeprint's tests): the rightmost ``/AI/value`` pair whose AI is a primary
key starts the path, after an optional stem; key qualifiers follow in the
order the standard lists; data attributes are numeric query parameters, each
a known AI, never one that belongs in the path nor repeated; other query
parameters are kept but carry no AI. A GTIN must have its 14 digits.

:class:`DigitalLink` is what bakeprint prints on its labels: a GTIN with
``/10/{lot}``, ``/21/{serial}`` and ``?17={expiry}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from bakeprint.errors import Invalid
from bakeprint.gs1 import check_digit
from bakeprint.interop import gs1_ai

GS = "\x1d"
# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
_SYMBOLOGY = re.compile(r"^\](C1|e0|d2|Q3|J1)")
_COMPRESSED = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9_-]{8,}$")


def _bad(zh: str, en: str) -> Invalid:
    return Invalid(zh, en, field="code")


def _gtin(value: str) -> str:
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise _bad(
            f"GTIN 必须是 8/12/13/14 位数字：{value}",
            f"the GTIN must be 8, 12, 13 or 14 digits: {value}",
        )
    if check_digit(value[:-1]) != int(value[-1]):
        raise _bad(
            f"GTIN {value} 校验位错误（应为 {check_digit(value[:-1])}）",
            f"GTIN {value} has a wrong check digit (expected "
            f"{check_digit(value[:-1])})",
        )
    return value.zfill(14)


def _text(ai: str, value: str) -> str:
    if not CSET82.match(value):
        name = {"10": "批号", "21": "序列号"}.get(ai, ai)
        raise _bad(
            f"{name}（AI {ai}）须为 1–20 个 GS1 允许的字符：{value!r}",
            f"AI {ai} must be 1–20 GS1 characters (CSET 82): {value!r}",
        )
    return value


def parse_yymmdd(value: str, *, today: date | None = None) -> date:
    """AI 17 date: century by the GS1 sliding window; DD=00 means month end."""
    if not re.fullmatch(r"\d{6}", value):
        raise _bad(
            f"有效期（AI 17）须为 YYMMDD：{value}",
            f"expiry (AI 17) must be YYMMDD: {value}",
        )
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= mm <= 12:
        raise _bad(f"有效期月份 {mm} 无效", f"expiry month {mm} is invalid")
    this_year = (today or date.today()).year
    century = this_year // 100 * 100
    diff = yy - this_year % 100
    if diff >= 51:
        century -= 100
    elif diff <= -50:
        century += 100
    year = century + yy
    if dd == 0:
        nxt = date(year + (mm == 12), mm % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    try:
        return date(year, mm, dd)
    except ValueError:
        raise _bad(
            f"有效期 {value} 不是有效日期", f"expiry {value} is not a real date"
        ) from None


def yymmdd(d: date) -> str:
    return d.strftime("%y%m%d")


@dataclass(frozen=True)
class DigitalLink:
    gtin: str
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    host: str = "id.gs1.org"

    def __post_init__(self) -> None:
        object.__setattr__(self, "gtin", _gtin(self.gtin))
        if self.lot is not None:
            _text("10", self.lot)
        if self.serial is not None:
            _text("21", self.serial)

    def uri(self) -> str:
        out = f"https://{self.host}/01/{self.gtin}"
        if self.lot is not None:
            out += f"/10/{quote(self.lot, safe='')}"
        if self.serial is not None:
            out += f"/21/{quote(self.serial, safe='')}"
        if self.expiry is not None:
            out += f"?17={yymmdd(self.expiry)}"
        return out

    def element_string(self, *, brackets: bool = True) -> str:
        """Human-readable ``(01)…(17)…(10)…(21)…`` or raw with GS separators."""
        parts = [("01", self.gtin)]
        if self.expiry is not None:
            parts.append(("17", yymmdd(self.expiry)))
        if self.lot is not None:
            parts.append(("10", self.lot))
        if self.serial is not None:
            parts.append(("21", self.serial))
        if brackets:
            return "".join(f"({ai}){v}" for ai, v in parts)
        out = ""
        for i, (ai, v) in enumerate(parts):
            out += ai + v
            if ai in ("10", "21") and i < len(parts) - 1:
                out += GS
        return out


# --- strict GS1 Digital Link URI parsing (URI syntax 1.4) -----------------

# the characters a URI may contain (RFC 3986), as GS1's syntax engine checks
URI_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "-._~:/?#[]@!$&'()*+,;=%"
)
_BAD_DOMAIN = frozenset("_~?#@!$&'()*+,;=%")
MAX_AIS = 64
# convenience alphas (deprecated in URI syntax 1.2, removed in 1.3): read only
# when asked for
ALPHAS = {
    "cpid": "8010", "cpsn": "8011", "cpv": "22", "gcn": "255", "gdti": "253",
    "giai": "8004", "ginc": "401", "gln": "414", "glnx": "254", "gmn": "8013",
    "grai": "8003", "gsin": "402", "gsrn": "8018", "gsrnp": "8017",
    "gtin": "01", "itip": "8006", "lot": "10", "party": "417",
    "refno": "8020", "ser": "21", "srin": "8019", "sscc": "00",
}  # fmt: skip
_HEX = "0123456789abcdefABCDEF"


@dataclass(frozen=True)
class Options:
    """GS1's syntax engine switches, off by default as there."""

    zero_suppressed_gtin: bool = False  # pad a GTIN-8/12/13 (pre-1.4 links)
    convenience_alphas: bool = False  # /gtin/… for /01/…
    unknown_ais: bool = False  # AIs missing from the table are read
    unknown_ai_attributes: bool = False  # … and allowed as data attributes


STRICT = Options()


@dataclass(frozen=True)
class ParsedLink:
    """A syntactically valid GS1 Digital Link URI, taken apart."""

    scheme: str
    host: str
    stem: str  # the path before the primary key, "" or "/some/stem"
    path: tuple[tuple[str, str], ...]  # the key then its qualifiers
    attributes: tuple[tuple[str, str], ...] = ()  # AI data attributes
    params: tuple[tuple[str, str | None], ...] = ()  # other query parameters
    fragment: str | None = None
    _fnc1: tuple[bool, ...] = field(default=(), repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return self.path[0]

    def element_string(self) -> str:
        """GS1's syntax-engine form: ``^`` for FNC1, AI then value, a ``^``
        after each AI of variable length that is not the last."""
        out, sep = "", True
        for (ai, value), fnc1 in zip(
            (*self.path, *self.attributes), self._fnc1, strict=True
        ):
            out += ("^" if sep else "") + ai + value
            sep = fnc1
        return out

    def uri(self, *, host: str | None = None) -> str:
        """The canonical uncompressed form on ``host`` (AIs only, no other
        query parameters)."""
        out = f"{self.scheme}://{host or self.host}"
        out += "".join(f"/{ai}/{uri_escape(v)}" for ai, v in self.path)
        if self.attributes:
            out += "?" + "&".join(
                f"{ai}={uri_escape(v, query=True)}" for ai, v in self.attributes
            )
        return out

    def levels(self) -> list[tuple[tuple[str, str], ...]]:
        """The path and each less specific path up to the primary key alone,
        most specific first (the resolver walks up this list)."""
        return [self.path[:n] for n in range(len(self.path), 0, -1)]


def uri_unescape(text: str, *, query: bool = False) -> str:
    """Undo percent-encoding; ``+`` is a space in the query string only.
    A ``%`` not followed by two hex digits stays as it is; ``%00`` is refused."""
    if "%" not in text and not (query and "+" in text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        pair = text[i + 1 : i + 3]
        if c == "%" and len(pair) == 2 and all(h in _HEX for h in pair):
            if pair == "00":
                raise _bad(
                    "链接中含有编码的空字符（%00）",
                    "the link contains an encoded NUL character (%00)",
                )
            out.append(chr(int(pair, 16)))
            i += 3
            continue
        out.append(" " if c == "+" and query else c)
        i += 1
    return "".join(out)


def uri_escape(value: str, *, query: bool = False) -> str:
    """Percent-encode an AI value for a path segment (a space is ``%20``) or a
    query parameter (a space is ``+``); ``A–Z a–z 0–9 - . _ ~`` stay."""
    out = quote(value, safe="")
    return out.replace("%20", "+") if query else out


def _ai(code: str, opts: Options) -> gs1_ai.AI | None:
    if not code.isdigit() or not code.isascii():
        return None
    found = gs1_ai.lookup(code)
    if found is None and opts.unknown_ais and 2 <= len(code) <= 4:
        return gs1_ai.AI(code, "UNKNOWN", (gs1_ai.Part("X", 1, 90),), None, False)
    return found


def _segment_ai(code: str, opts: Options) -> gs1_ai.AI | None:
    if opts.convenience_alphas and 3 <= len(code) <= 5 and not code[0].isdigit():
        alias = ALPHAS.get(code)
        return gs1_ai.lookup(alias) if alias else None
    return _ai(code, opts)


def _value(entry: gs1_ai.AI, raw: str, opts: Options, *, query: bool) -> str:
    if raw == "":
        where = "查询参数" if query else "路径"
        raise _bad(
            f"AI ({entry.code}) 在{where}中的值为空",
            f"AI ({entry.code}) has an empty value in the "
            + ("query string" if query else "path"),
        )
    value = uri_unescape(raw, query=query)
    if opts.zero_suppressed_gtin and entry.code == "01" and len(value) in (8, 12, 13):
        value = value.zfill(14)
    why = gs1_ai.check(entry, value)
    if why is not None:
        if entry.code in ("01", "02") and value.isdigit() and len(value) < 14:
            why = f"AI ({entry.code}) must be a GTIN of 14 digits: {value}"
        raise _bad(f"链接无效：{why}", f"invalid Digital Link: {why}")
    return value


def parse(uri: str, opts: Options = STRICT) -> ParsedLink:
    """Read a GS1 Digital Link URI strictly, or raise :class:`Invalid` with the
    reason (in both languages)."""
    text = uri
    if not URI_CHARS.issuperset(text):
        bad_chars = sorted({c for c in text if c not in URI_CHARS})
        shown = " ".join(repr(c) for c in bad_chars[:5])
        raise _bad(
            f"链接含有 URI 不允许的字符：{shown}",
            f"the link contains characters a URI may not: {shown}",
        )
    for scheme in ("https", "http"):
        if text.startswith((f"{scheme}://", f"{scheme.upper()}://")):
            rest = text[len(scheme) + 3 :]
            break
    else:
        raise _bad(
            "链接须以 http:// 或 https:// 开头", "the link must start with http(s)://"
        )
    host, slash, rest = rest.partition("/")
    if any(c in _BAD_DOMAIN for c in host):
        raise _bad(
            f"链接的域名含有非法字符：{host}",
            f"the link's domain has characters a domain may not: {host}",
        )
    if not slash or not host:
        raise _bad("链接缺少域名或路径", "the link has no domain or no path")
    rest, hash_, fragment = rest.partition("#")
    rest, _, query = rest.partition("?")
    segs = rest.split("/")  # the path after the domain's "/"
    # from the right, the first /AI/value pair whose AI is a primary key
    start = None
    k = len(segs) - 1
    while k >= 1:
        entry = _segment_ai(segs[k - 1], opts)
        if entry is None:
            break
        if entry.qualifiers is not None:
            start = k - 1
            break
        k -= 2
    if start is None:
        if segs and _COMPRESSED.match(segs[-1]) and len(segs) <= 2:
            raise _bad(
                "这是压缩格式的 GS1 数字链接，无法读取其中的标识",
                "this is a compressed GS1 Digital Link; its identifiers cannot be "
                "read here",
            )
        raise _bad(
            "链接路径中没有 GS1 主键（如 /01/<GTIN>）",
            "no GS1 primary key (such as /01/<GTIN>) in the link's path",
        )
    stem = "/" + "/".join(segs[:start]) if start else ""
    entries: list[gs1_ai.AI] = []
    path: list[tuple[str, str]] = []
    for i in range(start, len(segs), 2):
        entry = _segment_ai(segs[i], opts)
        assert entry is not None  # walked over above
        path.append((entry.code, _value(entry, segs[i + 1], opts, query=False)))
        entries.append(entry)
    attributes: list[tuple[str, str]] = []
    params: list[tuple[str, str | None]] = []
    for param in query.split("&"):
        if not param:
            continue
        name, eq, raw = param.partition("=")
        if not eq:
            params.append((name, None))
            continue
        if not (name.isdigit() and name.isascii()):
            params.append((name, raw))
            continue
        entry = _ai(name, opts)
        if entry is None:
            raise _bad(
                f"查询参数中有未知的 AI：{name}",
                f"unknown AI in the query string: {name}",
            )
        if len(path) + len(attributes) >= MAX_AIS:
            raise _bad(
                f"链接中的 AI 太多（最多 {MAX_AIS} 个）",
                f"Too many AIs in the link (at most {MAX_AIS})",
            )
        attributes.append((entry.code, _value(entry, raw, opts, query=True)))
        entries.append(entry)
    seq = [ai for ai, _ in path]
    if not gs1_ai.valid_path(seq):
        shown = "/".join(seq)
        raise _bad(
            f"路径中的 AI 顺序无效：{shown}（主键之后只能是它的限定符，按标准顺序）",
            f"invalid key qualifier sequence in the path: {shown} (after the key "
            "come only its qualifiers, in the standard's order)",
        )
    seen: set[str] = set()
    for ai, _ in (*path, *attributes):
        if ai in seen:
            raise _bad(f"AI ({ai}) 出现了两次", f"AI ({ai}) appears twice")
        seen.add(ai)
    for (ai, _), entry in zip(attributes, entries[len(path) :], strict=True):
        unknown = entry.title == "UNKNOWN"
        if not entry.attribute and not (unknown and opts.unknown_ai_attributes):
            raise _bad(
                f"AI ({ai}) 不能作为数字链接的数据属性",
                f"AI ({ai}) is not a valid Digital Link data attribute",
            )
        for j in range(1, len(seq) + 1):
            if gs1_ai.valid_path([*seq[:j], ai, *seq[j:]]):
                raise _bad(
                    f"AI ({ai}) 应写在路径中，而不是查询参数里",
                    f"AI ({ai}) belongs in the path, not in the query string",
                )
    return ParsedLink(
        scheme=text[: text.index(":")].lower(),
        host=host,
        stem=stem,
        path=tuple(path),
        attributes=tuple(attributes),
        params=tuple(params),
        fragment=fragment if hash_ else None,
        _fnc1=tuple(e.fnc1 for e in entries),
    )


def parse_uri(uri: str) -> DigitalLink:
    """Parse a GS1 Digital Link URI for a GTIN (any host, any path stem),
    strictly per the URI syntax 1.4: a 14-digit GTIN, ``/22/``, ``/10/`` and
    ``/21/`` in the path in that order, data attributes (``?17=…``) in the
    query string. A typed link without scheme is read as https."""
    text = uri.strip()
    if text.startswith("/"):
        text = "https://id.gs1.org" + text
    elif "://" not in text and not text.lower().startswith(("http:", "https:")):
        text = "https://" + text
    link = parse(text)
    key, gtin = link.path[0]
    if key != "01":
        raise _bad(
            f"bakeprint 只识别 GTIN（/01/…）链接，这个链接的主键是 AI {key}",
            f"bakeprint reads GTIN (/01/…) links only; this link's key is AI {key}",
        )
    values = dict(link.path)
    if "235" in values:
        raise _bad(
            "bakeprint 的标签不使用 AI 235（第三方控制的序列号）",
            "bakeprint labels do not use AI 235 (third-party serial)",
        )
    attrs = dict(link.attributes)
    return DigitalLink(
        gtin=gtin,
        lot=values.get("10"),
        serial=values.get("21"),
        expiry=parse_yymmdd(attrs["17"]) if "17" in attrs else None,
        host=link.host or "id.gs1.org",
    )


def parse_element_string(value: str) -> DigitalLink:
    """Parse ``(01)…(10)…`` or a raw scan (optional symbology id, GS separators)."""
    text = value.strip()
    fields: dict[str, str] = {}
    if text.startswith("("):
        for ai, val in re.findall(r"\((\d{2,4})\)([^(]*)", text):
            fields[ai] = val
        if "".join(f"({a}){v}" for a, v in fields.items()) != text:
            raise _bad(
                f"无法解析的元素串：{value}", f"cannot parse element string: {value}"
            )
    else:
        text = _SYMBOLOGY.sub("", text)
        i = 0
        while i < len(text):
            ai = text[i : i + 2]
            i += 2
            if ai == "01":
                fields[ai], i = text[i : i + 14], i + 14
            elif ai == "17":
                fields[ai], i = text[i : i + 6], i + 6
            elif ai in ("10", "21"):
                end = text.find(GS, i)
                end = len(text) if end < 0 else end
                fields[ai], i = text[i:end], end + 1
            else:
                raise _bad(f"不支持的 AI {ai}", f"unsupported AI {ai}")
    unknown = set(fields) - {"01", "10", "17", "21"}
    if unknown:
        raise _bad(
            f"不支持的 AI：{', '.join(sorted(unknown))}",
            f"unsupported AI: {', '.join(sorted(unknown))}",
        )
    if "01" not in fields:
        raise _bad("元素串中没有 GTIN（AI 01）", "no GTIN (AI 01) in element string")
    return DigitalLink(
        gtin=fields["01"],
        lot=fields.get("10"),
        serial=fields.get("21"),
        expiry=parse_yymmdd(fields["17"]) if "17" in fields else None,
    )
