"""The wrapper every write endpoint wears: Idempotency-Key handling, and its docs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.responses import Status

from idempotency.keys import (
    IDEMPOTENCY_HEADER,
    KEY_MAX_LENGTH,
    idempotency_key_clean,
    idempotent_run,
    request_fingerprint,
)

REPLAYED_HEADER = "Idempotent-Replayed"

# Documents the header on each write operation (`openapi_extra=WRITE_DOCS`).
WRITE_DOCS: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "description": (
                "Any unique string (a UUID). A retry with the same key and body gets the "
                "first answer and changes nothing; the same key with another body gets 422."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH},
        }
    ]
}


def idempotent_write(
    view: Callable[..., Status] | None = None,
    *,
    reveal: Callable[[HttpRequest, Any], Any] | None = None,
) -> Any:
    """Run the write at most once per Idempotency-Key. The view returns a `Status`.

    `reveal(request, body)` adds to each answer, the first and every replay, what must
    not be stored with the key: an invitation's link opens a workspace, and a copy of
    the database alone must open nothing (board.models.Invitation)."""
    if view is None:
        return lambda view: idempotent_write(view, reveal=reveal)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        def action() -> tuple[int, Any]:
            result = view(request, *args, **kwargs)
            return result.status_code, result.value

        outcome = idempotent_run(
            user=request.auth,  # type: ignore[attr-defined]
            key=idempotency_key_clean(request.headers.get(IDEMPOTENCY_HEADER)),
            fingerprint=request_fingerprint(request),
            action=action,
        )
        body = outcome.body
        if reveal is not None and body is not None:
            body = reveal(request, body)
        if not outcome.replayed:
            return Status(outcome.status, body)
        # The stored body was checked against the schema when it was first sent.
        if body is None:
            response = HttpResponse(status=outcome.status)
        else:
            response = JsonResponse(body, status=outcome.status, safe=False)
        response[REPLAYED_HEADER] = "true"
        return response

    return wrapper
