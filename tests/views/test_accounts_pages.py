from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def test_register_logs_the_new_user_in(client):
    response = client.post(
        reverse("register"),
        {
            "username": "dana",
            "email": "dana@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("board_list"), follow=True).status_code == 200


def test_register_refuses_an_email_in_another_case(client):
    UserFactory(email="dana@example.com")
    response = client.post(
        reverse("register"),
        {
            "username": "dana2",
            "email": "DANA@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 422
    assert "already exists" in response.content.decode()


@pytest.mark.parametrize("login_as", ["Alice", "ALICE@EXAMPLE.COM", "alice"])
def test_login_by_username_or_email_in_any_case(client, login_as):
    UserFactory(username="alice", email="alice@example.com")
    response = client.post(
        reverse("login"), {"username": login_as, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302


def test_wrong_password_shows_an_error(client):
    UserFactory(username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("board_list")).status_code == 302


def test_password_reset_sends_an_email_to_the_console_backend(client):
    UserFactory(email="erin@example.com")
    client.post(reverse("password_reset"), {"email": "erin@example.com"})
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "brand-new-pass-phrase",
            "new_password2": "brand-new-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("brand-new-pass-phrase")


def test_api_token_page_creates_shows_once_and_revokes(client):
    user = UserFactory()
    client.force_login(user)
    html = client.post(reverse("api_tokens"), {"name": "CI bot"}).content.decode()
    assert "It is shown only once." in html
    token = user.api_tokens.get()
    assert token.prefix in html
    assert "It is shown only once." not in client.get(reverse("api_tokens")).content.decode()
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_register_refuses_a_username_with_an_at_sign(client):
    response = client.post(
        reverse("register"),
        {
            "username": "newhire@corp.example",
            "email": "squatter@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 422
    assert "cannot contain" in response.content.decode()
    assert not User.objects.filter(email="squatter@example.com").exists()


def test_login_by_email_finds_the_owner_of_the_email_not_a_squatter(client):
    squatter = UserFactory(email="squatter@example.com")
    User.objects.filter(pk=squatter.pk).update(username="newhire@corp.example")
    UserFactory(username="newhire", email="newhire@corp.example")

    response = client.post(
        reverse("login"),
        {"username": "NEWHIRE@corp.example", "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
    assert client.get(reverse("board_list")).wsgi_request.user.username == "newhire"
