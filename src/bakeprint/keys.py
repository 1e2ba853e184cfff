"""Each bakery's Ed25519 signing key: daily anchors (R6.3) and limited-edition
certificates (R4.3) are signed with it. The private key is stored encrypted
(AES-GCM under a key derived from the server's ``secret_key``)."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from bakeprint.config import LEGACY_SECRET, secret_key
from bakeprint.db import utcnow
from bakeprint.errors import Conflict
from bakeprint.events.hashing import canonical_json
from bakeprint.events.models import TenantKey


def _wrapping_key(secret: str | None = None) -> bytes:
    return hashlib.sha256(
        b"bakeprint-anchor-key:" + (secret or secret_key()).encode()
    ).digest()


def _seal(tenant_id: uuid.UUID, raw: bytes) -> str:
    nonce = os.urandom(12)
    return (nonce + AESGCM(_wrapping_key()).encrypt(nonce, raw, tenant_id.bytes)).hex()


def key_row(
    session: Session, tenant_id: uuid.UUID, *, create: bool
) -> TenantKey | None:
    row = session.get(TenantKey, tenant_id)
    if row is not None or not create:
        return row
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    row = TenantKey(
        tenant_id=tenant_id,
        key_id=hashlib.sha256(public).hexdigest()[:16],
        public_key=public.hex(),
        private_key=_seal(tenant_id, private.private_bytes_raw()),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def private_key(row: TenantKey) -> Ed25519PrivateKey:
    blob = bytes.fromhex(row.private_key)
    try:
        raw = AESGCM(_wrapping_key()).decrypt(blob[:12], blob[12:], row.tenant_id.bytes)
    except Exception:  # cryptography raises InvalidTag
        raw = _unseal_legacy(row, blob)
    return Ed25519PrivateKey.from_private_bytes(raw)


def _unseal_legacy(row: TenantKey, blob: bytes) -> bytes:
    """A key sealed under the old built-in default secret (every install
    before the secret had to be set): read it and seal it again under the
    configured one, so setting BAKEPRINT_SECRET_KEY loses no bakery's key."""
    try:
        raw = AESGCM(_wrapping_key(LEGACY_SECRET)).decrypt(
            blob[:12], blob[12:], row.tenant_id.bytes
        )
    except Exception as exc:
        raise Conflict(
            "无法读取签名密钥：服务器的密钥（BAKEPRINT_SECRET_KEY）与创建签名密钥时"
            "不同，请改回原来的值",
            "the signing key cannot be read: the server's secret "
            "(BAKEPRINT_SECRET_KEY) is not the one it was sealed with; set it back",
        ) from exc
    row.private_key = _seal(row.tenant_id, raw)
    return raw


def public_b64(row: TenantKey) -> str:
    return base64.b64encode(bytes.fromhex(row.public_key)).decode()


def signer(session: Session, tenant_id: uuid.UUID) -> Callable[[dict[str, Any]], str]:
    """Signs payloads (base64 Ed25519 over their canonical JSON) with the
    bakery's key, read and decrypted once for all of them."""
    row = key_row(session, tenant_id, create=True)
    assert row is not None
    key = private_key(row)

    def sign(payload: dict[str, Any]) -> str:
        return base64.b64encode(
            key.sign(canonical_json(payload).encode("utf-8"))
        ).decode()

    return sign


def sign(session: Session, tenant_id: uuid.UUID, payload: dict[str, Any]) -> str:
    """Base64 Ed25519 signature of the canonical JSON of ``payload``."""
    return signer(session, tenant_id)(payload)


def verify(public: str, payload: dict[str, Any], signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(
            base64.b64decode(signature), canonical_json(payload).encode("utf-8")
        )
    except (InvalidSignature, ValueError):
        return False
    return True
