"""The task page and its conversation: comments, watching, mention suggestions.

Every action is a plain form POST that redirects back to the task page, and with htmx
it answers with the part of the page it changed. The task page's socket brings
everyone else's changes (realtime/_event.html); the author's own arrive both ways, and
task-page.js keeps one of each."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from board.exceptions import DomainError
from board.forms import CommentForm, WatchForm
from board.models import Role, Task
from board.public import task_public_state
from board.refusals import refusal_of
from board.selectors import role_at_least, task_history
from board.services.comments import (
    comment_create,
    comment_delete,
    comment_update,
    task_watch,
)
from board.views._access import member_board_or_404, member_task_or_404
from board.views._once import run_once
from board.views._responses import form_response, refused
from discussion.models import Comment
from discussion.presentation import comment_view, history_entry, task_head_context
from discussion.public import comment_public_state
from discussion.selectors import (
    comment_for_member,
    mention_suggestions,
    task_comments,
    task_watched_by,
    task_watchers,
)


def task_page(
    request: HttpRequest,
    task: Task,
    role: Role,
    *,
    comment_form: CommentForm | None = None,
    editing: int | None = None,
    edit_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole task page; `editing` names the comment shown as its edit form."""
    comments = [comment_view(comment_public_state(c)) for c in task_comments(task=task)]
    if editing is not None and edit_form is None:
        body = next((c["body"] for c in comments if c["id"] == editing), None)
        edit_form = _edit_form(task, editing, initial={"body": body}) if body is not None else None
    context = {
        "task": task,
        "card": task_public_state(task),
        "board": task.board,
        "role": role.value,
        "seq": task.board.last_seq,
        "tab_id": secrets.token_urlsafe(9),
        "can_edit": role_at_least(role, Role.MEMBER),
        "viewer": _viewer(request, role),
        "comments": comments,
        "comment_form": comment_form or CommentForm(auto_id="id_comment_%s", board=task.board),
        "editing": editing,
        "edit_form": edit_form,
        "watchers": task_watchers(task=task),
        "watching": task_watched_by(task=task, user=request.user),
        "history": [history_entry(event) for event in task_history(task=task)],
        **task_head_context(task_public_state(task), description_html=task.description_html),
    }
    return render(request, "board/task_detail.html", context, status=status)


@require_GET
@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task, role = member_task_or_404(user=request.user, task_id=task_id)
    editing = request.GET.get("edit", "")
    return task_page(request, task, role, editing=int(editing) if editing.isdigit() else None)


@require_POST
@login_required
def comment_create_view(request: HttpRequest, task_id: int) -> HttpResponse:
    task, role = member_task_or_404(user=request.user, task_id=task_id)
    form = CommentForm(request.POST, auto_id="id_comment_%s", board=task.board)
    if form.is_valid():
        body = form.cleaned_data["body"]
        try:
            comment_id = run_once(
                request,
                lambda: comment_create(actor=request.user, task_id=task.pk, body=body).pk,
            )
        except DomainError as error:
            form.refuse(error)
        else:
            return _comment_created(request, task=task, comment_id=comment_id)
    if not request.htmx:
        return task_page(request, task, role, comment_form=form, status=form.http_status)
    context = {"task_id": task.pk, "comment_form": form}
    return form_response(request, "discussion/_comment_form.html", context, form=form)


def _comment_created(request: HttpRequest, *, task: Task, comment_id: int) -> HttpResponse:
    if not request.htmx:
        return _back_to_task(task.pk, comment_id)
    found = comment_for_member(user=request.user, comment_id=comment_id)
    html = render_to_string(
        "discussion/_comment_created.html",
        {
            "task_id": task.pk,
            "comment_form": CommentForm(auto_id="id_comment_%s", board=task.board),
            "comment": comment_view(comment_public_state(found[0])) if found else None,
            "count": found[0].task.comment_count if found else None,
            "viewer": _viewer(request, found[1]) if found else None,
        },
        request=request,
    )
    return HttpResponse(html)


