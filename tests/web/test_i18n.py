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
