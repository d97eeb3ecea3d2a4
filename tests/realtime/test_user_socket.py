"""`/ws/me/`, a logged-in page's own socket: the bell's count, for that person only,
within bounds, and closed when the session or the account ends."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.test import Client, RequestFactory

from board.services import task_create
from board.services.notify import notifications_mark_read, notify
from notifications.models import NotificationKind
from tests.realtime.conftest import ALLOWED_ORIGIN, communicator, receive_closed, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]

COUNT = re.compile(r'id="notification-bell".*hx-swap-oob="true"')


def bell_count(frame: str) -> int:
    assert COUNT.search(frame), frame
    found = re.search(r'class="bell-count">(\d+)<', frame)
    return int(found.group(1)) if found else 0


@pytest.fixture
def me_socket(open_sockets):
    async def open_socket(user, *, cookie: str | None = None, origin: str = ALLOWED_ORIGIN):
        cookie = cookie or await database_sync_to_async(session_cookie)(user)
        comm = communicator("/ws/me/", cookie=cookie, origin=origin)
        open_sockets.append(comm)
        connected, _ = await comm.connect()
        assert connected
        return comm

    return open_socket


@database_sync_to_async
def tell(board, actor, *recipients) -> None:
    task = task_create(actor=actor, board_id=board.pk, title="Watched")
    with transaction.atomic():
        notify(
            board=board,
            task=task,
            actor=actor,
            kind=NotificationKind.CHANGED,
            user_ids=[user.pk for user in recipients],
        )


async def test_the_socket_sends_the_count_on_open_and_after_each_notification(
    me_socket, board, alice, bob
):
    await tell(board, alice, bob)
    comm = await me_socket(bob)
    assert bell_count(await comm.receive_from()) == 1

    await tell(board, alice, bob)
    assert bell_count(await comm.receive_from()) == 2
    await database_sync_to_async(notifications_mark_read)(user=bob)
    assert bell_count(await comm.receive_from()) == 0


async def test_another_persons_notifications_do_not_reach_it(me_socket, board, alice, bob, admin):
    comm = await me_socket(bob)
    assert bell_count(await comm.receive_from()) == 0
    await tell(board, alice, admin)
    assert await comm.receive_nothing(timeout=0.5)


async def test_logging_out_closes_the_socket_of_that_session(me_socket, outsider):
    # Someone on no board at all: the logout is still announced to their own socket.
    http = await database_sync_to_async(Client)()
    await database_sync_to_async(http.force_login)(outsider)
    key = http.cookies[settings.SESSION_COOKIE_NAME].value
    comm = await me_socket(outsider, cookie=f"{settings.SESSION_COOKIE_NAME}={key}")
    await comm.receive_from()

    @database_sync_to_async
    def log_out() -> None:
        request = RequestFactory().post("/accounts/logout/")
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
        request.session.load()
        request.user = outsider
        logout(request)

    await log_out()
    assert await receive_closed(comm) == 4401


async def test_deactivating_the_account_closes_it(me_socket, bob):
    comm = await me_socket(bob)
    await comm.receive_from()

    @database_sync_to_async
    def deactivate() -> None:
        bob.is_active = False
        bob.save()

    await deactivate()
    assert await receive_closed(comm) == 4401


async def test_the_periodic_recheck_closes_a_session_deleted_behind_the_signals_back(
    me_socket, bob, settings
):
    from django.contrib.sessions.models import Session

    settings.REALTIME_ACCESS_RECHECK_SECONDS = 0.2
    comm = await me_socket(bob)
    await comm.receive_from()
    await database_sync_to_async(Session.objects.all().delete)()
    assert await receive_closed(comm) == 4401


async def test_without_a_session_it_closes_with_4401(open_sockets):
    comm = communicator("/ws/me/", origin=ALLOWED_ORIGIN)
    open_sockets.append(comm)
    assert (await comm.connect())[0]
    assert await receive_closed(comm) == 4401


async def test_a_foreign_origin_is_refused_at_the_handshake(bob, open_sockets):
    cookie = await database_sync_to_async(session_cookie)(bob)
    comm = communicator("/ws/me/", cookie=cookie, origin="http://evil.example")
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_a_person_gets_only_so_many_sockets(me_socket, bob, settings):
    settings.REALTIME_SOCKETS_PER_PERSON = 2
    for _ in range(2):
        await (await me_socket(bob)).receive_from()
    assert await receive_closed(await me_socket(bob)) == 4429


async def test_a_client_that_floods_frames_is_closed(me_socket, bob):
    comm = await me_socket(bob)
    await comm.receive_from()
    for _ in range(10):
        await comm.send_to(text_data="hello")
    assert await receive_closed(comm) == 1008


async def test_a_huge_frame_closes_it(me_socket, bob):
    comm = await me_socket(bob)
    await comm.receive_from()
    await comm.send_to(text_data="x" * 70_000)
    assert await receive_closed(comm) == 1008


@pytest.mark.redis
async def test_redis_going_away_closes_it_with_1013_to_come_back(
    me_socket, bob, redis_server, settings
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.redis_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        }
    }
    comm = await me_socket(bob)
    await comm.receive_from()
    redis_server.stop()
    assert await receive_closed(comm, timeout=10) == 1013
    # And a new one, while it is still away, is told the same.
    assert await receive_closed(await me_socket(bob), timeout=10) == 1013
