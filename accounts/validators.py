"""Username rules beyond Django's own character check."""

from __future__ import annotations

from django.core.exceptions import ValidationError

NO_AT_MESSAGE = "A username cannot contain “@”; your email address is asked for separately."


def validate_username_has_no_at(value: str) -> None:
    """A username with `@` could be someone else's email address: a squatter
    registering `newhire@corp.example` would then be found in place of the new
    hire by every "username or email" lookup."""
    if "@" in value:
        raise ValidationError(NO_AT_MESSAGE, code="username_has_at")
