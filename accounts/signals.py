"""Deleting a user first releases their in-progress tasks through the service, so
no task is left in progress without an owner."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.models import User


@receiver(pre_delete, sender=User)
def release_tasks_before_user_delete(sender: type, instance: User, **kwargs: Any) -> None:
    from board.services import user_tasks_release

    user_tasks_release(user=instance)
