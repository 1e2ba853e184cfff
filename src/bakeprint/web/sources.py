"""Where a carbon footprint's figures come from, in the reader's language.

The footprint (``trace/footprint.py``) names each figure's source in English,
as the API gives it. The scan page says the same in the page's language; the
cited work itself (authors, journal, the data set) stays as published, in a
``<cite>``.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from bakeprint.trace.footprint import GRID_SOURCE, default_factors
from bakeprint.web.i18n import t

OWN = "the bakery's own figure"
TABULATED = re.compile(r"global mean per kg product, as tabulated by (.+)")


def _cite(text: str) -> Markup:
    return Markup("<cite>{}</cite>").format(text)


def factor_source(lang: str, source: str) -> Markup:
    """One footprint source line, as a reader of ``lang`` reads it."""
    if source == OWN:
        return escape(t(lang, "src_own"))
    if source == GRID_SOURCE:
        return escape(t(lang, "src_grid"))
    for factor in default_factors().values():
        if not source.startswith(f"{factor.name_en}: "):
            continue
        material = factor.name_en if lang == "en" else factor.name_zh
        cited, _, rest = factor.source.partition("; ")
        tabulated = TABULATED.fullmatch(rest)
        if tabulated is None:  # a source said otherwise: cited as it is
            return escape(material + t(lang, "colon")) + _cite(factor.source)
        return (
            escape(t(lang, "src_table", material=material))
            + " — "
            + _cite(cited)
            + t(lang, "reason_sep")
            + t(lang, "src_owid")
            + " "
            + _cite(tabulated.group(1))
        )
    return _cite(source)
