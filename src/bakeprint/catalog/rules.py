"""What valid master data looks like: codes, ranges and the fixed vocabularies.

Pure functions that return the normalised value or raise a bilingual ``Invalid``
naming the field, the value given and what is accepted.
"""

from __future__ import annotations

import math
import re

from bakeprint.errors import Invalid

# code -> (zh, en)
LOCATION_KINDS: dict[str, tuple[str, str]] = {
    "kitchen_zone": ("厨房区域", "kitchen zone"),
    "cold_room": ("冷库", "cold room"),
    "dry_store": ("干货库", "dry store"),
    "packing": ("包装间", "packing room"),
    "warehouse": ("仓库", "warehouse"),
}
EQUIPMENT_KINDS: dict[str, tuple[str, str]] = {
    "oven": ("烤箱", "oven"),
    "mixer": ("搅拌机", "mixer"),
    "proofer": ("醒发箱", "proofer"),
    "chiller": ("冷却设备", "chiller"),
    "packer": ("包装机", "packer"),
    "other": ("其他", "other"),
}
POS_KINDS: dict[str, tuple[str, str]] = {
    "cafe": ("咖啡馆", "café"),
    "shop": ("门店", "shop"),
    "online": ("网店", "online shop"),
    "other": ("其他", "other"),
}
# The units production converts between (g↔kg, mL↔L), plus pieces.
UNITS: dict[str, tuple[str, str]] = {
    "kg": ("千克", "kilogram"),
    "g": ("克", "gram"),
    "L": ("升", "litre"),
    "mL": ("毫升", "millilitre"),
    "pcs": ("个", "pieces"),
}

SHELF_LIFE_DAYS = (1, 60)
OVEN_TEMP_C = (80.0, 320.0)
BAKE_MINUTES = (1.0, 240.0)

_LINE_RE = re.compile(r"[A-Z]{2}")
_VARIANT_RE = re.compile(r"F[0-9]{1,2}")
_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,39}")


def line_code(value: str) -> str:
    code = value.strip().upper()
    if not _LINE_RE.fullmatch(code):
        raise Invalid(
            f"产品线代码必须正好是两个英文字母（A–Z），例如 SS；收到：{value!r}",
            f"a product line code is exactly two letters A–Z, e.g. SS; got {value!r}",
            field="code",
        )
    return code


def variant_code(value: str) -> str:
    code = value.strip().upper()
    if not _VARIANT_RE.fullmatch(code):
        raise Invalid(
            f"配方版本代码应为 F 加 1–2 位数字，例如 F1、F12；收到：{value!r}",
            f"a recipe variant code is F and 1–2 digits, e.g. F1 or F12; got {value!r}",
            field="code",
        )
    return code


def code(value: str, *, field: str = "code") -> str:
    """A master-data code such as OVEN-3 or WANG-03 (stored in capitals)."""
    out = value.strip().upper()
    if not _CODE_RE.fullmatch(out):
        raise Invalid(
            f"代码只能包含字母、数字和 . _ -（以字母或数字开头，最多 40 位），"
            f"例如 OVEN-3；收到：{value!r}",
            f"a code holds letters, digits and . _ - (starting with a letter or "
            f"digit, at most 40), e.g. OVEN-3; got {value!r}",
            field=field,
        )
    return out


def choice(
    value: str, vocab: dict[str, tuple[str, str]], *, field: str, zh: str, en: str
) -> str:
    """One of the vocabulary's codes (case-insensitive input)."""
    wanted = value.strip()
    for key in vocab:
        if key.lower() == wanted.lower():
            return key
    options = ", ".join(vocab)
    raise Invalid(
        f"未知{zh}：{value}；可选：{options}",
        f"unknown {en}: {value}; choose from {options}",
        field=field,
    )


def location_kind(value: str) -> str:
    return choice(
        value, LOCATION_KINDS, field="kind", zh="位置类型", en="location kind"
    )


def equipment_kind(value: str) -> str:
    return choice(
        value, EQUIPMENT_KINDS, field="kind", zh="设备类型", en="equipment kind"
    )


def pos_kind(value: str) -> str:
    return choice(
        value, POS_KINDS, field="kind", zh="销售点类型", en="point-of-sale kind"
    )


def unit(value: str) -> str:
    return choice(value, UNITS, field="unit", zh="单位", en="unit")


def _finite(value: float, field: str) -> float:
    if not math.isfinite(value):
        raise Invalid(f"{field} 必须是数字", f"{field} must be a number", field=field)
    return value


def shelf_life(days: int) -> int:
    lo, hi = SHELF_LIFE_DAYS
    if not lo <= days <= hi:
        raise Invalid(
            f"标准保质期应为 {lo}–{hi} 天，收到 {days} 天",
            f"the standard shelf life must be {lo}–{hi} days; got {days}",
            field="shelf_life_days",
        )
    return days


def oven_temp(value: float) -> float:
    lo, hi = OVEN_TEMP_C
    if not lo <= _finite(value, "target_oven_temp_c") <= hi:
        raise Invalid(
            f"目标炉温应为 {lo:g}–{hi:g} °C，收到 {value:g} °C",
            f"the target oven temperature must be {lo:g}–{hi:g} °C; got {value:g} °C",
            field="target_oven_temp_c",
        )
    return value


def bake_minutes(value: float) -> float:
    lo, hi = BAKE_MINUTES
    if not lo <= _finite(value, "target_bake_minutes") <= hi:
        raise Invalid(
            f"目标烘烤时间应为 {lo:g}–{hi:g} 分钟，收到 {value:g} 分钟",
            f"the target bake time must be {lo:g}–{hi:g} minutes; got {value:g}",
            field="target_bake_minutes",
        )
    return value


def not_negative(value: float, *, field: str, zh: str, en: str) -> float:
    if not _finite(value, field) >= 0:
        raise Invalid(
            f"{zh}不能为负数，收到 {value:g}",
            f"{en} cannot be negative; got {value:g}",
            field=field,
        )
    return value


def positive(value: float, *, field: str, zh: str, en: str) -> float:
    if not _finite(value, field) > 0:
        raise Invalid(
            f"{zh}必须大于 0，收到 {value:g}",
            f"{en} must be greater than 0; got {value:g}",
            field=field,
        )
    return value
