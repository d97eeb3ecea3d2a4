"""Responses shared by the board views: htmx partials or a redirect with a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from board.models import Board
from board.selectors import board_column_counts


def safe_next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def card_update_response(
    request: HttpRequest,
    *,
    board: Board,
    task: dict[str, Any] | None,
    error: str | None = None,
    notice: str | None = None,
) -> HttpResponse:
    """For htmx: the card (placed by the page's card inbox) and the column heads, out
    of band, with an inline message. Without htmx: back to the board with a message."""
    if not request.htmx:
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
            "columns": board_column_counts(board=board),
        },
        request=request,
    )
    return HttpResponse(html)
