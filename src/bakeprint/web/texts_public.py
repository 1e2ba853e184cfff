"""The public scan page's texts (a customer's phone), zh-CN and English."""

from __future__ import annotations

TEXTS_PUBLIC: dict[str, tuple[str, str]] = {
    "p_recalled": (
        "此批次已召回，请勿食用，并联系购买门店。",
        "This batch has been recalled: do not eat it; contact the shop where "
        "you bought it.",
    ),
    "p_made_on": ("制作日期", "Made on"),
    "p_allergens": ("过敏原", "Allergens"),
    "p_no_allergens": ("无", "none"),
    "p_certificate": ("限量证书", "Limited-edition certificate"),
    "p_edition": ("第 {edition} / {of} 份", "No. {edition} of {of}"),
    "p_signature_valid": (
        "数字签名有效：由 {bakery} 签发（密钥 {key_id}）",
        "Signature valid: issued by {bakery} (key {key_id})",
    ),
    "p_signature_invalid": (
        "数字签名无效：此证书可能被篡改",
        "Signature not valid: this certificate may have been tampered with",
    ),
    "p_scan_no": ("第 {n} 次扫码", "scan no. {n}"),
    "p_first_scanned": ("首次扫码 {at}", "first scanned {at}"),
    "p_claimed": ("已于 {at} 被认领", "Claimed on {at}"),
    "p_by_you": ("就是您", "by you"),
    "p_claim": ("认领这份证书", "Claim this certificate"),
    "p_footprint": ("碳足迹（估算）", "Carbon footprint (estimate)"),
    "p_per_piece": ("每份 ≈ {g} g CO₂e", "≈ {g} g CO₂e per piece"),
    "p_shares": (
        "原料 {materials}% · 烘烤 {baking}% · 配送 {transport}%",
        "ingredients {materials}% · baking {baking}% · delivery {transport}%",
    ),
    "p_how": ("如何估算", "How it is estimated"),
    "p_method": (
        "原料用量 × 排放因子，烘烤时长 × 烤箱功率 × 电网排放因子，"
        "配送里程 × 车辆排放因子（按份数分摊）。",
        "Ingredient quantities × emission factors, baking time × oven power × "
        "grid factor, delivery distance × van factor (shared by the pieces "
        "carried).",
    ),
    "p_not_counted": (
        "有 {n} 项原料或路段缺少数据，未计入。",
        "1 ingredient or leg lacks data and is not counted.|"
        "{n} ingredients or legs lack data and are not counted.",
    ),
    "p_sources": ("数据来源", "Sources"),
    "p_story": ("设计故事", "The story"),
    "p_journey": ("它的旅程", "Its journey"),
    "p_journey_map": ("供应链路径", "Supply-chain path"),
    "p_batch_went": ("这一批的去向", "Where this batch went"),
    "p_batch_made": (
        "整批共 {n} 件；以下是整批的记录，不是这一件的",
        "1 piece in the batch; these are the batch's records|"
        "{n} pieces in the batch; these are the batch's records, not this piece's",
    ),
    "p_pieces": ("{n} 件", "{n} piece|{n} pieces"),
    "p_report": ("反馈问题", "Report a problem"),
    "p_report_filed": (
        "已收到您的反馈，编号 {code}。质检人员会尽快核实。",
        "Thank you: your report {code} was received and will be checked by our "
        "quality team.",
    ),
    "p_what_happened": ("问题类型", "What happened"),
    "p_describe": ("请描述", "Describe it"),
    "p_contact": (
        "联系方式（选填，仅质检人员可见）",
        "How to reach you (optional, seen only by our quality team)",
    ),
    "p_send": ("提交", "Send"),
    # where the footprint's figures come from
    "src_own": ("本店自己的排放因子", "the bakery's own figure"),
    "src_table": (
        "{material}：每千克产品的全球平均值",
        "{material}: global mean per kg of product",
    ),
    "src_owid": ("数据整理自", "as tabulated by"),
    "src_grid": (
        "中国全国电网平均排放因子（2022 年）：0.5703 千克 CO₂/千瓦时，"
        "生态环境部 2024 年发布",
        "China's national grid average emission factor (2022): 0.5703 kg CO₂ per "
        "kWh, published by the Ministry of Ecology and Environment in 2024",
    ),
    # the product page a GTIN-only Digital Link leads to (gs1:pip)
    "p_product_info": ("产品信息", "Product information"),
    "p_recalled_lots": (
        "以下批次已召回，请勿食用：",
        "These lots are recalled; do not eat them:",
    ),
    "p_lot_on_pack": (
        "扫描包装上的二维码，可查看这一件的批次与行程。",
        "Scan the QR code on the pack to see its batch and its way to you.",
    ),
}
