"""`daphne bench.plain_channels.asgi:application`: one route, /ws/, to the relay."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.plain_channels.settings")
django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from bench.plain_channels.consumers import RelayConsumer  # noqa: E402

application = ProtocolTypeRouter({"websocket": URLRouter([path("ws/", RelayConsumer.as_asgi())])})
