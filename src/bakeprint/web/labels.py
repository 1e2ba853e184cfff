"""Words for the values the records store: states, stages, kinds, steps,
units, roles, and what an event in the log did — in zh-CN and English.

The records keep short internal values (``post_cooling``, ``kitchen_zone``,
``retail_selling``); a person reads these words instead. A kind the bakery
typed itself (an equipment or place kind not listed here) is shown as typed,
with its underscores read as spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bakeprint.identity.permissions import ROLE_NAMES
from bakeprint.quality.service import STAGE_NAMES

Pair = tuple[str, str]

LABELS: dict[str, dict[str, Pair]] = {
    "batch_status": {
        "in_progress": ("生产中", "In progress"),
        "completed": ("待检验", "Awaiting QC"),
        "packed": ("已包装", "Packed"),
        "on_hold": ("暂停", "On hold"),
        "recalled": ("已召回", "Recalled"),
    },
    "qc_stage": {  # the words QC's own messages use (quality.service)
        stage: (zh, en[0].upper() + en[1:]) for stage, (zh, en) in STAGE_NAMES.items()
    },
    "session": {"AM": ("上午", "morning"), "PM": ("下午", "afternoon")},
    "qc_result": {
        "pass": ("合格", "Passed"),
        "borderline": ("边缘合格", "Borderline"),
        "fail": ("不合格", "Failed"),
    },
    "measure": {  # units of measure; metric symbols read the same in Chinese
        "kg": ("kg", "kg"),
        "g": ("g", "g"),
        "L": ("L", "L"),
        "mL": ("mL", "mL"),
        "pcs": ("件", "pcs"),
        "min": ("分钟", "min"),
        "days": ("天", "days"),
    },
    "role": dict(ROLE_NAMES),  # the words the users page offers (identity)
    "security_action": {  # the security log (identity.admin.record)
        "user_created": ("新增用户", "user added"),
        "user_updated": ("修改用户", "user changed"),
        "user_activated": ("启用用户", "user activated"),
        "user_deactivated": ("停用用户", "user deactivated"),
        "password_set": ("重设密码", "password set"),
        "password_changed": ("修改密码", "password changed"),
        "token_issued": ("发放接口令牌", "API token issued"),
        "token_revoked": ("吊销接口令牌", "API token revoked"),
    },
    "location_kind": {
        "kitchen_zone": ("生产区", "Kitchen"),
        "cold_room": ("冷库", "Cold room"),
        "dry_store": ("干货库", "Dry store"),
        "packing": ("包装区", "Packing"),
        "cooling": ("冷却区", "Cooling"),
        "warehouse": ("仓库", "Warehouse"),
        "other": ("其他", "Other"),
    },
    "equipment_kind": {
        "oven": ("烤箱", "Oven"),
        "mixer": ("搅拌机", "Mixer"),
        "proofer": ("醒发箱", "Proofer"),
        "chiller": ("冷却设备", "Chiller"),
        "packer": ("包装机", "Packer"),
        "steamer": ("蒸柜", "Steamer"),
        "other": ("其他", "Other"),
    },
    "shop_kind": {
        "shop": ("门店", "Shop"),
        "cafe": ("咖啡馆", "Café"),
        "online": ("网店", "Online shop"),
        "other": ("其他", "Other"),
    },
    "unit_status": {
        "in_stock": ("厨房库存", "In the kitchen"),
        "loaded": ("已装车", "Loaded"),
        "delivered": ("已送达", "Delivered"),
        "on_shelf": ("在架", "On the shelf"),
        "sold": ("已售", "Sold"),
        "wasted": ("报损", "Written off"),
        "returned": ("已退回", "Returned"),
        "recalled": ("已召回", "Recalled"),
        "untracked": ("未逐件追踪", "Not tracked piece by piece"),
    },
    "permission": {  # what a role may do, as a refusal names it
        "read": ("查看记录", "see the records"),
        "lookup": ("查码", "look up codes"),
        "catalog:write": ("修改基础资料", "change master data"),
        "materials:write": ("登记原料入库", "register material intake"),
        "production:write": ("登记生产", "record production"),
        "quality:write": ("登记质检", "record quality checks"),
        "logistics:write": ("登记配送", "record deliveries"),
        "retail:write": ("登记门店收货与销售", "record shop receipts and sales"),
        "recall:write": ("发起和管理召回", "open and manage recalls"),
        "alerts:ack": ("确认告警", "acknowledge alerts"),
        "complaints:file": ("登记投诉", "file complaints"),
        "sensors:ingest": ("上传传感器读数", "upload sensor readings"),
        "users:admin": ("管理用户", "manage users"),
        "audit:export": ("导出审计数据", "export audit data"),
        "supplier:submit": ("提交供货信息", "submit supplies"),
        "epcis:capture": ("导入 EPCIS 事件", "import EPCIS events"),
    },
    "task_kind": {
        "extra_sampling": ("加强抽检", "Extra sampling"),
        "complaint": ("核实投诉", "Verify complaint"),
    },
    "subject": {  # what an event is about
        "batch": ("批次", "batch"),
        "lot": ("原料批次", "lot"),
        "trip": ("配送行程", "trip"),
        "recall": ("召回", "recall"),
        "user": ("用户", "user"),
        "token": ("接口令牌", "token"),
    },
    # CBV 2.0 business steps, as the event log names them
    "biz_step": {
        "accepting": ("验收", "accepting"),
        "arriving": ("到达", "arriving"),
        "assembling": ("组装", "assembling"),
        "collecting": ("收集", "collecting"),
        "commissioning": ("赋码", "commissioning"),
        "consigning": ("交付承运", "consigning"),
        "creating_class_instance": ("生产出批次", "creating a batch"),
        "cycle_counting": ("盘点", "cycle counting"),
        "decommissioning": ("注销", "decommissioning"),
        "departing": ("出发", "departing"),
        "destroying": ("销毁", "destroying"),
        "disassembling": ("拆分", "disassembling"),
        "dispensing": ("分装", "dispensing"),
        "encoding": ("编码", "encoding"),
        "entering_exiting": ("进出", "entering or exiting"),
        "holding": ("暂扣", "holding"),
        "inspecting": ("检验", "inspecting"),
        "installing": ("安装", "installing"),
        "killing": ("作废", "killing"),
        "loading": ("装车", "loading"),
        "other": ("其他", "other"),
        "packing": ("包装", "packing"),
        "picking": ("拣货", "picking"),
        "receiving": ("收货", "receiving"),
        "removing": ("移除", "removing"),
        "repackaging": ("重新包装", "repackaging"),
        "repairing": ("维修", "repairing"),
        "replacing": ("替换", "replacing"),
        "reserving": ("预留", "reserving"),
        "retail_selling": ("零售", "retail selling"),
        "sampling": ("抽样", "sampling"),
        "sensor_reporting": ("传感器记录", "sensor reporting"),
        "shipping": ("发运", "shipping"),
        "staging_outbound": ("待发", "staging outbound"),
        "stock_taking": ("盘库", "stock taking"),
        "stocking": ("上架", "stocking"),
        "storing": ("存放", "storing"),
        "transporting": ("运输", "transporting"),
        "unloading": ("卸货", "unloading"),
        "unpacking": ("拆包", "unpacking"),
        "void_shipping": ("取消发运", "void shipping"),
    },
    "disposition": {
        "conformant": ("合格", "conformant"),
        "in_progress": ("处理中", "in progress"),
        "in_transit": ("在途", "in transit"),
        "recalled": ("已召回", "recalled"),
        "retail_sold": ("已售出", "sold"),
        "returned": ("已退回", "returned"),
        "sellable_accessible": ("可售", "on sale"),
        "sellable_not_accessible": ("可售（未上架）", "sellable, not on the shelf"),
        "non_sellable_other": ("不可售", "not for sale"),
        "destroyed": ("已销毁", "destroyed"),
        "expired": ("已过期", "expired"),
    },
}

# What an event did, as a phrase before its subject: "售出 批次 251207-…",
# "sold from batch 251207-…".
EVENT_KINDS: dict[str, Pair] = {
    "intake": ("入库", "received"),
    "qc_regrade": ("更正质检结论", "QC result corrected for"),
    "qc_report": ("上传质检报告", "QC report added to"),
    "batch_started": ("开始生产", "started"),
    "consumption": ("投料", "material bound to"),
    "batch_input": ("投入中间批次", "intermediate batch used in"),
    "bake": ("记录烘烤", "oven actuals for"),
    "checkpoint": ("质检", "QC check of"),
    "batch_completed": ("结束生产", "production closed for"),
    "packed": ("包装", "packed"),
    "units_commissioned": ("生成单件与二维码", "units and QR codes made for"),
    "stored": ("入库存放", "stored"),
    "attention": ("标为需重点关注", "marked for attention:"),
    "shelf_life_predicted": ("预测保质期", "shelf life predicted for"),
    "complaint": ("收到投诉", "complaint about"),
    "recalled": ("召回", "recalled"),
    "loaded": ("装车", "loaded"),
    "departed": ("出发配送", "on the road:"),
    "delivered": ("送达门店", "dropped off:"),
    "received": ("门店收货", "received at a shop:"),
    "shelved": ("上架", "shelved"),
    "sold": ("售出", "sold from"),
    "wasted": ("报损", "written off from"),
    "returned": ("退回工坊", "returned from a shop:"),
    "captured": ("接收合作方的 EPCIS 事件", "partner's EPCIS event captured"),
}


# Why a sensor reading was refused: the ingest names each reason in stable
# English words (they group the dead letters); the Chinese says the same.
DEAD_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), zh)
    for p, zh in (
        (r"time is not a number", "时间不是数字"),
        (r"unreadable time", "无法识别的时间"),
        (r"no time", "缺少时间"),
        (r"time without a time zone offset", "时间缺少时区"),
        (r"time is before the year 2000", "时间早于 2000 年"),
        (r"time is in the future", "时间在未来"),
        (r"unit is not (?P<unit>.+) \((?P<kind>\w+)\)", "单位不是 {unit}"),
        (r"no value", "缺少读数"),
        (r"value is not a number", "读数不是数字"),
        (r"value is not a finite number", "读数不是有限数值"),
        (
            r"impossible (?P<kind>\w+) \(possible: (?P<lo>\S+) to (?P<hi>\S+) "
            r"(?P<unit>.+)\)",
            "不可能的读数（可能范围 {lo}–{hi} {unit}）",
        ),
        (r"unknown sensor (?P<code>.+)", "未登记的传感器 {code}"),
        (r"no sensor", "缺少传感器编码"),
        (r"sensor (?P<code>\S+) is retired", "传感器 {code} 已停用"),
        (
            r"a different value is already stored for this sensor and time",
            "该传感器同一时间已存有不同的读数",
        ),
        (r"not a JSON object", "不是 JSON 对象"),
        (r"not JSON", "不是 JSON"),
        (r"not UTF-8 text", "不是 UTF-8 文本"),
        (
            r"more kinds of refused readings in one upload than are kept apart",
            "一次上传中被拒读数的种类过多，其余合并计数",
        ),
    )
]


def dead_reason(lang: str, reason: str) -> str:
    """A refused reading's reason in the page's language (an unknown one, or
    an older "中文 / English" one, as it was written)."""
    if lang == "en":
        return reason
    for pattern, zh in DEAD_REASONS:
        m = pattern.fullmatch(reason)
        if m:
            return zh.format(**m.groupdict())
    return reason


def _pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def label(lang: str, group: str, value: object) -> str:
    """The words for a stored value; a value not listed is shown as typed."""
    if value is None or value == "":
        return "—"
    pair = LABELS[group].get(str(value))
    return _pick(pair, lang) if pair else str(value).replace("_", " ")


@dataclass(frozen=True)
class EventWords:
    what: str  # 售出 / sold from
    noun: str  # 批次 / batch ("" when the event has no subject of its own)
    code: str  # 251207-CS-PM-001


def event_words(lang: str, kind: str, subject: str) -> EventWords:
    """An event of the log in words: what happened, to what."""
    pair = EVENT_KINDS.get(kind)
    what = _pick(pair, lang) if pair else kind.replace("_", " ")
    prefix, _, code = subject.partition(":")
    noun_pair = LABELS["subject"].get(prefix)
    if noun_pair is None:  # a partner's document: no subject of its own
        return EventWords(what, "", "")
    return EventWords(what, _pick(noun_pair, lang), code)


def pairs() -> Iterator[Pair]:
    """Every (zh, en) pair here, for the tests' vocabulary."""
    for table in LABELS.values():
        yield from table.values()
    yield from EVENT_KINDS.values()
