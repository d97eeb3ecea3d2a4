"""Invitations to a workspace or a board: by email (single use) or by a shared link.

Whoever accepts one joins at once: a board's invitation puts them in its workspace
(as a member) and on the board with the invitation's role, in one transaction with
an event, so that open boards see them join.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Organization, WorkspaceMembership, WorkspaceRole
from board.exceptions import InvitationUnusable, NotFound, PermissionDenied, ValidationFailed
from board.invitation_mail import invitations_mail
from board.invitation_tokens import invitation_token, invitation_token_digest
from board.limits import INVITE_EMAILS_MAX, INVITE_EXPIRY_DAYS_MAX, INVITE_USES_MAX
from board.models import ROLE_RANK, Board, Invitation, Membership, Role
from board.services._tasks_common import clean_id
from board.services.access import (
    board_lock,
    role_require,
    workspace_lock,
    workspace_role_require,
)
from board.services.boards import membership_grant
from board.services.workspaces import workspace_join
from board.workspace_selectors import invitation_problem

EMAIL_MAX_LENGTH = 254
WORKSPACE_INVITE_ROLES = (WorkspaceRole.MEMBER, WorkspaceRole.ADMIN)


def default_expiry_days() -> int:
    return int(getattr(settings, "INVITATION_EXPIRY_DAYS", 7))


def invitation_create(
    *,
    actor: Any,
    emails: Any,
    role: Any,
    site_url: str,
    workspace_id: Any = None,
    board_id: Any = None,
) -> list[Invitation]:
    """Invite each address (one or more, as a list or separated by commas, spaces or
    lines) to the board, or to the workspace when no board is given, and mail each
    its link after commit. An address already invited is invited again (the old link
    stops working); one that is already a member is refused with a field error."""
    addresses = _clean_emails(emails)
    with transaction.atomic():
        workspace, board = _target_lock(actor=actor, workspace_id=workspace_id, board_id=board_id)
        role = _clean_role(role, board)
        members = _members_among(workspace, board, addresses)
        if members:
            raise ValidationFailed(
                fields={"emails": "Already a member: " + ", ".join(sorted(members)) + "."}
            )
        Invitation.objects.filter(
            organization=workspace, board=board, email__in=addresses, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitations = [
            _invitation_new(
                actor=actor,
                workspace=workspace,
                board=board,
                role=role,
                email=address,
                max_uses=1,
                expires_in_days=default_expiry_days(),
            )
            for address in addresses
        ]
        _mail_on_commit(invitations, site_url)
        return invitations


def invitation_link_create(
    *,
    actor: Any,
    role: Any,
    workspace_id: Any = None,
    board_id: Any = None,
    expires_in_days: Any = None,
    max_uses: Any = None,
) -> Invitation:
    """A shareable invite link, for teams without working email."""
    days = _clean_int(
        expires_in_days if expires_in_days not in (None, "") else default_expiry_days(),
        "expires_in_days",
        1,
        INVITE_EXPIRY_DAYS_MAX,
    )
    uses = None if max_uses in (None, "") else _clean_int(max_uses, "max_uses", 1, INVITE_USES_MAX)
    with transaction.atomic():
        workspace, board = _target_lock(actor=actor, workspace_id=workspace_id, board_id=board_id)
        role = _clean_role(role, board)
        return _invitation_new(
            actor=actor,
            workspace=workspace,
            board=board,
            role=role,
            email="",
            max_uses=uses,
            expires_in_days=days,
        )


def invitation_rotate(*, actor: Any, invitation_id: Any) -> Invitation:
    """A new link for the same invitation; the old one stops working."""
    with transaction.atomic():
        invitation = _invitation_lock_managed(actor=actor, invitation_id=invitation_id)
        _new_token(invitation)
        invitation.save(update_fields=["nonce", "token_hash"])
        return invitation


def invitation_resend(*, actor: Any, invitation_id: Any, site_url: str) -> Invitation:
    """Mail an email invitation again, with a fresh link and a fresh expiry."""
    with transaction.atomic():
        invitation = _invitation_lock_managed(actor=actor, invitation_id=invitation_id)
        if invitation.is_link:
            raise ValidationFailed("A link invitation has no address to mail; copy the link.")
        if invitation.uses >= (invitation.max_uses or 1):
            raise InvitationUnusable("This invitation has already been accepted.")
        _new_token(invitation)
        invitation.expires_at = timezone.now() + datetime.timedelta(days=default_expiry_days())
        invitation.save(update_fields=["nonce", "token_hash", "expires_at"])
        _mail_on_commit([invitation], site_url)
        return invitation


def invitation_revoke(*, actor: Any, invitation_id: Any) -> Invitation:
    with transaction.atomic():
        invitation = _invitation_lock_managed(actor=actor, invitation_id=invitation_id)
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
        return invitation


def invitation_accept(*, actor: Any, token: Any) -> Invitation:
    """Join what the invitation is for. Someone already there keeps their place (and
    their role, unless the invitation's is higher) and uses nothing up."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Log in or register to accept this invitation.")
    digest = invitation_token_digest(token) if isinstance(token, str) and len(token) <= 64 else ""
    with transaction.atomic():
        found = Invitation.objects.filter(token_hash=digest).values_list(
            "organization_id", "board_id"
        )
        ids = found.first()
        if ids is None:
            raise InvitationUnusable(invitation_problem(invitation=None))
        workspace = workspace_lock(workspace_id=ids[0])
        board = board_lock(board_id=ids[1]) if ids[1] is not None else None
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("board")
            .get(token_hash=digest)
        )
        problem = invitation_problem(invitation=invitation)
        if problem:
            raise InvitationUnusable(problem)
        joined = _join(invitation=invitation, workspace=workspace, board=board, user=actor)
        if joined:
            Invitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
        return invitation


