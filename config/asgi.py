"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})

# The garbage collector, tuned for a process that holds many long-lived sockets. A full
# collection walks every tracked object: on a worker with 1,000 sockets it took 70 to
# 175 ms, stalling every socket of the process meanwhile (docs/benchmarks.md, "Fan-out").
# - What is loaded by now (Django, the app's modules, the URL patterns) lives as long as
#   the process: frozen, out of the collector's sight.
# - Full collections come after 100 younger ones instead of 10. Most garbage is freed by
#   reference counting, and young cycles are still collected as often as before.
gc.freeze()
gc.set_threshold(700, 10, 100)
