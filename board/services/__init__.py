"""Every write in Taskboard goes through one of these functions."""

from board.services.boards import board_create, membership_set_role
from board.services.display_keys import (
    board_settings_update,
    display_key_create,
    display_key_revoke,
)
from board.services.planning import (
    epic_create,
    sprint_add_task,
    sprint_create,
    sprint_remove_task,
)
from board.services.planning_admin import (
    epic_delete,
    epic_update,
    sprint_delete,
    sprint_update,
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
from ops.metrics import services_timed

__all__ = [
    "board_create",
    "board_settings_update",
    "display_key_create",
    "display_key_revoke",
    "epic_create",
    "epic_delete",
    "epic_update",
    "membership_set_role",
    "sprint_add_task",
    "sprint_create",
    "sprint_delete",
    "sprint_remove_task",
    "sprint_update",
    "task_archive",
    "task_claim",
    "task_create",
    "task_move",
    "task_release",
    "task_set_status",
    "task_update",
    "user_tasks_release",
]

# Each call through this package is timed by service and outcome (ops.metrics).
globals().update(services_timed(globals(), __all__))
