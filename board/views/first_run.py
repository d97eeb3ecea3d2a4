"""The first run (/welcome/): create a workspace, then a first board, then invite
people to it. The board list sends someone there while they are on no board and in
no workspace; every step can be skipped, and opened again later with `?step=`.

Each step posts to itself and goes on to the next with what it made in the query
(`?step=board&workspace=<slug>`, `?step=invite&board=<id>`), so a reload or the
back button shows the same step again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from board.exceptions import DomainError
from board.models import Role
from board.services import board_create, invitation_create, invitation_link_create, workspace_create
from board.views._responses import form_response
from board.views.workspace_invitations import site_url
from board.workspace_forms import BoardCreateForm, InviteEmailsForm, WorkspaceCreateForm, autofocus
from board.workspace_selectors import (
    board_link_invitation,
    boards_administered,
    first_run_due,
    invitation_link,
    workspaces_creating_boards,
)

STEPS = (("workspace", "Workspace"), ("board", "First board"), ("invite", "Invite people"))
TEMPLATE = "workspace/welcome.html"
# Set once the first run was shown, so that skipping it does not lead back to it.
SEEN_SESSION_KEY = "first_run_seen"


def step_url(step: str, **query: object) -> str:
    return reverse("first_run") + "?" + urlencode({"step": step, **query})


@require_http_methods(["GET", "POST"])
@login_required
def first_run(request: HttpRequest) -> HttpResponse:
    request.session[SEEN_SESSION_KEY] = True
    step = request.GET.get("step")
    if step not in dict(STEPS):
        step = _default_step(request)
    return {"workspace": _workspace_step, "board": _board_step, "invite": _invite_step}[step](
        request
    )


def _default_step(request: HttpRequest) -> str:
    if first_run_due(user=request.user):
        return "workspace"
    if not boards_administered(user=request.user).exists():
        return "board"
    return "invite"


def _context(step: str, **extra: object) -> dict[str, object]:
    return {"step": step, "steps": [(name, label, step_url(name)) for name, label in STEPS]} | extra


def _workspace_step(request: HttpRequest) -> HttpResponse:
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = workspace_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, f"Workspace “{workspace.name}” created.")
            return HttpResponseRedirect(step_url("board", workspace=workspace.slug))
    context = _context("workspace", form=autofocus(form), skip_url=step_url("board"))
    return form_response(request, TEMPLATE, context, form=form)


def _board_step(request: HttpRequest) -> HttpResponse:
    workspaces = workspaces_creating_boards(user=request.user)
    wanted = request.GET.get("workspace")
    workspace = next(
        (w for w in workspaces if w.slug == wanted), workspaces[0] if workspaces else None
    )
    form = BoardCreateForm(request.POST or None)
    if request.method == "POST" and workspace is not None and form.is_valid():
        try:
            board = board_create(actor=request.user, organization=workspace, **form.cleaned_data)
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, f"Board “{board.name}” created.")
            return HttpResponseRedirect(step_url("invite", board=board.pk))
    context = _context(
        "board", form=autofocus(form), workspace=workspace, skip_url=step_url("invite")
    )
    response = form_response(request, TEMPLATE, context, form=form)
    if request.method == "POST" and workspace is None:
        response.status_code = 409  # nowhere to create it: the page says so
    return response


def _invite_step(request: HttpRequest) -> HttpResponse:
    """The board's member link is made on the first visit (the service writes it) so
    that it is there to copy; the same one is shown on every later visit."""
    boards = list(boards_administered(user=request.user)[:50])
    wanted = request.GET.get("board")
    board = next((b for b in boards if str(b.pk) == wanted), boards[0] if boards else None)
    form = InviteEmailsForm(request.POST or None, for_board=True)
    if request.method == "POST" and board is not None and form.is_valid():
        try:
            sent = invitation_create(
                actor=request.user,
                board_id=board.pk,
                emails=form.cleaned_data["emails"],
                role=form.cleaned_data["role"],
                site_url=site_url(request),
            )
        except DomainError as error:
            form.refuse(error)
        else:
            messages.success(request, "Invited " + ", ".join(i.email for i in sent) + ".")
            return HttpResponseRedirect(step_url("invite", board=board.pk))
    link_url = None
    if board is not None:
        link = board_link_invitation(board=board, role=Role.MEMBER) or invitation_link_create(
            actor=request.user, board_id=board.pk, role=Role.MEMBER
        )
        link_url = request.build_absolute_uri(invitation_link(invitation=link))
    done_url = reverse("board_detail", args=[board.pk]) if board else reverse("board_list")
    if form.errors:
        autofocus(form)
    context = _context("invite", form=form, board=board, link_url=link_url, skip_url=done_url)
    return form_response(request, TEMPLATE, context, form=form)
