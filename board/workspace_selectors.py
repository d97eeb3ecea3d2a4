"""Reads about workspaces, their members and invitations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization, WorkspaceMembership, WorkspaceRole
from board.invitation_tokens import invitation_token, invitation_token_digest
from board.models import Board, Invitation, Status

INVITATION_TOKEN_MAX_LENGTH = 64


def invitation_by_token(*, token: Any) -> Invitation | None:
    """The invitation a token opens, whatever its state (see `invitation_problem`)."""
    if not isinstance(token, str) or not token or len(token) > INVITATION_TOKEN_MAX_LENGTH:
        return None
    return (
        Invitation.objects.select_related("organization", "board", "created_by")
        .filter(token_hash=invitation_token_digest(token))
        .first()
    )


def invitation_problem(*, invitation: Invitation | None) -> str | None:
    """Why an invitation can no longer be accepted, in the words shown to the person
    holding it; None while it can."""
    if invitation is None:
        return "This invitation link is not valid. Check that you copied all of it."
    if invitation.revoked_at is not None:
        return "This invitation was revoked. Ask whoever invited you for a new one."
    if invitation.board_id is not None and invitation.board.archived_at is not None:
        return "The board of this invitation is archived."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask whoever invited you for a new one."
    if invitation.max_uses is not None and invitation.uses >= invitation.max_uses:
        if invitation.email:
            return "This invitation has already been used."
        return "This invitation link has reached its limit of uses."
    return None


def invitation_usable(*, token: Any) -> Invitation | None:
    """The invitation, if it can still be accepted (it lets someone register even when
    sign-up is invite-only)."""
    invitation = invitation_by_token(token=token)
    return invitation if invitation_problem(invitation=invitation) is None else None


def invitation_link(*, invitation: Invitation) -> str:
    """The path of the invitation's accept page."""
    from django.urls import reverse

    return reverse("invitation_accept", args=[invitation_token(nonce=invitation.nonce)])


def workspaces_for_user(*, user: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(workspace_memberships__user=user).order_by("name")


def workspace_role(*, user: Any, workspace: Organization) -> WorkspaceRole | None:
    if user is None or not user.is_authenticated:
        return None
    role = (
        WorkspaceMembership.objects.filter(organization=workspace, user=user)
        .values_list("role", flat=True)
        .first()
    )
    return WorkspaceRole(role) if role else None


def workspace_for_member(*, user: Any, slug: Any) -> tuple[Organization, WorkspaceRole] | None:
    if not isinstance(slug, str) or len(slug) > 120:
        return None
    workspace = Organization.objects.filter(slug=slug).first()
    if workspace is None:
        return None
    role = workspace_role(user=user, workspace=workspace)
    return (workspace, role) if role else None


def workspace_members(*, workspace: Organization) -> QuerySet[WorkspaceMembership]:
    return (
        WorkspaceMembership.objects.filter(organization=workspace)
        .select_related("user")
        .order_by("user__username")
    )


def workspace_boards(*, workspace: Organization, user: Any) -> QuerySet[Board]:
    """The workspace's boards the user is on, open ones first."""
    return (
        Board.objects.filter(organization=workspace, memberships__user=user)
        .annotate(open_tasks=Count("tasks", filter=~Q(tasks__status=Status.ARCHIVED)))
        .order_by(F("archived_at").asc(nulls_first=True), "name")
    )


def pending_invitations(*, workspace: Organization, board: Board | None = None):
    """Invitations not revoked, not expired and not used up: of one board, or of the
    whole workspace (its own and its boards') when `board` is None."""
    invitations = Invitation.objects.filter(
        organization=workspace, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("board", "created_by")
    if board is not None:
        invitations = invitations.filter(board=board)
    return [
        invitation
        for invitation in invitations
        if invitation.max_uses is None or invitation.uses < invitation.max_uses
    ]


def workspace_may_create_boards(*, user: Any, workspace: Organization) -> bool:
    """Owners and admins create boards; members when the workspace allows it."""
    role = workspace_role(user=user, workspace=workspace)
    if role is None:
        return False
    return role != WorkspaceRole.MEMBER or workspace.members_can_create_boards
