"""Finding a user by what a person types: a username or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q


def names_an_email(identifier: str) -> bool:
    """Usernames never contain `@`, so a value with `@` names an email address and
    anything else a username."""
    return "@" in identifier


def login_filter(identifier: str) -> Q:
    """The user a value names, by email or username (see `names_an_email`), in any
    letter case. Both columns are unique in any case, so at most one user matches."""
    identifier = identifier.strip()
    if names_an_email(identifier):
        return Q(email__iexact=identifier)
    return Q(username__iexact=identifier)


def user_by_login(identifier: str) -> Any | None:
    """The user a typed username or email address names, or None."""
    return get_user_model()._default_manager.filter(login_filter(identifier)).first()


def user_to_add(identifier: str) -> Any | None:
    """The user an admin means to add to a board: like `user_by_login`, except that an
    email address names only an account that has verified it. Otherwise anyone could
    register with a colleague's address and be added in their place."""
    users = get_user_model()._default_manager.filter(login_filter(identifier))
    if names_an_email(identifier):
        users = users.filter(email_verified_at__isnull=False)
    return users.first()
