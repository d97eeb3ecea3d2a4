"""The token of an invitation: derived from its nonce, never stored (board.models.Invitation)."""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from board.hashing import secret_digest

KEY_SALT = "taskboard.invitation"


def invitation_token(*, nonce: str) -> str:
    return salted_hmac(KEY_SALT, nonce, algorithm="sha256").hexdigest()[:40]


def invitation_token_digest(token: str) -> str:
    return secret_digest("invitation:" + token)
