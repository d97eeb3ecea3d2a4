"""board_export / board_import: a board as one JSON document, into a new board, and
the export of the import is the original document (ids inside event payloads aside)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import orjson
import pytest
from django.core.management import CommandError, call_command

from board.exceptions import ValidationFailed
from board.models import Board, Event, Role, Status
from board.services import (
    epic_create,
    membership_set_role,
    sprint_add_task,
    sprint_create,
    task_claim,
    task_create,
    task_set_status,
)
from board.services.board_transfer import board_export, board_import
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_board(board, admin, alice, viewer):
    epic = epic_create(actor=alice, board_id=board.pk, name="Launch", description="Q3")
    first = task_create(actor=alice, board_id=board.pk, title="Write", epic_id=epic.pk)
    second = task_create(actor=admin, board_id=board.pk, title="Ship", due_date="2026-12-24")
    task_create(actor=alice, board_id=board.pk, title="Plain")
    task_claim(actor=alice, task_id=first.pk)
    task_claim(actor=admin, task_id=second.pk)
    task_set_status(actor=admin, task_id=second.pk, status=Status.DONE)
    today = datetime.date(2026, 12, 1)
    sprint = sprint_create(
        actor=alice,
        board_id=board.pk,
        name="Sprint 1",
        start_date=today.isoformat(),
        end_date=(today + datetime.timedelta(days=14)).isoformat(),
    )
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=first.pk)
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=second.pk)
    membership_set_role(actor=admin, board_id=board.pk, user=viewer, role=Role.MEMBER)
    board.refresh_from_db()
    return board


def without_ids(value: Any) -> Any:
    """The document with every id and board number inside event payloads dropped."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("id", "board")}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    return value


def modulo_payload_ids(document: dict[str, Any]) -> dict[str, Any]:
    events = [event | {"payload": without_ids(event["payload"])} for event in document["events"]]
    return document | {"events": events}


def test_the_export_of_an_import_is_the_original(busy_board):
    original = board_export(board_id=busy_board.pk)
    elsewhere = OrganizationFactory()
    copy = board_import(data=orjson.loads(orjson.dumps(original)), organization=elsewhere)
    assert copy.pk != busy_board.pk and copy.organization == elsewhere
    again = board_export(board_id=copy.pk)
    assert modulo_payload_ids(again) == modulo_payload_ids(original)


def test_the_document_names_people_by_email_and_keeps_every_event(busy_board, admin, alice):
    document = board_export(board_id=busy_board.pk)
    emails = {member["email"]: member["role"] for member in document["members"]}
    assert emails[admin.email] == Role.ADMIN and emails[alice.email] == Role.MEMBER
    assert [e["seq"] for e in document["events"]] == list(range(1, busy_board.last_seq + 1))
    writing = next(task for task in document["tasks"] if task["title"] == "Write")
    assert (writing["owner"], writing["status"], writing["epic"]) == (
        alice.email,
        Status.IN_PROGRESS,
        1,
    )
    assert document["sprints"][0]["tasks"] == [1, 2]


def test_imported_events_keep_their_seq_time_and_task(busy_board):
    copy = board_import(
        data=board_export(board_id=busy_board.pk), organization=OrganizationFactory()
    )
    source = list(Event.objects.filter(board=busy_board).order_by("seq"))
    copied = list(Event.objects.filter(board=copy).order_by("seq"))
    assert [(e.seq, e.kind, e.created_at) for e in copied] == [
        (e.seq, e.kind, e.created_at) for e in source
    ]
    assert {e.task.title for e in copied if e.task} == {e.task.title for e in source if e.task}
    assert all(e.task is None or e.task.board_id == copy.pk for e in copied)
    assert copy.last_seq == busy_board.last_seq


def test_an_import_into_the_same_workspace_gets_a_free_slug(busy_board):
    copy = board_import(
        data=board_export(board_id=busy_board.pk), organization=busy_board.organization
    )
    assert copy.slug == f"{busy_board.slug}-2"


def test_someone_without_an_account_here_is_refused_and_nothing_is_written(busy_board):
    document = board_export(board_id=busy_board.pk)
    document["members"].append({"email": "nobody@elsewhere.example", "role": "member"})
    before = Board.objects.count()
    with pytest.raises(ValidationFailed, match=r"nobody@elsewhere\.example"):
        board_import(data=document, organization=OrganizationFactory())
    assert Board.objects.count() == before


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("tasks"),
        lambda d: d["tasks"][0].update(status="SIDEWAYS"),
        lambda d: d["board"].update(name="x" * 10_000),
        lambda d: d["events"][0].update(seq=10_000),
        lambda d: d.update(version=99),
        lambda d: d["tasks"][0].update(epic=42),
    ],
)
def test_a_damaged_document_is_refused_clearly(busy_board, damage):
    document = board_export(board_id=busy_board.pk)
    damage(document)
    with pytest.raises(ValidationFailed):
        board_import(data=document, organization=OrganizationFactory())


def test_the_commands_round_trip_through_a_file(busy_board, tmp_path):
    path = tmp_path / "board.json"
    call_command("board_export", str(busy_board.pk), output=str(path))
    workspace = OrganizationFactory()
    out = io.StringIO()
    call_command("board_import", str(path), workspace=workspace.slug, stdout=out)
    copy = Board.objects.get(organization=workspace)
    assert f"Imported board {copy.pk}" in out.getvalue()
    exported = io.StringIO()
    call_command("board_export", str(copy.pk), stdout=exported)
    assert modulo_payload_ids(orjson.loads(exported.getvalue())) == modulo_payload_ids(
        orjson.loads(path.read_bytes())
    )


def test_the_commands_refuse_with_a_message_not_a_traceback(busy_board, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("board_export", "999999")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("board_import", str(bad), workspace=busy_board.organization.slug)
    with pytest.raises(CommandError, match="No workspace"):
        call_command("board_import", str(bad), workspace="no-such-workspace")


def test_members_become_workspace_members(busy_board, viewer):
    workspace = OrganizationFactory()
    board_import(data=board_export(board_id=busy_board.pk), organization=workspace)
    assert workspace.members.filter(pk=viewer.pk).exists()
