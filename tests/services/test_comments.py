"""Comments, mentions, watchers and the notifications they give."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from board.exceptions import NotFound, PermissionDenied, ValidationFailed
from board.limits import COMMENT_MAX_LENGTH
from board.models import EventKind, Role, Status, Task
from board.services import task_claim, task_create, task_set_status, task_update
from board.services.comments import comment_create, comment_delete, comment_update, task_watch
from board.services.notify import notifications_mark_read
from discussion.models import Mention, Watcher
from notifications.models import Notification, NotificationKind
from tests.services.helpers import last_event


def told(user) -> list[tuple[str, int]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "count")
    )


def watchers(task) -> set[int]:
    return set(Watcher.objects.filter(task=task).values_list("user_id", flat=True))


def test_a_comment_is_an_event_with_its_html_and_the_cards_count(task, bob):
    comment = comment_create(actor=bob, task_id=task.pk, body="Looks **good**")

    event = last_event(task.board)
    assert event.kind == EventKind.COMMENT_CREATED
    assert event.payload["html"] == "<p>Looks <strong>good</strong></p>\n"
    assert event.payload["comment_count"] == 1
    assert Task.objects.get(pk=task.pk).comment_count == 1
    assert comment.body_html == event.payload["html"]


@pytest.mark.parametrize("body", ["", "   ", None, 5, "x" * (COMMENT_MAX_LENGTH + 1)])
def test_an_empty_or_huge_comment_is_a_field_error(task, bob, body):
    with pytest.raises(ValidationFailed) as refused:
        comment_create(actor=bob, task_id=task.pk, body=body)
    assert "body" in refused.value.fields


def test_viewers_cannot_comment_and_outsiders_do_not_see_the_task(task, viewer, outsider):
    with pytest.raises(PermissionDenied):
        comment_create(actor=viewer, task_id=task.pk, body="Hi")
    with pytest.raises(NotFound):
        comment_create(actor=outsider, task_id=task.pk, body="Hi")


def test_only_the_author_edits_and_edits_are_marked(task, alice, bob):
    comment = comment_create(actor=bob, task_id=task.pk, body="first")

    with pytest.raises(PermissionDenied):
        comment_update(actor=alice, comment_id=comment.pk, body="mine now")
    edited = comment_update(actor=bob, comment_id=comment.pk, body="second")

    assert (edited.body, edited.edited_at is not None) == ("second", True)
    assert last_event(task.board).kind == EventKind.COMMENT_UPDATED


def test_authors_and_admins_delete_others_do_not(task, alice, bob, admin):
    first = comment_create(actor=bob, task_id=task.pk, body="one")
    second = comment_create(actor=bob, task_id=task.pk, body="two")

    with pytest.raises(PermissionDenied):
        comment_delete(actor=alice, comment_id=first.pk)
    comment_delete(actor=bob, comment_id=first.pk)
    comment_delete(actor=admin, comment_id=second.pk)

    assert Task.objects.get(pk=task.pk).comment_count == 0
    assert last_event(task.board).payload == {"id": second.pk, "task": task.pk, "comment_count": 0}


def test_a_mention_of_a_member_is_a_link_a_watcher_and_a_notification(task, alice, bob):
    comment = comment_create(actor=alice, task_id=task.pk, body=f"@{bob.username} can you look?")

    assert f'data-user="{bob.pk}"' in comment.body_html
    assert Mention.objects.filter(comment=comment, user=bob).exists()
    assert bob.pk in watchers(task)
    assert told(bob) == [(NotificationKind.MENTIONED, 1)]


def test_a_mention_of_a_stranger_stays_plain_text_and_tells_nobody(task, alice, outsider):
    comment = comment_create(actor=alice, task_id=task.pk, body=f"ask @{outsider.username}")

    assert "<a" not in comment.body_html
    assert not Mention.objects.exists()
    assert told(outsider) == []


def test_scripts_in_comments_are_text(task, alice):
    comment = comment_create(
        actor=alice, task_id=task.pk, body="<script>alert(1)</script> [x](javascript:alert(1))"
    )

    assert "<script" not in comment.body_html
    assert "javascript:" not in comment.body_html.replace("[x](javascript:alert(1))", "")


def test_creator_commenters_and_owner_watch_automatically(board, alice, bob, admin):
    task = task_create(actor=alice, board_id=board.pk, title="Watch me")
    comment_create(actor=admin, task_id=task.pk, body="noted")
    task_claim(actor=bob, task_id=task.pk)

    assert watchers(task) == {alice.pk, admin.pk, bob.pk}


def test_watchers_hear_of_a_claim_and_finishing_but_never_of_their_own(task, alice, bob):
    task_claim(actor=bob, task_id=task.pk)
    Notification.objects.all().delete()
    task_set_status(actor=bob, task_id=task.pk, status=Status.DONE)

    assert told(alice) == [(NotificationKind.FINISHED, 1)]
    assert told(bob) == []


def test_the_owner_hears_of_an_edit_by_someone_else(task, alice, bob):
    task_claim(actor=bob, task_id=task.pk)
    Notification.objects.all().delete()

    task_update(actor=alice, task_id=task.pk, title="Renamed")

    assert told(bob) == [(NotificationKind.CHANGED, 1)]


def test_ten_changes_in_a_minute_are_one_notification(task, alice, bob):
    for n in range(10):
        comment_create(actor=bob, task_id=task.pk, body=f"update {n}")

    assert told(alice) == [(NotificationKind.COMMENTED, 10)]
    assert "commented" in Notification.objects.get(recipient=alice).text


def test_after_the_minute_or_once_read_a_new_notification_starts(task, alice, bob):
    comment_create(actor=bob, task_id=task.pk, body="one")
    Notification.objects.update(updated_at=timezone.now() - datetime.timedelta(seconds=61))
    comment_create(actor=bob, task_id=task.pk, body="two")
    notifications_mark_read(user=alice)
    comment_create(actor=bob, task_id=task.pk, body="three")

    assert told(alice) == [(NotificationKind.COMMENTED, 1)] * 3


def test_being_added_to_a_board_is_a_notification(board, admin, colleague):
    from board.services import membership_set_role

    membership_set_role(actor=admin, board_id=board.pk, user=colleague, role=Role.MEMBER)

    assert told(colleague) == [(NotificationKind.ADDED_TO_BOARD, 1)]


def test_anyone_watches_or_unwatches_with_an_event(task, viewer):
    assert task_watch(actor=viewer, task_id=task.pk, watching=True) is True
    assert viewer.pk in watchers(task)
    event = last_event(task.board)
    assert event.kind == EventKind.WATCHERS_CHANGED
    assert viewer.pk in [w["id"] for w in event.payload["watchers"]]

    task_watch(actor=viewer, task_id=task.pk, watching=False)
    assert viewer.pk not in watchers(task)


def test_a_description_mention_tells_the_member_once(board, alice, bob):
    task = task_create(
        actor=alice, board_id=board.pk, title="T", description=f"for @{bob.username}"
    )
    task_update(actor=alice, task_id=task.pk, description=f"still for @{bob.username}!")

    assert told(bob) == [(NotificationKind.MENTIONED, 1)]
    assert f'data-user="{bob.pk}"' in Task.objects.get(pk=task.pk).description_html


def test_marking_ids_out_of_range_or_of_another_person_marks_nothing(task, alice, bob):
    comment_create(actor=bob, task_id=task.pk, body="hello")
    theirs = Notification.objects.get(recipient=alice).pk

    assert notifications_mark_read(user=bob, notification_ids=[theirs, 2**70, -1, True]) == 0
    assert Notification.objects.get(pk=theirs).read_at is None
