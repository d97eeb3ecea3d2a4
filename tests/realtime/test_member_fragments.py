"""The page fragment of a membership change: the board page's member count out of
band, and what a screen reader hears; a wall display gets no count."""

from __future__ import annotations

import pytest

from board.models import Event, EventKind
from board.public import user_public_state
from board.services import task_create
from realtime.fragments import event_fragment_html, membership_announcement

pytestmark = pytest.mark.django_db


def _event(board, actor, user, *, role, joined) -> Event:
    payload = {"user": user_public_state(user), "role": role, "joined": joined}
    return Event(
        board=board, seq=7, kind=EventKind.MEMBERSHIP_CHANGED, actor=actor, payload=payload
    )


@pytest.mark.parametrize(
    ("who_acts", "role", "joined", "sentence"),
    [
        ("alice", "member", True, "{alice} joined the board."),
        ("alice", None, False, "{alice} left the board."),
        ("admin", None, False, "{alice} was removed from the board."),
        ("admin", "admin", False, "{alice} is now an admin."),
        ("admin", "viewer", False, "{alice} is now a viewer."),
    ],
)
def test_each_membership_change_is_announced_in_words(
    board, admin, alice, who_acts, role, joined, sentence
):
    actor = {"alice": alice, "admin": admin}[who_acts]

    said = membership_announcement(_event(board, actor, alice, role=role, joined=joined))

    assert said == sentence.format(alice=alice.display_name)


def test_the_page_fragment_carries_the_member_count_and_the_display_one_does_not(
    board, admin, alice
):
    event = _event(board, alice, alice, role="member", joined=True)

    page = event_fragment_html(event=event)
    wall = event_fragment_html(event=event, display=True)

    assert 'id="member-count"' in page and ">2 members</a>" in page
    assert f"{alice.display_name} joined the board." in page
    assert 'id="member-count"' not in wall


def test_a_task_event_carries_no_member_count(board, alice):
    task_create(actor=alice, board_id=board.pk, title="One")
    event = Event.objects.get(board=board)

    assert 'id="member-count"' not in event_fragment_html(event=event)
