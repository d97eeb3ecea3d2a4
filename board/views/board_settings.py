"""A board's settings page (admins): its name and description, WIP limits, wall
display keys, archive or delete, and leave. Each section is its own form; a refused
one shows again with its message and the others as they are."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from board.exceptions import DomainError
from board.forms import (
    BoardDeleteForm,
    BoardDetailsForm,
    BoardSettingsForm,
    DisplayKeyForm,
    RefusableForm,
)
from board.models import Board, Role
from board.selectors import board_display_keys
from board.services import (
    board_settings_update,
    board_update,
    display_key_create,
    display_key_revoke,
)
from board.services.display_keys import WIP_FIELDS
from board.views._access import member_board_or_404


def admin_board(request: HttpRequest, board_id: int, *, archived_ok: bool = False) -> Board:
    board, role = member_board_or_404(user=request.user, board_id=board_id, archived_ok=archived_ok)
    if role != Role.ADMIN:
        raise Http404("Only board admins can change settings.")
    return board


def settings_page(
    request: HttpRequest,
    board: Board,
    *,
    status: int = 200,
    form: BoardSettingsForm | None = None,
    details_form: BoardDetailsForm | None = None,
    key_form: DisplayKeyForm | None = None,
    delete_form: BoardDeleteForm | None = None,
    new_key: str | None = None,
    action_error: str | None = None,
    leave_error: str | None = None,
) -> HttpResponse:
    """The page with the given forms as sent and fresh ones for the other sections.
    An archived board's page has only what still applies: restore, delete, leave."""
    initial: dict[str, Any] = {name: getattr(board, name) for name in WIP_FIELDS}
    initial["wip_limits_hard"] = board.wip_limits_hard
    context = {
        "board": board,
        "is_admin": True,
        "form": form or BoardSettingsForm(initial=initial),
        "details_form": details_form
        or BoardDetailsForm(initial={"name": board.name, "description": board.description}),
        "key_form": key_form or DisplayKeyForm(),
        "delete_form": delete_form or BoardDeleteForm(board=board),
        "display_keys": board_display_keys(board=board),
        "new_key": new_key,
        "action_error": action_error,
        "leave_error": leave_error,
    }
    return render(request, "board/board_settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def board_settings(request: HttpRequest, board_id: int) -> HttpResponse:
    """The page, and its WIP limits form."""
    board = admin_board(request, board_id, archived_ok=request.method == "GET")
    if request.method == "GET":
        return settings_page(request, board)
    form = BoardSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            board_settings_update(
                actor=request.user,
                board_id=board.pk,
                wip_limits={name: data[name] for name in WIP_FIELDS},
                wip_limits_hard=data["wip_limits_hard"],
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Limits saved.")
            return redirect("board_settings", board.pk)
    return settings_page(request, board, status=form.http_status, form=form)


def refusal_page(
    request: HttpRequest, board: Board, role: Role, *, status: int, message: str, **forms: Any
) -> HttpResponse:
    """A refused action of this page: for an admin, the page again with the forms as
    sent (a form's refusal shows in it, any other above the sections); for anyone
    else, who has no settings page, a page with the message."""
    if role == Role.ADMIN:
        return settings_page(request, board, status=status, action_error=message, **forms)
    context = {"board": board, "message": message, "is_admin": False}
    return render(request, "board/board_refused.html", context, status=status)


def form_refusal_page(
    request: HttpRequest, board: Board, role: Role, form: RefusableForm, name: str
) -> HttpResponse:
    """`refusal_page` for a form that was refused, by itself or by the service; its
    message shows in the form, so not again above the sections."""
    if role == Role.ADMIN:
        return settings_page(request, board, status=form.http_status, **{name: form})
    message = form.refusal.message if form.refusal else next(iter(form.errors.values()))[0]
    return refusal_page(request, board, role, status=form.http_status, message=message)


@require_POST
@login_required
def board_update_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    form = BoardDetailsForm(request.POST)
    if form.is_valid():
        try:
            board_update(actor=request.user, board_id=board.pk, **form.cleaned_data)
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Name and description saved.")
            return redirect("board_settings", board.pk)
    return form_refusal_page(request, board, role, form, "details_form")


@require_POST
@login_required
def display_key_create_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board = admin_board(request, board_id)
    key_form = DisplayKeyForm(request.POST)
    if key_form.is_valid():
        try:
            _, new_key = display_key_create(
                actor=request.user, board_id=board.pk, name=key_form.cleaned_data["name"]
            )
        except DomainError as error:
            key_form.refuse(error)
        else:
            return settings_page(request, board, new_key=new_key)
    return settings_page(request, board, status=key_form.http_status, key_form=key_form)


@require_POST
@login_required
def display_key_revoke_view(request: HttpRequest, board_id: int, key_id: int) -> HttpResponse:
    board = admin_board(request, board_id)
    try:
        key = display_key_revoke(actor=request.user, key_id=key_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Display key “{key.name}” revoked; its displays disconnect.")
    return redirect("board_settings", board.pk)
