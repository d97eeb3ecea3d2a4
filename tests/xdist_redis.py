"""Give each pytest-xdist worker a Redis database of its own.

Every worker has its own test database, so board ids repeat across workers; in one
shared Redis database their channel-layer groups, presence keys and throttle counters
would collide. Worker gwN gets database N + 1 of the REDIS_URL's server (so a serial
run and gw0 never share one either): in the settings for this process, and in the
environment for the servers and commands the tests start.
"""

from __future__ import annotations

import copy
import os
import re

from django.conf import settings

REDIS_DATABASES = 16  # redis-server's default `databases`


def worker_redis_url(url: str, worker: str) -> str:
    """`url` with the database number of xdist worker `worker` ("gw0", "gw1", ...)."""
    database = int(worker.removeprefix("gw")) + 1
    if database >= REDIS_DATABASES:
        raise RuntimeError(f"at most {REDIS_DATABASES - 1} xdist workers share one Redis")
    address, question, query = url.partition("?")
    server = re.sub(r"/\d*$", "", address)
    return f"{server}/{database}{question}{query}"


def redis_isolate() -> None:
    """Point this xdist worker's Redis settings at its own database.

    Runs when tests/conftest.py is imported: after the settings are read, before any
    cache or channel layer is made from them."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not settings.REDIS_URL:
        return
    old, new = settings.REDIS_URL, worker_redis_url(settings.REDIS_URL, worker)
    os.environ["REDIS_URL"] = settings.REDIS_URL = new
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    for host in layers["default"].get("CONFIG", {}).get("hosts", []):
        if isinstance(host, dict) and host.get("address") == old:
            host["address"] = new
    settings.CHANNEL_LAYERS = layers
    settings.CACHES = {
        name: {**config, "LOCATION": new} if config.get("LOCATION") == old else config
        for name, config in settings.CACHES.items()
    }
