"""The page an invitation link opens.

Someone logged in joins at once when they opened the link themselves (a top-level
navigation); an embedded request (an image, a fetch from another site) only gets the
page with its "Join" button, so no site can make a visitor join a board. Someone
logged out is asked to log in or register; the token waits in their session, which
also lets them register when sign-up is invite-only (accounts.signup), and they come
back here to join.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from board.exceptions import DomainError
from board.models import Invitation
from board.refusals import refusal_of
from board.services import invitation_accept
from board.workspace_selectors import invitation_by_token, invitation_problem

SESSION_KEY = "invitation_token"


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token=token)
    problem = invitation_problem(invitation=invitation)
    if problem:
        request.session.pop(SESSION_KEY, None)
        return render(request, "board/invitation.html", {"problem": problem}, status=410)
    if not request.user.is_authenticated:
        request.session[SESSION_KEY] = token
        return render(request, "board/invitation.html", {"invitation": invitation})
    if request.method == "GET" and not _opened_by_the_person(request):
        return render(request, "board/invitation.html", {"invitation": invitation})
    try:
        invitation_accept(actor=request.user, token=token)
    except DomainError as error:
        refusal = refusal_of(error)
        return render(
            request, "board/invitation.html", {"problem": refusal.message}, status=refusal.status
        )
    request.session.pop(SESSION_KEY, None)
    return _joined(request, invitation)


def _opened_by_the_person(request: HttpRequest) -> bool:
    """A browser says whether it navigates to the page or embeds it; one that says
    nothing (an old one, a test client) is taken as navigating."""
    mode = request.headers.get("Sec-Fetch-Mode")
    return mode is None or (
        mode == "navigate" and request.headers.get("Sec-Fetch-Dest") == "document"
    )


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    if invitation.board_id is not None:
        messages.success(request, f"Welcome to {invitation.board.name}.")
        return redirect("board_detail", invitation.board_id)
    messages.success(request, f"Welcome to {invitation.organization.name}.")
    return redirect("workspace_detail", invitation.organization.slug)
