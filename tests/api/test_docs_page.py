from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def docs_page() -> str:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    return response.content.decode()


def test_the_docs_page_loads_its_assets_from_our_static_files_only():
    assets = ASSET.findall(docs_page())

    assert assets
    for url in assets:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), url


def test_the_docs_page_calls_no_outside_validator():
    settings_json = re.search(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>',
        docs_page(),
        re.S,
    ).group(1)

    assert json.loads(settings_json)["validatorUrl"] is None


def test_the_schema_is_served_without_credentials():
    schema = Client().get("/api/v1/openapi.json").json()

    assert schema["info"]["title"] == "Taskboard API"
    assert "/api/v1/boards/{board_id}/tasks" in schema["paths"]
    assert {"BearerTokenAuth", "SessionCsrfAuth"} <= set(schema["components"]["securitySchemes"])
