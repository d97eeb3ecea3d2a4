"""API tokens for scripts and WebSocket clients.

A token is shown once, when it is created. Only its SHA-256 is stored, with a
short prefix so that people can tell their tokens apart on the account page.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken
from board.exceptions import ValidationFailed
from board.limits import API_TOKEN_NAME_MAX_LENGTH, too_long_message

TOKEN_PREFIX = "tb_"
PREFIX_LENGTH = 12
# A token that is far longer than any we issue is rejected before hashing.
TOKEN_MAX_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(*, user: Any, name: Any) -> tuple[ApiToken, str]:
    """Create a token for the user; return it and its plaintext (never stored)."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed(fields={"name": "Give the token a name."})
    name = name.strip()
    if len(name) > API_TOKEN_NAME_MAX_LENGTH:
        raise ValidationFailed(fields={"name": too_long_message(API_TOKEN_NAME_MAX_LENGTH)})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=plaintext[:PREFIX_LENGTH],
        token_hash=_token_hash(plaintext),
    )
    return token, plaintext


def api_token_revoke(*, user: Any, token_id: Any) -> bool:
    """Revoke one of the user's own tokens. Returns False if there was none to revoke."""
    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        return False
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        return False
    # save(), not update(): its signal closes the token's open sockets (realtime.signals).
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return True


def api_token_user(*, plaintext: Any) -> Any | None:
    """The active user a live token belongs to, or None."""
    token = api_token_lookup(plaintext=plaintext)
    return token.user if token is not None else None


def api_token_lookup(*, plaintext: Any) -> ApiToken | None:
    """The live token of an active user, with its user, or None.

    `last_used_at` is written at most once a minute per token, so a busy script
    does not turn every request into a write.
    """
    if (
        not isinstance(plaintext, str)
        or not plaintext.startswith(TOKEN_PREFIX)
        or len(plaintext) > TOKEN_MAX_LENGTH
    ):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_token_hash(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token
