from django.urls import path

from board.views import (
    board_life,
    board_members,
    board_settings,
    boards,
    discussion,
    display,
    first_run,
    invitations,
    planning,
    tasks,
    workspace_invitations,
    workspaces,
)

urlpatterns = [
    path("", boards.board_list, name="board_list"),
    path("boards/<int:board_id>/", boards.board_detail, name="board_detail"),
    path("boards/<int:board_id>/display/", display.board_display, name="board_display"),
    # The board's settings and life (board/views/board_settings.py, board_life.py).
    path("boards/<int:board_id>/settings/", board_settings.board_settings, name="board_settings"),
    path(
        "boards/<int:board_id>/settings/details/",
        board_settings.board_update_view,
        name="board_update",
    ),
    path(
        "boards/<int:board_id>/display-keys/",
        board_settings.display_key_create_view,
        name="display_key_create",
    ),
    path(
        "boards/<int:board_id>/display-keys/<int:key_id>/revoke/",
        board_settings.display_key_revoke_view,
        name="display_key_revoke",
    ),
    path("boards/<int:board_id>/archive/", board_life.board_archive_view, name="board_archive"),
    path("boards/<int:board_id>/restore/", board_life.board_restore_view, name="board_restore"),
    path("boards/<int:board_id>/delete/", board_life.board_delete_view, name="board_delete"),
    path("boards/<int:board_id>/leave/", board_life.board_leave_view, name="board_leave"),
    # Members and invitations (board/views/board_members.py).
    path("boards/<int:board_id>/members/", board_members.board_members_page, name="board_members"),
    path(
        "boards/<int:board_id>/members/<int:user_id>/remove/",
        board_members.board_member_remove,
        name="board_member_remove",
    ),
    path("boards/<int:board_id>/invitations/", board_members.board_invite, name="board_invite"),
    path(
        "boards/<int:board_id>/invite-links/",
        board_members.board_invite_link_create,
        name="board_invite_link_create",
    ),
    path(
        "boards/<int:board_id>/invitations/<int:invitation_id>/<str:action>/",
        board_members.board_invitation_action,
        name="board_invitation_action",
    ),
    path("boards/<int:board_id>/tasks/new/", tasks.task_create_view, name="task_create"),
    path("boards/<int:board_id>/epics/", planning.epic_list, name="epic_list"),
    path("boards/<int:board_id>/sprints/", planning.sprint_list, name="sprint_list"),
    path("sprints/<int:sprint_id>/", planning.sprint_detail, name="sprint_detail"),
    path(
        "sprints/<int:sprint_id>/tasks/<str:change>/",
        planning.sprint_task_change,
        name="sprint_task_change",
    ),
    path("invite/<str:token>/", invitations.invitation_accept_view, name="invitation_accept"),
    path("welcome/", first_run.first_run, name="first_run"),
    path("w/<slug:slug>/", workspaces.workspace_detail, name="workspace_detail"),
    path(
        "w/<slug:slug>/boards/new/",
        workspaces.workspace_board_create,
        name="workspace_board_create",
    ),
    path("w/<slug:slug>/settings/", workspaces.workspace_settings, name="workspace_settings"),
    path("w/<slug:slug>/leave/", workspaces.workspace_leave, name="workspace_leave"),
    path(
        "w/<slug:slug>/members/<int:user_id>/role/",
        workspaces.workspace_member_role,
        name="workspace_member_role",
    ),
    path(
        "w/<slug:slug>/members/<int:user_id>/remove/",
        workspaces.workspace_member_remove_view,
        name="workspace_member_remove",
    ),
    path(
        "w/<slug:slug>/invitations/",
        workspace_invitations.workspace_invite,
        name="workspace_invite",
    ),
    path(
        "w/<slug:slug>/invite-links/",
        workspace_invitations.workspace_invite_link_create,
        name="workspace_invite_link_create",
    ),
    path(
        "w/<slug:slug>/invitations/<int:invitation_id>/<str:action>/",
        workspace_invitations.workspace_invitation_action,
        name="workspace_invitation_action",
    ),
    path(
        "boards/<int:board_id>/mentions/",
        discussion.mention_suggestions_view,
        name="mention_suggestions",
    ),
    path("tasks/<int:task_id>/", discussion.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/comments/", discussion.comment_create_view, name="comment_create"),
    path("tasks/<int:task_id>/watch/", discussion.task_watch_view, name="task_watch"),
    path("comments/<int:comment_id>/", discussion.comment_show, name="comment_show"),
    path("comments/<int:comment_id>/edit/", discussion.comment_edit, name="comment_edit"),
    path(
        "comments/<int:comment_id>/delete/", discussion.comment_delete_view, name="comment_delete"
    ),
    path("tasks/<int:task_id>/edit/", tasks.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/move/", tasks.task_move_view, name="task_move"),
    path("tasks/<int:task_id>/<str:action>/", tasks.task_action, name="task_action"),
]
