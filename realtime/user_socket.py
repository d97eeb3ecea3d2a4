"""`/ws/me/`: a logged-in page's own socket, which keeps the header's bell counting.

It joins the person's group (realtime.control.user_group_name), so a notification made
in any worker reaches it, and on each `notifications.changed` sends the unread count
as an htmx out-of-band fragment (notifications/_bell.html). It sends the count on
open too: after a reconnect the bell is right again, whatever was missed.

Only a session from an allowed Origin opens it (realtime.auth). Its rights are checked
again on `access.changed` for its user and every REALTIME_ACCESS_RECHECK_SECONDS:
a logout, a deactivated account or a changed password closes it with 4401. It counts
against REALTIME_SOCKETS_PER_PERSON on its own (a tab with a board holds one of each).
When Redis fails, the socket closes with 1013 and the page reconnects later.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from notifications.selectors import unread_count
from realtime import close_codes
from realtime.access import recheck_interval, session_belongs_to, sessions_data
from realtime.auth import Principal
from realtime.control import session_digest, user_group_name
from realtime.protocol import MAX_FRAME_BYTES, TokenBucket
from realtime.socket_quota import socket_slot_release, socket_slot_take

logger = logging.getLogger(__name__)

# Leaving the group waits on Redis; a socket that is gone does not wait long.
TEARDOWN_SECONDS = 5.0
# The page sends nothing: a client that floods frames or sends a big one is closed.
FRAME_BURST, FRAMES_PER_SECOND = 5, 1
POLICY_VIOLATION = 1008


def session_live(principal: Principal) -> bool:
    """Whether the socket's session still logs its user in (realtime.access's rule)."""
    user = get_user_model().objects.filter(pk=principal.user.pk, is_active=True).first()
    key = principal.session_key or ""
    data = sessions_data({key}).get(key) if key else None
    return user is not None and data is not None and session_belongs_to(data, user)


def bell_html(count: int) -> str:
    return render_to_string("notifications/_bell.html", {"unread": count, "oob": True})


class UserSocketConsumer(AsyncWebsocketConsumer):
    principal: Principal

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.connection_id = "u_" + secrets.token_urlsafe(12)
        self.group: str | None = None
        self.slot_holder: str | None = None
        self.accepted = self.closed = False
        self.dirty = False
        self.tasks: set[asyncio.Task[None]] = set()
        self.bucket = TokenBucket(burst=FRAME_BURST, rate=FRAMES_PER_SECOND)
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:
            await self._close_quietly(close_codes.SERVICE_RESTART)
            raise
        except OSError as error:
            logger.info("User socket %s: the client left (%s)", self.connection_id, error)
            self.closed = True
        except Exception:
            # Redis down, most often: the page comes back when it is up again.
            logger.warning("User socket %s failed", self.connection_id, exc_info=True)
            self.group = None  # not left: its membership expires (CHANNEL_GROUP_EXPIRY)
            await self._close_quietly(close_codes.TRY_AGAIN_LATER)
        finally:
            await self._teardown()

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.receive":
            await self._frame(message)  # on the loop: no thread hop per frame
            return
        if getattr(self, get_handler_name(message), None) is None:
            logger.warning("User socket ignored a %r message", message.get("type"))
            return
        await super().dispatch(message)

    async def connect(self) -> None:
        principal = self.scope.get("principal")
        if principal is None or principal.kind != "session":
            await self._refuse(close_codes.NOT_AUTHENTICATED)
            return
        holder = f"me:{principal.user.pk}"
        if not socket_slot_take(holder=holder, connection_id=self.connection_id):
            await self._refuse(close_codes.TOO_MANY_SOCKETS)
            return
        self.principal, self.slot_holder = principal, holder
        group = user_group_name(principal.user.pk)
        await self.channel_layer.group_add(group, self.channel_name)
        self.group = group
        await self.accept()
        self.accepted = True
        self._spawn(self._send_counts())
        self._spawn(self._recheck_every_while())

    async def _frame(self, message: dict[str, Any]) -> None:
        """The page has nothing to say here: frames are dropped, within bounds."""
        size = len(message.get("text") or message.get("bytes") or "")
        if size > MAX_FRAME_BYTES or not self.bucket.take():
            await self._close_quietly(POLICY_VIOLATION)

    async def notifications_changed(self, message: dict[str, Any]) -> None:
        """Sent by realtime.control. A burst of them costs one count."""
        self.dirty = True
        if not any(task.get_name() == "count" for task in self.tasks):
            self._spawn(self._send_counts(), name="count")

    async def access_changed(self, message: dict[str, Any]) -> None:
        """Sent by realtime.control when one of the user's rights may have ended."""
        if self.closed or message.get("user_id") != self.principal.user.pk:
            return
        ended = message.get("session")
        if ended and ended == session_digest(self.principal.session_key or ""):
            await self._close_quietly(close_codes.NOT_AUTHENTICATED)
            return
        self._spawn(self._recheck())

    async def _send_counts(self) -> None:
        self.dirty = True
        while self.dirty and not self.closed:
            self.dirty = False
            count = await database_sync_to_async(unread_count)(user=self.principal.user)
            if not self.closed:
                await self.send(text_data=bell_html(count))

    async def _recheck(self) -> None:
        if not await database_sync_to_async(session_live)(self.principal):
            await self._close_quietly(close_codes.NOT_AUTHENTICATED)

    async def _recheck_every_while(self) -> None:
        while not self.closed:
            # Jittered, so that a worker's sockets do not all ask at once.
            await asyncio.sleep(recheck_interval() * random.uniform(0.75, 1.25))
            await self._recheck()

    def _spawn(self, coroutine: Any, name: str | None = None) -> None:
        task = asyncio.create_task(self._guarded(coroutine), name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _guarded(self, coroutine: Any) -> None:
        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("User socket %s work failed", self.connection_id, exc_info=True)
            await self._close_quietly(close_codes.TRY_AGAIN_LATER)

    async def _refuse(self, code: int) -> None:
        await self._close_quietly(code)

    async def _close_quietly(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            if not self.accepted:
                # Accepted first, so that the page sees the code (not an HTTP 403).
                await self.accept()
                self.accepted = True
            await self.close(code)
        except Exception:
            logger.info("User socket %s: close %s failed", self.connection_id, code)

    async def _teardown(self) -> None:
        self.closed = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.slot_holder is not None:
            socket_slot_release(holder=self.slot_holder, connection_id=self.connection_id)
        if self.group is not None:
            try:
                await asyncio.wait_for(
                    self.channel_layer.group_discard(self.group, self.channel_name),
                    TEARDOWN_SECONDS,
                )
            except Exception:
                logger.info("User socket %s left its group unannounced", self.connection_id)
