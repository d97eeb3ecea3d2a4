"""The workspace page (/w/<slug>/): its boards, members and, for its admins, its
settings and invitations (board/views/workspace_invitations.py); and its "New board".

Each form posts to a URL of its own and comes back here. A refusal re-renders the
page with the service's message where the form was, answered with its HTTP status.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organization, WorkspaceRole
from board.exceptions import DomainError
from board.refusals import refusal_of
from board.services import (
    board_create,
    workspace_member_remove,
    workspace_member_set_role,
    workspace_update,
)
from board.views._responses import form_response
from board.workspace_forms import (
    BoardCreateForm,
    InviteEmailsForm,
    InviteLinkForm,
    WorkspaceSettingsForm,
    autofocus,
)
from board.workspace_selectors import (
    invitation_link,
    pending_invitations,
    workspace_boards,
    workspace_for_member,
    workspace_link_invitations,
    workspace_may_create_boards,
    workspace_members,
)

ADMIN_ROLES = (WorkspaceRole.OWNER, WorkspaceRole.ADMIN)


def member_workspace_or_404(*, user: Any, slug: str) -> tuple[Organization, WorkspaceRole]:
    found = workspace_for_member(user=user, slug=slug)
    if found is None:
        raise Http404("This workspace does not exist.")
    return found


def workspace_page(
    request: HttpRequest,
    workspace: Organization,
    role: WorkspaceRole,
    *,
    status: int = 200,
    **overrides: Any,
) -> HttpResponse:
    """The workspace page; `overrides` replace its forms (with their errors) or add a
    `row_error` (a refusal of a member's or an invitation's row action)."""
    is_admin = role in ADMIN_ROLES
    boards = list(workspace_boards(workspace=workspace, user=request.user))
    context: dict[str, Any] = {
        "workspace": workspace,
        "role": role,
        "is_admin": is_admin,
        "is_owner": role == WorkspaceRole.OWNER,
        "role_choices": WorkspaceRole.choices,
        "boards": [board for board in boards if board.archived_at is None],
        "archived_boards": [board for board in boards if board.archived_at is not None],
        "members": workspace_members(workspace=workspace),
        "may_create_boards": workspace_may_create_boards(user=request.user, workspace=workspace),
    }
    if is_admin:
        context |= {
            "invitations": [
                invitation
                for invitation in pending_invitations(workspace=workspace)
                if not (invitation.board_id is None and invitation.is_link)
            ],
            "links": [
                (link, request.build_absolute_uri(invitation_link(invitation=link)))
                for link in workspace_link_invitations(workspace=workspace)
            ],
            "invite_form": InviteEmailsForm(),
            "link_form": InviteLinkForm(),
            "settings_form": WorkspaceSettingsForm(
                initial={
                    "name": workspace.name,
                    "members_can_create_boards": workspace.members_can_create_boards,
                }
            ),
        }
    context |= overrides
    refusals = [form.refusal for form in overrides.values() if getattr(form, "refusal", None)]
    if refusals and not is_admin:
        # The refused form is not on a member's page: its message goes at the top.
        context["page_error"] = refusals[0].message
    return render(request, "workspace/workspace_detail.html", context, status=status)


def row_refused(
    request: HttpRequest,
    workspace: Organization,
    role: WorkspaceRole,
    error: DomainError,
    *,
    kind: str,
    row_id: int | None = None,
) -> HttpResponse:
    refusal = refusal_of(error)
    row_error = {"kind": kind, "id": row_id, "message": refusal.message}
    return workspace_page(request, workspace, role, status=refusal.status, row_error=row_error)


@require_GET
@login_required
def workspace_detail(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    return workspace_page(request, workspace, role)


@require_http_methods(["GET", "POST"])
@login_required
def workspace_board_create(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _role = member_workspace_or_404(user=request.user, slug=slug)
    form = BoardCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = board_create(actor=request.user, organization=workspace, **form.cleaned_data)
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, f"Board “{board.name}” created.")
            return redirect("board_detail", board.pk)
    context = {"workspace": workspace, "form": autofocus(form)}
    return form_response(request, "workspace/board_new.html", context, form=form)


@require_POST
@login_required
def workspace_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    form = WorkspaceSettingsForm(request.POST)
    if form.is_valid():
        try:
            workspace_update(actor=request.user, workspace_id=workspace.pk, **form.cleaned_data)
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Workspace settings saved.")
            return redirect("workspace_detail", workspace.slug)
    return workspace_page(
        request, workspace, role, status=form.http_status, settings_form=autofocus(form)
    )


@require_POST
@login_required
def workspace_member_role(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    try:
        membership = workspace_member_set_role(
            actor=request.user,
            workspace_id=workspace.pk,
            user_id=user_id,
            role=request.POST.get("role"),
        )
    except DomainError as error:
        return row_refused(request, workspace, role, error, kind="member", row_id=user_id)
    messages.success(
        request, f"{membership.user.display_name} is now {membership.get_role_display().lower()}."
    )
    return redirect("workspace_detail", workspace.slug)


@require_POST
@login_required
def workspace_member_remove_view(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    try:
        workspace_member_remove(actor=request.user, workspace_id=workspace.pk, user_id=user_id)
    except DomainError as error:
        return row_refused(request, workspace, role, error, kind="member", row_id=user_id)
    messages.success(request, "Removed from the workspace and its boards.")
    return redirect("workspace_detail", workspace.slug)


@require_POST
@login_required
def workspace_leave(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    try:
        workspace_member_remove(
            actor=request.user, workspace_id=workspace.pk, user_id=request.user.pk
        )
    except DomainError as error:
        return row_refused(request, workspace, role, error, kind="leave")
    messages.success(request, f"You left {workspace.name}.")
    return redirect("board_list")
