"""The notifications pages: the list, reading them, and the email settings.

Every form is a plain POST that also works with htmx: an htmx request gets the changed
part of the page and the bell (out of band), a plain one a redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from board.exceptions import ValidationFailed
from board.services.notify import notification_settings_update, notifications_mark_read
from board.views._responses import form_response, safe_next_url
from notifications.forms import NotificationSettingsForm
from notifications.models import Notification
from notifications.selectors import (
    notification_for,
    notification_settings_of,
    notifications_for,
    unread_count,
)

PER_PAGE = 25


def notification_target(notification: Notification) -> str:
    """Where a notification leads: its task, else its board."""
    if notification.task_id is not None:
        return reverse("task_detail", args=[notification.task_id])
    return reverse("board_detail", args=[notification.board_id])


def _own_or_404(request: HttpRequest, notification_id: int) -> Notification:
    found = notification_for(user=request.user, notification_id=notification_id)
    if found is None:
        raise Http404("No such notification.")
    return found


def _list_context(request: HttpRequest) -> dict:
    page = Paginator(notifications_for(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {"page": page, "unread": unread_count(user=request.user)}


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/notification_list.html", _list_context(request))


@require_GET
@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Following a notification's link reads it."""
    notification = _own_or_404(request, notification_id)
    notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    return HttpResponseRedirect(notification_target(notification))


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _own_or_404(request, notification_id)
    notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    if request.htmx:
        notification.refresh_from_db()
        context = {"notification": notification, "unread": unread_count(user=request.user)}
        return render(request, "notifications/_read_response.html", context)
    return HttpResponseRedirect(safe_next_url(request, reverse("notification_list")))


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_read(user=request.user)
    if request.htmx:
        return render(request, "notifications/_list.html", _list_context(request) | {"oob": True})
    messages.success(request, f"Marked {marked} as read." if marked else "Nothing was unread.")
    return HttpResponseRedirect(safe_next_url(request, reverse("notification_list")))


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    prefs = notification_settings_of(user=request.user)
    initial = {"email_mode": prefs.email_mode, "digest_minutes": prefs.digest_minutes}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notification_settings_update(user=request.user, **form.cleaned_data)
        except ValidationFailed as error:
            form.refuse(error)
        else:
            messages.success(request, "Notification settings saved.")
            return HttpResponseRedirect(reverse("notification_settings"))
    return form_response(
        request, "notifications/notification_settings.html", {"form": form}, form=form
    )
