"""GS1-Conformant Resolver 1.0: each statement of GS1's checklist
(tests/conformance/gs1-dl-resolver-testsuite/ConformantResolver1_0.txt, copied
unchanged) as a test, the checks of GS1's own test suite
(GS1DigitalLinkResolverTestSuite.js) rewritten against bakeprint's resolver.
``test_every_statement_of_the_checklist_has_a_test`` keeps the mapping whole."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from bakeprint.packaging import service as packaging
from bakeprint.packaging.models import Unit
from tests.packaging.conftest import pack_a_batch

SUITE = Path(__file__).resolve().parents[1] / "conformance/gs1-dl-resolver-testsuite"
VOC = "https://ref.gs1.org/voc/"
GTIN = "06901234000016"
NO = {"follow_redirects": False}

# statement of the checklist (its start) -> the test that checks it
STATEMENTS = {
    "SHALL support HTTP 1.1 (or higher) GET, HEAD and OPTIONS": (
        "test_get_head_and_options_are_answered"
    ),
    "SHALL support HTTP Over TLS": "test_over_https_every_link_stays_https",
    "SHALL support CORS": "test_every_answer_carries_cors_headers",
    "SHALL extract and syntactically validate the URI": (
        "test_a_malformed_link_is_400_with_the_reason_and_counts_no_scan"
    ),
    "SHALL NOT use a 200 OK response code with a resource that indicates": (
        "test_no_error_is_ever_a_200"
    ),
    "- A resolver SHALL be able to decompress a URI": None,
    "- A resolver SHOULD NOT redirect to the equivalent uncompressed URI": None,
    "- It SHALL expose the uncompressed URI in the Link response header": None,
    "- If redirecting to an alternative resolver, should redirect": None,
    "- SHALL respond to a query parameter of linkType set to linkset": (
        "test_the_linkset_three_ways_without_a_redirect"
    ),
    "- If the request GS1 Digital Link URI includes one or more key qualifiers": (
        "test_the_linkset_has_every_level_up_to_the_primary_key"
    ),
    "- The URI used as the subject of facts presented SHALL be the uncompressed": (
        "test_the_linkset_has_every_level_up_to_the_primary_key"
    ),
    "- All links in the linkset SHALL include the target URL": (
        "test_every_link_has_a_target_a_type_a_title_and_languages"
    ),
    "- If a media type is defined for a link": (
        "test_every_link_has_a_target_a_type_a_title_and_languages"
    ),
    "- Links that are typed gs1:defaultLink": (
        "test_the_default_is_also_described_by_a_descriptive_link_type"
    ),
    "- the resolver SHOULD include an HTTP Link header pointing to a JSON-LD": (
        "test_the_linkset_three_ways_without_a_redirect"
    ),
    "- The resolver SHALL recognise one available link as the default": (
        "test_one_default_link_per_level_without_optional_attributes"
    ),
    "The resolver SHALL redirect to the default link unless": (
        "test_no_link_type_redirects_to_the_default_the_scan_page"
    ),
    "For any request URI, no matter how granular": (
        "test_unknown_lots_and_serials_walk_up_to_a_known_level"
    ),
    "SHALL redirect to the requested type of link if available": (
        "test_each_link_type_redirects_to_its_target"
    ),
    "SHALL return a 404 Not Found message if a link of the requested type": (
        "test_a_link_type_that_is_not_there_is_404"
    ),
    "By default, SHALL pass on all key=value pairs": (
        "test_the_query_string_is_passed_on_when_redirecting"
    ),
    "SHOULD support use of the Accept-Language": ("test_titles_follow_accept_language"),
    "- The resolver SHALL provide a resolver description file": (
        "test_the_resolver_description_file"
    ),
    "- The list of supported primary identifiers SHALL be provided": (
        "test_the_resolver_description_file"
    ),
    "- A context file that can be used to render the linkset as JSON-LD": (
        "test_the_resolver_description_file"
    ),
    "If supporting redirection based on an MO or Global Company Prefix": (
        "test_bakeprint_resolves_itself_so_nothing_is_handed_on"
    ),
    "SHOULD tolerate trailing slashes": "test_a_trailing_slash_is_tolerated",
    "SHOULD expose link to the linkset in an HTTP Link header": (
        "test_the_link_header_points_to_the_linkset_even_when_redirecting"
    ),
    "SHALL recognise one available link as the default": (
        "test_one_default_link_per_level_without_optional_attributes"
    ),
    "All links exposed SHALL include the target URL": (
        "test_every_link_has_a_target_a_type_a_title_and_languages"
    ),
    "SHALL redirect to the default link unless": (
        "test_no_link_type_redirects_to_the_default_the_scan_page"
    ),
    "SHALL redirect to the requested linkType if available": (
        "test_each_link_type_redirects_to_its_target"
    ),
    "SHALL provide a resolver description file": "test_the_resolver_description_file",
    "If supporting multiple links per identified item, SHALL recognise the GS1": (
        "test_link_types_are_gs1_web_vocabulary_terms"
    ),
    "If supporting redirection based on an MO or Global Company Prefix with no": (
        "test_bakeprint_resolves_itself_so_nothing_is_handed_on"
    ),
    "For primary keys that have key qualifiers, all key qualifiers SHALL be": (
        "test_unknown_lots_and_serials_walk_up_to_a_known_level"
    ),
}
# not done: bakeprint prints and resolves uncompressed Digital Links only
NOT_DONE = "compressed Digital Links (GS1 DL compression) are not decompressed"


def _statements() -> list[str]:
    lines = (SUITE / "ConformantResolver1_0.txt").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().endswith(":")]


def test_every_statement_of_the_checklist_has_a_test():
    module = sys.modules[__name__]
    for statement in _statements():
        keys = [k for k in STATEMENTS if statement.startswith(k)]
        assert keys, f"no test for: {statement}"
        name = STATEMENTS[max(keys, key=len)]
        assert name is None or callable(getattr(module, name)), name
    assert sum(v is None for v in STATEMENTS.values()) == 4  # compression


@pytest.fixture
def unit(session, packed):  # type: ignore[no-untyped-def]
    return packaging.units_of(session, packed)[2]


def _unit_uri(packed, unit) -> str:  # type: ignore[no-untyped-def]
    return f"/01/{GTIN}/10/{packed.code}/21/{unit.serial}"


def _linkset(client, uri: str, **headers: str) -> dict:  # type: ignore[no-untyped-def]
    r = client.get(uri, params={"linkType": "linkset"}, headers=headers, **NO)
    assert r.status_code == 200, r.text
    return r.json()


def _scans(session, unit) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(Unit.scan_count).where(Unit.id == unit.id)) or 0


def test_get_head_and_options_are_answered(client, packed, unit):
    uri = _unit_uri(packed, unit)
    got = client.get(uri, **NO)
    head = client.head(uri, **NO)
    assert got.status_code == head.status_code == 307
    assert head.headers["location"] == got.headers["location"] and head.content == b""
    head = client.head(uri, params={"linkType": "linkset"}, **NO)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("application/linkset+json")
    options = client.options(uri)
    assert options.status_code == 204
    for method in ("GET", "HEAD", "OPTIONS"):
        assert method in options.headers["allow"]
        assert method in options.headers["access-control-allow-methods"]


def test_over_https_every_link_stays_https(app, packed, unit):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://id.bakeprint.example") as tls:
        r = tls.get(_unit_uri(packed, unit), **NO)
        assert r.headers["location"].startswith("https://id.bakeprint.example/u/")
        data = _linkset(tls, _unit_uri(packed, unit))
    for entry in data["linkset"]:
        assert entry["anchor"].startswith("https://id.bakeprint.example/01/")
        for key, links in entry.items():
            if key.startswith(VOC):
                assert all(x["href"].startswith("https://") for x in links)


def test_every_answer_carries_cors_headers(client, packed, unit):
    uri = _unit_uri(packed, unit)
    answers = [
        client.get(uri, **NO),
        client.get(uri, params={"linkType": "linkset"}, **NO),
        client.get(f"/01/{GTIN}/foo", **NO),  # 400
        client.get(uri, params={"linkType": "gs1:dpp"}, **NO),  # 404
        client.get("/01/06901234999990", **NO),  # an unknown GTIN: 404
        client.options(uri),
        client.get("/.well-known/gs1resolver"),
    ]
    for r in answers:
        assert r.headers["access-control-allow-origin"] == "*", r.status_code
    assert "Link" in answers[0].headers["access-control-expose-headers"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (f"/01/{GTIN}/foo", "no GS1 primary key"),  # the GS1 suite's own probe
        ("/01/6901234000016/21/{serial}", "14 digits"),
        ("/01/06901234000011/21/{serial}", "check digit"),
        ("/01//06901234000016", "no GS1 primary key"),
        (f"/01/{GTIN}/21/{{serial}}%00", "NUL"),
        (f"/01/{GTIN}/21/{{serial}}?99=", "empty value"),
        (f"/01/{GTIN}/21/{{serial}}?10={{lot}}", "belongs in the path"),
        (f"/01/{GTIN}/21/{{serial}}?21={{serial}}", "appears twice"),
        (f"/01/{GTIN}/21/{{serial}}?89=A", "unknown AI"),
        (f"/01/{GTIN}/89/A", "no GS1 primary key"),
        (f"/01/{GTIN}/21/{{serial}}/10/{{lot}}", "sequence"),
        (f"/01/{GTIN}/10/%E6%98%A5", "CSET 82"),
        (f"/01/{GTIN}/21/{{serial}}?17=251301", "valid date"),
    ],
)
def test_a_malformed_link_is_400_with_the_reason_and_counts_no_scan(
    client, session, packed, unit, path, reason
):
    before = _scans(session, unit)
    r = client.get(
        path.format(serial=unit.serial, lot=packed.code),
        headers={"Accept": "application/json", "Accept-Language": "en"},
        **NO,
    )
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert reason in error["message"] and error["message_zh"]
    assert _scans(session, unit) == before


def test_no_error_is_ever_a_200(client, packed, unit):
    uri = _unit_uri(packed, unit)
    for bad in (
        f"/01/{GTIN}/foo",
        f"{uri}?linkType=gs1:dpp",
        "/01/06901234999990",
        f"/01/{GTIN}/10/{packed.code}/21/{unit.serial}/10/X",
    ):
        r = client.get(bad, headers={"Accept": "text/html"}, **NO)
        assert r.status_code in (400, 404), (bad, r.status_code)


def test_the_linkset_three_ways_without_a_redirect(client, packed, unit):
    uri = _unit_uri(packed, unit)
    answers = [
        client.get(uri, params={"linkType": "linkset"}, **NO),
        client.get(uri, params={"linkType": "all"}, **NO),  # deprecated, kept
        client.get(uri, headers={"Accept": "application/linkset+json"}, **NO),
    ]
    for r in answers:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/linkset+json")
        link = r.headers["link"]
        assert 'rel="http://www.w3.org/ns/json-ld#context"' in link
        assert 'type="application/ld+json"' in link
        assert "accept" in r.headers["vary"].lower()
    assert answers[0].json() == answers[1].json() == answers[2].json()


def test_the_linkset_has_every_level_up_to_the_primary_key(client, packed, unit):
    base = "http://testserver"
    data = _linkset(client, _unit_uri(packed, unit))
    assert [e["anchor"] for e in data["linkset"]] == [
        f"{base}/01/{GTIN}/10/{packed.code}/21/{unit.serial}",
        f"{base}/01/{GTIN}/10/{packed.code}",
        f"{base}/01/{GTIN}",
    ]
    short = _linkset(client, f"/01/{GTIN}/21/{unit.serial}")
    assert [e["anchor"] for e in short["linkset"]] == [
        f"{base}/01/{GTIN}/21/{unit.serial}",
        f"{base}/01/{GTIN}",
    ]
    model = json.loads((SUITE / "modelLinkset.json").read_text())
    # GS1's model answer's shape: anchor, itemDescription, link types as URIs
    for ours, theirs in ((data, model), (short, model)):
        for entry in (*ours["linkset"], *theirs["linkset"]):
            assert isinstance(entry["anchor"], str)
            assert isinstance(entry["itemDescription"], str)
            assert all(k.startswith(VOC) for k in entry if k not in _ENTRY_KEYS)


_ENTRY_KEYS = {"anchor", "itemDescription"}
_LINK_KEYS = {"href", "title", "type", "hreflang", "context"}
MEDIA = {"text/html", "application/ld+json", "application/json"}  # IANA types


def test_every_link_has_a_target_a_type_a_title_and_languages(client, packed, unit):
    data = _linkset(client, _unit_uri(packed, unit))
    model = json.loads((SUITE / "modelLinkset.json").read_text())
    allowed = {
        k
        for entry in model["linkset"]
        for rel, links in entry.items()
        if rel.startswith(VOC)
        for x in links
        for k in x
    }
    assert allowed == _LINK_KEYS
    for entry in data["linkset"]:
        for rel, links in entry.items():
            if not rel.startswith(VOC):
                continue
            for x in links:
                assert set(x) <= allowed and x["href"] and x["title"]
                if rel != VOC + "defaultLink":
                    assert x["type"] in MEDIA
                    if x["type"] == "text/html":
                        assert x["hreflang"] == ["zh-CN", "en"]


def test_the_default_is_also_described_by_a_descriptive_link_type(client, packed, unit):
    for entry in _linkset(client, _unit_uri(packed, unit))["linkset"]:
        default = entry[VOC + "defaultLink"][0]["href"]
        described = [
            rel
            for rel, links in entry.items()
            if rel.startswith(VOC)
            and rel != VOC + "defaultLink"
            and any(x["href"].split("#")[0] == default for x in links)
        ]
        assert described, entry["anchor"]


def test_one_default_link_per_level_without_optional_attributes(client, packed, unit):
    for uri in (_unit_uri(packed, unit), f"/01/{GTIN}/10/{packed.code}", f"/01/{GTIN}"):
        for entry in _linkset(client, uri)["linkset"]:
            defaults = entry[VOC + "defaultLink"]
            assert len(defaults) == 1 and set(defaults[0]) == {"href", "title"}


def test_no_link_type_redirects_to_the_default_the_scan_page(
    client, session, packed, unit
):
    uri = _unit_uri(packed, unit)
    data = _linkset(client, uri)
    r = client.get(uri, **NO)
    assert r.status_code == 307
    assert r.headers["location"] == data["linkset"][0][VOC + "defaultLink"][0]["href"]
    # a phone follows it: the public scan page, as before (HTML / JSON)
    page = client.get(uri, headers={"Accept": "text/html"})
    assert page.status_code == 200 and unit.serial in page.text
    assert "<html" in page.text and packed.code in page.text
    app = client.get(uri, headers={"Accept": "application/json"}).json()
    assert app["serial"] == unit.serial and app["batch"] == packed.code
    lot = client.get(f"/01/{GTIN}/10/{packed.code}", **NO)
    assert urlsplit(lot.headers["location"]).path == f"/p/{GTIN}/{packed.code}"
    lot_page = client.get(
        f"/01/{GTIN}/10/{packed.code}", headers={"Accept": "application/json"}
    )
    assert lot_page.json()["batch"] == packed.code and lot_page.json()["serial"] is None
    product = client.get(f"/01/{GTIN}", headers={"Accept": "text/html"})
    assert product.status_code == 200 and "春日樱花饼" in product.text
    assert packed.code not in product.text  # the product page names no lot…


def test_each_link_type_redirects_to_its_target(client, packed, unit):
    uri = _unit_uri(packed, unit)
    entry = _linkset(client, uri)["linkset"][0]
    rels = [k.removeprefix(VOC) for k in entry if k.startswith(VOC)]
    assert {"pip", "traceability", "recallStatus", "epcis"} <= set(rels)
    for rel in rels:
        href = entry[VOC + rel][0]["href"]
        for form in (f"gs1:{rel}", VOC + rel):
            r = client.get(uri, params={"linkType": form}, **NO)
            assert r.status_code == 307 and r.headers["location"] == href, form
    epcis = client.get(uri, params={"linkType": "gs1:epcis"}, **NO).headers["location"]
    assert parse_qs(urlsplit(epcis).query)["MATCH_epc"] == [entry["anchor"]]


def test_a_limited_edition_unit_links_its_certificate(
    client, session, bakery, cat, packed, unit
):
    assert (
        VOC + "certificationInfo"
        not in _linkset(client, _unit_uri(packed, unit))["linkset"][0]
    )
    cat["product"].limited_edition_size = 100
    session.flush()
    edition = pack_a_batch(session, bakery.actor, cat, quantity=5, minutes=240)
    numbered = packaging.units_of(session, edition)[0]
    uri = _unit_uri(edition, numbered)
    r = client.get(uri, params={"linkType": "gs1:certificationInfo"}, **NO)
    assert r.status_code == 307
    assert r.headers["location"].endswith(f"/u/{numbered.serial}#certificate")


def test_a_link_type_that_is_not_there_is_404(client, packed, unit):
    for rel in ("gs1:dpp", "gs1:certificationInfo", "nonsense"):
        r = client.get(
            _unit_uri(packed, unit),
            params={"linkType": rel},
            headers={"Accept": "application/json"},
            **NO,
        )
        assert r.status_code == 404 and "error" in r.json()
    r = client.get(f"/01/{GTIN}", params={"linkType": "gs1:traceability"}, **NO)
    assert r.status_code == 404


def test_the_query_string_is_passed_on_when_redirecting(client, packed, unit):
    uri = _unit_uri(packed, unit)
    r = client.get(f"{uri}?foo=bar&17=251210&lang=en", **NO)
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query == {"foo": ["bar"], "17": ["251210"], "lang": ["en"]}
    r = client.get(f"{uri}?linkType=gs1:traceability&foo=bar", **NO)
    location = r.headers["location"]
    assert location.endswith("?foo=bar#journey") and "linkType" not in location


def test_titles_follow_accept_language(client, packed, unit):
    uri = _unit_uri(packed, unit)
    en = _linkset(client, uri, **{"Accept-Language": "en"})["linkset"][0]
    zh = _linkset(client, uri, **{"Accept-Language": "zh-CN"})["linkset"][0]
    assert en[VOC + "pip"][0]["title"] == "Product information"
    assert zh[VOC + "pip"][0]["title"] == "产品信息"
    assert "Spring" in en["itemDescription"] or en["itemDescription"]


def test_the_resolver_description_file(client):
    r = client.get("/.well-known/gs1resolver")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()
    assert data["supportedPrimaryKeys"] == ["01"]
    assert data["resolverRoot"] == "http://testserver"
    assert data["jsonLdContextLocation"].startswith("https://")
    assert data["supportedLinkType"][0]["namespace"] == VOC


def test_link_types_are_gs1_web_vocabulary_terms(client, packed, unit):
    gs1_terms = {
        "defaultLink",
        "pip",
        "traceability",
        "recallStatus",
        "certificationInfo",
        "epcis",
    }
    for entry in _linkset(client, _unit_uri(packed, unit))["linkset"]:
        rels = {k for k in entry if k not in _ENTRY_KEYS}
        assert rels and all(k.startswith(VOC) for k in rels)
        assert {k.removeprefix(VOC) for k in rels} <= gs1_terms


def test_bakeprint_resolves_itself_so_nothing_is_handed_on(client, packed, unit):
    entry = _linkset(client, _unit_uri(packed, unit))["linkset"][0]
    assert VOC + "handledBy" not in entry
    for rel, links in entry.items():
        if rel.startswith(VOC):
            assert all(x["href"].startswith("http://testserver/") for x in links)


def test_a_trailing_slash_is_tolerated(client, packed, unit):
    uri = _unit_uri(packed, unit)
    plain, slash = client.get(uri, **NO), client.get(uri + "/", **NO)
    assert plain.status_code == slash.status_code == 307
    assert plain.headers["location"] == slash.headers["location"]


def test_the_link_header_points_to_the_linkset_even_when_redirecting(
    client, packed, unit
):
    uri = _unit_uri(packed, unit)
    r = client.get(uri, **NO)
    assert r.status_code == 307
    anchor = f"http://testserver{uri}"
    assert r.headers["link"] == (
        f'<{anchor}?linkType=linkset>; rel="linkset"; type="application/linkset+json"'
    )
    assert 'rel="gs1:' not in r.headers["link"]  # the deprecated long form: none


def test_unknown_lots_and_serials_walk_up_to_a_known_level(
    client, session, packed, unit
):
    def where(path: str) -> str:
        r = client.get(path, **NO)
        assert r.status_code == 307, (path, r.text)
        return urlsplit(r.headers["location"]).path

    lot_page = f"/p/{GTIN}/{packed.code}"
    assert where(f"/01/{GTIN}/10/KL8G") == f"/p/{GTIN}"  # GS1's probe
    assert where(f"/01/{GTIN}/21/22222222X") == f"/p/{GTIN}"
    assert where(f"/01/{GTIN}/10/{packed.code}/21/22222222X") == lot_page
    assert where(f"/01/{GTIN}/21/{unit.serial}") == f"/u/{unit.serial}"  # no lot
    assert where(f"/01/{GTIN}/22/A1/10/{packed.code}") == lot_page
    assert where(f"/01/{GTIN}/22/A1/10/{packed.code}/21/{unit.serial}") == (
        f"/u/{unit.serial}"
    )
    assert where(f"/01/{GTIN}?17=251210") == f"/p/{GTIN}"
    # the anchors say which levels were found
    data = _linkset(client, f"/01/{GTIN}/10/NOPE/21/22222222X")
    assert [e["anchor"] for e in data["linkset"]] == [f"http://testserver/01/{GTIN}"]
    # an unknown GTIN is not ours: 404 (a syntactically valid link)
    assert client.get("/01/06901234999990", **NO).status_code == 404
