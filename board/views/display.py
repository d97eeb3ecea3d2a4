"""The wall display (no login, read-only, opened with a display key) and board settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from board.exceptions import DomainError
from board.forms import BoardSettingsForm, DisplayKeyForm
from board.models import Role
from board.selectors import board_display_keys, board_last_change, board_snapshot, display_key_board
from board.services import board_settings_update, display_key_create, display_key_revoke
from board.services.display_keys import DISPLAY_PAGE_COOKIE, DISPLAY_SOCKET_COOKIE, WIP_FIELDS
from board.views._access import member_board_or_404
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


def _admin_board(request: HttpRequest, board_id: int):
    board, role = member_board_or_404(user=request.user, board_id=board_id)
    if role != Role.ADMIN:
        raise Http404("Only board admins can change settings.")
    return board


@require_http_methods(["GET", "POST"])
@login_required
def board_settings(request: HttpRequest, board_id: int) -> HttpResponse:
    board = _admin_board(request, board_id)
    initial = {name: getattr(board, name) for name in WIP_FIELDS}
    initial["wip_limits_hard"] = board.wip_limits_hard
    form = BoardSettingsForm(request.POST or None, initial=initial)
    key_form = DisplayKeyForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            board_settings_update(
                actor=request.user,
                board_id=board.pk,
                wip_limits={name: data[name] for name in WIP_FIELDS},
                wip_limits_hard=data["wip_limits_hard"],
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("board_settings", board.pk)
    return _settings_page(request, board, form, key_form)


def _settings_page(request, board, form, key_form, new_key: str | None = None) -> HttpResponse:
    context = {
        "board": board,
        "form": form,
        "key_form": key_form,
        "display_keys": board_display_keys(board=board),
        "new_key": new_key,
        "is_admin": True,
    }
    status = form.http_status if form.errors else key_form.http_status
    return render(request, "board/board_settings.html", context, status=status)


@require_POST
@login_required
def display_key_create_view(request: HttpRequest, board_id: int) -> HttpResponse:
    board = _admin_board(request, board_id)
    key_form = DisplayKeyForm(request.POST)
    new_key = None
    if key_form.is_valid():
        try:
            _, new_key = display_key_create(
                actor=request.user, board_id=board.pk, name=key_form.cleaned_data["name"]
            )
        except DomainError as error:
            key_form.refuse(error)
        else:
            key_form = DisplayKeyForm()
    settings_form = BoardSettingsForm(
        initial={name: getattr(board, name) for name in [*WIP_FIELDS, "wip_limits_hard"]}
    )
    return _settings_page(request, board, settings_form, key_form, new_key=new_key)


@require_POST
@login_required
def display_key_revoke_view(request: HttpRequest, board_id: int, key_id: int) -> HttpResponse:
    board = _admin_board(request, board_id)
    try:
        key = display_key_revoke(actor=request.user, key_id=key_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Display key “{key.name}” revoked; its displays disconnect.")
    return redirect("board_settings", board.pk)
