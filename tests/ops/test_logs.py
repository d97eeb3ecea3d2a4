"""LOG_FORMAT=json: one JSON object per line, carrying the request id, user id, board
id and socket connection id where known."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import orjson
import pytest

from ops import log_context
from ops.log_format import JsonFormatter
from realtime.consumers import BoardJsonConsumer
from tests.realtime.servers import BASE_DIR


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.ops.probe")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.urls("tests.ops.log_urls")
@pytest.mark.django_db
def test_a_request_logs_its_request_id_user_and_board(client, board, alice, json_lines):
    client.force_login(alice)
    response = client.get(f"/boards/{board.pk}/probe/", HTTP_X_REQUEST_ID="edge-42")
    assert response["X-Request-ID"] == "edge-42"
    (line,) = lines(json_lines)
    assert line["message"] == f"probing board {board.pk}"
    assert line["level"] == "WARNING"
    assert (line["request_id"], line["user_id"], line["board_id"]) == (
        "edge-42",
        alice.pk,
        board.pk,
    )
    assert "connection_id" not in line


@pytest.mark.urls("tests.ops.log_urls")
@pytest.mark.django_db
def test_an_odd_request_id_is_replaced_and_nothing_leaks_to_the_next_line(client, json_lines):
    response = client.get("/boards/7/probe/", HTTP_X_REQUEST_ID="no spaces or\nnewlines")
    assert len(response["X-Request-ID"]) == 32
    logging.getLogger("tests.ops.probe").warning("after the request")
    during, after = lines(json_lines)
    assert during["request_id"] == response["X-Request-ID"]
    assert "user_id" not in during
    assert set(after) == {"time", "level", "logger", "message"}


def test_exceptions_are_kept_in_the_line(json_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("tests.ops.probe").exception("failed")
    (line,) = lines(json_lines)
    assert "ValueError: boom" in line["exception"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(30)
async def test_a_socket_binds_its_connection_board_and_user(board, alice, connect, monkeypatch):
    seen: list[dict] = []
    original = BoardJsonConsumer.opened

    async def opened(self) -> None:
        seen.append(log_context.current())
        await original(self)

    monkeypatch.setattr(BoardJsonConsumer, "opened", opened)
    comm = await connect(alice)
    assert seen == [
        {"connection_id": comm.hello["connection"], "board_id": board.pk, "user_id": alice.pk}
    ]


@pytest.mark.timeout(60)
def test_log_format_json_makes_the_console_write_json():
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = "import logging; logging.getLogger('ops.check').warning('in json')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    line = orjson.loads(result.stderr.strip().splitlines()[-1])
    assert (line["logger"], line["message"]) == ("ops.check", "in json")
