"""When a right ends, however it ends (a service, the admin, the API, a shell), the
sockets that hold it are told after commit (realtime.control) and check it again.

Covered: a membership removed or its role changed; an API token revoked or deleted; an
account changed (deactivated, password changed or reset); a logout.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import ApiToken, User
from board.models import Membership
from realtime.control import access_changed_broadcast


def _announce(*, user_id: int, board_ids: list[int] | None = None, ended_session: str = "") -> None:
    if board_ids is None:
        board_ids = list(
            Membership.objects.filter(user_id=user_id).values_list("board_id", flat=True)
        )
    # Sent even without boards: the user's own socket (realtime.user_socket) hears it.
    transaction.on_commit(
        lambda: access_changed_broadcast(
            user_id=user_id, board_ids=board_ids, ended_session=ended_session
        )
    )


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # a new right: nothing open holds it yet
    _announce(user_id=instance.user_id, board_ids=[instance.board_id])


@receiver(post_save, sender=User)
def user_changed(sender: type, instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("created") or (update_fields and set(update_fields) <= {"last_login"}):
        return  # every login saves last_login: no right ends there
    _announce(user_id=instance.pk)


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
def api_token_changed(sender: type, instance: ApiToken, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return
    _announce(user_id=instance.user_id)


@receiver(user_logged_out)
def logged_out(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        _announce(user_id=user.pk, ended_session=session_key)
