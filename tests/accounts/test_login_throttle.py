"""Sign-ins are throttled per account and per client address (django-axes)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connections
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def three_tries(settings):
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client, username: str, password: str, *, address: str = "192.0.2.1", url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_right_password_after_too_many_wrong_ones_is_refused(client):
    UserFactory(username="ann")
    answers = [sign_in(client, "ann", "wrong").status_code for _ in range(3)]

    response = sign_in(client, "ann", PASSWORD)

    assert answers == [200, 200, 429]

    assert response.status_code == 429
    assert "Too many failed sign-ins; try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_account_is_throttled_from_every_address(client):
    UserFactory(username="ann")
    for n in range(3):
        sign_in(client, "ann", "wrong", address=f"198.51.100.{n}")

    assert sign_in(client, "ann", PASSWORD, address="203.0.113.9").status_code == 429


def test_username_and_email_count_as_one_account(client):
    UserFactory(username="ann", email="ann@example.com")
    sign_in(client, "ann", "wrong", address="198.51.100.1")
    sign_in(client, "ANN@example.com", "wrong", address="198.51.100.2")
    sign_in(client, "Ann", "wrong", address="198.51.100.3")

    assert sign_in(client, "ann@example.com", PASSWORD, address="203.0.113.9").status_code == 429


def test_a_client_address_is_throttled_across_accounts(client):
    UserFactory(username="ann")
    for name in ("bob", "carol", "dave"):
        sign_in(client, name, "wrong")

    assert sign_in(client, "ann", PASSWORD).status_code == 429


def test_other_accounts_and_addresses_are_not_affected(client):
    UserFactory(username="ann")
    UserFactory(username="bob")
    for _ in range(3):
        sign_in(client, "ann", "wrong")

    assert sign_in(client, "bob", PASSWORD, address="203.0.113.9").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client):
    UserFactory(username="ann")
    for _ in range(2):
        sign_in(client, "ann", "wrong", address="198.51.100.1")
    assert sign_in(client, "ann", PASSWORD, address="198.51.100.1").status_code == 302
    client.logout()

    for _ in range(2):
        sign_in(client, "ann", "wrong", address="198.51.100.2")
    assert sign_in(client, "ann", PASSWORD, address="198.51.100.2").status_code == 302


def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for _ in range(3):
        sign_in(client, "root", "wrong", url=admin_login)

    response = sign_in(client, "root", PASSWORD, url=admin_login)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_lockout_page_is_served_under_asgi_too(async_client):
    """Production runs daphne: axes's middleware then takes its async path."""
    await database_sync_to_async(UserFactory)(username="ann")
    for _ in range(3):
        await async_client.post(reverse("login"), {"username": "ann", "password": "wrong"})

    response = await async_client.post(reverse("login"), {"username": "ann", "password": PASSWORD})

    # The request ran in asgiref's worker thread; with CONN_MAX_AGE its connection
    # would stay open and hold the test database.
    await sync_to_async(connections.close_all)()
    assert response.status_code == 429
    assert "Too many failed sign-ins; try again in 15 minutes." in response.content.decode()
