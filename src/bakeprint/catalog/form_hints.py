"""The master-data forms' field hints, in zh-CN and English.

The API documents its fields in English (the schemas' descriptions); a form
shows these instead, in the page's language. A kind field lists the kinds
bakeprint has words for, each with the value to type.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from bakeprint.web.i18n import t
from bakeprint.web.labels import LABELS, label

HINTS: dict[tuple[str, str], tuple[str, str]] = {
    ("products", "gtin"): (
        "GTIN-8/12/13/14，按 14 位保存",
        "GTIN-8/12/13/14; kept as 14",
    ),
    ("products", "line"): ("产品线代码，如 SS", "Product line code, e.g. SS"),
    ("products", "category"): ("如 酥皮类", "e.g. 酥皮类"),
    ("products", "shelf_life_days"): (
        "标准保质期，1–60 天",
        "Standard shelf life, 1–60 days",
    ),
    ("product-lines", "code"): ("两个大写字母，如 SS", "Two letters A–Z, e.g. SS"),
    ("material-types", "code"): ("如 FLOUR", "e.g. FLOUR"),
    ("operators", "code"): ("如 WANG-03", "e.g. WANG-03"),
    ("operators", "username"): (
        "这个人登录时用的用户名",
        "The bakery user who is this person",
    ),
    ("equipment", "code"): ("如 OVEN-3", "e.g. OVEN-3"),
    ("equipment", "name"): ("如 3号烤箱", "e.g. Oven 3"),
    ("locations", "code"): ("如 COLD-1", "e.g. COLD-1"),
    ("vehicles", "code"): ("如 VAN-2", "e.g. VAN-2"),
    ("points-of-sale", "code"): ("如 CITY-LIB", "e.g. CITY-LIB"),
    ("points-of-sale", "webhook_url"): (
        "召回通知以 JSON 发送到这个地址（带 HMAC 签名）",
        "Recall notices are sent here (JSON, HMAC-signed)",
    ),
    ("points-of-sale", "webhook_secret"): (
        "签名用的共享密钥（请求头 <code>X-Bakeprint-Signature</code>），保存后不再显示",
        "The shared secret of the <code>X-Bakeprint-Signature</code> header; "
        "never shown again",
    ),
}

# kind fields: the values bakeprint has words for
KIND_FIELDS = {
    ("equipment", "kind"): "equipment_kind",
    ("locations", "kind"): "location_kind",
    ("points-of-sale", "kind"): "shop_kind",
    ("material-types", "unit"): "measure",
}


def _choices(group: str, lang: str) -> Markup:
    shown = []
    for value in LABELS[group]:
        if value in ("min", "days"):  # durations, not a material's unit
            continue
        words = label(lang, group, value)
        code = Markup("<code>{}</code>").format(value)
        shown.append(code if words == value else code + " " + words)
    return Markup(t(lang, "one_of")) + Markup(t(lang, "list_sep")).join(shown)


def hint(slug: str, field: str, lang: str, described: str) -> Markup | str:
    """The hint under a field; the API's English description only in English
    (a field without a translated hint shows none in Chinese)."""
    group = KIND_FIELDS.get((slug, field))
    if group:
        return _choices(group, lang)
    pair = HINTS.get((slug, field))
    if pair:
        return Markup(pair[1] if lang == "en" else pair[0])
    return escape(described) if lang == "en" else ""
