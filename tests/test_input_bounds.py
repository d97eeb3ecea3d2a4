"""Too-long text and too-big numbers, through every door: a field error, never a 500,
and nothing written.

The pages re-render their form with the field's error (422, or 200 on Django's own
auth pages, as for any invalid form there), the API answers 422 in its error shape,
and the socket answers an `error` with code `invalid` naming the field.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import ApiToken
from board.exceptions import ValidationFailed
from board.limits import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    TASK_DESCRIPTION_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
    USER_IDENTIFIER_MAX_LENGTH,
    VERSION_MAX,
    WIP_LIMIT_MAX,
)
from board.models import Board, DisplayKey, Epic, Event, Role, Sprint, Task
from board.public import event_message
from board.services import (
    board_create,
    board_settings_update,
    display_key_create,
    epic_create,
    epic_update,
    sprint_create,
    task_claim,
    task_create,
    task_update,
)
from realtime.actions import action_run
from realtime.protocol import MAX_FRAME_BYTES, ProtocolError, frame_parse, protocol_error_message
from tests.api.conftest import ApiClient, error_of
from tests.factories import UserFactory, member_add

pytestmark = pytest.mark.django_db

PG_INT_MAX = 2**31 - 1
TOO_BIG_INTS = [PG_INT_MAX + 1, 999_999_999_999, 2**63]


def too_long(max_length: int) -> str:
    return "x" * (max_length + 1)


@pytest.fixture
def world(board, admin, alice):
    """A board with one of each thing, and its admin and a member."""
    task = task_create(actor=alice, board_id=board.pk, title="A task")
    epic = epic_create(actor=alice, board_id=board.pk, name="An epic")
    start = datetime.date(2026, 1, 5)
    sprint = sprint_create(
        actor=alice,
        board_id=board.pk,
        name="A sprint",
        start_date=start,
        end_date=start + datetime.timedelta(days=14),
    )
    return {"board": board, "admin": admin, "alice": alice} | {
        "task": task,
        "epic": epic,
        "sprint": sprint,
    }


def stored_state() -> tuple[Any, ...]:
    """Everything a refused write could have half-written."""
    return (
        list(Task.objects.order_by("pk").values_list("title", "description", "version")),
        list(Epic.objects.order_by("pk").values_list("name", "description")),
        list(Sprint.objects.order_by("pk").values_list("name", "description")),
        list(Board.objects.order_by("pk").values()),
        Event.objects.count(),
        DisplayKey.objects.count(),
        ApiToken.objects.count(),
        list(get_user_model().objects.order_by("pk").values_list("username", "password")),
    )


# --- Pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class PagePost:
    """A form post: by `who`, to `url` (of the world's `subject`), refused on `field`."""

    who: str | None
    url: str
    subject: str | None
    data: dict[str, str]
    field: str
    form: str = "form"
    # Django's own auth views answer an invalid form with 200; ours with 422.
    status: int = 422

    def __str__(self) -> str:
        sizes = ",".join(str(len(value)) for value in self.data.values())
        return f"{self.url}-{self.field}-{sizes}"


SPRINT_DATES = {"start_date": "2026-02-01", "end_date": "2026-02-14"}
REGISTER = {
    "username": "newcomer",
    "email": "newcomer@example.com",
    "password1": "a-long-pass-phrase",
    "password2": "a-long-pass-phrase",
}
WIP_FIELDS = ("wip_limit_unassigned", "wip_limit_in_progress", "wip_limit_done")
LONG_PASSWORD = too_long(PASSWORD_MAX_LENGTH)

PAGE_POSTS = [
    PagePost("alice", "task_create", "board", {"title": too_long(TASK_TITLE_MAX_LENGTH)},
             "title", form="quick_form"),
    PagePost("alice", "task_edit", "task", {"title": too_long(TASK_TITLE_MAX_LENGTH)}, "title"),
    PagePost("alice", "task_edit", "task",
             {"title": "ok", "description": too_long(TASK_DESCRIPTION_MAX_LENGTH)},
             "description"),
    *[
        PagePost("alice", "task_edit", "task", {"title": "ok", "expected_version": str(number)},
                 "expected_version")
        for number in TOO_BIG_INTS
    ],
    PagePost("alice", "epic_list", "board", {"name": too_long(NAME_MAX_LENGTH)}, "name"),
    PagePost("alice", "epic_list", "board",
             {"name": "ok", "description": too_long(DESCRIPTION_MAX_LENGTH)}, "description"),
    PagePost("alice", "sprint_list", "board",
             {"name": too_long(NAME_MAX_LENGTH)} | SPRINT_DATES, "name"),
    PagePost("alice", "sprint_list", "board",
             {"name": "ok", "description": too_long(DESCRIPTION_MAX_LENGTH)} | SPRINT_DATES,
             "description"),
    PagePost("admin", "board_members", "board",
             {"username": too_long(USER_IDENTIFIER_MAX_LENGTH), "role": "member"}, "username"),
    *[
        PagePost("admin", "board_settings", "board", {field: str(number)}, field)
        for field in WIP_FIELDS
        for number in [WIP_LIMIT_MAX + 1, *TOO_BIG_INTS]
    ],
    PagePost("admin", "display_key_create", "board", {"name": too_long(100)}, "name",
             form="key_form"),
    PagePost("admin", "board_update", "board", {"name": too_long(NAME_MAX_LENGTH)}, "name",
             form="details_form"),
    PagePost("admin", "board_update", "board",
             {"name": "ok", "description": too_long(DESCRIPTION_MAX_LENGTH)}, "description",
             form="details_form"),
    PagePost("admin", "board_delete", "board", {"confirm_name": too_long(NAME_MAX_LENGTH)},
             "confirm_name", form="delete_form"),
    PagePost("admin", "board_invite", "board", {"emails": too_long(50 * 256), "role": "member"},
             "emails", form="invite_form"),
    *[
        PagePost("admin", "board_invite_link_create", "board", {"role": "member", field: number},
                 field, form="link_form")
        for field in ("expires_in_days", "max_uses")
        for number in ["0", *map(str, TOO_BIG_INTS)]
    ],
    PagePost("alice", "api_tokens", None, {"name": too_long(100)}, "name"),
    PagePost("alice", "password_change", None,
             {"old_password": "correct-horse-battery", "new_password1": LONG_PASSWORD,
              "new_password2": LONG_PASSWORD}, "new_password1", status=200),
    PagePost(None, "register", None, REGISTER | {"username": too_long(150)}, "username"),
    PagePost(None, "register", None, REGISTER | {"first_name": too_long(150)}, "first_name"),
    PagePost(None, "register", None, REGISTER | {"email": "a" * 250 + "@example.com"}, "email"),
    PagePost(None, "register", None, REGISTER | {"password1": LONG_PASSWORD}, "password1"),
    PagePost(None, "login", None, {"username": too_long(USER_IDENTIFIER_MAX_LENGTH),
             "password": "x"}, "username", status=200),
    PagePost(None, "login", None, {"username": "alice", "password": LONG_PASSWORD}, "password",
             status=200),
]  # fmt: skip


@pytest.mark.parametrize("post", PAGE_POSTS, ids=str)
def test_a_page_form_shows_a_field_error(client, world, post):
    if post.who:
        client.force_login(world[post.who])
    args = [world[post.subject].pk] if post.subject else []
    before = stored_state()

    response = client.post(reverse(post.url, args=args), post.data)

    assert response.status_code == post.status
    errors = response.context[post.form].errors
    assert post.field in errors
    assert all(escape(error) in response.content.decode() for error in errors[post.field])
    assert stored_state() == before


@pytest.mark.parametrize("number", TOO_BIG_INTS)
@pytest.mark.parametrize("field", ["index", "expected_version"])
def test_a_card_move_with_a_huge_number_is_refused_with_a_message(client, world, field, number):
    client.force_login(world["alice"])
    data = {"index": "0", "expected_version": str(world["task"].version)} | {field: str(number)}
    before = stored_state()

    response = client.post(reverse("task_move", args=[world["task"].pk]), data, follow=True)

    assert response.status_code == 200
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    assert stored_state() == before


# --- The HTTP API -------------------------------------------------------------------

# (method, path from the world, body, field)
API_CASES = [
    ("post", "/boards/{board}/tasks", {"title": too_long(TASK_TITLE_MAX_LENGTH)}, "title"),
    ("post", "/boards/{board}/tasks", {"title": "ok", "description": too_long(
        TASK_DESCRIPTION_MAX_LENGTH)}, "description"),
    ("patch", "/tasks/{task}", {"title": too_long(TASK_TITLE_MAX_LENGTH)}, "title"),
    ("patch", "/tasks/{task}", {"description": too_long(TASK_DESCRIPTION_MAX_LENGTH)},
     "description"),
    *[
        case
        for number in TOO_BIG_INTS
        for case in [
            ("patch", "/tasks/{task}", {"title": "ok", "expected_version": number},
             "expected_version"),
            ("post", "/tasks/{task}/claim", {"expected_version": number}, "expected_version"),
            ("post", "/tasks/{task}/release", {"expected_version": number}, "expected_version"),
            ("post", "/tasks/{task}/archive", {"expected_version": number}, "expected_version"),
            ("post", "/tasks/{task}/status", {"status": "DONE", "expected_version": number},
             "expected_version"),
            ("post", "/tasks/{task}/move", {"index": number}, "index"),
            ("post", "/tasks/{task}/move", {"index": 0, "expected_version": number},
             "expected_version"),
            ("post", "/epics/{epic}/tasks", {"task": 1, "expected_version": number},
             "expected_version"),
        ]
    ],
    ("post", "/boards/{board}/sprints", {"name": too_long(NAME_MAX_LENGTH),
     "start_date": "2026-02-01", "end_date": "2026-02-14"}, "name"),
    ("post", "/boards/{board}/sprints", {"name": "ok", "description": too_long(
        DESCRIPTION_MAX_LENGTH), "start_date": "2026-02-01", "end_date": "2026-02-14"},
     "description"),
    ("patch", "/sprints/{sprint}", {"name": too_long(NAME_MAX_LENGTH)}, "name"),
    ("patch", "/sprints/{sprint}", {"description": too_long(DESCRIPTION_MAX_LENGTH)},
     "description"),
    ("post", "/boards/{board}/epics", {"name": too_long(NAME_MAX_LENGTH)}, "name"),
    ("post", "/boards/{board}/epics", {"name": "ok", "description": too_long(
        DESCRIPTION_MAX_LENGTH)}, "description"),
    ("patch", "/epics/{epic}", {"name": too_long(NAME_MAX_LENGTH)}, "name"),
    ("patch", "/epics/{epic}", {"description": too_long(DESCRIPTION_MAX_LENGTH)},
     "description"),
    ("post", "/boards/{board}/members", {"user": too_long(USER_IDENTIFIER_MAX_LENGTH),
     "role": "member"}, "user"),
    ("get", "/boards/{board}/tasks", {"q": too_long(200)}, "q"),
    ("get", "/boards/{board}/tasks", {"cursor": too_long(100)}, "cursor"),
    ("get", "/boards/{board}/tasks", {"limit": PG_INT_MAX + 1}, "limit"),
    ("get", "/boards/{board}/events", {"after": 2**63}, "after"),
    ("get", "/boards/{board}/events", {"limit": PG_INT_MAX + 1}, "limit"),
]  # fmt: skip


@pytest.fixture
def admin_api(world) -> ApiClient:
    from accounts.tokens import api_token_create

    return ApiClient(api_token_create(user=world["admin"], name="bounds")[1])


def _path(template: str, world: dict[str, Any]) -> str:
    return template.format(**{name: getattr(thing, "pk", None) for name, thing in world.items()})


@pytest.mark.parametrize(("method", "path", "body", "field"), API_CASES)
def test_the_api_answers_422_naming_the_field(world, admin_api, method, path, body, field):
    before = stored_state()

    response = getattr(admin_api, method)(_path(path, world), body)

    assert response.status_code == 422, response.content[:300]
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert stored_state() == before


def test_the_api_docs_show_the_limits(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    assert schemas["TaskCreateIn"]["properties"]["title"]["maxLength"] == TASK_TITLE_MAX_LENGTH
    description = schemas["TaskUpdateIn"]["properties"]["description"]
    assert description["maxLength"] == TASK_DESCRIPTION_MAX_LENGTH
    assert schemas["EpicIn"]["properties"]["description"]["maxLength"] == DESCRIPTION_MAX_LENGTH
    version = schemas["VersionIn"]["properties"]["expected_version"]["anyOf"][0]
    assert (version["minimum"], version["maximum"]) == (0, VERSION_MAX)


# --- The JSON WebSocket -------------------------------------------------------------

# (message without ref, field)
SOCKET_CASES = [
    ({"type": "create", "title": too_long(TASK_TITLE_MAX_LENGTH)}, "title"),
    ({"type": "create", "title": "ok", "description": too_long(TASK_DESCRIPTION_MAX_LENGTH)},
     "description"),
    ({"type": "update", "title": too_long(TASK_TITLE_MAX_LENGTH)}, "title"),
    ({"type": "update", "description": too_long(TASK_DESCRIPTION_MAX_LENGTH)}, "description"),
    ({"type": "set_status", "status": too_long(100)}, "status"),
    ({"type": "update", "due_date": too_long(100)}, "due_date"),
    ({"type": "resume", "after": 2**63}, "after"),
    ({"type": "claim", "ref": too_long(100)}, "ref"),
    *[
        case
        for number in TOO_BIG_INTS
        for case in [
            ({"type": "claim", "expected_version": number}, "expected_version"),
            ({"type": "release", "expected_version": number}, "expected_version"),
            ({"type": "set_status", "status": "DONE", "expected_version": number},
             "expected_version"),
            ({"type": "update", "title": "ok", "expected_version": number}, "expected_version"),
            ({"type": "move", "index": number}, "index"),
            ({"type": "move", "index": 0, "expected_version": number}, "expected_version"),
        ]
    ],
]  # fmt: skip


def socket_answer(*, actor: Any, board: Board, message: dict[str, Any]) -> dict[str, Any]:
    """What the JSON socket answers to one text frame (realtime/consumers.py's path)."""
    try:
        parsed = frame_parse(orjson.dumps(message).decode(), None)
    except ProtocolError as error:
        return protocol_error_message(error)
    return action_run(actor=actor, board_id=board.pk, origin="test", message=parsed)


@pytest.mark.parametrize(("message", "field"), SOCKET_CASES)
def test_the_socket_answers_invalid_naming_the_field(world, message, field):
    if message["type"] != "create":
        message = {"task": world["task"].pk} | message
    before = stored_state()

    answer = socket_answer(
        actor=world["alice"], board=world["board"], message={"ref": "r"} | message
    )

    assert (answer["type"], answer["code"], answer["field"]) == ("error", "invalid", field)
    assert stored_state() == before


# --- The services, the last line for every door -------------------------------------


def _refusal_field(call: Any) -> str:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return next(iter(refused.value.fields))


@pytest.mark.parametrize("number", [WIP_LIMIT_MAX + 1, *TOO_BIG_INTS])
def test_the_settings_service_refuses_a_wip_limit_out_of_range(world, number):
    before = stored_state()
    field = _refusal_field(
        lambda: board_settings_update(
            actor=world["admin"],
            board_id=world["board"].pk,
            wip_limits={"wip_limit_done": number},
            wip_limits_hard=True,
        )
    )
    assert field == "wip_limit_done"
    assert stored_state() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": too_long(NAME_MAX_LENGTH)}, "name"),
        ({"name": "ok", "description": too_long(DESCRIPTION_MAX_LENGTH)}, "description"),
    ],
)
def test_board_create_refuses_too_long_text(world, changes, field):
    before = stored_state()
    create = lambda: board_create(  # noqa: E731
        actor=world["admin"], organization=world["board"].organization, **changes
    )
    assert _refusal_field(create) == field
    assert stored_state() == before


