"""API tokens: created once in plaintext, stored hashed, revocable, and resolved to
their user with a throttled last-used stamp."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import api_token_create, api_token_revoke, api_token_user
from board.exceptions import ValidationFailed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user():
    return UserFactory()


def test_create_returns_plaintext_and_stores_only_its_hash(user):
    token, plaintext = api_token_create(user=user, name="  CI  ")
    assert plaintext.startswith("tb_")
    assert len(plaintext) > 40
    assert token.name == "CI"
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(token.prefix)
    assert plaintext not in {token.token_hash, token.prefix}


def test_create_needs_a_name(user):
    with pytest.raises(ValidationFailed) as error:
        api_token_create(user=user, name=" ")
    assert "name" in error.value.fields


def test_token_resolves_to_its_user(user):
    _, plaintext = api_token_create(user=user, name="script")
    assert api_token_user(plaintext=plaintext) == user


@pytest.mark.parametrize("plaintext", [None, "", "tb_unknown", "nope", "tb_" + "x" * 500, 42])
def test_unknown_or_malformed_token_resolves_to_nobody(user, plaintext):
    api_token_create(user=user, name="script")
    assert api_token_user(plaintext=plaintext) is None


def test_revoked_token_resolves_to_nobody(user):
    token, plaintext = api_token_create(user=user, name="script")
    assert api_token_revoke(user=user, token_id=token.pk) is True
    assert api_token_user(plaintext=plaintext) is None
    assert api_token_revoke(user=user, token_id=token.pk) is False


def test_nobody_revokes_someone_elses_token(user):
    token, plaintext = api_token_create(user=user, name="script")
    assert api_token_revoke(user=UserFactory(), token_id=token.pk) is False
    assert api_token_user(plaintext=plaintext) == user


def test_inactive_users_token_resolves_to_nobody(user):
    _, plaintext = api_token_create(user=user, name="script")
    user.is_active = False
    user.save()
    assert api_token_user(plaintext=plaintext) is None


def test_last_used_is_written_at_most_once_a_minute(user):
    token, plaintext = api_token_create(user=user, name="script")
    api_token_user(plaintext=plaintext)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    api_token_user(plaintext=plaintext)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_token_user(plaintext=plaintext)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(seconds=1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at <= timezone.now()


def test_issue_token_prints_the_token_alone_on_its_last_line(user):
    out = StringIO()
    call_command("issue_token", user.username.upper(), stdout=out, stderr=StringIO())
    plaintext = out.getvalue().strip().splitlines()[-1]
    assert api_token_user(plaintext=plaintext) == user


def test_issue_token_for_unknown_user_fails():
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody-here", stdout=StringIO(), stderr=StringIO())
