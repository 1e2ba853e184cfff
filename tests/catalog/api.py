"""Shared data for the /catalog API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1/catalog"
GTIN = "06901234000016"  # make_catalog's product
EN = {"Accept-Language": "en-GB,en;q=0.9"}

# path, body to create, key of the new row, patch, field the patch changes
KINDS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "product-lines",
        {"code": "cs", "name_zh": "城市记忆", "name_en": "City Memory"},
        "CS",
        {"name_en": "City Memories"},
    ),
    (
        "products",
        {
            "gtin": "6901234000023",
            "line": "SS",
            "name_zh": "抹茶红豆酥",
            "category": "酥皮类",
            "shelf_life_days": 7,
            "allergens": ["gluten", "milk"],
        },
        "06901234000023",
        {"story_zh": "致敬老城区的茶馆午后", "shelf_life_days": 5},
    ),
    (
        f"products/{GTIN}/variants",
        {"code": "f2", "target_oven_temp_c": 180, "target_bake_minutes": 20},
        "F2",
        {"notes": "雨季多烤一分钟", "target_bake_minutes": 21},
    ),
    (
        "material-types",
        {
            "code": "cream",
            "name_zh": "鲜奶油",
            "short_life": True,
            "allergens": ["milk"],
        },
        "CREAM",
        {"origin_story_zh": "城郊牧场每日送达"},
    ),
    (
        "suppliers",
        {"code": "c", "name": "城郊农场", "approved_on": "2025-01-10"},
        "C",
        {"region": "本市"},
    ),
    ("operators", {"code": "li-01", "name": "李师傅"}, "LI-01", {"name": "李大师傅"}),
    (
        "equipment",
        {"code": "oven-4", "name": "4号烤箱", "kind": "oven", "location": "HALL-1"},
        "OVEN-4",
        {"kind": "proofer"},
    ),
    (
        "locations",
        {"code": "dry-1", "name": "干货库", "kind": "dry_store"},
        "DRY-1",
        {"gln": "6901234000009"},
    ),
    ("vehicles", {"code": "van-3", "name": "3号车"}, "VAN-3", {"refrigerated": False}),
    (
        "points-of-sale",
        {"code": "old-cafe", "name": "旧时光咖啡馆", "kind": "cafe"},
        "OLD-CAFE",
        {"distance_km": 4.2},
    ),
]
LISTS = [k[0] for k in KINDS]
PRODUCT = KINDS[1][1]
VARIANT = {"code": "F2", "target_oven_temp_c": 185, "target_bake_minutes": 18}


def snapshot(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Everything the bakery's catalog holds, as the API lists it."""
    out = {}
    for path in LISTS:
        r = client.get(f"{API}/{path}", headers=headers)
        assert r.status_code == 200, r.text
        out[path] = r.json()
    return out
