"""Evidence files: type and size limits, stored once, tampering detected."""

from __future__ import annotations

import hashlib

import pytest

from bakeprint.storage import service as storage
from tests.materials.conftest import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def files_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bakeprint.config.settings.files_dir", tmp_path / "files")
    return tmp_path / "files"


def test_the_same_file_twice_is_stored_once(client, bakery):
    h = bakery.headers
    a = client.post("/api/v1/files", files={"file": ("a.pdf", PDF)}, headers=h).json()
    b = client.post("/api/v1/files", files={"file": ("b.pdf", PDF)}, headers=h).json()
    assert a["id"] == b["id"] and a["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert a["content_type"] == "application/pdf"


def test_the_type_is_read_from_the_bytes_not_the_name(client, bakery):
    r = client.post(
        "/api/v1/files",
        files={"file": ("x.pdf", b"MZ\x90\0 evil", "application/pdf")},
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert (
        r.status_code == 422
        and "PDF, JPEG, PNG or WebP" in r.json()["error"]["message"]
    )
    r = client.post(
        "/api/v1/files", files={"file": ("photo.jpg", PNG)}, headers=bakery.headers
    )
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"


def test_a_file_over_the_limit_is_refused(client, bakery, monkeypatch):
    monkeypatch.setattr("bakeprint.config.settings.max_upload_bytes", 1024)
    r = client.post(
        "/api/v1/files",
        files={"file": ("big.pdf", PDF + b"0" * 2000)},
        headers=bakery.headers,
    )
    assert r.status_code == 413


def test_only_intake_roles_may_upload(client, bakery):
    for role in ("store", "auditor", "production"):
        r = client.post(
            "/api/v1/files", files={"file": ("a.pdf", PDF)}, headers=bakery.auth(role)
        )
        assert r.status_code == 403, role


def test_a_file_changed_on_disk_is_refused(client, bakery, files_dir):
    meta = client.post(
        "/api/v1/files", files={"file": ("a.pdf", PDF)}, headers=bakery.headers
    ).json()
    (path,) = [p for p in files_dir.rglob(meta["sha256"])]
    path.write_bytes(PDF.replace(b"1.4", b"1.7"))
    r = client.get(
        f"/api/v1/files/{meta['id']}",
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    assert r.status_code == 409 and "altered" in r.json()["error"]["message"]


def test_another_bakery_cannot_download_it(client, bakery, session):
    from tests.factories import make_bakery

    meta = client.post(
        "/api/v1/files", files={"file": ("a.pdf", PDF)}, headers=bakery.headers
    ).json()
    other = make_bakery(session)
    r = client.get(f"/api/v1/files/{meta['id']}", headers=other.headers)
    assert r.status_code == 404


def test_an_empty_file_is_refused(session, bakery):
    from bakeprint.errors import Invalid

    with pytest.raises(Invalid, match="empty"):
        storage.save(session, bakery.tenant.id, b"", "x.pdf")
