"""One error shape for every refusal: `{"error": {"code", "message", "fields"}}`.

A DomainError is translated by board/refusals.py, as on the socket and the pages, so
a script and a page read the same refusal with the same status; a 409 also carries
the task's current state. The API's own errors (no token, no such endpoint, too many
writes) are API_ERRORS. The table of codes is in docs/api.md.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from board.exceptions import (
    DomainError,
    PermissionDenied,
    ServiceUnavailable,
    ValidationFailed,
    domain_error_codes,
)
from board.limits import body_too_large_message
from board.refusals import refusal_of, refusal_of_failure

logger = logging.getLogger(__name__)

# The API's own refusals, besides the domain's (board/exceptions.py): code -> (HTTP
# status, message). A new one is one line here.
API_ERRORS: dict[str, tuple[int, str]] = {
    "unauthenticated": (
        401,
        "Send `Authorization: Bearer <api token>`, or use a signed-in session with its CSRF token.",
    ),
    "not_found": (404, "There is nothing here. The endpoints are listed at /api/v1/docs."),
    "method_not_allowed": (405, "This endpoint does not take that method; see the Allow header."),
    "rate_limited": (429, "Too many writes; wait for the time in Retry-After, then try again."),
    "too_large": (413, "The request is too large."),  # the handler names the limit
    "internal": (500, "Something went wrong on our side; try again."),
}
ERROR_CODES = tuple(dict.fromkeys([*domain_error_codes(), *API_ERRORS]))
# The statuses ninja raises itself (HttpError), by code. A body it cannot parse (400)
# is answered as any other invalid input.
CODE_BY_STATUS = {status: code for code, (status, _) in API_ERRORS.items()} | {
    400: ValidationFailed.code,
    403: PermissionDenied.code,
    422: ValidationFailed.code,
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


def api_error_response(code: str) -> HttpResponse:
    """One of API_ERRORS, outside ninja's reach (unknown URL, wrong method)."""
    status, message = API_ERRORS[code]
    return JsonResponse(error_body(code=code, message=message), status=status)


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
        refusal = refusal_of(exc)
        return respond(request, refusal.status, error_body(**refusal.wire()))

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = validation_fields(exc.errors)
        name, text = next(iter(fields.items()), ("body", "Invalid."))
        body = error_body(code=ValidationFailed.code, message=f"{name}: {text}", fields=fields)
        return respond(request, ValidationFailed.http_status, body)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = CODE_BY_STATUS.get(exc.status_code, ValidationFailed.code)
        status = ValidationFailed.http_status if exc.status_code == 400 else exc.status_code
        message = API_ERRORS[code][1] if code in API_ERRORS else exc.message
        if isinstance(exc, AuthenticationError):
            message = getattr(request, "api_auth_problem", None) or message
        response = respond(request, status, error_body(code=code, message=message))
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="taskboard"'
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        status, message = API_ERRORS["not_found"]
        return respond(request, status, error_body(code="not_found", message=str(exc) or message))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        status, _ = API_ERRORS["too_large"]
        return respond(
            request, status, error_body(code="too_large", message=body_too_large_message())
        )

    @api.exception_handler(Exception)
    def internal(request: HttpRequest, exc: Exception) -> HttpResponse:
        refusal = refusal_of_failure(exc)
        if refusal is not None:
            logger.warning("API %s %s: the database did not answer", request.method, request.path)
            response = respond(request, refusal.status, error_body(**refusal.wire()))
            response["Retry-After"] = str(ServiceUnavailable.retry_after)
            return response
        logger.exception("API request %s %s failed", request.method, request.path)
        status, message = API_ERRORS["internal"]
        return respond(request, status, error_body(code="internal", message=message))
