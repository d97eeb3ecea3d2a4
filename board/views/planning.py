"""Sprint and epic pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from board.exceptions import DomainError
from board.forms import EpicForm, SprintForm
from board.models import Role, Sprint, Status, Task
from board.selectors import board_epics, board_sprints, role_at_least, sprint_progress_percent
from board.services import epic_create, sprint_add_task, sprint_create, sprint_remove_task
from board.views._access import member_board_or_404
from board.views._once import run_once


@require_http_methods(["GET", "POST"])
@login_required
def epic_list(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    form = EpicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            run_once(request, lambda: epic_create(actor=request.user, board_id=board.pk, **data).pk)
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Epic created.")
            return redirect("epic_list", board.pk)
    context = {
        "board": board,
        "epics": board_epics(board=board),
        "form": form,
        "can_edit": role_at_least(role, Role.MEMBER),
    }
    return render(request, "board/epic_list.html", context, status=form.http_status)


@require_http_methods(["GET", "POST"])
@login_required
def sprint_list(request: HttpRequest, board_id: int) -> HttpResponse:
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    form = SprintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            sprint_id = run_once(
                request, lambda: sprint_create(actor=request.user, board_id=board.pk, **data).pk
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Sprint created.")
            return redirect("sprint_detail", sprint_id)
    sprints = list(board_sprints(board=board))
    for sprint in sprints:
        sprint.progress = sprint_progress_percent(
            task_count=sprint.task_count, done_count=sprint.done_count
        )
    context = {
        "board": board,
        "sprints": sprints,
        "form": form,
        "can_edit": role_at_least(role, Role.MEMBER),
    }
    return render(request, "board/sprint_list.html", context, status=form.http_status)


def _sprint_for_member(request: HttpRequest, sprint_id: int) -> tuple[Sprint, Role]:
    sprint = Sprint.objects.filter(pk=sprint_id).select_related("board").first()
    if sprint is None:
        raise Http404("This sprint does not exist.")
    _, role = member_board_or_404(user=request.user, board_id=sprint.board_id)
    return sprint, role


@require_http_methods(["GET"])
@login_required
def sprint_detail(request: HttpRequest, sprint_id: int) -> HttpResponse:
    sprint, role = _sprint_for_member(request, sprint_id)
    in_sprint = list(
        sprint.tasks.exclude(status=Status.ARCHIVED).select_related("owner", "epic").order_by("id")
    )
    done = sum(1 for task in in_sprint if task.status == Status.DONE)
    others = (
        Task.objects.filter(board=sprint.board)
        .exclude(status=Status.ARCHIVED)
        .exclude(pk__in=[task.pk for task in in_sprint])
        .order_by("title")
    )
    context = {
        "sprint": sprint,
        "board": sprint.board,
        "tasks": in_sprint,
        "other_tasks": others,
        "progress": sprint_progress_percent(task_count=len(in_sprint), done_count=done),
        "done_count": done,
        "can_edit": role_at_least(role, Role.MEMBER),
    }
    return render(request, "board/sprint_detail.html", context)


@require_POST
@login_required
def sprint_task_change(request: HttpRequest, sprint_id: int, change: str) -> HttpResponse:
    sprint, _ = _sprint_for_member(request, sprint_id)
    service = {"add": sprint_add_task, "remove": sprint_remove_task}.get(change)
    if service is None:
        raise Http404("Unknown change.")
    try:
        service(actor=request.user, sprint_id=sprint.pk, task_id=request.POST.get("task_id"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Task added to the sprint." if change == "add" else "Removed.")
    return redirect("sprint_detail", sprint.pk)
