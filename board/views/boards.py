from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from board.forms import QuickTaskForm
from board.models import Role
from board.selectors import board_member_count, board_snapshot, role_at_least
from board.views._access import member_board_or_404
from board.views.first_run import SEEN_SESSION_KEY as FIRST_RUN_SEEN_SESSION_KEY
from board.views.invitations import SESSION_KEY as INVITATION_SESSION_KEY
from board.workspace_selectors import board_list_groups, first_run_due, invitation_usable


def page_card_limit(request: HttpRequest) -> int | None:
    """How many cards per column a board page renders: all with `?all=1`."""
    return None if request.GET.get("all") == "1" else settings.BOARD_PAGE_CARDS_PER_COLUMN


@require_GET
@login_required
def board_list(request: HttpRequest) -> HttpResponse:
    """The user's boards by workspace. Someone on no board and in no workspace goes to
    the invitation they opened before signing up, if any, else (once) to the first run."""
    if first_run_due(user=request.user):
        token = request.session.get(INVITATION_SESSION_KEY)
        if token and invitation_usable(token=token):
            return redirect("invitation_accept", token)
        if not request.session.get(FIRST_RUN_SEEN_SESSION_KEY):
            return redirect("first_run")
    groups = board_list_groups(user=request.user)
    return render(request, "board/board_list.html", {"groups": groups})


@require_GET
@login_required
def board_detail(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    return render(
        request,
        "board/board_detail.html",
        {
            "board": board,
            "role": role,
            "can_edit": role_at_least(role, Role.MEMBER),
            "is_admin": role == Role.ADMIN,
            "snapshot": board_snapshot(board=board, cards_per_column=page_card_limit(request)),
            "member_count": board_member_count(board=board),
            "quick_form": QuickTaskForm(),
            # Names this page's tab to its socket and to its writes (realtime.origin).
            "tab_id": secrets.token_urlsafe(9),
        },
    )
