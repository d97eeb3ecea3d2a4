from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from board.models import Role, Status
from board.services import task_create
from tests.factories import UserFactory, member_add

pytestmark = pytest.mark.django_db


def test_every_model_is_in_the_admin():
    from django.apps import apps

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "board", "api", "discussion", "notifications"}
    ]
    assert [m for m in ours if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", ["task", "event", "board", "displaykey", "sprint", "epic"])
def test_admin_lists_open(client, board, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:board_{model}_changelist")).status_code == 200


def test_admin_archive_action_goes_through_the_service(client, board, alice):
    superuser = member_add(
        board=board, user=UserFactory(is_staff=True, is_superuser=True), role=Role.ADMIN
    )
    task = task_create(actor=alice, board_id=board.pk, title="Old news")
    client.force_login(superuser)
    client.post(
        reverse("admin:board_task_changelist"),
        {"action": "archive_selected", "_selected_action": [task.pk]},
    )
    task.refresh_from_db()
    assert task.status == Status.ARCHIVED
    assert task.events.filter(kind="task.archived").count() == 1
