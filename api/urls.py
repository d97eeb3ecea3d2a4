"""/api/v1/: the API's operations, and a JSON answer for anything else under it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path

from api.errors import api_error_response
from api.main import api


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method in plain text and its root with Django's 404 page;
    the API answers everything in its own error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return endpoint_not_found(request)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allow = response.get("Allow", "")
            response = api_error_response("method_not_allowed")
            response["Allow"] = allow
        return response

    return wrapper


def endpoint_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return api_error_response("not_found")


patterns, _, app_name = api.urls  # the namespace ninja reverses its docs URLs in
urlpatterns = [
    URLPattern(pattern.pattern, json_errors(pattern.callback), pattern.default_args, pattern.name)
    for pattern in patterns
]
urlpatterns.append(re_path(r"^.*$", endpoint_not_found))
