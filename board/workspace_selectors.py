"""Reads about workspaces, their members and invitations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization, WorkspaceMembership, WorkspaceRole
from board.invitation_tokens import invitation_token, invitation_token_digest
from board.models import Board, Invitation, Role, Status

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
    return _may_create(workspace_role(user=user, workspace=workspace), workspace)


@dataclass(frozen=True)
class WorkspaceGroup:
    """One workspace on the board list: its open boards the user is on, how many of
    theirs are archived, and whether they may create a board in it."""

    workspace: Organization
    boards: list[Board]
    archived_count: int
    may_create_boards: bool


def board_list_groups(*, user: Any) -> list[WorkspaceGroup]:
    """The user's boards grouped by workspace: every workspace they belong to (even
    with no board yet), and the workspace of every board they are on."""
    boards = list(
        Board.objects.filter(memberships__user=user)
        .select_related("organization")
        .annotate(open_tasks=Count("tasks", filter=~Q(tasks__status=Status.ARCHIVED)))
        .order_by("name")
    )
    workspaces = {workspace.pk: workspace for workspace in workspaces_for_user(user=user)}
    roles = dict(
        WorkspaceMembership.objects.filter(user=user).values_list("organization_id", "role")
    )
    for board in boards:
        workspaces.setdefault(board.organization_id, board.organization)
    return [
        WorkspaceGroup(
            workspace=workspace,
            boards=[b for b in boards if b.organization_id == pk and b.archived_at is None],
            archived_count=sum(
                1 for b in boards if b.organization_id == pk and b.archived_at is not None
            ),
            may_create_boards=_may_create(roles.get(pk), workspace),
        )
        for pk, workspace in sorted(workspaces.items(), key=lambda item: item[1].name.lower())
    ]


def _may_create(role: str | None, workspace: Organization) -> bool:
    if role is None:
        return False
    return role != WorkspaceRole.MEMBER or workspace.members_can_create_boards


def first_run_due(*, user: Any) -> bool:
    """Someone on no board and in no workspace: the board list sends them to the first run."""
    return not (
        Board.objects.filter(memberships__user=user).exists()
        or WorkspaceMembership.objects.filter(user=user).exists()
    )


def workspace_link_invitations(*, workspace: Organization) -> list[Invitation]:
    """The workspace's own shareable links (not its boards'), still usable."""
    return [
        invitation
        for invitation in pending_invitations(workspace=workspace)
        if invitation.board_id is None and invitation.is_link
    ]


def board_link_invitation(*, board: Board, role: str) -> Invitation | None:
    """The board's newest usable shareable link with that role, if any."""
    links = [
        invitation
        for invitation in pending_invitations(workspace=board.organization, board=board)
        if invitation.is_link and invitation.role == role
    ]
    return max(links, key=lambda invitation: invitation.created_at, default=None)


def boards_administered(*, user: Any) -> QuerySet[Board]:
    """Open boards the user is an admin of, newest first (the first run's invite step)."""
    return Board.objects.filter(
        memberships__user=user, memberships__role=Role.ADMIN, archived_at__isnull=True
    ).order_by("-created_at")


def workspaces_creating_boards(*, user: Any) -> list[Organization]:
    """Workspaces where the user may create a board, newest first."""
    roles = dict(
        WorkspaceMembership.objects.filter(user=user).values_list("organization_id", "role")
    )
    return [
        workspace
        for workspace in Organization.objects.filter(pk__in=roles).order_by("-created_at")
        if _may_create(roles[workspace.pk], workspace)
    ]
