"""What a person reads on a page, and the words that should not be there.

``visible(html)`` is the page's text as a reader meets it: text nodes (not
scripts or styles), the title, and the attributes a browser shows or reads
aloud (placeholder, aria-label, title, alt). Text inside ``<code>`` (batch
codes, hashes, EPCIS vocabulary on the audit log), ``<cite>`` (a cited
work's authors and title, as published) and ``<textarea>`` (what the bakery
typed, such as a product's English story) is set apart: it is shown as it is
on purpose.

``problems(texts, lang)`` names what a reader should not see:

- snake_case identifiers (``pre_bake``, ``in_progress``) in either language;
- an event subject written as the log keeps it (``batch:251207-…``);
- an internal enum value shown raw: in zh-CN any of them, in English the
  ones that are not English words (``AM``, ``pcs``…);
- in zh-CN, an English word of the interface's own vocabulary (the English
  side of every translation table): the page was not translated;
- in English, "1 batches": a count of one with a plural noun.

Codes a person does need (batch, lot, trip and sensor codes, GTINs, serials,
hashes, URLs) and metric units are taken out before looking.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "bakeprint"

SHOWN_ATTRS = ("placeholder", "aria-label", "title", "alt")
SET_APART = ("code", "cite", "textarea")

# Codes and symbols a reader needs as they are.
CODE_LIKE = [
    re.compile(r"https?://\S+"),
    # upper-case/digit tokens joined by - . / : (251203-SS-PM-002, RM-…,
    # LOT25S-45, CITY-LIB-T, T-251203-VAN-2-1, SHA-256, EPCIS 2.0 …)
    re.compile(r"(?<![\w-])[A-Z0-9]+(?:[-./:][A-Z0-9]+)+(?![\w-])"),
    re.compile(r"(?<![\w])[0-9a-f]{10,}(?![\w])"),  # hashes
    # metric units and the CO₂ equivalent, as Chinese text writes them too
    re.compile(r"(?<![A-Za-z])(?:kWh|kW|kg|km|mL|g|L|CO₂e?|CO2e?|%RH|°C)(?![A-Za-z])"),
]

# English (or Latin-script) words a zh-CN page may show, each with its reason.
ZH_ALLOWED: dict[str, str] = {
    "EN": "the language switch names English in English",
    "PDF": "file format name; Chinese software says PDF",
    "CSV": "file format name",
    "XLSX": "file format name",
    "EPCIS": "the GS1 standard's name",
    "GTIN": "GS1 identifier name, printed on packs as GTIN",
    "GLN": "GS1 identifier name",
    "GS": "GS1, the standards body (the 1 is split off by the tokenizer)",
    "QR": "QR 码 is how Chinese says QR code",
    "webhook": "technical term with no settled Chinese name; shown to owners "
    "setting up recall notices",
    "Webhook": "as above",
    "API": "technical term, as in 接口 (API)",
}

SNAKE = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
SUBJECT = re.compile(
    r"(?<![A-Za-z])(?:batch|lot|user|trip|epcis|unit|recall|complaint|sensor):\S"
)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
ONE_PLURAL = re.compile(r"(?<![\d.,])\b1\s+([A-Za-z]+?)(es|s)\b")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.apart: list[str] = []
        self._skip = 0
        self._apart = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in SET_APART:
            self._apart += 1
        for name, value in attrs:
            if name in SHOWN_ATTRS and value:
                self.texts.append(value)
            if tag == "input" and name == "value" and value:
                kind = dict(attrs).get("type")
                if kind in ("submit", "button"):
                    self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag in SET_APART:
            self._apart = max(0, self._apart - 1)

    def handle_data(self, data: str) -> None:
        if self._skip or not data.strip():
            return
        (self.apart if self._apart else self.texts).append(data.strip())


def visible(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return reader.texts


def set_apart(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return reader.apart


def _strip_codes(text: str) -> str:
    for pattern in CODE_LIKE:
        text = pattern.sub(" ", text)
    return text


# --- the vocabulary: what the interface says in English, and its raw values ---


def english_vocabulary() -> set[str]:
    """Every word (2+ letters, lower-cased) of the interface's English."""
    from bakeprint.catalog.forms import LABELS, TITLES
    from bakeprint.quality.complaints import CATEGORY_NAMES
    from bakeprint.web.i18n import TEXTS

    words: set[str] = set()
    tables: list[Iterable[tuple[str, str]]] = [
        TEXTS.values(),
        _label_pairs(),
        LABELS.values(),
        TITLES.values(),
        CATEGORY_NAMES.values(),
    ]
    for table in tables:
        for _, en in table:
            words |= {w.lower() for w in LATIN.findall(re.sub(r"<[^>]+>", " ", en))}
    return {w for w in words if len(w) >= 2}


