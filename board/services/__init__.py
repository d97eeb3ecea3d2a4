"""Every write in Taskboard goes through one of these functions."""

from board.services.boards import (
    board_archive,
    board_create,
    board_delete,
    board_restore,
    board_update,
    membership_remove,
    membership_set_role,
)
from board.services.display_keys import (
    board_settings_update,
    display_key_create,
    display_key_revoke,
)
from board.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_link_create,
    invitation_resend,
    invitation_revoke,
    invitation_rotate,
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
from board.services.workspaces import (
    workspace_create,
    workspace_member_remove,
    workspace_member_set_role,
    workspace_update,
)
from ops.metrics import services_timed

__all__ = [
    "board_archive",
    "board_create",
    "board_delete",
    "board_restore",
    "board_settings_update",
    "board_update",
    "display_key_create",
    "display_key_revoke",
    "epic_create",
    "epic_delete",
    "epic_update",
    "invitation_accept",
    "invitation_create",
    "invitation_link_create",
    "invitation_resend",
    "invitation_revoke",
    "invitation_rotate",
    "membership_remove",
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
    "workspace_create",
    "workspace_member_remove",
    "workspace_member_set_role",
    "workspace_update",
]

# Each call through this package is timed by service and outcome (ops.metrics).
globals().update(services_timed(globals(), __all__))
