"""A board's members page: who is on it, and for its admins adding people, changing
roles, removing members, and invitations by email or by a link to share. Every
action is a plain form POST that redirects with a message; a refused one shows the
page again with the service's message where the action was, and its status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import user_to_add
from board.exceptions import DomainError
from board.forms import MembershipForm, RefusableForm
from board.models import Board, Role
from board.refusals import refusal_of
from board.selectors import board_members
from board.services import (
    invitation_create,
    invitation_link_create,
    membership_remove,
    membership_set_role,
)
from board.views._access import member_board_or_404
from board.views.workspace_invitations import invitation_action_run, site_url
from board.workspace_forms import InviteEmailsForm, InviteLinkForm
from board.workspace_selectors import invitation_link, pending_invitations

# The forms of the page, by their name in its context, as they start out.
PAGE_FORMS = {
    "form": lambda: MembershipForm(),
    "invite_form": lambda: InviteEmailsForm(for_board=True),
    "link_form": lambda: InviteLinkForm(for_board=True),
}


def members_page(
    request: HttpRequest,
    board: Board,
    role: Role,
    *,
    status: int = 200,
    row_error: dict[str, Any] | None = None,
    leave_error: str | None = None,
    **forms: RefusableForm,
) -> HttpResponse:
    """The page with the given forms as sent and fresh ones for the others. A refusal
    of a form that only admins see (someone else posted it) shows above the page."""
    is_admin = role == Role.ADMIN
    context: dict[str, Any] = {
        name: forms.get(name) or fresh() for name, fresh in PAGE_FORMS.items()
    }
    refused = [form for form in forms.values() if form.errors]
    members = list(board_members(board=board))
    invitations = pending_invitations(workspace=board.organization, board=board) if is_admin else []
    rows = {
        "member": {membership.user_id for membership in members},
        "invitation": {invitation.pk for invitation in invitations},
    }
    page_error = _first_error(refused[0]) if refused and not is_admin else None
    if row_error and row_error["id"] not in rows[row_error["kind"]]:
        # No row on the page to show it by (gone, or never was): above the page.
        page_error, row_error = row_error["message"], None
    context |= {
        "board": board,
        "role": role,
        "is_admin": is_admin,
        "members": members,
        "row_error": row_error,
        "leave_error": leave_error,
        "page_error": page_error,
        "invite_links": [
            (invitation, request.build_absolute_uri(invitation_link(invitation=invitation)))
            for invitation in invitations
            if invitation.is_link
        ],
        "email_invitations": [i for i in invitations if not i.is_link],
    }
    return render(request, "board/board_members.html", context, status=status)


def _first_error(form: RefusableForm) -> str:
    if form.refusal is not None:
        return form.refusal.message
    return next(iter(form.errors.values()))[0]


@require_http_methods(["GET", "POST"])
@login_required
def board_members_page(request: HttpRequest, board_id: int) -> HttpResponse:
    """The page, and its "add a member or change a role" form."""
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    if request.method == "GET":
        return members_page(request, board, role)
    form = MembershipForm(request.POST)
    if form.is_valid():
        user = user_to_add(form.cleaned_data["username"])
        try:
            membership_set_role(
                actor=request.user, board_id=board.pk, user=user, role=form.cleaned_data["role"]
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, f"{user.display_name} is now {form.cleaned_data['role']}.")
            return redirect("board_members", board.pk)
    return members_page(request, board, role, status=form.http_status, form=form)


@require_POST
@login_required
def board_invite(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    form = InviteEmailsForm(request.POST, for_board=True)
    if form.is_valid():
        try:
            sent = invitation_create(
                actor=request.user,
                board_id=board.pk,
                emails=form.cleaned_data["emails"],
                role=form.cleaned_data["role"],
                site_url=site_url(request),
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Invited " + ", ".join(i.email for i in sent) + ".")
            return redirect("board_members", board.pk)
    return members_page(request, board, role, status=form.http_status, invite_form=form)


@require_POST
@login_required
def board_invite_link_create(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    form = InviteLinkForm(request.POST, for_board=True)
    if form.is_valid():
        try:
            invitation_link_create(actor=request.user, board_id=board.pk, **form.cleaned_data)
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Invite link created: copy it below and share it.")
            return redirect("board_members", board.pk)
    return members_page(request, board, role, status=form.http_status, link_form=form)


@require_POST
@login_required
def board_invitation_action(
    request: HttpRequest, board_id: int, invitation_id: int, action: str
) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    try:
        notice = invitation_action_run(request, invitation_id=invitation_id, action=action)
    except DomainError as error:
        return _row_refused(request, board, role, error, kind="invitation", row_id=invitation_id)
    messages.success(request, notice)
    return redirect("board_members", board.pk)


@require_POST
@login_required
def board_member_remove(request: HttpRequest, board_id: int, user_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    try:
        membership_remove(actor=request.user, board_id=board.pk, user_id=user_id)
    except DomainError as error:
        return _row_refused(request, board, role, error, kind="member", row_id=user_id)
    if user_id == request.user.pk:
        messages.success(request, f"You left “{board.name}”.")
        return redirect("board_list")
    messages.success(request, "Removed from the board.")
    return redirect("board_members", board.pk)


def _row_refused(
    request: HttpRequest, board: Board, role: Role, error: DomainError, *, kind: str, row_id: int
) -> HttpResponse:
    """The page again, with the refusal by the row it concerns (above the page for
    someone who does not see the row's buttons)."""
    refusal = refusal_of(error)
    row_error = {"kind": kind, "id": row_id, "message": refusal.message}
    return members_page(request, board, role, status=refusal.status, row_error=row_error)
