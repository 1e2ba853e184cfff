"""What each role may do. Checked on every API route (403 otherwise)."""

from __future__ import annotations

ACTIONS = (
    "read",  # see lots, batches, events, master data
    "lookup",  # resolve a code to its batch (shop staff at the counter)
    "catalog:write",
    "materials:write",
    "production:write",
    "quality:write",
    "logistics:write",
    "retail:write",
    "recall:write",
    "alerts:ack",
    "complaints:file",  # shops and staff report a problem with a unit or batch
    "sensors:ingest",  # gateways upload readings
    "users:admin",
    "audit:export",
    "supplier:submit",
    "epcis:capture",  # partners' EPCIS 2.0 documents into the event log
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "owner": frozenset(ACTIONS),
    "production": frozenset(
        {
            "read",
            "lookup",
            "production:write",
            "alerts:ack",
            "sensors:ingest",
            "complaints:file",
        }
    ),
    "qc": frozenset(
        {
            "read",
            "lookup",
            "quality:write",
            "materials:write",
            "alerts:ack",
            "complaints:file",
            "epcis:capture",
        }
    ),
    "logistics": frozenset({"read", "lookup", "logistics:write", "sensors:ingest"}),
    "store": frozenset({"lookup", "retail:write", "complaints:file"}),
    "supplier": frozenset({"supplier:submit", "epcis:capture"}),
    "auditor": frozenset({"read", "lookup", "audit:export"}),
}

ROLE_NAMES = {
    "owner": ("店主", "Owner"),
    "production": ("生产", "Production"),
    "qc": ("质检", "Quality control"),
    "logistics": ("物流", "Logistics"),
    "store": ("门店", "Store"),
    "supplier": ("供应商", "Supplier"),
    "auditor": ("审计", "Auditor"),
}


def allowed(roles: list[str] | tuple[str, ...], action: str) -> bool:
    return any(action in ROLE_ACTIONS.get(r, frozenset()) for r in roles)


def actions_of(roles: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Everything these roles together may do."""
    out: frozenset[str] = frozenset()
    for r in roles:
        out |= ROLE_ACTIONS.get(r, frozenset())
    return out