def _label_pairs() -> Iterable[tuple[str, str]]:
    """The words for stored values (web/labels.py; absent before issue 16)."""
    try:
        from bakeprint.web import labels
    except ImportError:
        return []
    return list(labels.pairs())


def event_kinds() -> set[str]:
    """Every event kind the code appends (``kind="…"`` on an append call)."""
    kinds: set[str] = set()
    calls = {"append", "_batch_event", "_insert", "append_captured", "_append"}
    for path in SRC.rglob("*.py"):
        if "bench" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in calls:
                continue
            for kw in node.keywords:
                if kw.arg == "kind":
                    kinds |= {
                        c.value
                        for c in ast.walk(kw.value)
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    }
    return kinds


def internal_values() -> set[str]:
    """The values the code stores for states, kinds and steps."""
    from bakeprint.events.service import BIZ_STEPS, DISPOSITIONS
    from bakeprint.identity.models import ROLES
    from bakeprint.logistics.models import TRIP_STATUSES
    from bakeprint.materials.models import QC_RESULTS
    from bakeprint.materials.schemas import UNITS
    from bakeprint.packaging.models import UNIT_STATUSES
    from bakeprint.packaging.state import UNTRACKED
    from bakeprint.production.models import BATCH_STATUSES
    from bakeprint.quality.models import (
        ALERT_CAUSES,
        COMPLAINT_CATEGORIES,
        COMPLAINT_STATUSES,
        STAGES,
    )
    from bakeprint.recall.models import RECALL_STATUSES
    from bakeprint.sensors.models import KINDS, PLACE_KINDS

    values: set[str] = {"AM", "PM", UNTRACKED}  # sessions; a unit's state
    for group in (
        BIZ_STEPS,
        DISPOSITIONS,
        ROLES,
        TRIP_STATUSES,
        QC_RESULTS,
        UNITS,
        UNIT_STATUSES,
        BATCH_STATUSES,
        ALERT_CAUSES,
        COMPLAINT_CATEGORIES,
        COMPLAINT_STATUSES,
        STAGES,
        RECALL_STATUSES,
        KINDS,
        PLACE_KINDS,
        event_kinds(),
    ):
        values |= set(group)
    return values


# --- the checks ---------------------------------------------------------------


def problems(
    texts: list[str],
    lang: str,
    vocabulary: set[str],
    values: set[str],
    known: Iterable[str] = (),
) -> list[str]:
    """What is wrong with a page's ``texts``; ``known`` are the bakery's own
    handles a person types (user names such as ``qc-zhou``), shown as such."""
    handles = [
        re.compile(rf"(?<![\w-]){re.escape(k)}(?![\w-])")
        for k in sorted(known, key=len, reverse=True)
    ]
    found: list[str] = []
    for raw in texts:
        for m in SUBJECT.finditer(raw):
            found.append(f"event subject {m.group(0)!r}… in {raw!r}")
        text = _strip_codes(raw)
        for handle in handles:
            text = handle.sub(" ", text)
        for word in SNAKE.findall(text):
            found.append(f"identifier {word!r} in {raw!r}")
        for word in LATIN.findall(text):
            if "_" in word:
                continue  # named above
            if lang == "en":
                if word in values and word.lower() not in vocabulary:
                    found.append(f"internal value {word!r} in {raw!r}")
            elif word in ZH_ALLOWED:
                continue
            elif word in values or word.lower() in vocabulary:
                found.append(f"English {word!r} in {raw!r}")
        if lang == "en":
            for m in ONE_PLURAL.finditer(text):
                if m.group(1).lower() in vocabulary or m.group(0).lower()[2:] in (
                    vocabulary
                ):
                    found.append(f"plural after one: {m.group(0)!r} in {raw!r}")
    return found
