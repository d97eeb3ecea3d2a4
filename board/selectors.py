"""Reads. Every function here returns data and never writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from board.hashing import secret_digest
from board.models import (
    COLUMN_STATUSES,
    ROLE_RANK,
    Board,
    DisplayKey,
    Epic,
    Event,
    Membership,
    Role,
    Sprint,
    Status,
    Task,
)
from board.public import (
    TASK_STATE_FIELDS,
    epic_ref,
    task_row_public_state,
    user_public_state,
)


@dataclass
class Column:
    status: str
    label: str
    count: int
    wip_limit: int | None
    tasks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        """Cards of this column left out of `tasks` (see `board_snapshot`)."""
        return self.count - len(self.tasks)

    @property
    def over_limit(self) -> bool:
        return self.wip_limit is not None and self.count > self.wip_limit

    @property
    def at_limit(self) -> bool:
        return self.wip_limit is not None and self.count >= self.wip_limit

    def public_state(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "label": self.label,
            "count": self.count,
            "wip_limit": self.wip_limit,
        }


@dataclass
class BoardSnapshot:
    board: Board
    seq: int
    columns: list[Column]


ID_MAX = 2**63 - 1  # the largest id a database row can have


def id_or_none(value: Any) -> int | None:
    """A row id parsed from untrusted input, or None when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= ID_MAX else None


def boards_for_user(*, user: Any) -> QuerySet[Board]:
    return (
        Board.objects.filter(memberships__user=user)
        .select_related("organization")
        .annotate(open_tasks=Count("tasks", filter=~Q(tasks__status=Status.ARCHIVED)))
        .order_by("organization__name", "name")
    )


def board_for_member(*, user: Any, board_id: Any) -> tuple[Board, Role] | None:
    """The board and the user's role on it, or None if it is unknown or they are not a member."""
    if user is None or not user.is_authenticated:
        return None
    board_id = id_or_none(board_id)
    if board_id is None:
        return None
    membership = (
        Membership.objects.select_related("board", "board__organization")
        .filter(user=user, board_id=board_id)
        .first()
    )
    if membership is None:
        return None
    return membership.board, Role(membership.role)


def role_at_least(role: Role, minimum: Role) -> bool:
    return ROLE_RANK[role] >= ROLE_RANK[minimum]


def _column(board: Board, status: str, count: int) -> Column:
    return Column(status, Status(status).label, count, board.wip_limit(status))


def board_column_counts(*, board: Board) -> list[Column]:
    rows = dict(
        Task.objects.filter(board=board, status__in=COLUMN_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [_column(board, status, rows.get(status, 0)) for status in COLUMN_STATUSES]


def board_snapshot(*, board: Board, cards_per_column: int | None = None) -> BoardSnapshot:
    """The board's columns with their cards, and the seq they are at least as new as.

    `cards_per_column` keeps only the top cards of each column (pages render at most
    that many; a board of thousands of tasks would otherwise take seconds to render).
    Only those rows are read: the database ranks each column's cards.

    The seq is read before the tasks: a task changed in between is then newer than
    the seq, and replaying its event is harmless because cards carry their version.
    """
    seq = Board.objects.filter(pk=board.pk).values_list("last_seq", flat=True).get()
    tasks = Task.objects.filter(board=board, status__in=COLUMN_STATUSES).order_by("position", "id")
    if cards_per_column is not None:
        columns = board_column_counts(board=board)
        tasks = tasks.annotate(
            rank=Window(RowNumber(), partition_by="status", order_by=("position", "id"))
        ).filter(rank__lte=cards_per_column)
    rows = list(tasks.values(*TASK_STATE_FIELDS))
    people_ids = {row["owner_id"] for row in rows} | {row["creator_id"] for row in rows}
    people = {
        user.pk: user_public_state(user)
        for user in get_user_model().objects.filter(pk__in=people_ids - {None})
    }
    epics = {epic.pk: epic_ref(epic) for epic in Epic.objects.filter(board=board)}
    by_status: dict[str, list[dict[str, Any]]] = {status: [] for status in COLUMN_STATUSES}
    for row in rows:
        by_status[row["status"]].append(task_row_public_state(row, people=people, epics=epics))
    if cards_per_column is None:
        columns = [_column(board, s, len(by_status[s])) for s in COLUMN_STATUSES]
    for column in columns:
        column.tasks = by_status[column.status]
    return BoardSnapshot(board=board, seq=seq, columns=columns)


def task_for_member(*, user: Any, task_id: Any) -> tuple[Task, Role] | None:
    task_id = id_or_none(task_id)
    if task_id is None:
        return None
    task = (
        Task.objects.select_related("board", "owner", "creator", "epic").filter(pk=task_id).first()
    )
    if task is None:
        return None
    found = board_for_member(user=user, board_id=task.board_id)
    if found is None:
        return None
    return task, found[1]


def task_history(*, task: Task) -> QuerySet[Event]:
    return Event.objects.filter(task=task).select_related("actor").order_by("seq")


def events_after(*, board: Board, after: int, limit: int) -> list[Event] | None:
    """Events with seq > after, in order; None when they can no longer all be replayed."""
    events = list(
        Event.objects.filter(board=board, seq__gt=after)
        .select_related("actor")
        .order_by("seq")[: limit + 1]
    )
    if len(events) > limit:
        return None
    if events and events[0].seq != after + 1:
        return None
    return events


def board_epics(*, board: Board) -> QuerySet[Epic]:
    return Epic.objects.filter(board=board).annotate(
        task_count=Count("tasks", filter=~Q(tasks__status=Status.ARCHIVED))
    )


def board_sprints(*, board: Board) -> QuerySet[Sprint]:
    return Sprint.objects.filter(board=board).annotate(
        task_count=Count("tasks", filter=~Q(tasks__status=Status.ARCHIVED)),
        done_count=Count("tasks", filter=Q(tasks__status=Status.DONE)),
    )


def sprint_progress_percent(*, task_count: int, done_count: int) -> int:
    return round(100 * done_count / task_count) if task_count else 0


def board_members(*, board: Board) -> QuerySet[Membership]:
    return Membership.objects.filter(board=board).select_related("user").order_by("user__username")


def board_member_count(*, board: Board) -> int:
    return Membership.objects.filter(board=board).count()


def display_key_lookup(*, plaintext: Any) -> DisplayKey | None:
    """The live (unrevoked) display key with this plaintext, with its board."""
    if not isinstance(plaintext, str) or not plaintext or len(plaintext) > 200:
        return None
    return (
        DisplayKey.objects.select_related("board")
        .filter(key_hash=secret_digest(plaintext), revoked_at__isnull=True)
        .first()
    )


def display_key_board(*, board_id: Any, plaintext: Any) -> tuple[Board, DisplayKey] | None:
    """The board a live display key opens, if it is this board's key."""
    key = display_key_lookup(plaintext=plaintext)
    if key is None or str(key.board_id) != str(board_id):
        return None
    return key.board, key


def board_display_keys(*, board: Board) -> QuerySet[DisplayKey]:
    return DisplayKey.objects.filter(board=board, revoked_at__isnull=True)


def board_last_change(*, board: Board) -> Any:
    """When the board's newest event happened, or None."""
    return (
        Event.objects.filter(board=board).order_by("-seq").values_list("created_at", flat=True)
    ).first()
