"""Board settings and wall-display keys (admins only)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from board.exceptions import NotFound, ValidationFailed
from board.hashing import secret_digest
from board.limits import DISPLAY_KEY_NAME_MAX_LENGTH, WIP_LIMIT_MAX, too_long_message
from board.models import Board, DisplayKey, EventKind, Role
from board.services.access import board_lock, role_require
from board.services.events import event_record

DISPLAY_KEY_PREFIX = "dk_"
# A wall display's browser keeps its key in two cookies (board.views.display), one
# scoped to the display page and one to its socket, so the key leaves the URLs that
# access logs and browser history record.
DISPLAY_PAGE_COOKIE = "taskboard_display_key"
DISPLAY_SOCKET_COOKIE = "taskboard_display_socket_key"


def display_key_create(*, actor: Any, board_id: int, name: Any) -> tuple[DisplayKey, str]:
    """Create a key and return it with its plaintext, which is never stored."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed(fields={"name": "Name the display, e.g. “Team room TV”."})
    name = name.strip()
    if len(name) > DISPLAY_KEY_NAME_MAX_LENGTH:
        raise ValidationFailed(fields={"name": too_long_message(DISPLAY_KEY_NAME_MAX_LENGTH)})
    plaintext = DISPLAY_KEY_PREFIX + secrets.token_urlsafe(24)
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN)
        key = DisplayKey.objects.create(
            board=board,
            name=name,
            prefix=plaintext[:8],
            key_hash=secret_digest(plaintext),
            created_by=actor,
        )
    return key, plaintext


def display_key_revoke(*, actor: Any, key_id: Any) -> DisplayKey:
    """Revoke the key; its open displays are told and disconnected after commit."""
    from realtime.control import display_key_revoked_broadcast

    key = DisplayKey.objects.filter(pk=key_id).first() if str(key_id).isdigit() else None
    if key is None:
        raise NotFound("That display key does not exist.")
    with transaction.atomic():
        board = board_lock(board_id=key.board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN)
        key = DisplayKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            transaction.on_commit(
                lambda: display_key_revoked_broadcast(board_id=board.pk, key_id=key.pk)
            )
    return key


WIP_FIELDS = ("wip_limit_unassigned", "wip_limit_in_progress", "wip_limit_done")


def board_settings_update(
    *, actor: Any, board_id: int, wip_limits: dict[str, int | None], wip_limits_hard: bool
) -> Board:
    """Change the WIP limits; open boards get the new column headers through an event."""
    for field, value in wip_limits.items():
        if field not in WIP_FIELDS:
            raise ValidationFailed(fields={field: "Unknown setting."})
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= WIP_LIMIT_MAX
        ):
            raise ValidationFailed(
                fields={field: f"Use a whole number from 0 to {WIP_LIMIT_MAX:,}, or leave empty."}
            )
    with transaction.atomic():
        board: Board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN)
        for field, value in wip_limits.items():
            setattr(board, field, value)
        board.wip_limits_hard = bool(wip_limits_hard)
        board.save(update_fields=[*wip_limits, "wip_limits_hard"])
        payload = {name: getattr(board, name) for name in WIP_FIELDS}
        payload["wip_limits_hard"] = board.wip_limits_hard
        event_record(board=board, kind=EventKind.BOARD_UPDATED, actor=actor, payload=payload)
        return board
