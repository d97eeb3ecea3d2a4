from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower

from accounts.validators import validate_username_has_no_at
from board.limits import (
    API_TOKEN_NAME_MAX_LENGTH,
    WORKSPACE_NAME_MAX_LENGTH,
    WORKSPACE_SLUG_MAX_LENGTH,
)


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(username__iexact=username)

    def _create_user_object(
        self, username: str, email: str | None, password: str | None, **extra_fields: Any
    ) -> User:
        """create_user and create_superuser skip model validation; the `@` rule
        still holds for every user created in code."""
        validate_username_has_no_at(username or "")
        return super()._create_user_object(username, email, password, **extra_fields)


class User(AbstractUser):
    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="Required. 150 characters or fewer. Letters, digits and ./+/-/_ only.",
        validators=[UnicodeUsernameValidator(), validate_username_has_no_at],
        error_messages={"unique": "A user with that username already exists."},
    )
    email = models.EmailField("email address", unique=True)
    # Set when the person opened the signed link mailed to `email`; until then they can
    # log in, but nobody can add or invite them by that address.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = CaseInsensitiveUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        parts = self.display_name.split()
        return "".join(part[0] for part in parts[:2]).upper() or "?"


class WorkspaceRole(models.TextChoices):
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"


WORKSPACE_ROLE_RANK = {WorkspaceRole.MEMBER: 0, WorkspaceRole.ADMIN: 1, WorkspaceRole.OWNER: 2}


class Organization(models.Model):
    """A workspace: the team that owns boards. Shown to people as "workspace"."""

    name = models.CharField(max_length=WORKSPACE_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=WORKSPACE_SLUG_MAX_LENGTH, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="WorkspaceMembership", related_name="organizations"
    )
    # Owners and admins always create boards; members only when this is on.
    members_can_create_boards = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkspaceMembership(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="workspace_memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_memberships"
    )
    role = models.CharField(
        max_length=10, choices=WorkspaceRole.choices, default=WorkspaceRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="workspace_membership_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=WorkspaceRole.values),
                name="workspace_membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=API_TOKEN_NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
