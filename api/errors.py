"""One error shape for every refusal: `{"error": {"code", "message", "fields"}}`.

The codes are the WebSocket protocol's (docs/protocol.md), and a DomainError is
worded by the same function as on the socket, so a script and a page read the same
refusal. A 409 also carries the task's current state, as the socket's `error` does.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from board.exceptions import DomainError
from board.limits import body_too_large_message
from board.public import task_public_state
from realtime.protocol import domain_error_message

logger = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "already_claimed": 409,
    "version_conflict": 409,
    "invalid_transition": 409,
    "wip_limit": 409,
    "forbidden": 403,
    "not_found": 404,
    "invalid": 422,
    "rate_limited": 429,
    "too_large": 413,
    "unauthenticated": 401,
    "method_not_allowed": 405,
    "internal": 500,
}
CODE_BY_STATUS = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "invalid",
    429: "rate_limited",
}
STATUS_MESSAGES = {
    "not_found": "There is nothing here. The endpoints are listed at /api/v1/docs.",
    "rate_limited": "Too many writes; wait for the time in Retry-After, then try again.",
    "unauthenticated": (
        "Send `Authorization: Bearer <api token>`, or use a signed-in session with its CSRF token."
    ),
    "method_not_allowed": "This endpoint does not take that method; see the Allow header.",
}


def error_body(
    *,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    task: dict[str, Any] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "fields": fields or {}}
    if task is not None:
        error["task"] = task
    return {"error": error}


def error_response(
    *, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    """An error outside ninja's reach (unknown URL, wrong method)."""
    return JsonResponse(
        error_body(code=code, message=message, fields=fields), status=STATUS_BY_CODE[code]
    )


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Ninja's error list as {field: message}: `title`, `status`, `board_id`, `body`..."""
    fields: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        source, rest = (loc[0], loc[1:]) if loc else ("body", [])
        if source == "body" and rest:
            rest = rest[1:]  # the view's parameter name, e.g. `payload`
        name = ".".join(rest) or source
        fields.setdefault(name, str(error.get("msg", "Invalid.")))
    return fields


def errors_install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        task = task_public_state(exc.task) if exc.task is not None else None
        message = domain_error_message(exc, ref=None, task=task)
        body = error_body(
            code=exc.code, message=message["message"], fields=message.get("fields"), task=task
        )
        return respond(request, STATUS_BY_CODE.get(exc.code, 422), body)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = validation_fields(exc.errors)
        name, text = next(iter(fields.items()), ("body", "Invalid."))
        body = error_body(code="invalid", message=f"{name}: {text}", fields=fields)
        return respond(request, 422, body)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = CODE_BY_STATUS.get(exc.status_code, "invalid")
        status = STATUS_BY_CODE[code] if exc.status_code == 400 else exc.status_code
        message = STATUS_MESSAGES.get(code, exc.message)
        if isinstance(exc, AuthenticationError):
            message = getattr(request, "api_auth_problem", None) or message
        response = respond(request, status, error_body(code=code, message=message))
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="taskboard"'
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        body = error_body(code="not_found", message=str(exc) or STATUS_MESSAGES["not_found"])
        return respond(request, 404, body)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        body = error_body(code="too_large", message=body_too_large_message())
        return respond(request, 413, body)

    @api.exception_handler(Exception)
    def internal(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API request %s %s failed", request.method, request.path)
        body = error_body(code="internal", message="Something went wrong on our side; try again.")
        return respond(request, 500, body)
