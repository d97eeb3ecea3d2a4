"""Error pages Django renders itself, outside any view."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from board.limits import body_too_large_message


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django answers a POST over DATA_UPLOAD_MAX_MEMORY_SIZE with a bare 400; say 413
    and why. (The API answers it in its own shape, see api/errors.py.)"""
    if isinstance(exception, RequestDataTooBig):
        context = {"message": body_too_large_message()}
        return render(request, "413.html", context, status=413)
    return defaults.bad_request(request, exception)
