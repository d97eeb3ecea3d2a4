"""What every page needs to know about sign-up: whether to offer a "Register" link."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.signup import INVITE_ONLY, session_invited, signup_closed_message


def signup(request: HttpRequest) -> dict[str, Any]:
    """`signup_offered`: False when registering would be refused (invite-only without
    an invitation). A callable, so that only pages that show the link pay the query,
    and at most once."""

    @cache
    def offered() -> bool:
        invited = settings.SIGNUP_MODE == INVITE_ONLY and session_invited(request)
        return signup_closed_message(invited=invited) is None

    return {"signup_offered": offered}
