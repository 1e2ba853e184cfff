"""Interface texts in zh-CN (default) and English."""

from __future__ import annotations

from fastapi import Request

from bakeprint.errors import pick_language

TEXTS: dict[str, tuple[str, str]] = {
    "app": ("时光追溯", "bakeprint"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "bakery_code": ("店铺代码", "Bakery code"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "board": ("今日看板", "Today"),
    "batches": ("批次", "Batches"),
    "lots": ("原料", "Materials"),
    "events": ("事件日志", "Event log"),
    "master": ("基础资料", "Master data"),
    "lookup": ("查码", "Look up"),
    "lookup_hint": ("输入批次号或原料批号", "Type a batch or lot code"),
    "in_progress": ("生产中", "In progress"),
    "completed": ("待检验", "Awaiting QC"),
    "packed": ("已包装", "Packed"),
    "on_hold": ("暂停", "On hold"),
    "recalled": ("已召回", "Recalled"),
    "waiting_qc": ("等待冷却后检验", "Waiting for post-cooling QC"),
    "expiring": ("3 天内过期的原料", "Materials expiring within 3 days"),
    "expired_stock": ("已过期但仍有库存", "Expired but still in stock"),
    "attention": ("需重点关注", "Needs attention"),
    "borderline": ("边缘合格", "Borderline"),
    "fail": ("不合格", "Failed"),
    "pass": ("合格", "Passed"),
    "latest_events": ("最新记录", "Latest records"),
    "start_batch": ("开始新批次", "Start a batch"),
    "new_intake": ("原料入库", "Register intake"),
    "record_check": ("登记检验", "Record a check"),
    "product": ("产品", "Product"),
    "planned_qty": ("计划数量", "Planned quantity"),
    "operators": ("操作员", "Operators"),
    "equipment": ("设备", "Equipment"),
    "location": ("位置", "Location"),
    "variant": ("配方版本", "Recipe variant"),
    "standard": ("标准配方", "Standard recipe"),
    "save": ("保存", "Save"),
    "material": ("原料", "Material"),
    "supplier": ("供应商", "Supplier"),
    "supplier_lot": ("供应商批号", "Supplier lot"),
    "quantity": ("数量", "Quantity"),
    "unit": ("单位", "Unit"),
    "expires_on": ("有效期至", "Expires on"),
    "qc_result": ("质检结果", "QC result"),
    "quality_score": ("质量评分", "Quality score"),
    "qc_report": ("质检报告", "QC report"),
    "received_at": ("入库时间", "Received"),
    "remaining": ("剩余", "Remaining"),
    "stage": ("检验环节", "Stage"),
    "result": ("结果", "Result"),
    "notes": ("备注", "Notes"),
    "inspector": ("检验员", "Inspector"),
    "time": ("时间", "Time"),
    "code": ("编码", "Code"),
    "status": ("状态", "Status"),
    "date": ("日期", "Date"),
    "session": ("时段", "Session"),
    "bake": ("烘烤", "Bake"),
    "target": ("目标", "Target"),
    "actual": ("实际", "Actual"),
    "deviation": ("偏差", "Deviation"),
    "checkpoints": ("质检节点", "QC checkpoints"),
    "materials_used": ("使用的原料", "Materials used"),
    "best_before": ("最佳食用期", "Best before"),
    "produced": ("产出", "Produced"),
    "none": ("暂无", "None yet"),
    "verify_chain": ("校验哈希链", "Verify the hash chain"),
    "chain_ok": (
        "哈希链完整：{n} 条记录，未被改动",
        "Chain intact: {n} events, none altered",
    ),
    "chain_broken": ("哈希链异常", "The chain is broken"),
    "saved": ("已保存", "Saved"),
    "not_found": ("找不到", "Not found"),
    "forbidden": ("无权访问", "Not allowed"),
    "back": ("返回", "Back"),
    "all": ("全部", "All"),
    "filter": ("筛选", "Filter"),
    "used_in": ("用于批次", "Used in batches"),
    "products": ("产品", "Products"),
    "suppliers": ("供应商", "Suppliers"),
    "material_types": ("原料类型", "Material types"),
    "people_places": ("人员与设施", "People and places"),
    "warnings": ("提示", "Warnings"),
    "csrf": ("页面已过期，请重试", "The page expired; please try again"),
}


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in ("zh", "en"):
        return asked
    cookie = request.cookies.get("lang")
    if cookie in ("zh", "en"):
        return cookie
    return pick_language(request.headers.get("accept-language"))


def t(lang: str, key: str, **kw: object) -> str:
    zh, en = TEXTS.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text