def test_a_display_key_name_too_long_is_refused_not_cut(world):
    before = stored_state()
    create = lambda: display_key_create(  # noqa: E731
        actor=world["admin"], board_id=world["board"].pk, name=too_long(100)
    )
    assert _refusal_field(create) == "name"
    assert stored_state() == before


def test_an_epic_description_too_long_is_refused(world):
    update = lambda: epic_update(  # noqa: E731
        actor=world["alice"],
        epic_id=world["epic"].pk,
        description=too_long(DESCRIPTION_MAX_LENGTH),
    )
    assert _refusal_field(update) == "description"


def test_a_version_past_the_column_is_refused_not_a_conflict(world):
    claim = lambda: task_claim(  # noqa: E731
        actor=world["alice"], task_id=world["task"].pk, expected_version=VERSION_MAX + 1
    )
    assert _refusal_field(claim) == "expected_version"


# --- Frame sizes --------------------------------------------------------------------


def test_the_largest_task_event_stays_far_under_the_socket_frame(world):
    """Every field at its limit, in the character JSON escapes longest."""
    widest = "\x01"
    person = UserFactory(first_name=widest * 150, last_name=widest * 150)
    member_add(board=world["board"], user=person, role=Role.MEMBER)
    epic_update(actor=person, epic_id=world["epic"].pk, name=widest * NAME_MAX_LENGTH)
    task = task_update(
        actor=person,
        task_id=world["task"].pk,
        title=widest * TASK_TITLE_MAX_LENGTH,
        description=widest * TASK_DESCRIPTION_MAX_LENGTH,
        epic_id=world["epic"].pk,
    )
    task = task_claim(actor=person, task_id=task.pk)
    event = Event.objects.filter(task=task).latest("seq")

    frame = orjson.dumps(event_message(event) | {"origin": "c" * 40})

    assert len(frame) < 40 * 1024 < MAX_FRAME_BYTES


# --- Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE -----------------------------------------


@pytest.mark.parametrize("megabytes", [3, 10])
@pytest.mark.parametrize(
    ("method", "path"), [("post", "/boards/{board}/tasks"), ("patch", "/tasks/{task}")]
)
def test_the_api_answers_413_to_a_body_over_the_limit(world, admin_api, method, path, megabytes):
    before = stored_state()
    body = {"title": "ok", "description": "x" * (megabytes * 2**20)}

    response = getattr(admin_api, method)(_path(path, world), body)

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert stored_state() == before


@pytest.mark.parametrize("csrf_checks", [False, True], ids=["in-view", "in-csrf-middleware"])
@pytest.mark.parametrize(("url_name", "subject"), [("task_create", "board"), ("task_edit", "task")])
def test_a_page_answers_413_to_a_post_over_the_limit(world, url_name, subject, csrf_checks):
    """With CSRF checks on (and a CSRF cookie), the middleware is the first to read it."""
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(world["alice"])
    client.get(reverse("board_detail", args=[world["board"].pk]))  # sets the CSRF cookie
    before = stored_state()

    response = client.post(
        reverse(url_name, args=[world[subject].pk]), {"title": "x" * (3 * 2**20)}
    )

    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert stored_state() == before
