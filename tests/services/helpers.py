"""Plain helpers shared by the service tests."""

from __future__ import annotations

from typing import Any

from board.models import COLUMN_STATUSES, Board, Event, Status, Task
from board.selectors import BoardSnapshot


def fresh(task: Task) -> Task:
    return Task.objects.select_related("owner", "creator", "epic").get(pk=task.pk)


def board_seqs(board: Board) -> list[int]:
    return list(Event.objects.filter(board=board).order_by("seq").values_list("seq", flat=True))


def task_kinds(task: Task) -> list[str]:
    return list(Event.objects.filter(task=task).order_by("seq").values_list("kind", flat=True))


def last_event(board: Board) -> Event:
    return Event.objects.filter(board=board).order_by("-seq").first()


def event_count(board: Board) -> int:
    return Event.objects.filter(board=board).count()


def wip_limit_set(board: Board, status: str, limit: int | None) -> None:
    """Set a column limit without `board.save()`, which would also write back a stale
    `last_seq` and break the event sequence."""
    field = {
        Status.UNASSIGNED: "wip_limit_unassigned",
        Status.IN_PROGRESS: "wip_limit_in_progress",
        Status.DONE: "wip_limit_done",
    }[status]
    Board.objects.filter(pk=board.pk).update(**{field: limit})


def cards_by_id(snapshot: BoardSnapshot) -> dict[int, dict[str, Any]]:
    return {card["id"]: card for column in snapshot.columns for card in column.tasks}


def cards_on_board(cards: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The cards a board shows: archived ones leave the columns."""
    return {pk: card for pk, card in cards.items() if card["status"] in COLUMN_STATUSES}


def cards_apply_events(cards: dict[int, dict[str, Any]], events: list[Event]) -> None:
    """Apply task events the way a client does: a card older than the one held is ignored."""
    for event in events:
        if not event.kind.startswith("task."):
            continue
        card = event.payload
        held = cards.get(card["id"])
        if held is None or card["version"] > held["version"]:
            cards[card["id"]] = card


def column_order(cards: dict[int, dict[str, Any]], status: str) -> list[int]:
    """Card ids of one column, top first, as the board shows them."""
    in_column = [card for card in cards.values() if card["status"] == status]
    return [card["id"] for card in sorted(in_column, key=lambda c: (c["position"], c["id"]))]
