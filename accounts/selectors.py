"""Finding a user by what a person types: a username or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q


def login_filter(identifier: str) -> Q:
    """Usernames never contain `@`, so a value with `@` names an email and anything
    else a username; either way in any letter case. Both columns are unique in any
    case, so at most one user matches."""
    identifier = identifier.strip()
    if "@" in identifier:
        return Q(email__iexact=identifier)
    return Q(username__iexact=identifier)


def user_by_login(identifier: str) -> Any | None:
    """The user a typed username or email address names, or None."""
    return get_user_model()._default_manager.filter(login_filter(identifier)).first()
