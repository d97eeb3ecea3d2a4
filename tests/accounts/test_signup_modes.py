"""SIGNUP_MODE: open, invite-only and domains, with and without an invitation in the
session (accounts/signup.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.signup import INVITE_ONLY_MESSAGE, email_domain_allowed
from tests.accounts.helpers import invitation_in_session, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


@pytest.fixture
def invite_only(settings):
    settings.SIGNUP_MODE = "invite-only"


@pytest.fixture
def domains(settings):
    settings.SIGNUP_MODE = "domains"
    settings.SIGNUP_DOMAINS = ["Example.com", "*.corp.example"]


def test_open_mode_admits_any_address(client, settings):
    settings.SIGNUP_MODE = "open"

    assert register(client, email="dana@anywhere.example").status_code == 302
    assert User.objects.filter(username="dana").exists()


@pytest.mark.usefixtures("invite_only")
def test_invite_only_without_an_invitation_shows_why_instead_of_the_form(client):
    page = client.get(reverse("register")).content.decode()

    assert INVITE_ONLY_MESSAGE in page
    assert 'name="password1"' not in page


@pytest.mark.usefixtures("invite_only")
def test_invite_only_refuses_a_post_without_an_invitation(client):
    response = register(client)

    assert response.status_code == 403
    assert INVITE_ONLY_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="dana").exists()


@pytest.mark.usefixtures("invite_only")
def test_invite_only_admits_whoever_holds_a_usable_invitation(client):
    invitation_in_session(client)

    assert register(client).status_code == 302
    assert User.objects.filter(username="dana").exists()
    assert client.session.get("invitation_token"), "the invite page still needs its token"


@pytest.mark.usefixtures("invite_only")
@pytest.mark.parametrize(
    "spent",
    [
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"revoked_at": timezone.now()},
        {"max_uses": 1, "uses": 1},
    ],
    ids=["expired", "revoked", "used-up"],
)
def test_invite_only_refuses_an_invitation_that_can_no_longer_be_used(client, spent):
    invitation_in_session(client, **spent)

    assert register(client).status_code == 403
    assert not User.objects.filter(username="dana").exists()


@pytest.mark.usefixtures("invite_only")
def test_invite_only_login_page_does_not_offer_to_register(client):
    page = client.get(reverse("login")).content.decode()

    assert reverse("register") not in page
    assert "Sign-up is by invitation" in page


@pytest.mark.usefixtures("invite_only")
def test_invite_only_login_page_offers_to_register_to_an_invited_person(client):
    invitation_in_session(client)

    assert reverse("register") in client.get(reverse("login")).content.decode()


@pytest.mark.usefixtures("domains")
def test_domains_mode_admits_a_listed_domain_in_any_case(client):
    assert register(client, email="Dana@EXAMPLE.COM").status_code == 302


@pytest.mark.usefixtures("domains")
def test_domains_mode_names_the_allowed_domains_to_anyone_else(client):
    response = register(client, email="dana@elsewhere.example")

    assert response.status_code == 422
    assert "Example.com, *.corp.example" in response.context["form"].errors["email"][0]
    assert not User.objects.filter(username="dana").exists()


@pytest.mark.usefixtures("domains")
def test_domains_mode_admits_another_address_with_an_invitation(client):
    invitation_in_session(client)

    assert register(client, email="dana@elsewhere.example").status_code == 302


@pytest.mark.usefixtures("domains")
def test_domains_mode_says_which_addresses_may_register(client):
    page = client.get(reverse("register")).content.decode()

    assert "Addresses at Example.com, *.corp.example can register." in page


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("ann@example.com", True),
        ("ANN@Example.COM", True),
        ("ann@eu.example.com", False),  # exact entries match no subdomain
        ("ann@notexample.com", False),
        ("ann@example.com.evil.test", False),
        ("ann@eu.corp.example", True),  # *.corp.example: any subdomain ...
        ("ann@a.b.corp.example", True),
        ("ann@corp.example", False),  # ... but not the domain itself
        ("ann@evilcorp.example", False),
        ("ann@b\u00fccher.example", True),  # either spelling of an international domain
        ("not-an-address", False),
    ],
)
def test_domain_rules(email, allowed):
    domains = ["example.com", "*.corp.example", "xn--bcher-kva.example"]

    assert email_domain_allowed(email, domains) is allowed


def test_an_unknown_mode_closes_sign_up(client, settings):
    settings.SIGNUP_MODE = "bogus"

    assert register(client).status_code == 403
    assert not User.objects.filter(username="dana").exists()
