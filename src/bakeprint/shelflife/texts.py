"""Page words for dynamic shelf life (merged into web.texts.TEXTS)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "sl_predicted": ("预测最佳食用至", "Predicted best before"),
    "sl_printed": ("标签日期", "Printed date"),
    "sl_as_printed": ("与标签一致", "as printed"),
    "sl_why": ("原因", "Why"),
    "sl_model_days": (
        "模型 {model} 天 · 标准 {std} 天 · 参数第 {v} 版",
        "model {model} days · standard {std} days · parameters v{v}",
    ),
    "sl_fefo": ("先到期先出", "First expiry, first out (FEFO)"),
    "sl_days_left": ("剩余天数", "Days left"),
    "sl_action": ("处理", "Action"),
    "sl_action_pull": ("下架", "Pull"),
    "sl_action_discount": ("打折", "Discount"),
    "sl_action_sell": ("正常销售", "Sell"),
    "sl_params": ("保质期模型参数", "Shelf-life model"),
    "sl_category": ("产品类别", "Category"),
    "sl_version": ("版本", "Version"),
    "sl_note": ("修改说明", "Why changed"),
    "sl_defaults": ("默认值", "Defaults"),
    "sl_packaging": ("包装", "Packaging"),
    "sl_save_version": ("保存为新版本", "Save as a new version"),
    "sl_params_help": (
        "每次保存都生成新版本；旧的预测仍按它当时的版本解释。"
        "各参数的依据见保质期模型说明文档。",
        "Every save makes a new version; an old prediction is still explained "
        "by the version it used. Sources: docs/shelf-life.md.",
    ),
    # the model's parameters, in words (docs/shelf-life.md)
    "sl_p_t_ref_c": ("参考温度（°C）", "Reference temperature (°C)"),
    "sl_p_t_min_c": ("霉菌最低生长温度（°C）", "Minimum mould growth temperature (°C)"),
    "sl_p_rh_ref_pct": ("参考储存湿度（%）", "Reference storage humidity (%)"),
    "sl_p_k_rh_per_pct": (
        "储存湿度每高 1% 的加速",
        "Speed-up per 1 % more storage humidity",
    ),
    "sl_p_hall_rh_ref_pct": ("车间参考湿度（%）", "Reference hall humidity (%)"),
    "sl_p_k_hall_per_pct": (
        "车间湿度每高 1% 的加速",
        "Speed-up per 1 % more hall humidity",
    ),
    "sl_p_planned_hours": ("计划出炉到上架（小时）", "Planned baking to shelf (hours)"),
    "sl_p_late_exposure": ("延迟时段的加速倍数", "Speed-up while late"),
    "sl_default_packaging": ("默认包装", "Default packaging"),
    "sl_pack_standard": ("标准包装", "Standard packaging"),
    "sl_pack_improved": ("改良包装", "Improved packaging"),
    "sl_pack_open": ("无包装", "Unpackaged"),
    "p_predicted": ("按实际经历预测", "Predicted from its real history"),
    "cause_shelf_life": ("预测保质期缩短", "Shorter predicted shelf life"),
}
