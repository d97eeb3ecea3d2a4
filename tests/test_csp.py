"""The Content-Security-Policy header: on every kind of page, with no inline script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from board.services import display_key_create
from tests.factories import UserFactory

PROJECT_ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def pages(board, alice, admin) -> dict[str, tuple[Client, str]]:
    """Each kind of page: (a client allowed to see it, its path)."""
    member, staff = Client(), Client()
    member.force_login(alice)
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    _, key = display_key_create(actor=admin, board_id=board.pk, name="Hall TV")
    wall = Client()
    wall.get(f"/boards/{board.pk}/display/", {"key": key})  # trades the key for its cookie
    return {
        "board": (member, f"/boards/{board.pk}/"),
        "display": (wall, f"/boards/{board.pk}/display/"),
        "admin login": (Client(), "/admin/login/"),
        "admin index": (staff, "/admin/"),
        "api docs": (Client(), "/api/v1/docs"),
    }


@pytest.mark.parametrize("page", ["board", "display", "admin login", "admin index", "api docs"])
def test_the_page_is_served_with_a_policy_that_allows_no_inline_script(pages, page):
    client, path = pages[page]

    response = client.get(path)

    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "Content-Security-Policy-Report-Only" not in response.headers


def test_connect_src_names_this_hosts_socket_origin(board, alice):
    client = Client()
    client.force_login(alice)

    plain = directives(client.get(f"/boards/{board.pk}/"))
    secure = directives(client.get(f"/boards/{board.pk}/", secure=True))

    assert plain["connect-src"] == ["'self'", "ws://testserver"]
    assert secure["connect-src"] == ["'self'", "wss://testserver"]


def test_report_only_mode_sends_the_policy_without_enforcing_it():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY, "
        "settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['script-src'])"
    )
    env = {**os.environ, "CSP_REPORT_ONLY": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["None", "[\"'self'\"]"], result.stderr
