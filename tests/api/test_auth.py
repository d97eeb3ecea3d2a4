from __future__ import annotations

import pytest
from django.test import Client

from accounts.tokens import api_token_create, api_token_revoke
from tests.api.conftest import BASE, ApiClient, error_of

pytestmark = pytest.mark.django_db

CSRF_SECRET = "a" * 32


def test_a_request_without_credentials_is_401_unauthenticated(board):
    response = ApiClient().get("/boards")

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401_and_says_the_token_is_not_valid(board):
    response = ApiClient("tb_not-a-real-token").get("/boards")

    assert response.status_code == 401
    assert "token is not valid" in error_of(response)["message"]


def test_a_revoked_token_is_401(alice):
    token, plaintext = api_token_create(user=alice, name="ci")
    api_token_revoke(user=alice, token_id=token.pk)

    assert ApiClient(plaintext).get("/boards").status_code == 401


def test_the_token_of_an_inactive_user_is_401(alice, alice_api):
    alice.is_active = False
    alice.save()

    assert alice_api.get("/boards").status_code == 401


def test_a_basic_auth_header_is_401(board):
    response = ApiClient().get("/boards", headers={"Authorization": "Basic YTpi"})

    assert response.status_code == 401


def test_a_bearer_token_authenticates(board, alice_api):
    response = alice_api.get("/boards")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [board.pk]


def test_a_session_reads_without_a_csrf_token(board, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.get(f"{BASE}/boards").status_code == 200


def test_a_session_write_without_the_csrf_token_is_401(board, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(
        f"{BASE}/boards/{board.pk}/tasks", {"title": "T"}, content_type="application/json"
    )

    assert response.status_code == 401
    assert "CSRF" in error_of(response)["message"]


def test_a_session_write_with_the_csrf_token_succeeds(board, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.cookies["csrftoken"] = CSRF_SECRET

    response = client.post(
        f"{BASE}/boards/{board.pk}/tasks",
        {"title": "From the browser"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )

    assert response.status_code == 201


def test_a_wrong_token_is_401_even_with_a_valid_session(board, alice):
    client = Client()
    client.force_login(alice)

    response = ApiClient("tb_wrong", client=client).get("/boards")

    assert response.status_code == 401


def test_a_non_member_gets_404_for_the_board(board, outsider_api):
    response = outsider_api.get(f"/boards/{board.pk}")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_non_member_gets_404_for_a_task(task, outsider_api):
    assert outsider_api.get(f"/tasks/{task.pk}").status_code == 404


def test_a_non_member_gets_404_not_403_when_writing(board, outsider_api):
    response = outsider_api.post(f"/boards/{board.pk}/tasks", {"title": "Sneaky"})

    assert response.status_code == 404


def test_a_viewer_reads_but_cannot_write(board, viewer_api):
    assert viewer_api.get(f"/boards/{board.pk}/tasks").status_code == 200

    response = viewer_api.post(f"/boards/{board.pk}/tasks", {"title": "T"})

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
