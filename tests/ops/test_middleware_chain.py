"""The middleware chain under ASGI: no middleware makes a request hop between the event
loop and a thread (`tests/realtime/test_server_faults.py` shows how such a hop kept a
stopped worker from exiting), and static files are still served."""

from __future__ import annotations

import logging

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.test import AsyncClient


def test_no_middleware_is_adapted_between_sync_and_async(settings, caplog):
    settings.DEBUG = True  # Django logs each adaptation only then
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        ASGIHandler()
    adapted = [r.getMessage() for r in caplog.records if "adapted for middleware" in r.getMessage()]
    assert adapted == []


@pytest.mark.django_db
async def test_static_files_are_served_and_other_paths_pass_through(settings, tmp_path):
    (tmp_path / "hello.txt").write_text("hello")
    settings.WHITENOISE_ROOT = tmp_path  # served at the site's root, read when loaded
    client = AsyncClient()

    static = await client.get("/hello.txt")
    page = await client.get("/accounts/login/")

    assert static.status_code == 200
    assert static.getvalue() == b"hello"
    static.close()
    assert page.status_code == 200
    assert b"<form" in page.content
