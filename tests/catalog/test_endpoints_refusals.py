"""The /catalog API refuses bad input with 422/404/409, in the caller's language
(zh by default, en by Accept-Language), and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog.api import API, EN, GTIN, PRODUCT, VARIANT, snapshot

# method, path, body, status, English and Chinese parts of the message
BAD: list[tuple[str, str, dict[str, Any] | None, int, str, str]] = [
    (
        "POST",
        "product-lines",
        {"code": "S", "name_zh": "x"},
        422,
        "exactly two",
        "两个",
    ),
    ("POST", "product-lines", {"code": "s1", "name_zh": "x"}, 422, "'s1'", "'s1'"),
    (
        "POST",
        "product-lines",
        {"code": "ss", "name_zh": "x"},
        409,
        "code SS already exists",
        "产品线代码 SS 已存在",
    ),
    (
        "POST",
        "products",
        {**PRODUCT, "gtin": "6901234000024"},
        422,
        "wrong check digit: expected 3, got 4",
        "校验位错误：应为 3，实为 4",
    ),
    ("POST", "products", {**PRODUCT, "gtin": "12345"}, 422, "8, 12, 13 or 14", "8、12"),
    (
        "POST",
        "products",
        {**PRODUCT, "shelf_life_days": 61},
        422,
        "1–60 days; got 61",
        "1–60 天，收到 61 天",
    ),
    (
        "POST",
        "products",
        {**PRODUCT, "allergens": ["milk", "walnuts"]},
        422,
        "unknown allergen: walnuts",
        "未知过敏原：walnuts",
    ),
    (
        "POST",
        "products",
        {**PRODUCT, "gtin": "6901234000016"},
        409,
        "GTIN 06901234000016 already exists",
        "GTIN 06901234000016 已存在",
    ),
    (
        "POST",
        "products",
        {**PRODUCT, "line": "zz"},
        404,
        "not found: ZZ",
        "找不到产品线",
    ),
    ("POST", "products", {"gtin": GTIN}, 422, "name_zh is required", "name_zh：必填"),
    (
        "POST",
        f"products/{GTIN}/variants",
        {**VARIANT, "code": "F123"},
        422,
        "F and 1–2 digits",
        "F 加 1–2 位数字",
    ),
    (
        "POST",
        f"products/{GTIN}/variants",
        {**VARIANT, "target_oven_temp_c": 330},
        422,
        "80–320 °C; got 330 °C",
        "80–320 °C，收到 330 °C",
    ),
    (
        "POST",
        f"products/{GTIN}/variants",
        {**VARIANT, "target_bake_minutes": 0},
        422,
        "1–240 minutes; got 0",
        "1–240 分钟，收到 0 分钟",
    ),
    (
        "POST",
        f"products/{GTIN}/variants",
        {**VARIANT, "oven_temp_tolerance_c": -2},
        422,
        "cannot be negative",
        "不能为负数",
    ),
    (
        "POST",
        f"products/{GTIN}/variants",
        {**VARIANT, "code": "F1"},
        409,
        "already has recipe variant F1",
        "已有配方版本 F1",
    ),
    (
        "POST",
        "products/6901234000023/variants",
        VARIANT,
        404,
        "product not",
        "找不到产品",
    ),
    (
        "POST",
        "equipment",
        {"code": "X-1", "name": "x", "kind": "toaster"},
        422,
        "unknown equipment kind: toaster; choose from oven",
        "未知设备类型：toaster",
    ),
    (
        "POST",
        "equipment",
        {"code": "X-1", "name": "x", "kind": "oven", "location": "MARS"},
        404,
        "location not found: MARS",
        "找不到位置：MARS",
    ),
    (
        "POST",
        "locations",
        {"code": "X-1", "name": "x", "kind": "garage"},
        422,
        "unknown location kind: garage",
        "未知位置类型",
    ),
    (
        "POST",
        "points-of-sale",
        {"code": "X-1", "name": "x", "kind": "shop", "gln": "6901234000008"},
        422,
        "expected 9, got 8",
        "应为 9，实为 8",
    ),
    (
        "POST",
        "operators",
        {"code": "wang-03", "name": "x"},
        409,
        "operator with code WANG-03 already exists",
        "操作员代码 WANG-03 已存在",
    ),
    (
        "PATCH",
        f"products/{GTIN}",
        {"gtin": "6901234000023"},
        422,
        "product's gtin cannot change after creation",
        "创建后不能修改",
    ),
    (
        "PATCH",
        "product-lines/SS",
        {"code": "XX"},
        422,
        "cannot change after creation",
        "创建后不能修改",
    ),
    (
        "PATCH",
        "operators/WANG-03",
        {"code": "WANG-04", "name": "王"},
        422,
        "operator's code cannot change",
        "操作员的 code 创建后不能修改",
    ),
    (
        "PATCH",
        f"products/{GTIN}",
        {"name_zh": None},
        422,
        "name_zh cannot be null",
        "name_zh 不能为空",
    ),
    (
        "PATCH",
        f"products/{GTIN}",
        {"shelf_life_days": 0, "story_zh": "改了"},
        422,
        "1–60 days; got 0",
        "1–60 天",
    ),
    (
        "PATCH",
        f"products/{GTIN}/variants/F1",
        {"target_oven_temp_c": 50},
        422,
        "got 50 °C",
        "收到 50 °C",
    ),
    ("GET", "products/6901234000017", None, 422, "expected 6, got 7", "应为 6"),
    (
        "GET",
        "operators/NOBODY",
        None,
        404,
        "operator not found: NOBODY",
        "找不到操作员",
    ),
    ("PATCH", "vehicles/VAN-9", {"plate": "x"}, 404, "vehicle not found", "找不到车辆"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "en", "zh"),
    BAD,
    ids=[f"{m} {p} {s} {en}" for m, p, _, s, en, _ in BAD],
)
def test_bad_input_is_refused_in_the_callers_language_and_writes_nothing(
    client, bakery, cat, method, path, body, status, en, zh
):
    before = snapshot(client, bakery.headers)
    r = client.request(method, f"{API}/{path}", json=body, headers=bakery.headers)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert zh in err["message"], err  # Chinese by default
    assert en in err["message_en"] and zh in err["message_zh"]
    r = client.request(method, f"{API}/{path}", json=body, headers=bakery.headers | EN)
    assert r.status_code == status
    assert en in r.json()["error"]["message"]
    assert snapshot(client, bakery.headers) == before
