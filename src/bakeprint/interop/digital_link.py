"""GS1 Digital Link URIs and GS1 element strings for AI 01, 10, 17, 21.

Follows the GS1 Digital Link URI syntax (1.1): ``/01/{gtin}[/10/{lot}][/21/{serial}]``
after an optional path prefix, data attributes such as ``17`` (expiry) in the query
string. Compressed Digital Link URIs are recognised and refused with a clear
message (bakeprint prints and resolves the uncompressed form only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from bakeprint.errors import Invalid
from bakeprint.gs1 import check_digit

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


def parse_uri(uri: str) -> DigitalLink:
    """Parse an uncompressed GS1 Digital Link URI (any host, any path prefix)."""
    text = uri.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("http", "https"):
        raise _bad(f"不是 http(s) 链接：{uri}", f"not an http(s) URI: {uri}")
    segments = [s for s in parts.path.split("/") if s]
    try:
        start = segments.index("01")
    except ValueError:
        if segments and _COMPRESSED.match(segments[-1]):
            raise _bad(
                "不支持压缩格式的 GS1 数字链接；请使用未压缩格式 /01/<GTIN>/…",
                "compressed GS1 Digital Link URIs are not supported; use the "
                "uncompressed form /01/<GTIN>/…",
            ) from None
        raise _bad(
            f"链接中没有 GTIN（/01/…）：{uri}", f"no GTIN (/01/…) in this link: {uri}"
        ) from None
    keys = segments[start:]
    if len(keys) % 2:
        raise _bad(
            f"链接路径不完整：{parts.path}",
            f"incomplete Digital Link path: {parts.path}",
        )
    values: dict[str, str] = {}
    order = []
    for ai, raw in zip(keys[::2], keys[1::2], strict=True):
        if ai in values:
            raise _bad(f"AI {ai} 重复", f"AI {ai} appears twice")
        if ai not in ("01", "10", "21", "22"):
            raise _bad(f"路径中不支持 AI {ai}", f"AI {ai} is not supported in the path")
        values[ai] = unquote(raw)
        order.append(ai)
    if [a for a in order if a in ("10", "21")] not in (
        [],
        ["10"],
        ["21"],
        ["10", "21"],
    ):
        raise _bad(
            "路径顺序应为 /01/…/10/…/21/…", "the path order must be /01/…/10/…/21/…"
        )
    expiry = None
    for key, val in parse_qsl(parts.query, keep_blank_values=True):
        if key in ("17", "expiry"):
            expiry = parse_yymmdd(val)
    return DigitalLink(
        gtin=values["01"],
        lot=values.get("10"),
        serial=values.get("21"),
        expiry=expiry,
        host=parts.netloc or "id.gs1.org",
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
