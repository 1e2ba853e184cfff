"""Audit-ready PDFs: the trace report and the recall report.

Chinese text is set in Adobe's STSong-Light (a standard CJK CID font every
PDF reader can substitute), so the file needs no font shipped with it. Each
PDF states when and by whom it was generated and the event-log head (sequence
number and hash) it was built from, so an auditor can check that the chain
still ends there or that nothing before it changed (`bakeprint verify`).
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bakeprint import localtime
from bakeprint.recall.schemas import RecallReport
from bakeprint.trace.schemas import TraceReport

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10.5)
H1 = ParagraphStyle("h1", parent=BODY, fontSize=16, leading=21, spaceAfter=4)
H2 = ParagraphStyle(
    "h2", parent=BODY, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=3
)
ALERT = ParagraphStyle("alert", parent=BODY, textColor=colors.HexColor("#9b1c1c"))


def _p(text: Any, style: ParagraphStyle = BODY) -> Paragraph:
    s = "" if text is None else str(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(s, style)


def _t(value: Any, tz: str, fmt: str = localtime.TEXT) -> str:
    return localtime.text(value, tz, fmt)


def _table(head: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
    data = [[_p(h, SMALL) for h in head]] + [[_p(c, SMALL) for c in r] for r in rows]
    if not rows:
        data.append([_p("—", SMALL)] + [_p("", SMALL)] * (len(head) - 1))
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1ece4")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c9c2b8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _footer(generated: str) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(15 * mm, 10 * mm, generated)
        canvas.drawRightString(195 * mm, 10 * mm, f"{doc.page}")
        canvas.restoreState()

    return draw


def _build(story: list[Any], title: str, generated: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="bakeprint",
    )
    doc.build(story, onFirstPage=_footer(generated), onLaterPages=_footer(generated))
    return buf.getvalue()


def trace_pdf(rep: TraceReport, tz: str, bakery: str) -> bytes:
    """The trace report of one batch, section by section."""
    log = rep.log
    generated = (
        f"生成 Generated {_t(rep.generated_at, tz)} · {rep.generated_by} · "
        f"事件日志 event log #{log.head_seq} sha256 {log.head_hash}"
    )
    s = _trace_head(rep, bakery)
    s += _trace_materials(rep, tz)
    s += _trace_production(rep, tz)
    s += _trace_environment(rep)
    s += _trace_distribution(rep, tz)
    s += [Spacer(1, 6 * mm), _p(generated, SMALL)]
    return _build(s, f"Trace {rep.batch}", generated)


def _trace_head(rep: TraceReport, bakery: str) -> list[Any]:
    """The batch, the query, the unit and the anomalies, first."""
    s: list[Any] = [
        _p(f"追溯报告 Trace report · {rep.batch}", H1),
        _p(
            f"{bakery} · {rep.product}（{rep.product_en}）· GTIN {rep.gtin} · "
            f"{rep.category} · 生产 {rep.made_on} {rep.session} · "
            f"最佳食用期 {rep.best_before or '—'} · 状态 {rep.status}"
            + (f" · 单件 {rep.unit}" if rep.unit else "")
        ),
        _p(f"查询 Query: {rep.query}", SMALL),
    ]
    if rep.unit_state:
        s.append(_p(f"单件 Unit: {rep.unit_state.zh} / {rep.unit_state.en}"))
    s.append(_p("异常 Anomalies", H2))
    if rep.anomalies:
        s += [
            _p(f"L{a.level} [{a.section}] {a.zh} / {a.en}", ALERT)
            for a in rep.anomalies
        ]
    else:
        s.append(_p("未发现异常 No anomalies"))
    return s


def _trace_materials(rep: TraceReport, tz: str) -> list[Any]:
    return [
        _p("原料 Materials", H2),
        _table(
            [
                "批次 Lot",
                "原料 Material",
                "供应商 Supplier",
                "入库 Received",
                "质检 QC",
                "用量 Qty",
                "质检报告 SHA-256",
            ],
            [
                [
                    f"{m.lot}\n{m.supplier_lot}",
                    m.material,
                    m.supplier,
                    _t(m.received_at, tz),
                    f"{m.qc_result} {m.quality_score}",
                    f"{m.quantity:g} {m.unit}",
                    (m.qc_report_sha256 or "—")[:16],
                ]
                for m in rep.materials
            ],
            [28, 26, 30, 24, 18, 18, 36],
        ),
    ]


def _trace_production(rep: TraceReport, tz: str) -> list[Any]:
    """Production (time, place, people, equipment, oven, quantities) and the
    QC checkpoints."""
    p = rep.production
    bakes = "; ".join(
        f"{b.actual_temp_c:g}°C/{b.actual_minutes:g}min"
        + ("" if b.within_tolerance else " ⚠")
        for b in p.bakes
    )
    return [
        _p("生产 Production", H2),
        _table(
            ["项目 Item", "记录 Record"],
            [
                ["时间 Time", localtime.span(p.started_at, p.ended_at, tz)],
                ["位置 Place", f"{p.location or '—'} {p.variant or ''}"],
                [
                    "操作员 Operators",
                    ", ".join(f"{o.name} ({o.code}, {o.role})" for o in p.operators),
                ],
                ["设备 Equipment", ", ".join(e.name for e in p.equipment)],
                [
                    "烘烤 Oven",
                    f"目标 target {p.target_oven_temp_c or '—'}°C/"
                    f"{p.target_bake_minutes or '—'}min; 实际 actual {bakes or '—'}",
                ],
                [
                    "数量 Quantity",
                    f"计划 {p.planned_quantity} · "
                    f"产出 {p.produced_quantity or '—'} · "
                    f"包装 {p.packed_quantity or '—'}",
                ],
            ],
            [40, 140],
        ),
        _p("质检 Quality checks", H2),
        _table(
            ["环节 Stage", "结果 Result", "时间 Time"],
            [
                [
                    c.stage,
                    "通过 passed" if c.passed else "未通过 FAILED",
                    _t(c.checked_at, tz),
                ]
                for c in rep.qc
            ],
            [60, 60, 60],
        ),
    ]


def _trace_environment(rep: TraceReport) -> list[Any]:
    return [
        _p("环境 Environment", H2),
        _table(
            [
                "环节 Stage",
                "位置 Place",
                "传感器 Sensor",
                "最低–最高 Min–max",
                "平均 Mean",
                "允许 Allowed",
                "超标分钟 Min. outside",
            ],
            [
                [
                    seg.stage,
                    seg.place_name,
                    x.sensor,
                    f"{x.min}–{x.max} {x.unit}",
                    x.mean,
                    f"{'' if x.low is None else x.low}–"
                    f"{'' if x.high is None else x.high}",
                    x.minutes_outside,
                ]
                for seg in rep.environment
                for x in seg.sensors
            ],
            [22, 26, 26, 32, 18, 24, 32],
        ),
    ]


def _trace_distribution(rep: TraceReport, tz: str) -> list[Any]:
    """The van trips, then the points of sale."""
    return [
        _p("配送 Distribution", H2),
        _table(
            [
                "车次 Trip",
                "车辆 Vehicle",
                "出发 Departed",
                "装车 Loaded",
                "送达 Drops",
                "车厢温度 Cabin",
            ],
            [
                [
                    d.trip,
                    d.vehicle_name,
                    _t(d.departed_at, tz),
                    d.loaded,
                    "; ".join(
                        f"{x.point_of_sale_name} {x.quantity} "
                        f"{_t(x.delivered_at, tz, '%H:%M')}"
                        for x in d.drops
                    ),
                    "; ".join(
                        f"{c.min}–{c.max}{c.unit}" + (" ⚠" if c.excursions else " OK")
                        for c in d.cabin
                    ),
                ]
                for d in rep.distribution
            ],
            [30, 18, 26, 14, 60, 32],
        ),
        _p("销售点 Points of sale", H2),
        _table(
            [
                "门店 Shop",
                "到店 Arrived",
                "送达 Delivered",
                "已售 Sold",
                "在架 On shelf",
                "报损/退回 Wasted/returned",
            ],
            [
                [
                    r.point_of_sale,
                    _t(r.received_at, tz),
                    r.delivered,
                    r.sold,
                    r.on_shelf,
                    r.wasted + r.returned,
                ]
                for r in rep.points_of_sale
            ],
            [34, 34, 26, 22, 26, 38],
        ),
    ]


def recall_pdf(r: RecallReport, tz: str, bakery: str) -> bytes:
    """The recall report: what it is, its effectiveness, then its batches,
    shops, notices and any sale after the notice."""
    generated = (
        f"生成 Generated {_t(r.generated_at, tz)} · {r.generated_by} · "
        f"事件日志 event log #{r.log.head_seq} sha256 {r.log.head_hash}"
    )
    s = _recall_head(r, tz, bakery)
    s += _recall_batches_and_shops(r, tz)
    s += _recall_notices(r, tz)
    s += [Spacer(1, 6 * mm), _p(generated, SMALL)]
    return _build(s, f"Recall {r.code}", generated)


def _recall_head(r: RecallReport, tz: str, bakery: str) -> list[Any]:
    e = r.effectiveness
    return [
        _p(f"召回报告 Recall report · {r.code}", H1),
        _p(f"{bakery} · L{r.level} · {r.status} · 原因 Reason: {r.reason}"),
        _p(
            f"发起 Opened {_t(r.opened_at, tz)} ({r.opened_by})"
            + (
                f" · 关闭 Closed {_t(r.closed_at, tz)} ({r.closed_by}): "
                f"{r.closing_note}"
                if r.closed_at
                else ""
            )
        ),
        _p(f"范围 Scope: {r.criteria.model_dump(mode='json')}", SMALL),
        _p("效果 Effectiveness", H2),
        _p(
            f"下架 pulled {e.pulled} / 通知时在架 on shelf at notice "
            f"{e.on_shelf_at_notice} = {e.rate:.0%} · 确认门店 shops confirmed "
            f"{e.shops_confirmed}/{e.shops} · 通知后销售 sales after notice "
            f"{len(r.sales_after_notice)}"
        ),
    ]


def _recall_batches_and_shops(r: RecallReport, tz: str) -> list[Any]:
    return [
        _p("批次 Batches", H2),
        _table(
            [
                "批次 Batch",
                "原因 Why",
                "通知时在架 On shelf",
                "厨房 Kitchen",
                "此前已售 Sold before",
            ],
            [
                [
                    b.batch,
                    "; ".join(x.zh for x in b.reasons),
                    b.on_shelf_at_notice,
                    b.in_kitchen_at_notice,
                    b.sold_before_notice,
                ]
                for b in r.batches
            ],
            [36, 70, 26, 20, 28],
        ),
        _p("门店 Shops", H2),
        _table(
            [
                "门店 Shop",
                "批次 Batch",
                "通知时在架 At notice",
                "下架 Pulled",
                "现在在架 Now",
                "确认 Confirmed",
            ],
            [
                [
                    x.name,
                    x.batch,
                    x.on_shelf_at_notice,
                    x.pulled,
                    x.on_shelf_now,
                    _t(x.confirmed_at, tz),
                ]
                for x in r.shops
            ],
            [34, 36, 26, 20, 24, 40],
        ),
    ]


def _recall_notices(r: RecallReport, tz: str) -> list[Any]:
    s: list[Any] = [
        _p("通知 Notices", H2),
        _table(
            [
                "门店 Shop",
                "状态 State",
                "次数 Attempts",
                "送达 Delivered",
                "错误 Error",
            ],
            [
                [
                    n.point_of_sale,
                    n.state,
                    n.attempts,
                    _t(n.delivered_at, tz),
                    (n.last_error or "")[:80],
                ]
                for n in r.notices
            ],
            [30, 26, 18, 30, 76],
        ),
    ]
    if r.sales_after_notice:
        s += [
            _p("通知后的销售 Sales after the notice", H2),
            _table(
                ["批次 Batch", "时间 At", "事件 Event #"],
                [[x.batch, _t(x.at, tz), x.seq] for x in r.sales_after_notice],
                [60, 60, 60],
            ),
        ]
    return s


def response(content: bytes, filename: str) -> Any:
    """An inline PDF download."""
    from fastapi.responses import Response

    from bakeprint.downloads import disposition

    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition(filename, inline=True)},
    )
