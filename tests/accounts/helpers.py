"""Registering through the page, and invitations as the invite page leaves them in the
session (the raw token under `invitation_token`)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import WorkspaceRole
from board.invitation_tokens import invitation_token, invitation_token_digest
from board.models import Invitation
from tests.factories import OrganizationFactory

PASSWORD = "a-long-pass-phrase"


def register(client, *, username: str = "dana", email: str = "dana@example.com", query=""):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("register") + query, data)


def invitation_in_session(client, **fields) -> Invitation:
    """A workspace invitation link, stored in the client's session as the invite page
    stores it; `fields` override (expires_at, revoked_at, ...)."""
    nonce = secrets.token_hex(16)
    token = invitation_token(nonce=nonce)
    invitation = Invitation.objects.create(
        **{
            "organization": OrganizationFactory(),
            "role": WorkspaceRole.MEMBER,
            "nonce": nonce,
            "token_hash": invitation_token_digest(token),
            "expires_at": timezone.now() + timedelta(days=7),
            **fields,
        }
    )
    session = client.session
    session["invitation_token"] = token
    session.save()
    return invitation
