"""A board as one JSON document, and back into a new board (manage.py board_export and
board_import; backups of a whole instance are pg_dump's, docs/operations.md).

The document names people by email and everything else by its position in its list
(`ref`, from 1, in creation order), never by database id, so exporting an imported
board gives the same document again. Event payloads are kept as they were recorded:
they are history, and the ids inside them are those of the exporting instance.
Display keys are not exported (only their hashes are stored; make new ones).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from board.exceptions import NotFound, ValidationFailed
from board.models import Board, Epic, Event, Membership, Sprint, Task

FORMAT = "taskboard.board"
VERSION = 1
BOARD_FIELDS = (
    "name",
    "slug",
    "description",
    "wip_limit_unassigned",
    "wip_limit_in_progress",
    "wip_limit_done",
    "wip_limits_hard",
    "last_seq",
)
TASK_FIELDS = ("title", "description", "status", "position", "version")


def _when(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def board_export(*, board_id: int) -> dict[str, Any]:
    """The board's document (a read: it writes nothing)."""
    board = Board.objects.filter(pk=board_id).first()
    if board is None:
        raise NotFound("This board does not exist.")
    epics = list(board.epics.order_by("pk"))
    epic_refs = {epic.pk: n for n, epic in enumerate(epics, 1)}
    tasks = list(board.tasks.select_related("creator", "owner").order_by("pk"))
    task_refs = {task.pk: n for n, task in enumerate(tasks, 1)}

    def email(user: Any) -> str | None:
        return user.email if user is not None else None

    return {
        "format": FORMAT,
        "version": VERSION,
        "board": {name: getattr(board, name) for name in BOARD_FIELDS}
        | {"created_at": _when(board.created_at)},
        "members": sorted(
            (
                {"email": m.user.email, "role": m.role}
                for m in board.memberships.select_related("user")
            ),
            key=lambda member: member["email"].lower(),
        ),
        "epics": [
            {
                "ref": n,
                "name": e.name,
                "description": e.description,
                "created_at": _when(e.created_at),
            }
            for n, e in enumerate(epics, 1)
        ],
        "tasks": [
            {"ref": n, **{name: getattr(task, name) for name in TASK_FIELDS}}
            | {
                "creator": email(task.creator),
                "owner": email(task.owner),
                "epic": epic_refs.get(task.epic_id),
                "due_date": _when(task.due_date),
                "created_at": _when(task.created_at),
                "updated_at": _when(task.updated_at),
            }
            for n, task in enumerate(tasks, 1)
        ],
        "sprints": [
            {
                "name": s.name,
                "description": s.description,
                "start_date": _when(s.start_date),
                "end_date": _when(s.end_date),
                "created_at": _when(s.created_at),
                "tasks": sorted(task_refs[pk] for pk in s.tasks.values_list("pk", flat=True)),
            }
            for s in board.sprints.order_by("pk")
        ],
        "events": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "task": task_refs.get(e.task_id),
                "actor": email(e.actor),
                "payload": e.payload,
                "created_at": _when(e.created_at),
            }
            for e in board.events.select_related("actor").order_by("seq")
        ],
    }


def board_import(*, data: Any, organization: Any) -> Board:
    """A new board in `organization` from a document of board_export. Everyone the
    document names must have an account here (matched by email); they become members
    of the workspace. Refuses (ValidationFailed) anything malformed, writing nothing."""
    try:
        with transaction.atomic():
            return _import(data, organization)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValidationFailed(f"This is not a board export: {error!r}.") from error
    except (ValidationError, IntegrityError) as error:
        raise ValidationFailed(f"The export does not fit: {error}.") from error


