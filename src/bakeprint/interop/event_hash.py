"""The CBV 2.0 EPCIS event hash ID (GS1 CBV 2.0 §8.9).

An event's fingerprint that does not depend on how it was written: JSON key
order, namespace prefixes, URN or Digital Link identifiers, time zones,
``1.0`` or ``1`` — all give the same *pre-hash string*, whose SHA-256 is
written ``ni:///sha-256;<hex>?ver=CBV2.0`` (RFC 6920).

The pre-hash string concatenates, without separators, the event's fields in
the canonical property order (``eventType=…eventTime=…`` …), each list's
members sorted, vocabulary in its Web URI form, identifiers as constrained
canonical GS1 Digital Link URIs (``interop.canonical``), times in UTC with
milliseconds, numbers without trailing zeros, and user extensions (at event
level, inside ``readPoint``/``bizLocation``/sensor elements, and ILMD) as
``{namespace}name=value`` sorted. ``eventID``, ``recordTime`` and an
``errorDeclaration`` are not part of the hash (a declaration is added to an
event later and must not change its identity), nor are ``rdfs:comment``
annotations or fields a document lists
under ``…:ignoreFields`` (a repository's own bookkeeping, such as the hash
itself).

The published test vectors in ``tests/conformance/epcis-event-hash`` check it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bakeprint.interop.canonical import canonical_id

VERSION = "CBV2.0"
CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
# The prefixes the standard EPCIS 2.0 @context declares.
STANDARD_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": CBV,
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": GS1_VOC,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
# CBV 1.x URN vocabulary → the CBV 2.0 Web URI term prefix.
_VOCAB_URN = {
    "bizstep": "BizStep-",
    "disp": "Disp-",
    "btt": "BTT-",
    "sdt": "SDT-",
    "er": "ER-",
}
_QUANTITY = ("epcClass", "quantity", "uom")
_METADATA = (
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
_REPORT = (
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
_TIMES = {"eventTime", "time", "startTime", "endTime"}
_EPC_LISTS = ("epcList", "inputEPCList", "childEPCs")
_QTY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList")
# Fields of the event itself that are never hashed.
_NOT_HASHED = {"type", "eventID", "recordTime", "errorDeclaration", "@context"}
_COMMENT = "{http://www.w3.org/2000/01/rdf-schema#}comment"
_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
_TIME = re.compile(
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:[.,](\d+))?(Z|z|[+-]\d\d:?\d\d)?"
)


def timestamp(text: str) -> str:
    """UTC, millisecond precision (the fourth decimal rounds half up)."""
    if _CANONICAL_TIME.fullmatch(text):
        return text
    m = _TIME.fullmatch(text.strip())
    if m is None:
        return text.strip()
    offset = m[3] or "Z"
    if offset in ("Z", "z"):
        offset = "+00:00"
    elif ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        base = datetime.fromisoformat(m[1] + offset).astimezone(UTC)
    except ValueError:  # not a real date: hashed as written
        return text.strip()
    frac = Decimal("0." + (m[2] or "0")).quantize(Decimal("0.001"), ROUND_HALF_UP)
    when = base + timedelta(milliseconds=int(frac * 1000))
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"


def number(value: float | int) -> str:
    """A number without trailing zeros (``1.0`` → ``1``, ``0.3430`` → ``0.343``)."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _items(value: Any) -> list[Any]:
    """A list field's members (a lone value counts as a list of one)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in _items(value) if isinstance(v, dict)]


class _Canon:
    """Pre-hash pieces for events of one document (its namespace prefixes)."""

    def __init__(self, prefixes: Mapping[str, str], ignore: Iterable[str]) -> None:
        self.prefixes = {**STANDARD_PREFIXES, **prefixes}
        # rdfs:comment is an annotation for readers, not event data.
        self.ignore = {self.name(n) for n in ignore} | {_COMMENT}

    # -- names and values --------------------------------------------------
    def name(self, key: str) -> str:
        """An extension's name as ``{namespace}local``."""
        prefix, sep, local = key.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return "{" + self.prefixes[prefix] + "}" + local
        if key.startswith(("http://", "https://")):
            cut = max(key.rfind("/"), key.rfind("#")) + 1
            return "{" + key[:cut] + "}" + key[cut:]
        return key

    def text(self, value: str) -> str:
        """A string value: trimmed, CURIEs expanded, URN vocabulary as Web
        URIs, GS1 identifiers in canonical Digital Link form."""
        text = value.strip()
        prefix, sep, local = text.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            text = self.prefixes[prefix] + local
        if text.startswith("urn:epcglobal:cbv:"):
            kind, _, term = text.removeprefix("urn:epcglobal:cbv:").partition(":")
            if kind in _VOCAB_URN and term:
                return CBV + _VOCAB_URN[kind] + term
        return canonical_id(text)

    def value(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return number(value)
        return self.text(str(value))

    def vocab(self, value: Any, base: str) -> str:
        """A standard vocabulary value; bare terms get ``base`` in front."""
        text = str(value).strip()
        if text and ":" not in text:
            return base + text
        return self.text(text)

    # -- extensions ----------------------------------------------------------
    def extension(self, key: str, value: Any) -> list[str]:
        name = self.name(key)
        if isinstance(value, list):
            return [s for item in value for s in self.extension(key, item)]
        if isinstance(value, dict):
            inner = sorted(
                s
                for k, v in value.items()
                if not k.startswith("@")
                for s in self.extension(k, v)
            )
            return [name + "".join(inner)]
        return [f"{name}={self.value(value)}"]

    def extension_pieces(
        self, obj: Mapping[str, Any], known: Iterable[str]
    ) -> list[str]:
        skip = set(known)
        return [
            s
            for k, v in obj.items()
            if k not in skip
            and not k.startswith("@")
            and self.name(k) not in self.ignore
            for s in self.extension(k, v)
        ]

    def extensions(self, obj: Mapping[str, Any], known: Iterable[str]) -> str:
        return "".join(sorted(self.extension_pieces(obj, known)))

    # -- standard fields -------------------------------------------------------
    def fields(self, obj: Mapping[str, Any], order: Iterable[str]) -> str:
        out = ""
        for key in order:
            if key not in obj or obj[key] is None:
                continue
            v = obj[key]
            if isinstance(v, dict | list):
                out += "".join(sorted(self.extension(key, v)))
            elif key in _TIMES:
                out += f"{key}={timestamp(str(v))}"
            elif key == "type":
                out += f"type={self.vocab(v, GS1_VOC)}"
            elif key == "exception":
                out += f"exception={self.vocab(v, GS1_VOC)}"
            elif key == "component":
                out += f"component={self.vocab(v, CBV + 'Comp-')}"
            else:
                out += f"{key}={self.value(v)}"
        return out

    def quantities(self, items: Any) -> str:
        return "".join(
            sorted("quantityElement" + self.fields(q, _QUANTITY) for q in _dicts(items))
        )

    def epcs(self, items: Any) -> str:
        return "".join(sorted(f"epc={self.value(e)}" for e in _items(items)))

    def typed(self, items: Any, field: str, base: str) -> str:
        """bizTransaction / source / destination lists: type first, then id."""
        parts = []
        for item in _dicts(items):
            s = f"type={self.vocab(item['type'], base)}" if item.get("type") else ""
            if field in item:
                s += f"{field}={self.value(item[field])}"
            parts.append(s)
        return "".join(sorted(parts))

    def sensor_element(self, element: Mapping[str, Any]) -> str:
        out = "sensorElement"
        meta = element.get("sensorMetadata")
        if isinstance(meta, dict):
            out += (
                "sensorMetadata"
                + self.fields(meta, _METADATA)
                + self.extensions(meta, _METADATA)
            )
        out += "".join(
            sorted(
                "sensorReport" + self.fields(r, _REPORT) + self.extensions(r, _REPORT)
                for r in _dicts(element.get("sensorReport"))
            )
        )
        return out + self.extensions(element, ("sensorMetadata", "sensorReport"))

    def prehash(self, event: Mapping[str, Any]) -> str:
        ev = event
        out = f"eventType={str(ev.get('type', '')).strip()}"
        out += self.fields(ev, ("eventTime", "eventTimeZoneOffset"))
        out += self.fields(ev, ("certificationInfo", "parentID"))
        for key in _EPC_LISTS:
            if ev.get(key):
                out += key + self.epcs(ev[key])
        for key in _QTY_LISTS:
            if ev.get(key):
                out += key + self.quantities(ev[key])
        if ev.get("outputEPCList"):
            out += "outputEPCList" + self.epcs(ev["outputEPCList"])
        if ev.get("outputQuantityList"):
            out += "outputQuantityList" + self.quantities(ev["outputQuantityList"])
        out += self.fields(ev, ("action", "transformationID"))
        if ev.get("bizStep"):
            out += f"bizStep={self.vocab(ev['bizStep'], CBV + 'BizStep-')}"
        if ev.get("disposition"):
            out += f"disposition={self.vocab(ev['disposition'], CBV + 'Disp-')}"
        pd = ev.get("persistentDisposition")
        if isinstance(pd, dict) and (pd.get("set") or pd.get("unset")):
            out += "persistentDisposition"
            for key in ("set", "unset"):
                out += "".join(
                    sorted(
                        f"{key}={self.vocab(v, CBV + 'Disp-')}"
                        for v in _items(pd.get(key))
                    )
                )
        for key in ("readPoint", "bizLocation"):
            place = ev.get(key)
            if isinstance(place, dict):
                out += (
                    key + self.fields(place, ("id",)) + self.extensions(place, ("id",))
                )
        if ev.get("sensorElementList"):
            out += "sensorElementList" + "".join(
                sorted(self.sensor_element(e) for e in _dicts(ev["sensorElementList"]))
            )
        # The reference generator (and the published vectors) place the
        # business transaction, source and destination lists and the ILMD
        # after the sensor elements, sorted as text together with the user
        # extensions: bizTransactionList, destinationList, ilmd, sourceList,
        # then the {namespace}name pieces.
        rest = self.extension_pieces(ev, _STANDARD_FIELDS)
        for key, field, base in (
            ("bizTransactionList", "bizTransaction", CBV + "BTT-"),
            ("destinationList", "destination", CBV + "SDT-"),
            ("sourceList", "source", CBV + "SDT-"),
        ):
            if ev.get(key):
                rest.append(key + self.typed(ev[key], field, base))
        ilmd = ev.get("ilmd")
        if isinstance(ilmd, dict) and ilmd:
            rest.append("ilmd" + self.extensions(ilmd, ()))
        return out + "".join(sorted(rest))


_STANDARD_FIELDS = _NOT_HASHED | {
    "eventTime",
    "eventTimeZoneOffset",
    "certificationInfo",
    "parentID",
    *_EPC_LISTS,
    *_QTY_LISTS,
    "outputEPCList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "ilmd",
}


def _prefixes(context: Any) -> dict[str, str]:
    items = context if isinstance(context, list) else [context]
    out: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict):
            out.update({k: v for k, v in item.items() if isinstance(v, str)})
    return out


