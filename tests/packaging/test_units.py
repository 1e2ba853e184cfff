"""Units, QR codes, label sheets, the resolver and the public scan page."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from biip import parse as biip_parse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select

from bakeprint.events.models import Event
from bakeprint.packaging import serials
from bakeprint.packaging import service as packaging
from tests.epcis_schema import assert_valid_event
from tests.factories import make_bakery, make_catalog
from tests.packaging.conftest import pack_a_batch


@given(
    st.text(serials.ALPHABET, min_size=8, max_size=8),
    st.integers(0, 7),
    st.sampled_from(serials.ALPHABET),
)
def test_a_single_mistyped_character_fails_the_check(body, pos, ch):
    serial = body + serials.check_char(body)
    assert serials.is_valid(serial)
    typo = serial[:pos] + ch + serial[pos + 1 :]
    assert serials.is_valid(typo) == (typo == serial)


def test_packing_creates_one_unit_per_package_with_an_event(session, bakery, packed):
    units = packaging.units_of(session, packed)
    assert [u.number for u in units] == list(range(1, 31))
    assert len({u.serial for u in units}) == 30
    assert all(serials.is_valid(u.serial) for u in units)
    ev = session.scalars(
        select(Event).where(
            Event.tenant_id == bakery.tenant.id, Event.kind == "units_commissioned"
        )
    ).one()
    assert len(ev.body["epcList"]) == 30
    assert ev.body["epcList"][0].endswith(f"/10/{packed.code}/21/{units[0].serial}")
    assert_valid_event(ev.body)


def test_the_qr_png_decodes_to_the_digital_link_and_biip_reads_it(
    client, bakery, session, packed
):
    unit = packaging.units_of(session, packed)[0]
    r = client.get(f"/api/v1/units/{unit.serial}/qr.png", headers=bakery.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(r.content)))
    uri = result.text
    assert uri == (
        f"https://id.bakeprint.local/01/06901234000016/10/{packed.code}"
        f"/21/{unit.serial}?17=251210"
    )
    parsed = biip_parse(uri)
    assert parsed.gs1_digital_link_uri is not None
    msg = parsed.gs1_digital_link_uri.as_gs1_message()
    by_ai = {e.ai.ai: e for e in msg.element_strings}
    assert by_ai["01"].gtin is not None and by_ai["01"].value == "06901234000016"
    assert by_ai["10"].value == packed.code and by_ai["21"].value == unit.serial
    svg = client.get(f"/api/v1/units/{unit.serial}/qr.svg", headers=bakery.headers)
    assert svg.text.startswith("<svg") and "path" in svg.text


def test_the_label_sheet_has_every_unit(client, bakery, session, packed):
    r = client.get(f"/api/v1/batches/{packed.code}/labels", headers=bakery.headers)
    assert r.status_code == 200 and 'href="/static/labels.css"' in r.text
    # the A4 print rules: a stylesheet of the app's own (no inline style: CSP)
    assert "@page { size: A4" in client.get("/static/labels.css").text
    for unit in packaging.units_of(session, packed):
        assert unit.serial in r.text
    assert r.text.count("<svg") == 30
    assert "春日樱花饼" in r.text and "2025-12-10" in r.text
    assert "乳及乳制品/Milk" in r.text


def _uri(packed, unit):  # type: ignore[no-untyped-def]
    return f"/01/06901234000016/10/{packed.code}/21/{unit.serial}"


def test_the_resolver_answers_browsers_with_html_and_apps_with_json(
    client, session, packed
):
    unit = packaging.units_of(session, packed)[3]
    page = client.get(_uri(packed, unit), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "春日樱花饼" in page.text
    assert packed.code in page.text and "2025-12-10" in page.text
    data = client.get(_uri(packed, unit), headers={"Accept": "application/json"}).json()
    assert data["batch"] == packed.code and data["best_before"] == "2025-12-10"
    assert data["serial"] == unit.serial and data["number"] == 4
    assert "乳及乳制品" in data["allergens"]


def test_the_public_page_shows_no_people_and_no_internal_notes(client, session, packed):
    unit = packaging.units_of(session, packed)[0]
    for accept in ("text/html", "application/json"):
        text = client.get(_uri(packed, unit), headers={"Accept": accept}).text
        for secret in (
            "王某",
            "WANG-03",
            "内部备注",
            "owner",
            "测试烘焙坊店主",
            "店主",
        ):
            assert secret not in text, (accept, secret)


@pytest.mark.parametrize(
    "case", ["check_digit", "unknown", "other_batch", "other_bakery"]
)
def test_a_bad_link_never_shows_someone_elses_data(
    client, session, bakery, cat, packed, case
):
    unit = packaging.units_of(session, packed)[0]
    lot = packed.code
    shown = unit.serial
    if case == "check_digit":
        url = f"/01/06901234000011/10/{packed.code}/21/{unit.serial}"
    elif case == "unknown":
        url = f"/01/06901234000016/10/{packed.code}/21/22222222X"
    elif case == "other_batch":
        second = pack_a_batch(session, bakery.actor, cat, minutes=30)
        lot = second.code
        url = f"/01/06901234000016/10/{second.code}/21/{unit.serial}"
    else:
        other = make_bakery(session)
        ocat = make_catalog(session, other.tenant.id)
        ocat["product"].gtin = "06901234000092"  # GTINs are globally unique
        theirs = pack_a_batch(session, other.actor, ocat)
        shown = packaging.units_of(session, theirs)[0].serial
        url = f"/01/06901234000016/10/{packed.code}/21/{shown}"
    r = client.get(url, headers={"Accept": "application/json"})
    if case == "check_digit":  # a syntax error: 400 with the reason
        assert r.status_code == 400 and "check digit" in r.json()["error"]["message_en"]
        assert unit.serial not in r.text and "春日" not in r.text
        return
    # a serial that is not this lot's: the lot's page (GS1: walk up the tree),
    # never a package's
    assert r.status_code == 200 and r.json()["batch"] == lot
    assert r.json()["serial"] is None and shown not in r.text


def test_a_typed_in_serial_finds_the_package(client, session, packed):
    unit = packaging.units_of(session, packed)[0]
    typed = unit.serial[:4].lower() + "-" + unit.serial[4:].lower()
    r = client.get(f"/u/{typed}", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["batch"] == packed.code
    bad = unit.serial[:-1] + ("2" if unit.serial[-1] != "2" else "3")
    r = client.get(
        f"/u/{bad}", headers={"Accept": "application/json", "Accept-Language": "en"}
    )
    assert (
        r.status_code in (404, 422) and "typo" in r.json()["error"]["message"]
    ) or r.status_code == 404


def test_lookup_takes_a_uri_an_element_string_a_serial_or_a_batch_code(
    client, bakery, session, packed
):
    unit = packaging.units_of(session, packed)[0]
    h = bakery.auth("store")
    for code in (
        f"https://id.bakeprint.local{_uri(packed, unit)}?17=251210",
        f"(01)06901234000016(10){packed.code}(21){unit.serial}",
        unit.serial,
        packed.code,
    ):
        r = client.get("/api/v1/lookup", params={"code": code}, headers=h)
        assert r.status_code == 200, (code, r.text)
        assert r.json()["batch"] == packed.code
    other = make_bakery(session)
    r = client.get(
        "/api/v1/lookup", params={"code": packed.code}, headers=other.headers
    )
    assert r.status_code == 404
