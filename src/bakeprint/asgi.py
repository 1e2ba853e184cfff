"""ASGI entry point for uvicorn workers."""

import gc

from bakeprint.app import create_app

app = create_app()

# What is loaded by now (modules, routes, models, pydantic schemas) lives as
# long as the worker: keep it out of the garbage collector's full passes,
# which otherwise walk all of it again whenever a wide answer (an impact scope
# of a thousand batches) has made enough objects — ~75 ms a pass on the
# benchmark machine. Collected first, so no garbage is kept for good.
gc.collect()
gc.freeze()
