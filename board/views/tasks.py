from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from board.exceptions import DomainError, ValidationFailed, VersionConflict
from board.forms import QuickTaskForm, TaskForm
from board.models import Role, Status, Task
from board.public import task_public_state
from board.refusals import refusal_of
from board.selectors import board_column_counts, task_for_member
from board.services import (
    task_archive,
    task_claim,
    task_create,
    task_move,
    task_release,
    task_set_status,
    task_update,
)
from board.views._access import member_board_or_404, member_task_or_404
from board.views._once import run_once
from board.views._responses import card_update_response, form_response, task_card_response

# Each card button: the service call it makes and what it says when it succeeds.
TASK_ACTIONS: dict[str, tuple[Callable[..., Task], str]] = {
    "claim": (
        lambda actor, task_id, version: task_claim(
            actor=actor, task_id=task_id, expected_version=version
        ),
        "Claimed.",
    ),
    "release": (
        lambda actor, task_id, version: task_release(
            actor=actor, task_id=task_id, expected_version=version
        ),
        "Released.",
    ),
    "done": (
        lambda actor, task_id, version: task_set_status(
            actor=actor, task_id=task_id, status=Status.DONE, expected_version=version
        ),
        "Marked done.",
    ),
    "reopen": (
        lambda actor, task_id, version: task_set_status(
            actor=actor, task_id=task_id, status=Status.IN_PROGRESS, expected_version=version
        ),
        "Reopened.",
    ),
    "archive": (
        lambda actor, task_id, version: task_archive(
            actor=actor, task_id=task_id, expected_version=version
        ),
        "Archived.",
    ),
}


def _int_or_none(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a whole number.", fields={field: "Invalid."}
        ) from None


def _current_card(*, user: Any, task_id: int) -> dict[str, Any] | None:
    found = task_for_member(user=user, task_id=task_id)
    return task_public_state(found[0]) if found else None


@require_POST
@login_required
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    if action not in TASK_ACTIONS:
        raise Http404("Unknown action.")
    service, success = TASK_ACTIONS[action]
    try:
        version = _int_or_none(request.POST.get("expected_version"), "expected_version")
        run_once(request, lambda: service(request.user, task_id, version).pk)
    except DomainError as error:
        return task_card_response(request, task_id=task_id, refusal=refusal_of(error))
    return task_card_response(request, task_id=task_id, notice=success)


@require_POST
@login_required
def task_move_view(request: HttpRequest, task_id: int) -> HttpResponse:
    try:
        index = _int_or_none(request.POST.get("index"), "index") or 0
        version = _int_or_none(request.POST.get("expected_version"), "expected_version")
        status = request.POST.get("status") or None
        run_once(
            request,
            lambda: (
                task_move(
                    actor=request.user,
                    task_id=task_id,
                    index=index,
                    status=status,
                    expected_version=version,
                ).pk
            ),
        )
    except DomainError as error:
        return task_card_response(request, task_id=task_id, refusal=refusal_of(error))
    return task_card_response(request, task_id=task_id)


@require_POST
@login_required
def task_create_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board, _ = member_board_or_404(user=request.user, board_id=board_id)
    form = QuickTaskForm(request.POST)
    if form.is_valid():
        try:
            title = form.cleaned_data["title"]
            task_id = run_once(
                request, lambda: task_create(actor=request.user, board_id=board.pk, title=title).pk
            )
        except DomainError as error:
            form.refuse(error)
        else:
            if not request.htmx:
                return card_update_response(request, board=board, task=None, notice="Task added.")
            context = {
                "board": board,
                "quick_form": QuickTaskForm(),
                "task": _current_card(user=request.user, task_id=task_id),
                "columns": board_column_counts(board=board),
            }
            return render(request, "board/_quick_task_form.html", context)
    template = "board/_quick_task_form.html" if request.htmx else "board/task_new.html"
    return form_response(request, template, {"board": board, "quick_form": form}, form=form)


def _rebased(form: TaskForm, *, version: int) -> TaskForm:
    """The refused form again, with the person's values and their conflict messages,
    based on the task's current version: saving it now keeps what they chose."""
    data = form.data.copy()
    data["expected_version"] = str(version)
    rebased = TaskForm(data, board=form.board)
    rebased.is_valid()
    for name, errors in form.errors.items():
        for error in errors:
            rebased.add_error(None if name == "__all__" else name, error)
    rebased.refusal = form.refusal
    return rebased


@require_http_methods(["GET", "POST"])
@login_required
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task, role = member_task_or_404(user=request.user, task_id=task_id)
    board = task.board
    if request.method == "GET":
        initial = {
            "title": task.title,
            "description": task.description,
            "due_date": task.due_date,
            "epic": task.epic_id,
            "expected_version": task.version,
        }
        form = TaskForm(initial=initial, board=board)
    else:
        form = TaskForm(request.POST, board=board)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run_once(
                    request,
                    lambda: (
                        task_update(
                            actor=request.user,
                            task_id=task.pk,
                            expected_version=data["expected_version"],
                            title=data["title"],
                            description=data["description"],
                            due_date=data["due_date"],
                            epic_id=data["epic"].pk if data["epic"] else None,
                        ).pk
                    ),
                )
            except DomainError as error:
                form.refuse(error)
                if isinstance(error, VersionConflict) and error.fields:
                    form = _rebased(form, version=error.task.version)
            else:
                if not request.htmx:
                    return redirect("task_detail", task.pk)
                card = _current_card(user=request.user, task_id=task.pk)
                response = card_update_response(request, board=board, task=card, notice="Saved.")
                return trigger_client_event(response, "taskboard:dialog-close")
    template = "board/_task_edit_form.html" if request.htmx else "board/task_edit.html"
    context = {"task": task, "board": board, "form": form, "can_edit": role != Role.VIEWER}
    return form_response(request, template, context, form=form)
