"""Time a batch's environment in a fresh process, as a server would run it:
``python -m bakeprint.bench.envquery DATABASE_URL TENANT_ID CODE…`` prints JSON.

Run apart from the dataset builder so its leftovers (millions of objects for
the garbage collector to walk) do not weigh on the figure."""

from __future__ import annotations

import json
import sys
import uuid

from bakeprint.bench import sensors as sb
from bakeprint.db import Database


def main() -> None:
    url, tenant, *codes = sys.argv[1:]
    db = Database(url)
    env = sb.environment_query(db, uuid.UUID(tenant), codes)
    window = sb.window_query(db, uuid.UUID(tenant), "Y00-RH")
    print(json.dumps({"environment": env, "window": window}))


if __name__ == "__main__":
    main()
