"""Password-reset emails are throttled per address and per client, behind the same
neutral answer."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def ask_reset(client, email: str, *, address: str = "192.0.2.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_twenty_requests_for_one_address_send_three_emails(client):
    UserFactory(email="erin@example.com")

    answers = [ask_reset(client, "erin@example.com", address=f"198.51.100.{n}") for n in range(20)]

    assert len(mail.outbox) == 3
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}


def test_the_address_is_counted_in_any_letter_case(client):
    UserFactory(email="erin@example.com")
    for n, typed in enumerate(["erin@example.com", "ERIN@example.com", " Erin@Example.com"]):
        ask_reset(client, typed, address=f"198.51.100.{n}")

    ask_reset(client, "erin@EXAMPLE.com", address="203.0.113.9")

    assert len(mail.outbox) == 3


def test_one_client_is_limited_across_addresses(client):
    for n in range(12):
        UserFactory(email=f"person{n}@example.com")

    for n in range(12):
        ask_reset(client, f"person{n}@example.com")

    assert len(mail.outbox) == 10


def test_a_throttled_answer_is_the_same_as_for_an_unknown_address(client):
    UserFactory(email="erin@example.com")
    for n in range(3):
        ask_reset(client, "erin@example.com", address=f"198.51.100.{n}")

    throttled = ask_reset(client, "erin@example.com", address="203.0.113.9")
    unknown = ask_reset(client, "nobody@example.com", address="203.0.113.10")

    assert (throttled.status_code, throttled["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    assert len(mail.outbox) == 3


def test_the_limits_are_settings(client, settings):
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 1
    UserFactory(email="erin@example.com")

    ask_reset(client, "erin@example.com", address="198.51.100.1")
    ask_reset(client, "erin@example.com", address="198.51.100.2")

    assert len(mail.outbox) == 1