@require_GET
@login_required
def comment_show(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, role = _comment_or_404(request, comment_id)
    if not request.htmx:
        return _back_to_task(comment.task_id, comment.pk)
    return _comment_response(request, comment, role)


@require_http_methods(["GET", "POST"])
@login_required
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, role = _comment_or_404(request, comment_id)
    if request.method == "GET":
        if not request.htmx:
            url = reverse("task_detail", args=[comment.task_id])
            return HttpResponseRedirect(f"{url}?edit={comment.pk}#comment-{comment.pk}")
        return _edit_response(
            request, comment, _edit_form(comment.task, comment.pk, {"body": comment.body})
        )
    form = _edit_form(comment.task, comment.pk, data=request.POST)
    if form.is_valid():
        body = form.cleaned_data["body"]
        try:
            run_once(
                request,
                lambda: comment_update(actor=request.user, comment_id=comment.pk, body=body).pk,
            )
        except DomainError as error:
            form.refuse(error)
        else:
            if not request.htmx:
                return _back_to_task(comment.task_id, comment.pk)
            comment.refresh_from_db()
            return _comment_response(request, comment, role)
    if not request.htmx:
        task = comment.task
        return task_page(
            request, task, role, editing=comment.pk, edit_form=form, status=form.http_status
        )
    return _edit_response(request, comment, form)


@require_POST
@login_required
def comment_delete_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, role = _comment_or_404(request, comment_id)
    task_id = comment.task_id
    try:
        run_once(request, lambda: comment_delete(actor=request.user, comment_id=comment.pk))
    except DomainError as error:
        refusal = refusal_of(error)
        if not request.htmx:
            messages.error(request, refusal.message)
            return _back_to_task(task_id, comment.pk)
        response = _comment_response(request, comment, role, error=refusal.message)
        return refused(request, response, refusal)
    if not request.htmx:
        return _back_to_task(task_id, None)
    # The comment's place on the page becomes nothing (hx-swap="outerHTML").
    return HttpResponse("")


@require_POST
@login_required
def task_watch_view(request: HttpRequest, task_id: int) -> HttpResponse:
    task, _ = member_task_or_404(user=request.user, task_id=task_id)
    form = WatchForm(request.POST)
    wanted = form.is_valid() and form.cleaned_data["watching"]
    try:
        watching = run_once(
            request, lambda: task_watch(actor=request.user, task_id=task.pk, watching=wanted)
        )
    except DomainError as error:
        refusal = refusal_of(error)
        if not request.htmx:
            messages.error(request, refusal.message)
            return _back_to_task(task.pk, None)
        watching = task_watched_by(task=task, user=request.user)
        form_html = render_to_string(
            "discussion/_watch_form.html", {"task_id": task.pk, "watching": watching}, request
        )
        return refused(request, HttpResponse(form_html), refusal)
    if not request.htmx:
        return _back_to_task(task.pk, None)
    html = render_to_string(
        "discussion/_watch_changed.html",
        {"task_id": task.pk, "watching": watching, "watchers": task_watchers(task=task)},
        request=request,
    )
    return HttpResponse(html)


@require_GET
@login_required
def mention_suggestions_view(request: HttpRequest, board_id: int) -> JsonResponse:
    board, _ = member_board_or_404(user=request.user, board_id=board_id)
    query = request.GET.get("q", "")
    return JsonResponse({"members": mention_suggestions(board=board, query=query)})


def _viewer(request: HttpRequest, role: Role) -> dict[str, Any]:
    return {"id": request.user.pk, "is_admin": role == Role.ADMIN}


def _edit_form(
    task: Task, comment_id: int, initial: dict[str, Any] | None = None, data: Any = None
) -> CommentForm:
    auto_id = f"id_comment_{comment_id}_%s"
    return CommentForm(data, initial=initial, auto_id=auto_id, board=task.board)


def _comment_or_404(request: HttpRequest, comment_id: int) -> tuple[Comment, Role]:
    found = comment_for_member(user=request.user, comment_id=comment_id)
    if found is None:
        raise Http404("This comment does not exist.")
    return found


def _back_to_task(task_id: int, comment_id: int | None) -> HttpResponseRedirect:
    anchor = f"#comment-{comment_id}" if comment_id else "#comments-title-" + str(task_id)
    return HttpResponseRedirect(reverse("task_detail", args=[task_id]) + anchor)


def _comment_response(
    request: HttpRequest, comment: Comment, role: Role, *, error: str | None = None
) -> HttpResponse:
    context = {
        "comment": comment_view(comment_public_state(comment)),
        "viewer": _viewer(request, role),
        "comment_error": error,
    }
    return render(request, "discussion/_comment.html", context)


def _edit_response(request: HttpRequest, comment: Comment, form: CommentForm) -> HttpResponse:
    context = {"comment": comment_view(comment_public_state(comment)), "edit_form": form}
    return form_response(request, "discussion/_comment_edit.html", context, form=form)
