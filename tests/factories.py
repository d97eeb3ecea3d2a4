"""Test factories. Boards and memberships are plain rows; tasks go through the
service so they carry events like real ones."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Organization
from board.models import Board, Membership, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.LazyAttribute(lambda user: user.username.capitalize())
    # Verified, like every account from before verification; pass None for a new sign-up.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Board {n}")
    slug = factory.Sequence(lambda n: f"board-{n}")


def member_add(*, board: Board, user=None, role: Role = Role.MEMBER):
    """Create (or reuse) a user and make them a member of the board with `role`."""
    user = user or UserFactory()
    Membership.objects.update_or_create(board=board, user=user, defaults={"role": role})
    board.organization.members.add(user)
    return user


def workspace_member_add(*, organization: Organization, user=None):
    """Create (or reuse) a user and put them in the workspace, on none of its boards."""
    user = user or UserFactory()
    organization.members.add(user)
    return user
