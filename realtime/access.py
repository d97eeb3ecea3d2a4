"""Whether an open socket still has the rights it was opened with.

A socket's rights are decided at the handshake, and checked again here whenever one
of them may have ended: when `realtime.control` announces an access change for a
user (membership, role, token, account, session, password), and on the hub's sweep
every `REALTIME_ACCESS_RECHECK_SECONDS`, which also catches changes made behind the
signals' back (a queryset `update()`, a shell). One call checks a batch of sockets
with a handful of queries, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import ApiToken
from board.models import Board, DisplayKey, Membership, Role
from board.selectors import role_at_least
from realtime import close_codes

DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


@dataclass(frozen=True)
class Verdict:
    """What a socket may do now: close with `close_code`, or go on with `role`."""

    close_code: int | None = None
    role: Role | None = None
    read_only: bool = True


def recheck_interval() -> float:
    return float(getattr(settings, "REALTIME_ACCESS_RECHECK_SECONDS", 30))


def access_verdicts(*, board_id: int, principals: dict[str, Any]) -> dict[str, Verdict]:
    """A verdict for each connection id in `principals` (realtime.auth.Principal)."""
    if not Board.objects.filter(pk=board_id, archived_at__isnull=True).exists():
        return {conn: Verdict(close_code=close_codes.BOARD_CLOSED) for conn in principals}
    user_ids = {p.user.pk for p in principals.values() if p.user is not None}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids, is_active=True)}
    roles = dict(
        Membership.objects.filter(board_id=board_id, user_id__in=users).values_list(
            "user_id", "role"
        )
    )
    token_ids = {p.token_id for p in principals.values() if p.token_id is not None}
    live_tokens = set(
        ApiToken.objects.filter(pk__in=token_ids, revoked_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    key_ids = {p.key_id for p in principals.values() if p.key_id is not None}
    live_keys = set(
        DisplayKey.objects.filter(
            pk__in=key_ids, board_id=board_id, revoked_at__isnull=True
        ).values_list("pk", flat=True)
    )
    sessions = sessions_data({p.session_key for p in principals.values() if p.session_key})
    verdicts: dict[str, Verdict] = {}
    for conn, principal in principals.items():
        if principal.kind == "display":
            live = principal.key_id in live_keys
            verdicts[conn] = Verdict() if live else Verdict(close_code=close_codes.ACCESS_ENDED)
            continue
        user = users.get(principal.user.pk)
        if user is None or not _credential_live(principal, user, live_tokens, sessions):
            verdicts[conn] = Verdict(close_code=close_codes.NOT_AUTHENTICATED)
            continue
        role = roles.get(user.pk)
        if role is None:
            verdicts[conn] = Verdict(close_code=close_codes.ACCESS_ENDED)
            continue
        role = Role(role)
        verdicts[conn] = Verdict(role=role, read_only=not role_at_least(role, Role.MEMBER))
    return verdicts


def _credential_live(
    principal: Any, user: Any, live_tokens: set[int], sessions: dict[str, dict[str, Any]]
) -> bool:
    if principal.kind == "token":
        return principal.token_id in live_tokens
    data = sessions.get(principal.session_key or "")
    return data is not None and session_belongs_to(data, user)


def sessions_data(keys: set[str]) -> dict[str, dict[str, Any]]:
    """The stored sessions by key; one that is gone (logged out, flushed, expired) is
    missing. With the database engine (the default), one query for all of them."""
    if not keys:
        return {}
    if settings.SESSION_ENGINE == DATABASE_SESSIONS:
        rows = Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        return {row.session_key: row.get_decoded() for row in rows}
    engine = import_module(settings.SESSION_ENGINE)
    found = {key: engine.SessionStore(session_key=key).load() for key in keys}
    return {key: data for key, data in found.items() if data}


def session_belongs_to(data: dict[str, Any], user: Any) -> bool:
    """As django.contrib.auth.get_user decides it: the session names the user and
    carries the hash of their current password (a changed password ends it)."""
    if str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    stored = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(stored, candidate) for candidate in hashes)
