"""Write prehashes.json: the pre-hash string the reference CBV 2.0 event hash
generator (PyPI epcis-event-hash-generator 1.9.3) builds for every event of
the conformance documents kept beside this folder.

Run it with that package installed in a separate virtual environment (it is
not a bakeprint dependency):

    python -m venv /tmp/refhash
    /tmp/refhash/bin/pip install epcis-event-hash-generator==1.9.3
    /tmp/refhash/bin/python tests/conformance/reference-prehashes/generate.py

No network: the EPCIS context the documents name is read from
gs1-epcis/epcis-context.jsonld. Query documents are given to the generator as
EPCISDocuments (1.9.3 only reads those), and so is a lone event
(OpenEPCIS's Capture/Events/), its @context moved to the document; the
generator's namespace table is emptied between documents (it keeps prefixes
from one document to the next).
Documents it cannot read are listed under "refused" with its error.
"""

import json
import logging
from pathlib import Path

from epcis_event_hash_generator import hash_generator, json_to_py
from pyld import jsonld

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ROOTS = ["epcis-event-hash/examples", "gs1-epcis/JSON", "openepcis-test-resources/JSON"]
LOCAL = {
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld": ROOT
    / "gs1-epcis"
    / "epcis-context.jsonld",
}
_base = jsonld.get_document_loader()


def _loader(url, options=None):
    if url in LOCAL:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads(LOCAL[url].read_text("utf-8")),
        }
    return _base(url, options or {})


def main() -> None:
    logging.disable(logging.CRITICAL)
    jsonld.set_document_loader(_loader)
    out: dict = {"generator": "epcis-event-hash-generator 1.9.3", "events": {}}
    refused: dict = {}
    for root in ROOTS:
        for path in sorted((ROOT / root).rglob("*.json*")):
            name = path.relative_to(ROOT).as_posix()
            doc = json.loads(path.read_text("utf-8"))
            if isinstance(doc, dict) and doc.get("type", "").endswith("Event"):
                # a single event (Capture/Events/): in a document of its own
                doc = {
                    "@context": doc.get("@context"),
                    "type": "EPCISDocument",
                    "schemaVersion": "2.0",
                    "creationDate": "2024-01-01T00:00:00Z",
                    "epcisBody": {
                        "eventList": [{k: v for k, v in doc.items() if k != "@context"}]
                    },
                }
            if not isinstance(doc, dict) or "epcisBody" not in doc:
                continue
            body = doc["epcisBody"]
            if "queryResults" in body:
                events = body["queryResults"]["resultsBody"]["eventList"]
                doc = {**doc, "type": "EPCISDocument"}
                doc["epcisBody"] = {"eventList": events}
            json_to_py._namespaces.clear()
            try:
                events = json_to_py.event_list_from_epcis_document_json(doc)
                out["events"][name] = hash_generator.derive_prehashes_from_events(
                    events
                )
            except Exception as e:
                refused[name] = repr(e)[:200]
    out["refused"] = refused
    (HERE / "prehashes.json").write_text(
        json.dumps(out, indent=1, ensure_ascii=False) + "\n", "utf-8"
    )


if __name__ == "__main__":
    main()
