"""The task page's conversation: comments, their permissions and limits, watching,
mention suggestions, the history in words, and untrusted text rendered inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from board.limits import COMMENT_MAX_LENGTH
from board.services import task_claim, task_create, task_set_status, task_update
from board.services.comments import comment_create, task_watch
from discussion.models import Comment, Watcher
from tests.factories import UserFactory, member_add

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def task(board, alice):
    return task_create(actor=alice, board_id=board.pk, title="Fix the login bug")


def page(client, task) -> str:
    return client.get(reverse("task_detail", args=[task.pk])).content.decode()


def test_a_comment_without_htmx_redirects_to_it_on_the_task_page(client, alice, task):
    client.force_login(alice)
    response = client.post(reverse("comment_create", args=[task.pk]), {"body": "On it **now**"})
    comment = Comment.objects.get(task=task)
    assert response.status_code == 302
    assert response["Location"] == reverse("task_detail", args=[task.pk]) + f"#comment-{comment.pk}"
    assert "<strong>now</strong>" in page(client, task)


def test_a_comment_with_htmx_answers_a_fresh_form_the_comment_and_the_count(client, alice, task):
    client.force_login(alice)
    response = client.post(
        reverse("comment_create", args=[task.pk]), {"body": "Looks good"}, **HTMX
    )
    html = response.content.decode()
    comment = Comment.objects.get(task=task)
    assert response.status_code == 200
    assert f'hx-swap-oob="beforeend:#comments-{task.pk}"' in html
    assert f'id="comment-{comment.pk}"' in html and "Looks good" in html
    assert re.search(rf'id="comment-count-{task.pk}"[^>]*hx-swap-oob="true"', html)
    assert '<textarea name="body"' in html and "Looks good</textarea>" not in html


def test_the_comments_read_oldest_first_with_author_time_and_edited(client, alice, bob, task):
    first = comment_create(actor=alice, task_id=task.pk, body="First")
    comment_create(actor=bob, task_id=task.pk, body="Second")
    client.force_login(alice)
    client.post(reverse("comment_edit", args=[first.pk]), {"body": "First, corrected"})
    html = page(client, task)
    assert html.index("First, corrected") < html.index("Second")
    assert alice.display_name in html and bob.display_name in html
    assert "· edited <time" in html


def test_a_comment_over_the_limit_is_a_field_error_not_a_500(client, alice, task):
    client.force_login(alice)
    body = "x" * (COMMENT_MAX_LENGTH + 1)
    response = client.post(reverse("comment_create", args=[task.pk]), {"body": body}, **HTMX)
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused_on_its_field_without_htmx(client, alice, task):
    client.force_login(alice)
    response = client.post(reverse("comment_create", args=[task.pk]), {"body": "   "})
    assert response.status_code == 422
    assert "Write a comment." in response.content.decode()


def test_a_viewer_cannot_comment(client, viewer, task):
    client.force_login(viewer)
    response = client.post(reverse("comment_create", args=[task.pk]), {"body": "Hi"}, **HTMX)
    assert response.status_code == 403
    assert not Comment.objects.exists()
    assert 'id="comment-form-' not in page(client, task)


def test_someone_off_the_board_gets_a_404(client, task):
    client.force_login(UserFactory())
    response = client.post(reverse("comment_create", args=[task.pk]), {"body": "Hi"})
    assert response.status_code == 404


def test_the_author_edits_inline_with_htmx(client, alice, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Draft")
    client.force_login(alice)
    form = client.get(reverse("comment_edit", args=[comment.pk]), **HTMX).content.decode()
    assert f'id="comment-{comment.pk}"' in form and ">\nDraft</textarea>" in form
    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Final"}, **HTMX)
    assert response.status_code == 200 and "Final" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).edited_at is not None


def test_the_edit_form_without_htmx_is_the_task_page_with_the_form(client, alice, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Draft")
    client.force_login(alice)
    response = client.get(reverse("comment_edit", args=[comment.pk]), follow=True)
    assert f'action="/comments/{comment.pk}/edit/"' in response.content.decode()


def test_someone_else_cannot_edit_a_comment(client, alice, bob, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Mine")
    client.force_login(bob)
    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Ha"}, **HTMX)
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "Mine"


def test_an_edit_over_the_limit_shows_the_form_again_with_its_error(client, alice, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Short")
    client.force_login(alice)
    body = "y" * (COMMENT_MAX_LENGTH + 1)
    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": body})
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()


def test_the_author_deletes_their_comment(client, alice, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Oops")
    client.force_login(alice)
    response = client.post(reverse("comment_delete", args=[comment.pk]), **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not Comment.objects.exists()


def test_an_admin_deletes_anyones_comment_a_member_does_not(client, alice, bob, admin, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Spam")
    client.force_login(bob)
    refused = client.post(reverse("comment_delete", args=[comment.pk]), **HTMX)
    assert refused.status_code == 403 and 'role="alert"' in refused.content.decode()
    client.force_login(admin)
    client.post(reverse("comment_delete", args=[comment.pk]))
    assert not Comment.objects.exists()


def test_the_page_shows_edit_and_delete_only_to_whom_they_belong(client, alice, bob, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Mine")
    client.force_login(bob)
    bob_sees = page(client, task)
    client.force_login(alice)
    alice_sees = page(client, task)
    edit = re.compile(r'class="btn btn-plain comment-edit"[^>]*?(hidden)?>Edit', re.S)
    assert edit.search(bob_sees).group(1) == "hidden"
    assert edit.search(alice_sees).group(1) is None
    assert f"/comments/{comment.pk}/delete/" in alice_sees


def test_watch_and_unwatch(client, bob, task):
    client.force_login(bob)
    response = client.post(reverse("task_watch", args=[task.pk]), {"watching": "on"}, **HTMX)
    assert "Stop watching" in response.content.decode()
    assert f'id="watchers-{task.pk}"' in response.content.decode()
    assert Watcher.objects.filter(task=task, user=bob).exists()
    client.post(reverse("task_watch", args=[task.pk]), {"watching": ""})
    assert not Watcher.objects.filter(task=task, user=bob).exists()


def test_a_viewer_may_watch(client, viewer, task):
    client.force_login(viewer)
    response = client.post(reverse("task_watch", args=[task.pk]), {"watching": "on"})
    assert response.status_code == 302
    assert viewer.display_name in page(client, task)


def test_the_history_reads_as_what_people_did(client, board, alice, bob, task):
    task_claim(actor=alice, task_id=task.pk)
    task_set_status(actor=alice, task_id=task.pk, status="DONE")
    comment_create(actor=bob, task_id=task.pk, body="Nice")
    task_watch(actor=bob, task_id=task.pk, watching=False)
    client.force_login(alice)
    html = page(client, task)
    history = html[html.index('id="history-') :]
    for sentence in (
        f"{alice.display_name} created it",
        f"{alice.display_name} claimed it",
        f"{alice.display_name} moved it to Done",
        f"{bob.display_name} commented",
        f"{bob.display_name} stopped watching",
    ):
        assert sentence in history
    assert "version" not in history and "→" not in history and "UNASSIGNED" not in history


def test_mention_suggestions_are_the_boards_members(client, board, alice):
    member_add(board=board, user=UserFactory(username="carol", first_name="Carol"))
    UserFactory(username="carl")  # not on the board
    client.force_login(alice)
    response = client.get(reverse("mention_suggestions", args=[board.pk]), {"q": "car"})
    assert response.json() == {"members": [{"username": "carol", "name": "Carol"}]}


def test_mention_suggestions_are_for_members_only(client, board):
    client.force_login(UserFactory())
    assert client.get(reverse("mention_suggestions", args=[board.pk])).status_code == 404


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<svg onload="alert(1)"><circle/></svg>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '![x](x" onerror="alert(1))',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<a href='&#106;avascript:alert(1)'>x</a>",
]
DANGEROUS_TAGS = {"script", "svg", "iframe", "object", "embed", "style", "math"}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


class ActiveParts(HTMLParser):
    """What a browser would run in the markup: script-like elements, on* handlers,
    and links or sources with a script scheme (entities decoded, as a browser does)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or (
                name in ("href", "src", "action") and url.startswith(DANGEROUS_SCHEMES)
            ):
                self.found.append(f"{tag} {name}={value}")


def active_parts(html: str) -> list[str]:
    parser = ActiveParts()
    parser.feed(html)
    return parser.found


def discussion_html(html: str) -> str:
    """The task's own text on the page: description and comments, not the page's shell."""
    start = html.index('id="task-description-')
    return html[start : html.index('id="watchers-title-')]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_untrusted_comments_and_descriptions_render_inert(client, alice, task, payload):
    comment_create(actor=alice, task_id=task.pk, body=payload)
    task_update(actor=alice, task_id=task.pk, description=payload)
    client.force_login(alice)
    html = discussion_html(page(client, task))
    assert active_parts(html) == []
