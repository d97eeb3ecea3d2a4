"""What a process's hub missed on the channel layer, read back from the event log.

Delivery over the channel layer is at most once: a broadcast can fail (Redis
restarting, a dead pooled connection) after its write committed. Sockets heal a gap
when a later event shows it, but on a quiet board no later event comes, and a wall
display would show a stale card all night. So each hub asks the database, at every
heartbeat, for the board's seq; events the hub has not delivered are read from the
log and delivered like live ones (sockets drop what they already have, by seq; the
hub renders the pages' fragments where pages watch).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from board.models import Board, Event
from realtime.broadcast import event_json_message

# An event younger than this may still be on its way over the channel layer.
IN_FLIGHT_SECONDS = 1.0
# At most this many events are healed per heartbeat; the rest at the next one.
HEAL_BATCH = 200


def heartbeat_interval() -> float:
    return float(getattr(settings, "REALTIME_HEARTBEAT_SECONDS", 5))


def missed_event_messages(*, board_id: int, after: int) -> tuple[int | None, list[dict[str, Any]]]:
    """The board's last seq (None when the board is gone), and the channel-layer
    messages of the logged events after `after` that are old enough to be lost."""
    last = Board.objects.filter(pk=board_id).values_list("last_seq", flat=True).first()
    if last is None or last <= after:
        return last, []
    events = list(
        Event.objects.filter(
            board_id=board_id,
            seq__gt=after,
            created_at__lte=timezone.now() - timedelta(seconds=IN_FLIGHT_SECONDS),
        )
        .select_related("actor", "board")
        .order_by("seq")[:HEAL_BATCH]
    )
    return last, [event_json_message(event, origin=None) for event in events]
