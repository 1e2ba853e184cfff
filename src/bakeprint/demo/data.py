"""The 时光印记 demo bakery: master data as plain values.

The brief's case (seed-zh.txt §3.1): batch 251203-SS-PM-002 春日樱花饼, made in the
afternoon of the 3rd with 樱花蜜饯 from supplier B (received the 2nd, QC pass),
operator 王某, oven #3. The brief's prose says "3月3日" but its batch code encodes
2025-12-03 (YYMMDD); the code is what the system generates, so the demo history
runs through December 2025 and the case happens on 2025-12-03.
"""

from __future__ import annotations

from datetime import date, datetime

SLUG = "shiguang"
NAME = "时光印记文创糕点坊"
PASSWORD = "shiguang-demo"
TIMEZONE = "Asia/Shanghai"
FIRST_DAY = date(2025, 11, 10)
LAST_DAY = date(2025, 12, 7)  # four full weeks
CASE_BATCH = "251203-SS-PM-002"
CASE_DAY = date(2025, 12, 3)
CASE_LOT = "LOT25S-45"
# a customer who bought one at 城市书房 on the evening of the 3rd scans the
# pack the next morning and reports a slight off smell (Shanghai time)
COMPLAINT_AT = datetime(2025, 12, 4, 9, 40)
SEED = 20251203

USERS = [
    # username, display name, roles
    ("owner", "林店主", ["owner"]),
    ("qc-zhou", "周质检", ["qc"]),
    ("wang", "王某", ["production"]),
    ("li", "李师傅", ["production"]),
    ("driver-liu", "刘司机", ["logistics"]),
    ("shop-citylib", "城市书房店员", ["store"]),  # works at CITY-LIB (STORE_SHOPS)
    ("auditor", "审计员", ["auditor"]),
    ("supplier-b", "供应商B 对接人", ["supplier"]),
]

# the shop each store user works at (and only there)
STORE_SHOPS = {"shop-citylib": "CITY-LIB"}

LINES = [
    ("SS", "城市季节", "City Seasons"),
    ("CS", "城市记忆", "City Memory"),
    ("LT", "限定礼盒", "Limited Editions"),
]

# code, line, GTIN-13 body (check digit added), zh, en, category, shelf days,
# allergens, grams, variant (code, °C, min), limited edition size, story zh/en
PRODUCTS = [
    (
        "SAKURA",
        "SS",
        "690123400001",
        "春日樱花饼",
        "Spring Sakura Cake",
        "酥皮类",
        7,
        ["gluten", "milk", "eggs"],
        45,
        ("F1", 185, 18),
        None,
        "以城市春日的樱花大道为灵感，酥皮层层如花瓣。",
        "Inspired by the city's spring avenue of cherry trees; flaky layers like "
        "petals.",
    ),
    (
        "MATCHA",
        "SS",
        "690123400002",
        "抹茶红豆酥",
        "Matcha Red Bean Pastry",
        "酥皮类",
        7,
        ["gluten", "milk"],
        50,
        ("F1", 180, 20),
        None,
        "抹茶与红豆，致敬老城区的茶馆午后。",
        "Matcha and red bean, a nod to afternoons in old-town tea houses.",
    ),
    (
        "OSMAN",
        "SS",
        "690123400003",
        "桂花糕",
        "Osmanthus Cake",
        "蒸糕类",
        5,
        [],
        40,
        ("F1", 100, 25),
        None,
        "秋日桂香，取自城郊桂花园。",
        "Autumn osmanthus from the groves outside town.",
    ),
    (
        "TOWER",
        "CS",
        "690123400004",
        "钟楼糖霜曲奇",
        "Clock Tower Iced Cookie",
        "糖霜装饰类",
        12,
        ["gluten", "eggs", "milk"],
        35,
        ("F1", 170, 12),
        None,
        "糖霜手绘百年钟楼，记录城市的时间。",
        "The hundred-year-old clock tower hand-iced in sugar: the city's time.",
    ),
    (
        "YOLK",
        "CS",
        "690123400005",
        "老街蛋黄酥",
        "Old Street Egg Yolk Pastry",
        "酥皮类",
        5,
        ["gluten", "eggs", "milk"],
        55,
        ("F1", 190, 22),
        None,
        "老街口的味道，咸蛋黄与豆沙。",
        "The taste of the old street corner.",
    ),
    (
        "GIFT",
        "LT",
        "690123400006",
        "城市印记限定礼盒",
        "City Imprint Limited Box",
        "糖霜装饰类",
        15,
        ["gluten", "eggs", "milk", "tree_nuts"],
        180,
        ("F1", 170, 14),
        200,
        "限量 200 份，每份附编号证书。",
        "Limited to 200, each with a numbered certificate.",
    ),
]

