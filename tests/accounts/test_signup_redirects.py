"""Register and log in carry a `next` through, and follow it only within the site."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.helpers import register
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

SAFE_NEXT = "/invite/abc123/"
UNSAFE_NEXTS = ["https://evil.example/", "//evil.example/", "http:///evil.example", "/" * 3000]


def test_register_carries_next_in_the_form_and_the_login_link(client):
    page = client.get(reverse("register"), {"next": SAFE_NEXT}).content.decode()

    assert f'<input type="hidden" name="next" value="{SAFE_NEXT}">' in page
    assert f"{reverse('login')}?next=/invite/abc123/" in page


def test_register_goes_on_to_a_safe_next(client):
    response = register(client, query=f"?next={SAFE_NEXT}")

    assert response.status_code == 302
    assert response["Location"] == SAFE_NEXT


def test_register_reads_next_from_the_posted_form(client):
    response = client.post(
        reverse("register"),
        {
            "username": "dana",
            "email": "dana@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "next": SAFE_NEXT,
        },
    )

    assert response["Location"] == SAFE_NEXT


def test_register_without_next_goes_to_the_board_list(client):
    assert register(client)["Location"] == reverse("board_list")


@pytest.mark.parametrize("unsafe", UNSAFE_NEXTS, ids=["host", "scheme-relative", "bad", "long"])
def test_register_ignores_a_next_off_the_site(client, unsafe):
    page = client.get(reverse("register"), {"next": unsafe}).content.decode()
    response = register(client, query="?" + f"next={unsafe}")

    assert "evil.example" not in page
    assert response["Location"] == reverse("board_list")


def test_someone_logged_in_is_sent_on_to_next(client):
    client.force_login(UserFactory())

    assert client.get(reverse("register"), {"next": SAFE_NEXT})["Location"] == SAFE_NEXT


def test_login_carries_next_in_the_form_and_the_register_link(client):
    page = client.get(reverse("login"), {"next": SAFE_NEXT}).content.decode()

    assert f'name="next" value="{SAFE_NEXT}"' in page
    assert f"{reverse('register')}?next=/invite/abc123/" in page


def test_login_goes_on_to_a_safe_next_only(client):
    UserFactory(username="dana")
    credentials = {"username": "dana", "password": "correct-horse-battery"}

    safe = client.post(reverse("login"), {**credentials, "next": SAFE_NEXT})
    client.logout()
    unsafe = client.post(reverse("login"), {**credentials, "next": "https://evil.example/"})

    assert safe["Location"] == SAFE_NEXT
    assert unsafe["Location"] == reverse("board_list")
