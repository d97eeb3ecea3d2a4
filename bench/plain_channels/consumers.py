"""The consumer as the Channels tutorial writes it: join a group on connect, and
`group_send` every frame received so that each member forwards it to its socket."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "bench"


class RelayConsumer(AsyncWebsocketConsumer):
    groups = [GROUP]

    async def receive(self, text_data: str | None = None, bytes_data: Any = None) -> None:
        await self.channel_layer.group_send(GROUP, {"type": "relay", "text": text_data})

    async def relay(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])
