"""Email verification: a signed link, mailed at sign-up and on request.

The token is the user's id and email address, signed with SECRET_KEY and a timestamp
(TimestampSigner), so nothing is stored: it is valid for VERIFICATION_MAX_AGE, and only
while the account still has that address. Until someone verifies, they can log in, but
nobody can add them to a board by their address (accounts.selectors.user_to_add).
"""

from __future__ import annotations

import enum
import hashlib
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rate_limits.counters import rate_limit_take

logger = logging.getLogger(__name__)

VERIFICATION_SALT = "taskboard.email-verification"
VERIFICATION_MAX_AGE = timedelta(days=3)
# Far longer than any token we sign; anything longer is refused before it is read.
VERIFICATION_TOKEN_MAX_LENGTH = 300
EMAILS_WINDOW_SECONDS = 60 * 60


class Verification(enum.Enum):
    VERIFIED = "verified"
    ALREADY_VERIFIED = "already-verified"
    EXPIRED = "expired"
    INVALID = "invalid"


class Sending(enum.Enum):
    SENT = "sent"
    THROTTLED = "throttled"
    FAILED = "failed"


def verification_token(*, user: Any) -> str:
    payload = {"user": user.pk, "email": user.email.lower()}
    return signing.TimestampSigner(salt=VERIFICATION_SALT).sign_object(payload)


def email_verify(*, token: Any) -> Verification:
    """Mark the address the token was signed for verified, if it still can be."""
    if not isinstance(token, str) or len(token) > VERIFICATION_TOKEN_MAX_LENGTH:
        return Verification.INVALID
    signer = signing.TimestampSigner(salt=VERIFICATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        return Verification.EXPIRED
    except signing.BadSignature:
        return Verification.INVALID
    if not isinstance(payload, dict) or not isinstance(payload.get("email"), str):
        return Verification.INVALID
    users = get_user_model()._default_manager.filter(
        pk=payload.get("user"), email__iexact=payload["email"]
    )
    # One conditional UPDATE: of two clicks at once, exactly one verifies.
    if users.filter(email_verified_at__isnull=True).update(email_verified_at=timezone.now()):
        return Verification.VERIFIED
    return Verification.ALREADY_VERIFIED if users.exists() else Verification.INVALID


def verification_email_send(*, request: HttpRequest, user: Any) -> Sending:
    """Mail the user a verification link, within VERIFICATION_EMAILS_PER_HOUR to their
    address (counted like password resets, accounts/throttle.py). A mail server that
    fails is logged and reported, never a 500: the person can ask again."""
    limit = settings.VERIFICATION_EMAILS_PER_HOUR
    address = hashlib.sha256(user.email.strip().lower().encode()).hexdigest()
    if limit > 0 and not rate_limit_take(
        ident=f"email:{address}",
        limit=limit,
        scope="verification-email",
        window=EMAILS_WINDOW_SECONDS,
    ):
        return Sending.THROTTLED
    link = request.build_absolute_uri(reverse("verify_email", args=[verification_token(user=user)]))
    context = {"user": user, "link": link, "days": VERIFICATION_MAX_AGE.days}
    try:
        send_mail(
            "Confirm your email address for Taskboard",
            render_to_string("registration/verification_email.txt", context),
            None,
            [user.email],
        )
    except OSError:  # smtplib's errors included
        logger.exception("Could not send the verification email to user %s", user.pk)
        return Sending.FAILED
    return Sending.SENT
