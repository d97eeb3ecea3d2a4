"""Every write in Taskboard goes through one of these functions."""

from board.services.boards import board_create, membership_set_role
from board.services.planning import (
    epic_create,
    sprint_add_task,
    sprint_create,
    sprint_remove_task,
)
from board.services.task_moves import task_move
from board.services.tasks import (
    task_archive,
    task_claim,
    task_create,
    task_release,
    task_set_status,
    task_update,
    user_tasks_release,
)

__all__ = [
    "board_create",
    "epic_create",
    "membership_set_role",
    "sprint_add_task",
    "sprint_create",
    "sprint_remove_task",
    "task_archive",
    "task_claim",
    "task_create",
    "task_move",
    "task_release",
    "task_set_status",
    "task_update",
    "user_tasks_release",
]
