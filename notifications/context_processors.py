"""The header's bell: the unread count, for pages of a logged-in person."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    """`notification_unread`: a callable, so that only pages that show the bell (a
    logged-in person's) pay the count, and at most once."""

    @cache
    def unread() -> int:
        user = getattr(request, "user", None)
        return unread_count(user=user) if user is not None and user.is_authenticated else 0

    return {"notification_unread": unread}