# code, zh, en, unit, short-life, allergens, GTIN body or None, origin story zh/en
MATERIALS = [
    (
        "FLOUR",
        "低筋面粉",
        "Cake flour",
        "kg",
        False,
        ["gluten"],
        None,
        "来自北方麦区的冬小麦。",
        "Winter wheat from the northern plains.",
    ),
    ("BUTTER", "发酵黄油", "Cultured butter", "kg", False, ["milk"], None, "", ""),
    ("SUGAR", "细砂糖", "Caster sugar", "kg", False, [], None, "", ""),
    (
        "EGG",
        "鲜鸡蛋",
        "Fresh eggs",
        "kg",
        True,
        ["eggs"],
        None,
        "城郊合作农场每日送达。",
        "Delivered daily from a partner farm.",
    ),
    ("CREAM", "鲜奶油", "Fresh cream", "kg", True, ["milk"], None, "", ""),
    (
        "SAKURA-P",
        "樱花蜜饯",
        "Candied sakura",
        "kg",
        True,
        [],
        "690123490001",
        "盐渍樱花手工糖渍，保留花形。",
        "Salt-cured blossoms, hand-candied whole.",
    ),
    ("MATCHA-P", "宇治抹茶粉", "Uji matcha", "kg", False, [], None, "", ""),
    ("REDBEAN", "红豆沙", "Red bean paste", "kg", True, [], None, "", ""),
    (
        "OSMANTHUS",
        "糖桂花",
        "Sweet osmanthus",
        "kg",
        True,
        [],
        None,
        "城郊桂花园采摘后 48 小时内糖渍。",
        "Candied within 48 hours of picking in the groves outside town.",
    ),
    ("YOLK-S", "咸蛋黄", "Salted egg yolk", "kg", True, ["eggs"], None, "", ""),
    ("ICING", "糖霜粉", "Icing sugar", "kg", False, [], None, "", ""),
    ("ALMOND", "杏仁片", "Flaked almonds", "kg", False, ["tree_nuts"], None, "", ""),
]

# rows of data/emission_factors.csv (R4.2); butter, cream and matcha have no
# row there: the demo bakery has not set its own figure, so they show as not
# counted
FOOTPRINT_KEYS = {
    "FLOUR": "wheat_rye",
    "SUGAR": "cane_sugar",
    "ICING": "cane_sugar",
    "EGG": "eggs",
    "YOLK-S": "eggs",
    "ALMOND": "nuts",
    "SAKURA-P": "other_fruit",
    "OSMANTHUS": "other_fruit",
    "REDBEAN": "other_pulses",
}

# code, name, region, approved on
SUPPLIERS = [
    ("A", "供应商A·北方粮油", "河北", date(2024, 3, 1)),
    ("B", "供应商B·花果蜜饯坊", "云南", date(2024, 9, 15)),
    ("C", "供应商C·城郊农场", "本市", date(2025, 1, 10)),
]