def _import(data: dict[str, Any], organization: Any) -> Board:
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValidationFailed(f"This is not a {FORMAT} export of version {VERSION}.")
    users = _people(data)
    fields = {name: data["board"][name] for name in BOARD_FIELDS}
    fields["slug"] = _free_slug(organization, str(fields["slug"]))
    board = _saved(Board(organization=organization, **fields))
    for member in data["members"]:
        _saved(Membership(board=board, user=users[member["email"].lower()], role=member["role"]))
        organization.members.add(users[member["email"].lower()])
    epics = {
        e["ref"]: _saved(Epic(board=board, name=e["name"], description=e["description"]))
        for e in data["epics"]
    }
    tasks = {
        t["ref"]: _saved(
            Task(
                board=board,
                creator=users.get((t["creator"] or "").lower()),
                owner=users.get((t["owner"] or "").lower()),
                epic=epics[t["epic"]] if t["epic"] is not None else None,
                due_date=_date(t["due_date"]),
                **{name: t[name] for name in TASK_FIELDS},
            )
        )
        for t in data["tasks"]
    }
    sprints = []
    for s in data["sprints"]:
        sprint = _saved(
            Sprint(
                board=board,
                name=s["name"],
                description=s["description"],
                start_date=_date(s["start_date"]),
                end_date=_date(s["end_date"]),
            )
        )
        sprint.tasks.set([tasks[ref] for ref in s["tasks"]])
        sprints.append(sprint)
    events = [
        Event(
            board=board,
            seq=int(e["seq"]),
            kind=e["kind"],
            task=tasks[e["task"]] if e["task"] is not None else None,
            actor=users.get((e["actor"] or "").lower()),
            payload=e["payload"],
        )
        for e in data["events"]
    ]
    if any(event.seq < 1 or event.seq > board.last_seq for event in events):
        raise ValidationFailed("An event's seq is outside the board's sequence.")
    Event.objects.bulk_create(events)
    _created_at_restore(board, data, epics, tasks, sprints, events)
    return board


def _people(data: dict[str, Any]) -> dict[str, Any]:
    """Every account the document names, by lowercased email; refuses if one is missing."""
    named = {m["email"] for m in data["members"]}
    named |= {t[key] for t in data["tasks"] for key in ("creator", "owner") if t[key]}
    named |= {e["actor"] for e in data["events"] if e["actor"]}
    wanted = {str(email).lower() for email in named}
    query = Q()
    for email in wanted:
        query |= Q(email__iexact=email)
    found = {u.email.lower(): u for u in get_user_model().objects.filter(query)} if wanted else {}
    missing = sorted(wanted - set(found))
    if missing:
        raise ValidationFailed("No account has these emails here: " + ", ".join(missing) + ".")
    return found


def _free_slug(organization: Any, slug: str) -> str:
    base, n, candidate = slug, 1, slug
    while Board.objects.filter(organization=organization, slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _saved(instance: Any) -> Any:
    instance.full_clean(exclude=["board", "organization", "creator", "owner", "epic", "user"])
    instance.save()
    return instance


def _created_at_restore(
    board: Board,
    data: dict[str, Any],
    epics: dict[int, Epic],
    tasks: dict[int, Task],
    sprints: list[Sprint],
    events: list[Event],
) -> None:
    """auto_now_add stamped everything with now; put back the recorded times."""
    stamp = datetime.datetime.fromisoformat
    board.created_at = stamp(data["board"]["created_at"])
    board.save(update_fields=["created_at"])
    for row, epic in zip(data["epics"], epics.values(), strict=True):
        epic.created_at = stamp(row["created_at"])
    Epic.objects.bulk_update(list(epics.values()), ["created_at"])
    for row, task in zip(data["tasks"], tasks.values(), strict=True):
        task.created_at, task.updated_at = stamp(row["created_at"]), stamp(row["updated_at"])
    Task.objects.bulk_update(list(tasks.values()), ["created_at", "updated_at"])
    for row, sprint in zip(data["sprints"], sprints, strict=True):
        sprint.created_at = stamp(row["created_at"])
    Sprint.objects.bulk_update(sprints, ["created_at"])
    for row, event in zip(data["events"], events, strict=True):
        event.created_at = stamp(row["created_at"])
    Event.objects.bulk_update(events, ["created_at"])