def _ignored(*holders: Any) -> list[str]:
    """Field names a document asks hashing to skip (``…:ignoreFields``)."""
    out: list[str] = []
    for holder in holders:
        if isinstance(holder, dict):
            for key, value in holder.items():
                if key.rpartition(":")[2] == "ignoreFields" and isinstance(value, list):
                    out += [str(v) for v in value]
    return out


def prehash(
    event: Mapping[str, Any],
    *,
    context: Any = None,
    ignore: Iterable[str] = (),
) -> str:
    """The pre-hash string of one EPCIS 2.0 JSON(-LD) event."""
    prefixes = _prefixes(context)
    prefixes.update(_prefixes(event.get("@context")))
    return _Canon(prefixes, ignore).prehash(event)


def hash_id(
    event: Mapping[str, Any],
    *,
    context: Any = None,
    ignore: Iterable[str] = (),
) -> str:
    """``ni:///sha-256;…?ver=CBV2.0`` for one event."""
    text = prehash(event, context=context, ignore=ignore)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={VERSION}"


def document_events(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    body = doc.get("epcisBody") or {}
    if "eventList" in body:
        return list(body["eventList"] or [])
    results = (body.get("queryResults") or {}).get("resultsBody") or {}
    return list(results.get("eventList") or [])


def document_ignore(doc: Mapping[str, Any]) -> list[str]:
    """The fields a document asks hashing to leave out."""
    body = doc.get("epcisBody")
    body = body if isinstance(body, dict) else {}
    return _ignored(doc, body, body.get("queryResults"))


def hash_in_document(doc: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    """An event's hash ID read with its document's prefixes and ignore list."""
    return hash_id(event, context=doc.get("@context"), ignore=document_ignore(doc))


def document_hashes(doc: Mapping[str, Any]) -> list[str]:
    """The hash ID of every event of an EPCISDocument or EPCISQueryDocument."""
    return [hash_in_document(doc, ev) for ev in document_events(doc)]
