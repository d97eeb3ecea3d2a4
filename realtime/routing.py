"""WebSocket routes, behind the authentication every board socket needs."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path, re_path

from realtime import close_codes
from realtime.auth import RealtimeAuthMiddleware
from realtime.consumers import BoardJsonConsumer, BoardPageConsumer
from realtime.user_socket import UserSocketConsumer


class UnknownPathConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.close(close_codes.NOT_FOUND)

    async def receive(self, text_data: Any = None, bytes_data: Any = None) -> None:
        pass


websocket_urlpatterns = [
    path("ws/v1/boards/<int:board_id>/", BoardJsonConsumer.as_asgi()),
    path("ws/boards/<int:board_id>/", BoardPageConsumer.as_asgi()),
    # The wall display page's socket: the path its display-key cookie is scoped to.
    path("ws/boards/<int:board_id>/display/", BoardPageConsumer.as_asgi()),
    # A logged-in page's own socket: its header's notification bell.
    path("ws/me/", UserSocketConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),
]

websocket_application = RealtimeAuthMiddleware(URLRouter(websocket_urlpatterns))
