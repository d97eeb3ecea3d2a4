"""Bad input of every kind gets the one error shape and a 4xx, never a 500."""

from __future__ import annotations

import pytest

from api.errors import API_ERRORS
from board.exceptions import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    TaskAlreadyClaimed,
    ValidationFailed,
    VersionConflict,
    WipLimitReached,
)
from tests.api.conftest import BASE, error_of

pytestmark = pytest.mark.django_db


def test_the_status_of_each_protocol_code_is_the_issues():
    refusals = [
        TaskAlreadyClaimed,
        VersionConflict,
        InvalidTransition,
        WipLimitReached,
        PermissionDenied,
        NotFound,
        ValidationFailed,
    ]
    statuses = {cls.code: cls.http_status for cls in refusals} | {
        code: status for code, (status, _) in API_ERRORS.items() if code != "internal"
    }
    assert statuses == {
        "already_claimed": 409,
        "version_conflict": 409,
        "invalid_transition": 409,
        "wip_limit": 409,
        "forbidden": 403,
        "not_found": 404,
        "invalid": 422,
        "rate_limited": 429,
        "too_large": 413,
        "unauthenticated": 401,
        "method_not_allowed": 405,
    }


def test_malformed_json_is_422_invalid(board, alice_api):
    response = alice_api.client.post(
        f"{BASE}/boards/{board.pk}/tasks",
        "{not json",
        content_type="application/json",
        headers=alice_api.headers,
    )

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"


@pytest.mark.parametrize("body", [[], "title", 7, {"title": 7}, {"title": None}])
def test_a_body_of_the_wrong_shape_is_422_invalid(board, alice_api, body):
    response = alice_api.post(f"/boards/{board.pk}/tasks", body)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"


def test_a_missing_body_is_422_naming_the_field(board, alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/status")

    assert response.status_code == 422
    assert error_of(response)["fields"]


@pytest.mark.parametrize("path", ["/boards/abc", "/boards/0", "/boards/99999999999999999999999"])
def test_an_id_that_is_not_a_positive_64_bit_integer_is_422(alice_api, path):
    response = alice_api.get(path)

    assert response.status_code == 422
    assert "board_id" in error_of(response)["fields"]


def test_an_unknown_path_is_a_json_404(alice_api):
    response = alice_api.get("/no/such/endpoint")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_api_root_is_a_json_404(alice_api):
    response = alice_api.get("/")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_method_the_endpoint_does_not_take_is_a_json_405_with_allow(alice_api, task):
    response = alice_api.delete(f"/tasks/{task.pk}")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_an_unexpected_failure_is_a_json_500_internal(board, alice_api, monkeypatch):
    import api.endpoints.boards

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.endpoints.boards, "member_board", explode)

    response = alice_api.get(f"/boards/{board.pk}")

    assert response.status_code == 500
    assert error_of(response)["code"] == "internal"
    assert "boom" not in response.content.decode()


def test_validation_messages_name_the_field(board, alice_api):
    response = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "T", "due_date": "soon"})

    error = error_of(response)
    assert list(error["fields"]) == ["due_date"]
    assert error["message"].startswith("due_date:")


@pytest.mark.parametrize("title", ["nul\x00byte", "lone \ud800 surrogate"])
def test_text_the_database_cannot_store_is_422_on_the_field(board, alice_api, title):
    response = alice_api.post(f"/boards/{board.pk}/tasks", {"title": title})

    assert response.status_code == 422
    assert "title" in error_of(response)["fields"]


def test_a_nul_in_a_query_string_is_422(board, alice_api):
    response = alice_api.get(f"/boards/{board.pk}/tasks", {"q": "a\x00b"})

    assert response.status_code == 422
    assert "q" in error_of(response)["fields"]


def test_a_nul_in_a_member_name_is_422(board, admin_api):
    response = admin_api.post(f"/boards/{board.pk}/members", {"user": "a\x00", "role": "member"})

    assert response.status_code == 422
