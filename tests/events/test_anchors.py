"""Daily anchors (R6.3): a day's event hashes in an RFC 6962 Merkle tree,
signed with the bakery's Ed25519 key; the statement proves the day unchanged
later, and names the event that was altered."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from bakeprint.errors import Invalid
from bakeprint.events import anchors
from tests.factories import cli_database, make_catalog, raw_id
from tests.packaging.conftest import pack_a_batch

DAY = date(2025, 12, 3)

# RFC 6962's reference tree (certificate-transparency merkle tests)
CT_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_the_tree_is_rfc_6962s():
    leaves = [bytes.fromhex(x) for x in CT_LEAVES]
    for n, root in enumerate(CT_ROOTS, start=1):
        assert anchors.merkle_root(leaves[:n]).hex() == root
    assert anchors.merkle_root([]).hex().startswith("e3b0c442")


@given(
    st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40), st.data()
)
def test_any_changed_leaf_changes_the_root(leaves, data):  # type: ignore[no-untyped-def]
    root = anchors.merkle_root(leaves)
    i = data.draw(st.integers(0, len(leaves) - 1))
    changed = list(leaves)
    changed[i] = bytes(b ^ 1 for b in changed[i])
    assert anchors.merkle_root(changed) != root
    assert anchors.merkle_root([*leaves, leaves[-1]]) != root  # count matters


@pytest.fixture
def a_past_day(session, bakery, monkeypatch):  # type: ignore[no-untyped-def]
    """Events recorded on 2025-12-03 (Shanghai) and one the next day."""
    clock = {"now": datetime(2025, 12, 3, 2, 0, tzinfo=UTC)}
    monkeypatch.setattr("bakeprint.events.service.utcnow", lambda: clock["now"])
    batch = pack_a_batch(session, bakery.actor, make_catalog(session, bakery.tenant.id))
    clock["now"] = datetime(2025, 12, 4, 2, 0, tzinfo=UTC)
    from bakeprint.quality import service as quality
    from bakeprint.quality.schemas import CheckpointCreate

    quality.record(
        session,
        batch.code,
        CheckpointCreate(stage="release", passed=True, checked_at=clock["now"]),
        actor=bakery.actor,
    )
    session.commit()
    return batch


def test_a_day_is_anchored_signed_and_proved_unchanged(session, bakery, a_past_day):  # type: ignore[no-untyped-def]
    row = anchors.make(session, bakery.tenant, DAY)
    st_ = row.statement
    assert st_["day"] == "2025-12-03" and st_["events"] == row.events > 3
    assert st_["last_seq"] - st_["first_seq"] + 1 == st_["events"]
    assert len(st_["merkle_root"]) == 64 and st_["signature"]
    assert anchors.make(session, bakery.tenant, DAY).statement == st_  # idempotent
    found = anchors.verify_statement(session, json.loads(json.dumps(st_)))
    assert found.ok and found.events == st_["events"], found.problems

    with pytest.raises(Invalid):  # a day not over yet
        anchors.make(session, bakery.tenant, anchors.today(bakery.tenant))

    forged = {**st_, "events": st_["events"] + 1}
    bad = anchors.verify_statement(session, forged)
    assert not bad.ok and any("signature" in p for p in bad.problems)


def test_an_altered_event_is_named(session, bakery, a_past_day):  # type: ignore[no-untyped-def]
    st_ = anchors.make(session, bakery.tenant, DAY).statement
    victim = st_["first_seq"] + 2
    session.execute(
        text(
            "UPDATE events SET actor = 'user:someone-else' "
            "WHERE tenant_id = :t AND seq = :s"
        ),
        {"t": raw_id(session, bakery.tenant.id), "s": victim},
    )
    session.expire_all()
    found = anchors.verify_statement(session, st_)
    assert not found.ok
    assert [p for p in found.problems if f"#{victim}" in p]
    assert not [p for p in found.problems if "signature" in p]


def test_every_missing_day_is_anchored_once(session, bakery, a_past_day):  # type: ignore[no-untyped-def]
    made = anchors.make_missing(session, bakery.tenant)
    days = [a.day for a in made]
    assert days[0] == DAY and days[1] == DAY + timedelta(days=1)
    assert days[-1] == anchors.today(bakery.tenant) - timedelta(days=1)
    assert sum(a.events for a in made) >= 5
    assert anchors.make_missing(session, bakery.tenant) == []


def test_the_api_and_the_command_line(
    client, session, bakery, a_past_day, tmp_path: Path, monkeypatch
):  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/anchors", json={"day": "2025-12-03"}, headers=bakery.headers
    )
    assert r.status_code == 201, r.text
    statement = r.json()
    assert (
        client.post(
            "/api/v1/anchors", json={"day": "2025-12-03"}, headers=bakery.auth("store")
        ).status_code
        == 403
    )
    listed = client.get("/api/v1/anchors", headers=bakery.auth("auditor")).json()
    assert listed[0]["merkle_root"] == statement["merkle_root"]
    got = client.get("/api/v1/anchors/2025-12-03", headers=bakery.auth("auditor"))
    assert got.json() == statement
    assert (
        client.get("/api/v1/anchors/2001-01-01", headers=bakery.headers).status_code
        == 404
    )
    tomorrow = (anchors.today(bakery.tenant) + timedelta(days=1)).isoformat()
    late = client.post(
        "/api/v1/anchors", json={"day": tomorrow}, headers=bakery.headers
    )
    assert late.status_code == 422


def test_anchor_and_verify_from_the_command_line(tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bakeprint.cli import app
    from bakeprint.db import get_database, session_scope
    from tests.factories import make_bakery

    url = cli_database(tmp_path, monkeypatch, "a.db")
    monkeypatch.setattr(
        "bakeprint.events.service.utcnow",
        lambda: datetime(2025, 12, 3, 2, 0, tzinfo=UTC),
    )
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-anchor")
        pack_a_batch(s, bakery.actor, make_catalog(s, bakery.tenant.id))
    run = CliRunner().invoke
    out = tmp_path / "2025-12-03.json"
    r = run(app, ["anchor", "--day", "2025-12-03", "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text("utf-8"))["events"] > 3
    ok = run(app, ["verify", "--anchor", str(out)])
    assert ok.exit_code == 0 and "unchanged" in ok.output
    with session_scope() as s:
        s.execute(
            text("UPDATE events SET subject = 'batch:FORGED' WHERE seq = 4"),
        )
    bad = run(app, ["verify", "--anchor", str(out)])
    assert bad.exit_code == 1 and "#4" in bad.output
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    assert run(app, ["verify", "--anchor", str(junk)]).exit_code not in (0, 1)
    assert run(app, ["anchor", "--day", "someday"]).exit_code != 0
    get_database(url).dispose()
