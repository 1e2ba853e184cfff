"""`bakeprint catalog …` on a migrated SQLite file: each command is one
transaction, and a refusal is one readable line, a non-zero exit and no write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bakeprint import migrate
from bakeprint.cli import app
from bakeprint.db import Database, get_database

GTIN = "06901234000016"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    database.dispose()
    monkeypatch.setenv("BAKEPRINT_DATABASE_URL", url)
    monkeypatch.setattr("bakeprint.config.settings.database_url", url)
    for var in ("BAKEPRINT_TENANT", "BAKEPRINT_USER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BAKEPRINT_LANG", "zh")
    yield url
    get_database(url).dispose()


def run(*args: str, lang: str = "zh"):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env={"BAKEPRINT_LANG": lang})


def ok(*args: str) -> Any:
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.fixture
def bakery(cli_db: str) -> str:
    """A bakery made on the command line, with a production user and some data."""
    ok("tenant", "create", "cli-a", "--name", "甲店", "--password", "long-enough-1")
    ok("user", "create", "production-user", "--role", "production")
    ok("catalog", "product-lines", "add", "ss", "--name-zh", "城市季节")
    ok(
        "catalog", "products", "add", "6901234000016", "--line", "SS",
        "--name-zh", "春日樱花饼", "--category", "酥皮类", "--shelf-life", "7",
        "--allergens", "gluten, 牛奶",
    )  # fmt: skip
    ok("catalog", "variants", "add", GTIN, "f1", "--temp", "185", "--minutes", "18")
    ok("catalog", "operators", "add", "wang-03", "--name", "王某")
    return "cli-a"


KINDS = [
    "product-lines",
    "products",
    "material-types",
    "suppliers",
    "operators",
    "equipment",
    "locations",
    "vehicles",
    "points-of-sale",
]


def snapshot() -> list[Any]:
    rows = [ok("catalog", kind, "list") for kind in KINDS]
    return [*rows, ok("catalog", "variants", "list", GTIN)]


def test_every_kind_is_added_listed_shown_and_updated(bakery):
    product = ok("catalog", "products", "show", "6901234000016")
    assert (product["gtin"], product["line"]) == (GTIN, "SS")
    assert product["allergens"] == ["gluten", "milk"]
    ok(
        "catalog", "locations", "add", "hall-1", "--name", "生产车间",
        "--kind", "kitchen_zone",
    )  # fmt: skip
    adds = [
        ("material-types", "cream", "--name-zh", "鲜奶油", "--short-life",
         "--allergens", "milk", "--origin-story-zh", "城郊牧场"),
        ("suppliers", "b", "--name", "花果蜜饯坊", "--approved-on", "2024-09-15"),
        ("equipment", "oven-3", "--name", "3号烤箱", "--kind", "oven",
         "--location", "hall-1"),
        ("vehicles", "van-2", "--name", "2号车", "--plate", "沪A·D1002"),
        ("points-of-sale", "city-lib", "--name", "城市书房", "--kind", "shop"),
    ]  # fmt: skip
    for kind, code, *options in adds:
        row = ok("catalog", kind, "add", code, *options)
        assert row["code"] == code.upper()
        assert ok("catalog", kind, "show", code) == row
        assert row in ok("catalog", kind, "list")
    assert ok("catalog", "equipment", "show", "OVEN-3")["location"] == "HALL-1"
    assert ok("catalog", "suppliers", "show", "B")["approved_on"] == "2024-09-15"

    updated = ok(
        "catalog", "products", "update", GTIN, "--story-zh", "樱花大道",
        "--shelf-life", "6", "--allergens", "",
    )  # fmt: skip
    assert (updated["story_zh"], updated["shelf_life_days"]) == ("樱花大道", 6)
    assert updated["allergens"] == []
    variant = ok("catalog", "variants", "update", GTIN, "F1", "--temp", "190")
    assert variant["target_oven_temp_c"] == 190
    op = ok("catalog", "operators", "update", "WANG-03", "--login", "production-user")
    assert op["username"] == "production-user"
    off = ok("catalog", "vehicles", "update", "VAN-2", "--inactive")
    assert off["active"] is False
    assert ok("catalog", "vehicles", "list", "--active") == []
    assert (
        ok("catalog", "product-lines", "update", "SS", "--name-en", "City Seasons")[
            "name_en"
        ]
        == "City Seasons"
    )

    human = run("catalog", "products", "list")
    assert human.exit_code == 0 and "春日樱花饼" in human.stdout
    assert len(ok("catalog", "allergens")) == 14


# command, exit code, English and Chinese parts of the one-line message
BAD: list[tuple[list[str], int, str, str]] = [
    (["product-lines", "add", "S", "--name-zh", "x"], 2, "exactly two", "两个英文字母"),
    (["product-lines", "add", "ss", "--name-zh", "x"], 1, "SS already", "SS 已存在"),
    (
        ["products", "add", "6901234000017", "--line", "SS", "--name-zh", "x",
         "--category", "酥皮类", "--shelf-life", "7"],
        2,
        "expected 6, got 7",
        "应为 6，实为 7",
    ),
    (
        ["products", "add", "6901234000023", "--line", "SS", "--name-zh", "x",
         "--category", "酥皮类", "--shelf-life", "7", "--allergens", "milk,walnut"],
        2,
        "unknown allergen: walnut",
        "未知过敏原：walnut",
    ),
    (
        ["products", "add", "6901234000023", "--line", "SS", "--name-zh", "x",
         "--category", "酥皮类", "--shelf-life", "0"],
        2,
        "1–60 days; got 0",
        "1–60 天，收到 0 天",
    ),
    (
        ["products", "add", "6901234000016", "--line", "SS", "--name-zh", "x",
         "--category", "酥皮类", "--shelf-life", "7"],
        1,
        "GTIN 06901234000016 already exists",
        "GTIN 06901234000016 已存在",
    ),
    (["products", "update", GTIN, "--story-zh", "新故事", "--shelf-life", "90"],
     2, "got 90", "收到 90 天"),
    (["products", "show", "6901234000023"], 1, "product not found", "找不到产品"),
    (["variants", "add", GTIN, "F1", "--temp", "185", "--minutes", "18"],
     1, "already has recipe variant F1", "已有配方版本 F1"),
    (["variants", "add", GTIN, "F2", "--temp", "400", "--minutes", "18"],
     2, "80–320 °C; got 400 °C", "80–320 °C，收到 400 °C"),
    (["variants", "add", GTIN, "X2", "--temp", "180", "--minutes", "18"],
     2, "F and 1–2 digits", "F 加 1–2 位数字"),
    (["equipment", "add", "oven-9", "--name", "x", "--kind", "toaster"],
     2, "unknown equipment kind: toaster", "未知设备类型"),
    (["equipment", "add", "oven-9", "--name", "x", "--kind", "oven",
      "--location", "MARS"], 1, "location not found: MARS", "找不到位置：MARS"),
    (["locations", "add", "x", "--name", "x", "--kind", "garage"],
     2, "unknown location kind: garage", "未知位置类型"),
    (["points-of-sale", "add", "x", "--name", "x", "--kind", "kiosk"],
     2, "unknown point-of-sale kind: kiosk", "未知销售点类型"),
    (["points-of-sale", "add", "x", "--name", "x", "--kind", "shop",
      "--webhook-url", "http://169.254.169.254/latest/meta-data/"],
     2, "may not go to a link-local address", "不能发往链路本地地址"),
    (["points-of-sale", "add", "x", "--name", "x", "--kind", "shop",
      "--webhook-url", "http://till:pw@shop.example/hook"],
     2, "may not hold a user name or password", "不能含用户名或密码"),
    (["operators", "update", "WANG-03", "--login", "ghost"], 1, "no user ghost",
     "没有用户 ghost"),
    (["operators", "add", "WANG-03", "--name", "x"], 1, "WANG-03 already exists",
     "WANG-03 已存在"),
    (["operators", "add", "wang-04", "--name", "x", "--user", "production-user"],
     1, "may not do this: catalog:write", "无权执行此操作"),
    (["products", "show", GTIN, "--tenant", "nobody"], 1, "no bakery with code nobody",
     "找不到店铺 nobody"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "en", "zh"), BAD, ids=[" ".join(b[0][:3]) for b in BAD]
)
def test_a_refused_command_prints_one_line_exits_non_zero_and_writes_nothing(
    bakery, args, code, en, zh
):
    before = snapshot()
    r = run("catalog", *args)
    assert r.exit_code == code, r.output
    assert r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("error:") and zh in line
    r = run("catalog", *args, lang="en")
    (line,) = r.stderr.strip().splitlines()
    assert en in line
    assert snapshot() == before


def test_each_bakery_sees_only_its_own_catalog(bakery):
    ok("tenant", "create", "cli-b", "--name", "乙店", "--password", "long-enough-1")
    # With two bakeries, --tenant is required and selects the catalog.
    r = run("catalog", "products", "list")
    assert r.exit_code == 2 and "--tenant" in r.stderr
    assert ok("catalog", "products", "list", "--tenant", "cli-b") == []
    r = run("catalog", "products", "show", GTIN, "--tenant", "cli-b", lang="en")
    assert r.exit_code == 1 and "product not found" in r.stderr
    r = run(
        "catalog", "operators", "update", "WANG-03", "--name", "x", "--tenant", "cli-b"
    )
    assert r.exit_code == 1 and "找不到操作员" in r.stderr
    # The same codes are free in the other bakery.
    ok("catalog", "product-lines", "add", "SS", "--name-zh", "乙", "--tenant", "cli-b")
    assert (
        ok("catalog", "operators", "show", "WANG-03", "--tenant", "cli-a")["name"]
        == "王某"
    )