def _join(
    *, invitation: Invitation, workspace: Organization, board: Board | None, user: Any
) -> bool:
    if board is None:
        return workspace_join(workspace=workspace, user=user, role=WorkspaceRole(invitation.role))
    joined_workspace = workspace_join(workspace=workspace, user=user, role=WorkspaceRole.MEMBER)
    current = Membership.objects.filter(board=board, user=user).values_list("role", flat=True)
    current = current.first()
    if current is not None and ROLE_RANK[Role(current)] >= ROLE_RANK[Role(invitation.role)]:
        return joined_workspace
    membership_grant(board=board, user=user, role=invitation.role, actor=user)
    return True


def _target_lock(
    *, actor: Any, workspace_id: Any, board_id: Any
) -> tuple[Organization, Board | None]:
    """Lock what the invitation is for and check that the actor may invite to it:
    a board's admins, or a workspace's owners and admins."""
    if board_id is not None:
        board = board_lock(board_id=clean_id(board_id, "board_id"))
        role_require(actor=actor, board=board, role=Role.ADMIN)
        return workspace_lock(workspace_id=board.organization_id), board
    workspace = workspace_lock(workspace_id=clean_id(workspace_id, "workspace_id"))
    workspace_role_require(actor=actor, workspace=workspace, role=WorkspaceRole.ADMIN)
    return workspace, None


def _invitation_lock_managed(*, actor: Any, invitation_id: Any) -> Invitation:
    ids = (
        Invitation.objects.filter(pk=clean_id(invitation_id, "invitation_id"))
        .values_list("organization_id", "board_id")
        .first()
    )
    if ids is None:
        raise NotFound("This invitation does not exist.")
    _target_lock(actor=actor, workspace_id=ids[0], board_id=ids[1])
    return Invitation.objects.select_for_update().get(pk=invitation_id)


def _invitation_new(
    *,
    actor: Any,
    workspace: Organization,
    board: Board | None,
    role: str,
    email: str,
    max_uses: int | None,
    expires_in_days: int,
) -> Invitation:
    invitation = Invitation(
        organization=workspace,
        board=board,
        email=email,
        role=role,
        max_uses=max_uses,
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days),
        created_by=actor,
    )
    _new_token(invitation)
    invitation.save()
    return invitation


def _new_token(invitation: Invitation) -> None:
    invitation.nonce = secrets.token_urlsafe(24)
    invitation.token_hash = invitation_token_digest(invitation_token(nonce=invitation.nonce))


def _mail_on_commit(invitations: list[Invitation], site_url: str) -> None:
    ids = [invitation.pk for invitation in invitations]

    def send() -> None:
        sent = invitations_mail(invitation_ids=ids, site_url=site_url)
        Invitation.objects.filter(pk__in=sent).update(sent_at=timezone.now())

    transaction.on_commit(send)


def _clean_emails(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").replace(";", " ").split()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(fields={"emails": "Give one or more email addresses."})
    addresses: list[str] = []
    for raw in value:
        address = raw.strip().lower()
        if not address or address in addresses:
            continue
        try:
            if len(address) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(
                fields={"emails": f"“{raw.strip()[:80]}” is not an email address."}
            ) from None
        addresses.append(address)
    if not addresses:
        raise ValidationFailed(fields={"emails": "Give one or more email addresses."})
    if len(addresses) > INVITE_EMAILS_MAX:
        raise ValidationFailed(
            fields={"emails": f"Invite up to {INVITE_EMAILS_MAX} addresses at a time."}
        )
    return addresses


def _clean_role(role: Any, board: Board | None) -> str:
    if board is not None:
        if role not in Role.values:
            raise ValidationFailed(fields={"role": "Choose viewer, member or admin."})
        return role
    if role not in WORKSPACE_INVITE_ROLES:
        raise ValidationFailed(fields={"role": "Choose member or admin."})
    return role


def _clean_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(fields={field: f"Use a whole number from {low} to {high:,}."})
    return value


def _members_among(workspace: Organization, board: Board | None, addresses: list[str]) -> set[str]:
    """The addresses that belong to someone already on the board (or in the workspace,
    for a workspace's invitation)."""
    if board is not None:
        users = Membership.objects.filter(board=board).values_list("user__email", flat=True)
    else:
        users = WorkspaceMembership.objects.filter(organization=workspace).values_list(
            "user__email", flat=True
        )
    matching = users.annotate(address=Lower("user__email")).filter(address__in=addresses)
    return {email.lower() for email in matching}
