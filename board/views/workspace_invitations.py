"""A workspace admin's invitations, from the workspace page: invite by email, create
a shareable link, and rotate, resend or revoke a pending one (the workspace's own or
one of its boards': the service checks the right to each)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from board.exceptions import DomainError
from board.services import (
    invitation_create,
    invitation_link_create,
    invitation_resend,
    invitation_revoke,
    invitation_rotate,
)
from board.views.workspaces import member_workspace_or_404, row_refused, workspace_page
from board.workspace_forms import InviteEmailsForm, InviteLinkForm, autofocus


def site_url(request: HttpRequest) -> str:
    """The address mailed links start with: the one this request came to."""
    return request.build_absolute_uri("/")


@require_POST
@login_required
def workspace_invite(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    form = InviteEmailsForm(request.POST)
    if form.is_valid():
        try:
            sent = invitation_create(
                actor=request.user,
                workspace_id=workspace.pk,
                emails=form.cleaned_data["emails"],
                role=form.cleaned_data["role"],
                site_url=site_url(request),
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Invited " + ", ".join(i.email for i in sent) + ".")
            return redirect("workspace_detail", workspace.slug)
    return workspace_page(
        request, workspace, role, status=form.http_status, invite_form=autofocus(form)
    )


@require_POST
@login_required
def workspace_invite_link_create(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    form = InviteLinkForm(request.POST)
    if form.is_valid():
        try:
            invitation_link_create(
                actor=request.user, workspace_id=workspace.pk, **form.cleaned_data
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Invite link created: copy it below.")
            return redirect("workspace_detail", workspace.slug)
    return workspace_page(
        request, workspace, role, status=form.http_status, link_form=autofocus(form)
    )


INVITATION_ACTIONS = {
    "rotate": ("A new link replaces the old one, which no longer works.", invitation_rotate),
    "revoke": ("Invitation revoked: its link no longer works.", invitation_revoke),
    "resend": ("Invitation mailed again, with a new link.", invitation_resend),
}


def invitation_action_run(request: HttpRequest, *, invitation_id: int, action: str) -> str:
    """Rotate, revoke or resend an invitation (board and workspace pages alike);
    returns the notice to show. A refusal raises the service's DomainError."""
    if action not in INVITATION_ACTIONS:
        raise Http404("No such action.")
    notice, service = INVITATION_ACTIONS[action]
    extra = {"site_url": site_url(request)} if action == "resend" else {}
    service(actor=request.user, invitation_id=invitation_id, **extra)
    return notice


@require_POST
@login_required
def workspace_invitation_action(
    request: HttpRequest, slug: str, invitation_id: int, action: str
) -> HttpResponse:
    workspace, role = member_workspace_or_404(user=request.user, slug=slug)
    try:
        notice = invitation_action_run(request, invitation_id=invitation_id, action=action)
    except DomainError as error:
        return row_refused(request, workspace, role, error, kind="invitation", row_id=invitation_id)
    messages.success(request, notice)
    return redirect("workspace_detail", workspace.slug)
