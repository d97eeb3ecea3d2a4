"""The signed link mailed at sign-up, and the banner's "Send it again"
(accounts/verification.py)."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.core.signing import TimestampSigner
from django.urls import reverse

from accounts.models import User
from accounts.verification import verification_token
from tests.accounts.helpers import register
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

LINK = re.compile(r"https?://\S+/accounts/verify/(\S+)/")


def link_path(message) -> str:
    """The path of the verification link in a mail."""
    return reverse("verify_email", args=[LINK.search(message.body).group(1)])


def test_sign_up_mails_a_link_that_verifies_the_address(client):
    register(client, email="dana@example.com")

    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert User.objects.get(username="dana").email_verified_at is None
    response = client.get(link_path(message))

    assert response.status_code == 200
    assert "your email address is confirmed" in response.content.decode()
    assert User.objects.get(username="dana").email_verified_at is not None


def test_the_link_works_logged_out_and_logs_nobody_in(client):
    user = UserFactory(email_verified_at=None)

    response = client.get(reverse("verify_email", args=[verification_token(user=user)]))

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_a_second_click_says_it_was_already_verified(client):
    user = UserFactory(email_verified_at=None)
    path = reverse("verify_email", args=[verification_token(user=user)])
    client.get(path)
    user.refresh_from_db()
    first = user.email_verified_at

    response = client.get(path)

    assert response.status_code == 200
    assert "already confirmed" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at == first


def test_an_expired_link_says_so_and_verifies_nothing(client, monkeypatch):
    user = UserFactory(email_verified_at=None)
    four_days_ago = time.time() - 4 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: four_days_ago)
    token = verification_token(user=user)
    monkeypatch.undo()

    response = client.get(reverse("verify_email", args=[token]))

    assert response.status_code == 400
    assert "This link has expired: links work for 3 days." in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token, user: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token, user: TimestampSigner(salt="another").sign_object(
            {"user": user.pk, "email": user.email}
        ),
        lambda token, user: "x" * 400,
        lambda token, user: "not-a-token",
    ],
    ids=["altered", "other-salt", "overlong", "garbage"],
)
def test_a_tampered_link_is_refused(client, tamper):
    user = UserFactory(email_verified_at=None)
    token = tamper(verification_token(user=user), user)

    response = client.get(reverse("verify_email", args=[token]))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(client):
    user = UserFactory(email_verified_at=None, email="old@example.com")
    token = verification_token(user=user)
    User.objects.filter(pk=user.pk).update(email="new@example.com")

    assert client.get(reverse("verify_email", args=[token])).status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_an_unverified_person_can_log_in_and_sees_the_banner(client):
    UserFactory(username="dana", email_verified_at=None)
    response = client.post(
        reverse("login"), {"username": "dana", "password": "correct-horse-battery"}, follow=True
    )

    page = response.content.decode()
    assert response.wsgi_request.user.is_authenticated
    assert "Confirm your email address" in page
    assert reverse("verification_resend") in page


def test_a_verified_person_sees_no_banner(client):
    client.force_login(UserFactory())

    assert reverse("verification_resend") not in client.get(reverse("board_list")).content.decode()


def test_resend_mails_a_new_link_and_returns_to_the_page(client):
    client.force_login(UserFactory(email_verified_at=None))

    response = client.post(reverse("verification_resend"), {"next": "/accounts/tokens/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/tokens/"
    assert len(mail.outbox) == 1
    assert LINK.search(mail.outbox[0].body)


def test_resend_is_throttled_per_address_and_says_so(client, settings):
    settings.VERIFICATION_EMAILS_PER_HOUR = 3
    register(client)  # the first of the three

    answers = [client.post(reverse("verification_resend"), follow=True) for _ in range(4)]

    assert len(mail.outbox) == 3
    assert "in the last hour" in answers[-1].content.decode()
    assert "We sent a new link" in answers[0].content.decode()


def test_resend_to_a_verified_person_sends_nothing(client):
    client.force_login(UserFactory())

    response = client.post(reverse("verification_resend"), follow=True)

    assert mail.outbox == []
    assert "already confirmed" in response.content.decode()


def test_resend_is_a_post(client):
    client.force_login(UserFactory(email_verified_at=None))

    assert client.get(reverse("verification_resend")).status_code == 405


def test_a_mail_server_that_fails_does_not_fail_the_sign_up(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("accounts.verification.send_mail", refuse)

    response = register(client, query="")

    assert response.status_code == 302
    assert User.objects.filter(username="dana").exists()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "could not send you a confirmation email" in page
