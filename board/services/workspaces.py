"""Workspace use cases: create one, change its settings, its members and their roles."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from accounts.models import WORKSPACE_ROLE_RANK, Organization, WorkspaceMembership, WorkspaceRole
from board.exceptions import NotFound, PermissionDenied, ValidationFailed
from board.limits import WORKSPACE_NAME_MAX_LENGTH, WORKSPACE_SLUG_MAX_LENGTH, too_long_message
from board.models import Membership
from board.services._tasks_common import UNSET, clean_id, clean_text
from board.services.access import workspace_lock, workspace_role_require
from board.services.boards import membership_remove

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Addresses that would read as pages of the site rather than a team.
RESERVED_SLUGS = frozenset({"new", "admin", "api", "accounts", "static", "welcome", "invite"})
SLUG_TAKEN = "That address is taken; choose another."


def workspace_create(*, actor: Any, name: Any, slug: Any = "") -> Organization:
    """Create a workspace with the actor as its owner. Without a slug, one is made
    from the name (with a number added if it is taken)."""
    name = clean_text(
        name,
        field="name",
        max_length=WORKSPACE_NAME_MAX_LENGTH,
        blank="Give the workspace a name.",
    )
    slug = _clean_slug(slug)
    with transaction.atomic():
        if slug:
            if Organization.objects.filter(slug=slug).exists():
                raise ValidationFailed(fields={"slug": SLUG_TAKEN})
        else:
            slug = _free_slug(slugify(name)[:100] or "team")
        workspace = Organization.objects.create(name=name, slug=slug)
        WorkspaceMembership.objects.create(
            organization=workspace, user=actor, role=WorkspaceRole.OWNER
        )
        return workspace


def _clean_slug(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={"slug": "Must be text."})
    slug = value.strip().lower()
    if len(slug) > WORKSPACE_SLUG_MAX_LENGTH:
        raise ValidationFailed(fields={"slug": too_long_message(WORKSPACE_SLUG_MAX_LENGTH)})
    if not SLUG_PATTERN.match(slug):
        raise ValidationFailed(
            fields={"slug": "Use lowercase letters, digits and single hyphens, like my-team."}
        )
    if slug in RESERVED_SLUGS:
        raise ValidationFailed(fields={"slug": SLUG_TAKEN})
    return slug


def _free_slug(base: str) -> str:
    if base in RESERVED_SLUGS:
        base = f"{base}-team"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def workspace_update(
    *, actor: Any, workspace_id: Any, name: Any = UNSET, members_can_create_boards: Any = UNSET
) -> Organization:
    """Rename the workspace or say whether members create boards; what is not given
    stays."""
    if name is not UNSET:
        name = clean_text(
            name,
            field="name",
            max_length=WORKSPACE_NAME_MAX_LENGTH,
            blank="Give the workspace a name.",
        )
    with transaction.atomic():
        workspace = workspace_lock(workspace_id=workspace_id)
        workspace_role_require(actor=actor, workspace=workspace, role=WorkspaceRole.ADMIN)
        if name is not UNSET:
            workspace.name = name
        if members_can_create_boards is not UNSET:
            workspace.members_can_create_boards = bool(members_can_create_boards)
        workspace.save(update_fields=["name", "members_can_create_boards"])
        return workspace


def workspace_member_set_role(
    *, actor: Any, workspace_id: Any, user_id: Any, role: Any
) -> WorkspaceMembership:
    """Change a member's role. Admins manage members and admins; only owners make or
    unmake owners; the last owner stays an owner."""
    if role not in WorkspaceRole.values:
        raise ValidationFailed(fields={"role": "Choose member, admin or owner."})
    user_id = clean_id(user_id, "user_id")
    with transaction.atomic():
        workspace = workspace_lock(workspace_id=workspace_id)
        actor_role = workspace_role_require(
            actor=actor, workspace=workspace, role=WorkspaceRole.ADMIN
        )
        membership = _member(workspace, user_id)
        touches_owner = WorkspaceRole.OWNER in (role, membership.role)
        if touches_owner and actor_role != WorkspaceRole.OWNER:
            raise PermissionDenied("Only an owner can make or unmake owners.")
        if membership.role == WorkspaceRole.OWNER and role != WorkspaceRole.OWNER:
            _refuse_if_last_owner(workspace, "role")
        membership.role = role
        membership.save(update_fields=["role"])
        return membership


def workspace_member_remove(*, actor: Any, workspace_id: Any, user_id: Any) -> None:
    """Take someone out of the workspace and all its boards: an admin removing a
    member, or anyone leaving (`user_id` their own). The last owner cannot go, and
    nobody goes while they are the last admin of one of its boards."""
    user_id = clean_id(user_id, "user_id")
    with transaction.atomic():
        workspace = workspace_lock(workspace_id=workspace_id)
        leaving = user_id == actor.pk
        actor_role = workspace_role_require(
            actor=actor,
            workspace=workspace,
            role=WorkspaceRole.MEMBER if leaving else WorkspaceRole.ADMIN,
        )
        membership = _member(workspace, user_id)
        if membership.role == WorkspaceRole.OWNER:
            if not leaving and actor_role != WorkspaceRole.OWNER:
                raise PermissionDenied("Only an owner can remove an owner.")
            _refuse_if_last_owner(workspace, "user")
        for board_id in Membership.objects.filter(
            user_id=user_id, board__organization=workspace
        ).values_list("board_id", flat=True):
            membership_remove(actor=actor, board_id=board_id, user_id=user_id, by_workspace=True)
        membership.delete()


def _member(workspace: Organization, user_id: int) -> WorkspaceMembership:
    membership = (
        WorkspaceMembership.objects.select_for_update()
        .filter(organization=workspace, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound("That person is not in this workspace.")
    return membership


def _refuse_if_last_owner(workspace: Organization, field: str) -> None:
    owners = WorkspaceMembership.objects.filter(
        organization=workspace, role=WorkspaceRole.OWNER
    ).count()
    if owners <= 1:
        raise ValidationFailed(
            "A workspace needs at least one owner: make someone else owner first.",
            fields={field: "This is the workspace's last owner."},
        )


def workspace_join(*, workspace: Organization, user: Any, role: WorkspaceRole) -> bool:
    """Put someone in the workspace (an accepted invitation), or raise their role to
    `role` if it is higher. The caller holds the workspace lock. True if they joined."""
    membership, created = WorkspaceMembership.objects.select_for_update().get_or_create(
        organization=workspace, user=user, defaults={"role": role}
    )
    if not created and WORKSPACE_ROLE_RANK[membership.role] < WORKSPACE_ROLE_RANK[role]:
        membership.role = role
        membership.save(update_fields=["role"])
    return created
