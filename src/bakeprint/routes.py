"""Every domain's API router (under /api/v1) and page router, in one place."""

from __future__ import annotations

from fastapi import FastAPI

from bakeprint import health
from bakeprint.alerts import endpoints as alerts
from bakeprint.catalog import endpoints as catalog
from bakeprint.events import endpoints as events
from bakeprint.identity import endpoints as identity
from bakeprint.interop import endpoints as interop
from bakeprint.logistics import endpoints as logistics
from bakeprint.materials import endpoints as materials
from bakeprint.packaging import endpoints as packaging
from bakeprint.production import endpoints as production
from bakeprint.quality import complaint_endpoints as complaints
from bakeprint.quality import endpoints as quality
from bakeprint.recall import endpoints as recall
from bakeprint.retail import endpoints as retail
from bakeprint.sensors import endpoints as sensors
from bakeprint.shelflife import endpoints as shelflife
from bakeprint.storage import endpoints as storage
from bakeprint.trace import endpoints as trace

API_ROUTERS = [
    health.router,
    identity.router,
    catalog.router,
    materials.router,
    storage.router,
    production.router,
    quality.router,
    alerts.router,
    complaints.router,
    packaging.router,
    logistics.router,
    retail.router,
    sensors.router,
    shelflife.router,
    trace.router,
    recall.router,
    events.router,
    events.anchor_router,
    interop.router,
    interop.kde_router,
]


def include_all(app: FastAPI) -> None:
    from bakeprint.app import API_PREFIX
    from bakeprint.web import pages

    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    pages.include(app)
    from bakeprint import resolver

    app.include_router(resolver.router)
