"""A board's life from its pages: archive, restore, delete (typed confirmation) and
leave, and the page an archived board shows instead of its contents.

Each action is a plain form POST that redirects with a message. A refusal shows
where the form was: an admin gets the settings page with the service's message
inline, anyone else a page with the message; both answer with the refusal's status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from board.exceptions import BoardArchived, DomainError
from board.forms import BoardDeleteForm
from board.models import Board, Role
from board.refusals import Refusal, refusal_of
from board.services import board_archive, board_delete, board_restore, membership_remove
from board.views._access import member_board_or_404
from board.views._responses import refused
from board.views.board_members import members_page
from board.views.board_settings import form_refusal_page, refusal_page, settings_page


def archived_board_page(
    request: HttpRequest,
    board: Board,
    role: Role,
    *,
    status: int | None = None,
    leave_error: str | None = None,
) -> HttpResponse:
    """What every page of an archived board shows: that it is archived and what that
    means, Restore for its admins, and Leave for anyone. Answered as BoardArchived is
    through every door (409), unless a refused leave gives its own status."""
    refusal = refusal_of(BoardArchived())
    context = {
        "board": board,
        "role": role,
        "is_admin": role == Role.ADMIN,
        "leave_error": leave_error,
    }
    response = render(
        request, "board/board_archived.html", context, status=status or refusal.status
    )
    return refused(request, response, refusal)


@require_POST
@login_required
def board_archive_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id, archived_ok=True)
    try:
        board_archive(actor=request.user, board_id=board.pk)
    except DomainError as error:
        refusal = refusal_of(error)
        return refusal_page(request, board, role, status=refusal.status, message=refusal.message)
    messages.success(request, f"“{board.name}” is archived. Restore it at any time.")
    return redirect("board_detail", board.pk)


@require_POST
@login_required
def board_restore_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id, archived_ok=True)
    try:
        board_restore(actor=request.user, board_id=board.pk)
    except DomainError as error:
        refusal = refusal_of(error)
        return refusal_page(request, board, role, status=refusal.status, message=refusal.message)
    messages.success(request, f"“{board.name}” is restored.")
    return redirect("board_detail", board.pk)


@require_POST
@login_required
def board_delete_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id, archived_ok=True)
    form = BoardDeleteForm(request.POST, board=board)
    # A confirmation the form refused is no confirmation; the service says what it
    # needs (and refuses a non-admin before that).
    confirm_name = form.cleaned_data["confirm_name"] if form.is_valid() else None
    try:
        board_delete(actor=request.user, board_id=board.pk, confirm_name=confirm_name)
    except DomainError as error:
        form.refuse(error)
        return form_refusal_page(request, board, role, form, "delete_form")
    messages.success(request, f"“{board.name}” is deleted, with its tasks and history.")
    return redirect("board_list")


@require_POST
@login_required
def board_leave_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id, archived_ok=True)
    try:
        membership_remove(actor=request.user, board_id=board.pk, user_id=request.user.pk)
    except DomainError as error:
        return _leave_refused(request, board, role, refusal_of(error))
    messages.success(request, f"You left “{board.name}”.")
    return redirect("board_list")


def _leave_refused(
    request: HttpRequest, board: Board, role: Role, refusal: Refusal
) -> HttpResponse:
    """The page the Leave form was on, with the service's message by the form."""
    if board.archived_at is not None:
        return archived_board_page(
            request, board, role, status=refusal.status, leave_error=refusal.message
        )
    back = request.POST.get("back")
    if back == "settings" and role == Role.ADMIN:
        return settings_page(request, board, status=refusal.status, leave_error=refusal.message)
    return members_page(request, board, role, status=refusal.status, leave_error=refusal.message)
