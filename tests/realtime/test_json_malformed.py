"""Bad input gets an `error` message; the socket stays open and nothing is written."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async

from board.models import Event
from tests.realtime.conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


@pytest.fixture
async def socket(connect, alice) -> Any:
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    return comm


async def still_serves(comm: Any) -> None:
    """The socket still answers, and the bad input wrote nothing."""
    await comm.send_json_to({"type": "create", "ref": "alive", "title": "Still here"})
    ack = await receive(comm)
    assert (ack["type"], ack["ref"]) == ("ack", "alive")
    assert await database_sync_to_async(Event.objects.count)() == 1


async def test_non_json_text_is_an_error(socket):
    await socket.send_to(text_data="{not json")
    error = await receive(socket)
    assert (error["type"], error["code"], error["ref"]) == ("error", "invalid", None)
    await still_serves(socket)


async def test_empty_frame_is_an_error(socket):
    await socket.send_input({"type": "websocket.receive", "text": ""})
    assert (await receive(socket))["code"] == "invalid"
    await still_serves(socket)


async def test_binary_frame_is_an_error(socket):
    await socket.send_to(bytes_data=b'{"type": "resume", "after": 0}')
    error = await receive(socket)
    assert error["code"] == "invalid"
    assert "binary" in error["message"]
    await still_serves(socket)


@pytest.mark.parametrize("payload", ["[1, 2]", '"claim"', "42", "null"])
async def test_json_that_is_not_an_object_is_an_error(socket, payload):
    await socket.send_to(text_data=payload)
    assert (await receive(socket))["code"] == "invalid"
    await still_serves(socket)


async def test_unknown_type_is_an_error_naming_the_field(socket):
    await socket.send_json_to({"type": "delete_everything", "ref": "r"})
    error = await receive(socket)
    assert (error["code"], error["field"], error["ref"]) == ("invalid", "type", "r")
    await still_serves(socket)


async def test_missing_type_is_an_error(socket):
    await socket.send_json_to({"ref": "r"})
    assert (await receive(socket))["field"] == "type"
    await still_serves(socket)


async def test_action_without_ref_is_an_error(socket):
    await socket.send_json_to({"type": "create", "title": "No ref"})
    assert (await receive(socket))["field"] == "ref"
    await still_serves(socket)


async def test_ill_typed_ref_is_an_error(socket):
    await socket.send_json_to({"type": "create", "ref": {"a": 1}, "title": "T"})
    error = await receive(socket)
    assert (error["field"], error["ref"]) == ("ref", None)
    await still_serves(socket)


async def test_missing_required_field_is_an_error_naming_it(socket):
    await socket.send_json_to({"type": "claim", "ref": "r"})
    error = await receive(socket)
    assert (error["code"], error["field"], error["ref"]) == ("invalid", "task", "r")
    assert error["fields"] == {"task": error["message"]}
    await still_serves(socket)


@pytest.mark.parametrize(
    "message, field",
    [
        ({"type": "claim", "task": "12"}, "task"),
        ({"type": "claim", "task": True}, "task"),
        ({"type": "claim", "task": -3}, "task"),
        ({"type": "claim", "task": 2**64}, "task"),
        ({"type": "claim", "task": 1, "expected_version": "2"}, "expected_version"),
        ({"type": "create", "title": 5}, "title"),
        ({"type": "create", "title": "T", "epic": "x"}, "epic"),
        ({"type": "create", "title": "T", "due_date": 20300101}, "due_date"),
        ({"type": "move", "task": 1, "index": "0"}, "index"),
        ({"type": "move", "task": 1, "index": 1.5}, "index"),
        ({"type": "set_status", "task": 1, "status": None}, "status"),
        ({"type": "resume", "after": "ten"}, "after"),
        ({"type": "resume", "after": 10**30}, "after"),
    ],
)
async def test_ill_typed_field_is_an_error_naming_it(socket, message, field):
    await socket.send_json_to({"ref": "r", **message})
    error = await receive(socket)
    assert (error["code"], error["field"]) == ("invalid", field)
    await still_serves(socket)


async def test_frame_over_64_kib_is_an_error(socket):
    await socket.send_json_to({"type": "create", "ref": "big", "title": "x" * (64 * 1024)})
    error = await receive(socket)
    assert error["code"] == "invalid"
    assert "64 KiB" in error["message"]
    await still_serves(socket)


async def test_multibyte_frame_over_64_kib_is_an_error(socket):
    await socket.send_json_to({"type": "create", "ref": "big", "title": "é" * (40 * 1024)})
    assert "64 KiB" in (await receive(socket))["message"]
    await still_serves(socket)


async def test_deeply_nested_json_is_an_error(socket):
    await socket.send_to(text_data="[" * 5000 + "]" * 5000)
    assert (await receive(socket))["code"] == "invalid"
    await still_serves(socket)


async def test_flood_is_rate_limited_and_the_socket_recovers(connect, alice, settings):
    settings.REALTIME_RATE_BURST = 5
    settings.REALTIME_RATE_PER_SECOND = 20
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    for _ in range(40):
        await comm.send_to(text_data="{}")
    codes = [(await receive(comm))["code"] for _ in range(40)]
    assert codes.count("invalid") < 40
    assert "rate_limited" in codes
    await asyncio.sleep(0.3)
    await still_serves(comm)


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "create", "title": "ok", "description": "x" * 5_001}, "description"),
        ({"type": "move", "task": 1, "index": 2**31}, "index"),
    ],
)
async def test_a_value_past_its_limit_is_an_error_naming_the_field(socket, message, field):
    await socket.send_json_to({"ref": "big"} | message)
    error = await receive(socket)
    assert (error["type"], error["code"], error["field"]) == ("error", "invalid", field)
    await still_serves(socket)
