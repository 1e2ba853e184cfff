"""Every interface text a template asks for exists in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from bakeprint.web.i18n import TEXTS

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "bakeprint" / "templates"
DYNAMIC = {
    "trip_": ("planned", "departed", "arrived"),
    "stage_": ("production", "kitchen", "trip", "shop"),
    "kind_": ("temperature", "humidity"),
    "pk_": ("location", "vehicle", "point_of_sale", "category"),
    "alert_level_": ("1", "2"),
    "lv_": ("1", "2", "3"),
    "session_": ("AM", "PM"),
    "status_": ("open", "closed", "draft", "discarded"),
    "cause_": (
        "borderline_lot",
        "minor_anomalies",
        "environment",
        "complaint",
        "hazard",
    ),
    "task_": ("extra_sampling", "complaint"),
    "complaint_": ("received", "verified", "rejected"),
    "channel_": ("scan", "shop", "staff", "api"),
    "state_": ("delivered", "pending", "failed", "shop_page_only"),
    "sec_": (
        "materials",
        "production",
        "qc",
        "environment",
        "distribution",
        "points_of_sale",
    ),
}


def test_every_text_key_used_by_a_template_is_translated():
    used: set[str] = set()
    for f in TEMPLATES.rglob("*.html"):
        src = f.read_text("utf-8")
        used |= set(re.findall(r"\bt\('([a-z0-9_]+)'\)", src))
        for prefix, names in DYNAMIC.items():
            if f"t('{prefix}' ~" in src:
                used |= {prefix + n for n in names}
    missing = sorted(k for k in used if k not in TEXTS)
    assert not missing, f"untranslated keys: {missing}"
    assert all(zh and en for zh, en in TEXTS.values())


def test_every_stored_value_has_words_in_both_languages():
    from bakeprint.events.service import BIZ_STEPS
    from bakeprint.identity.models import ROLES
    from bakeprint.materials.models import QC_RESULTS
    from bakeprint.materials.schemas import UNITS
    from bakeprint.packaging.models import UNIT_STATUSES
    from bakeprint.production.models import BATCH_STATUSES
    from bakeprint.quality.models import STAGES
    from bakeprint.web.labels import EVENT_KINDS, LABELS
    from tests.web.pagetext import event_kinds

    wanted = {
        "batch_status": BATCH_STATUSES,
        "qc_stage": STAGES,
        "qc_result": QC_RESULTS,
        "measure": UNITS,
        "role": ROLES,
        "unit_status": UNIT_STATUSES,
        "biz_step": BIZ_STEPS,
    }
    missing = [
        f"{group}: {v}"
        for group, values in wanted.items()
        for v in values
        if v not in LABELS[group]
    ]
    missing += [f"event kind: {k}" for k in event_kinds() if k not in EVENT_KINDS]
    assert not missing, missing
    for table in [*LABELS.values(), EVENT_KINDS]:
        assert all(zh and en for zh, en in table.values())


def test_an_event_reads_as_words_in_each_language():
    from bakeprint.web.labels import event_words

    zh = event_words("zh", "sold", "batch:251207-SS-PM-001")
    en = event_words("en", "sold", "batch:251207-SS-PM-001")
    assert (zh.what, zh.noun, zh.code) == ("售出", "批次", "251207-SS-PM-001")
    assert f"{en.what} {en.noun} {en.code}" == "sold from batch 251207-SS-PM-001"
    partner = event_words("zh", "captured", "epcis:captured")
    assert partner.code == "" and "EPCIS" in partner.what


def test_a_stored_bilingual_text_shows_the_pages_half():
    from bakeprint.web.templating import templates

    half = templates.env.filters["in_lang"]
    text = "烘烤偏离配方：185°C/18 分钟 / bake off recipe: 185 °C, 18 min"
    assert half(text, "zh") == "烘烤偏离配方：185°C/18 分钟"
    assert half(text, "en") == "bake off recipe: 185 °C, 18 min"
    assert half("only one language", "zh") == "only one language"