# material -> supplier, lot size, shelf days. A lot is ordered when what is
# left would not see the next day through, and is sized to be used up well
# inside its shelf life: nothing expires in the store.
SUPPLY = {
    "FLOUR": ("A", 50.0, 180),
    "BUTTER": ("A", 20.0, 60),
    "SUGAR": ("C", 25.0, 365),
    "EGG": ("C", 5.0, 10),
    "CREAM": ("B", 8.0, 6),  # for a new recipe: one delivery, sent back
    "SAKURA-P": ("B", 6.0, 20),
    "MATCHA-P": ("A", 3.0, 120),
    "REDBEAN": ("B", 12.0, 8),
    "OSMANTHUS": ("B", 4.0, 30),
    "YOLK-S": ("C", 6.0, 15),
    "ICING": ("C", 10.0, 365),
    "ALMOND": ("A", 5.0, 120),
}

# product -> [(material, kg per 100 units)]
RECIPES = {
    "SAKURA": [
        ("FLOUR", 2.2),
        ("BUTTER", 1.1),
        ("SUGAR", 0.6),
        ("EGG", 0.5),
        ("SAKURA-P", 0.6),
    ],
    "MATCHA": [("FLOUR", 2.4), ("BUTTER", 1.2), ("MATCHA-P", 0.15), ("REDBEAN", 1.5)],
    "OSMAN": [("FLOUR", 1.8), ("SUGAR", 0.8), ("OSMANTHUS", 0.3)],
    "TOWER": [("FLOUR", 1.5), ("BUTTER", 0.8), ("EGG", 0.3), ("ICING", 0.9)],
    "YOLK": [("FLOUR", 2.5), ("BUTTER", 1.3), ("YOLK-S", 1.0), ("REDBEAN", 1.2)],
    "GIFT": [
        ("FLOUR", 3.0),
        ("BUTTER", 1.5),
        ("ICING", 1.2),
        ("ALMOND", 0.8),
        ("EGG", 0.4),
    ],
}

OPERATORS = [
    ("WANG-03", "王某"),
    ("LI-01", "李师傅"),
    ("ZHANG-02", "张师傅"),
    ("CHEN-04", "陈师傅"),
]
QC_INSPECTOR = ("ZHOU-QC", "周质检")

LOCATIONS = [
    ("HALL-1", "生产车间", "kitchen_zone"),
    ("COOL-1", "冷却间", "kitchen_zone"),
    ("PACK-1", "包装间", "packing"),
    ("COLD-1", "冷库", "cold_room"),
    ("DRY-1", "干货库", "dry_store"),
]

EQUIPMENT = [
    ("OVEN-1", "1号烤箱", "oven"),
    ("OVEN-2", "2号烤箱", "oven"),
    ("OVEN-3", "3号烤箱", "oven"),
    ("MIXER-1", "1号搅拌机", "mixer"),
    ("STEAM-1", "蒸柜", "other"),
]

VEHICLES = [
    ("VAN-1", "1号车", "沪A·D1001", 0.22),
    ("VAN-2", "2号车", "沪A·D1002", 0.24),
]

POINTS_OF_SALE = [
    ("CITY-LIB", "城市书房", "shop", "文化路 12 号", 6.5),
    ("OLD-CAFE", "旧时光咖啡馆", "cafe", "梧桐街 3 号", 4.2),
    ("MUSEUM", "城市博物馆文创店", "shop", "博物馆路 1 号", 9.8),
    ("RIVER-CAFE", "江畔咖啡", "cafe", "滨江大道 88 号", 12.1),
    ("ONLINE", "线上旗舰店", "online", "", None),
]

# Weekly production plan: product -> sessions it is made in (per day).
# Order matters: within a session, batches are started in this order, so on the
# SS line the afternoon's first batch is 抹茶红豆酥 and the second 春日樱花饼.
PLAN = {
    "MATCHA": ["PM"],
    "SAKURA": ["AM", "PM"],
    "OSMAN": ["AM"],
    "TOWER": ["AM"],
    "YOLK": ["PM"],
    "GIFT": [],  # made on Saturdays only
}
