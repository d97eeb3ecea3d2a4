"""Pages answer a database that does not answer as the API and the socket do:
`unavailable`, HTTP 503 with Retry-After, and nothing written (board/refusals.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from board.exceptions import ServiceUnavailable
from board.refusals import refusal_of_failure
from board.views._responses import refused

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        refusal = refusal_of_failure(exception)
        if refusal is None:
            return None
        logger.warning("%s %s: the database did not answer", request.method, request.path)
        response = render(request, "503.html", {"message": refusal.message}, status=503)
        response["Retry-After"] = str(ServiceUnavailable.retry_after)
        return refused(request, response, refusal)
