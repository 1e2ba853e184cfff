"""The translation layer: every text a person reads goes through ``t`` (the
interface's texts, ``web/texts.py``) or ``label`` (the words for stored values,
``web/labels.py``), in zh-CN (default) or English."""

from __future__ import annotations

from bakeprint.web.labels import label
from bakeprint.web.lang import lang_of
from bakeprint.web.texts import TEXTS

__all__ = ["TEXTS", "label", "lang_of", "t"]


def t(lang: str, key: str, **kw: object) -> str:
    """The text ``key`` in ``lang``; with ``n``, English picks its singular
    ("1 complaint") or plural ("2 complaints") form."""
    zh, en = TEXTS.get(key, (key, key))
    text = en if lang == "en" else zh
    if "|" in text:
        one, many = text.split("|", 1)
        text = one if kw.get("n") == 1 else many
    return text.format(**kw) if kw else text
