"""The wall display: no login, read-only, opened with a display key."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from board.exceptions import BoardArchived
from board.selectors import board_last_change, board_snapshot, display_key_board
from board.services.display_keys import DISPLAY_PAGE_COOKIE, DISPLAY_SOCKET_COOKIE
from board.views.boards import page_card_limit


# HEAD too: the display's daily safety reload asks with HEAD whether the page answers.
@require_safe
@xframe_options_sameorigin
def board_display(request: HttpRequest, board_id: int) -> HttpResponse:
    """The display link carries `?key=`; it is traded once for a cookie and a clean URL."""
    if "key" in request.GET:
        return _display_key_to_cookie(request, board_id)
    found = display_key_board(board_id=board_id, plaintext=request.COOKIES.get(DISPLAY_PAGE_COOKIE))
    if found is None:
        return render(request, "board/display_refused.html", status=403)
    board, _ = found
    theme = "light" if request.GET.get("theme") == "light" else "dark"
    if board.archived_at is not None:
        context = {"board": board, "theme": theme}
        return render(
            request, "board/display_archived.html", context, status=BoardArchived.http_status
        )
    context = {
        "board": board,
        "snapshot": board_snapshot(board=board, cards_per_column=page_card_limit(request)),
        "theme": theme,
        "last_change": board_last_change(board=board),
        "socket_path": display_socket_path(board.pk),
    }
    return render(request, "board/display.html", context)


DISPLAY_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def display_socket_path(board_id: int) -> str:
    return f"/ws/boards/{board_id}/display/"


def _display_key_to_cookie(request: HttpRequest, board_id: int) -> HttpResponse:
    """Check the key, keep it in HttpOnly cookies scoped to this board's display page
    and to its socket, and redirect to the URL without it: the key then never again
    appears in a request line (access logs), in history, or in a Referer."""
    plaintext = request.GET["key"]
    if display_key_board(board_id=board_id, plaintext=plaintext) is None:
        return render(request, "board/display_refused.html", status=403)
    query = request.GET.copy()
    del query["key"]
    response = redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    # One name per path (a response sets each name once). The page's cookie is Lax:
    # with Strict, a display link clicked on another site (chat, email) comes back
    # from this redirect without it and is refused. Lax lets such a read-only GET
    # page load, still never in a frame or a script's request from another site. The
    # socket's cookie is Strict: the socket only ever opens from the display page.
    scopes = {
        DISPLAY_PAGE_COOKIE: (request.path, "Lax"),
        DISPLAY_SOCKET_COOKIE: (display_socket_path(board_id), "Strict"),
    }
    for name, (path, samesite) in scopes.items():
        response.set_cookie(
            name,
            plaintext,
            max_age=DISPLAY_COOKIE_MAX_AGE,
            path=path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite=samesite,
        )
    return response
