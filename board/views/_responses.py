"""Responses shared by the board views: htmx partials or a redirect with a message.

A service's refusal reads as through the API and the socket (board/refusals.py): the
page shows its message and answers with its HTTP status, and an htmx request also
gets its code, message and fields as the `taskboard:refused` event (HX-Trigger).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event

from board.forms import RefusableForm
from board.models import Board
from board.public import task_public_state
from board.refusals import Refusal
from board.selectors import board_column_counts, task_for_member

REFUSED_EVENT = "taskboard:refused"


def safe_next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def refused(request: HttpRequest, response: HttpResponse, refusal: Refusal) -> HttpResponse:
    """An htmx answer carries the refusal's status and its wire form; a plain form
    post keeps its redirect or page (whose status the view chose)."""
    if not request.htmx:
        return response
    response.status_code = refusal.status
    wire = {"code": refusal.code, "message": refusal.message, "fields": refusal.fields}
    return trigger_client_event(response, REFUSED_EVENT, wire)


def form_response(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: RefusableForm
) -> HttpResponse:
    response = render(request, template, context, status=form.http_status)
    return refused(request, response, form.refusal) if form.refusal else response


def task_card_response(
    request: HttpRequest,
    *,
    task_id: int,
    notice: str | None = None,
    refusal: Refusal | None = None,
) -> HttpResponse:
    """The task's card as the user may see it now (none if they cannot), with the
    notice or the refusal's message."""
    found = task_for_member(user=request.user, task_id=task_id)
    task = found[0] if found else None
    response = card_update_response(
        request,
        board=task.board if task else None,
        task=task_public_state(task) if task else None,
        error=refusal.message if refusal else None,
        notice=notice,
    )
    return refused(request, response, refusal) if refusal else response


def card_update_response(
    request: HttpRequest,
    *,
    board: Board | None,
    task: dict[str, Any] | None,
    error: str | None = None,
    notice: str | None = None,
) -> HttpResponse:
    """For htmx: the card (placed by the page's card inbox) and the column heads, out
    of band, with an inline message. Without htmx: back to the board with a message.
    Without a board (the user cannot see one): only the message, or a 404 page."""
    if not request.htmx:
        if board is None:
            raise Http404(error)
        if error:
            messages.error(request, error)
        elif notice:
            messages.success(request, notice)
        return HttpResponseRedirect(safe_next_url(request, resolve_url("board_detail", board.pk)))
    html = render_to_string(
        "board/_card_update.html",
        {
            "board": board,
            "task": task,
            "card_origin": "response",
            "card_error": error,
            "notice": notice,
            "columns": board_column_counts(board=board) if board else [],
        },
        request=request,
    )
    return HttpResponse(html)
