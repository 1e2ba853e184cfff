"""The major food allergens, with their zh-CN and English names.

The fourteen allergens that EU and UK food law (Reg. 1169/2011 Annex II) require
on labels, a superset of the main groups other markets name. Products and
material types store the codes; labels, scan pages and recall notices show the
names. Other domains import this module (never copy the list).
"""

from __future__ import annotations

from collections.abc import Iterable

from bakeprint.errors import Invalid

# code -> (zh, en), in label order.
ALLERGENS: dict[str, tuple[str, str]] = {
    "gluten": ("含麸质的谷物", "Cereals containing gluten"),
    "crustaceans": ("甲壳类动物", "Crustaceans"),
    "eggs": ("蛋类", "Eggs"),
    "fish": ("鱼类", "Fish"),
    "peanuts": ("花生", "Peanuts"),
    "soybeans": ("大豆", "Soybeans"),
    "milk": ("乳及乳制品", "Milk"),
    "tree_nuts": ("坚果", "Tree nuts"),
    "celery": ("芹菜", "Celery"),
    "mustard": ("芥末", "Mustard"),
    "sesame": ("芝麻", "Sesame"),
    "sulphites": ("二氧化硫及亚硫酸盐", "Sulphur dioxide and sulphites"),
    "lupin": ("羽扇豆", "Lupin"),
    "molluscs": ("软体动物", "Molluscs"),
}

# What people type: the code, either name, and a few common short forms.
_ALIASES: dict[str, str] = {
    **{code: code for code in ALLERGENS},
    **{zh: code for code, (zh, _) in ALLERGENS.items()},
    **{en.lower(): code for code, (_, en) in ALLERGENS.items()},
    "麸质": "gluten",
    "egg": "eggs",
    "鸡蛋": "eggs",
    "peanut": "peanuts",
    "soy": "soybeans",
    "soya": "soybeans",
    "乳": "milk",
    "牛奶": "milk",
    "dairy": "milk",
    "tree nuts": "tree_nuts",
    "tree-nuts": "tree_nuts",
    "树坚果": "tree_nuts",
    "sulfites": "sulphites",
    "亚硫酸盐": "sulphites",
    "mollusks": "molluscs",
}


def name(code: str, lang: str = "zh") -> str:
    """The allergen's name in ``lang`` ('zh' or 'en'); the code if unknown."""
    zh, en = ALLERGENS.get(code, (code, code))
    return en if lang == "en" else zh


def names(codes: Iterable[str], lang: str = "zh") -> list[str]:
    return [name(c, lang) for c in codes]


def normalize(values: Iterable[str], *, field: str = "allergens") -> list[str]:
    """Codes for the given codes or names, de-duplicated, in label order.

    An unknown entry is refused by name, with the accepted codes listed.
    """
    found: set[str] = set()
    unknown: list[str] = []
    for raw in values:
        key = raw.strip()
        if not key:
            continue
        code = _ALIASES.get(key) or _ALIASES.get(key.lower())
        if code is None:
            unknown.append(key)
        else:
            found.add(code)
    if unknown:
        bad = ", ".join(unknown)
        choices = ", ".join(ALLERGENS)
        raise Invalid(
            f"未知过敏原：{'、'.join(unknown)}；可选：{choices}",
            f"unknown allergen: {bad}; choose from {choices}",
            field=field,
        )
    return [code for code in ALLERGENS if code in found]
