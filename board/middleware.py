"""Page answers that no view should have to remember: a database that does not
answer (`unavailable`, HTTP 503 with Retry-After, nothing written, as the API and the
socket say it: board/refusals.py), and an archived board."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from board.exceptions import ServiceUnavailable
from board.refusals import refusal_of_failure
from board.views._access import BoardArchivedPage
from board.views._responses import refused
from board.views.board_life import archived_board_page
from ops.hybrid_middleware import HybridMiddleware

logger = logging.getLogger(__name__)


class _ExceptionOnlyMiddleware(HybridMiddleware):
    """A middleware that only answers exceptions: the request passes through in the
    chain's own mode (a coroutine under ASGI), so it costs no thread hop."""

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)


class DatabaseUnavailableMiddleware(_ExceptionOnlyMiddleware):
    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        refusal = refusal_of_failure(exception)
        if refusal is None:
            return None
        logger.warning("%s %s: the database did not answer", request.method, request.path)
        response = render(request, "503.html", {"message": refusal.message}, status=503)
        response["Retry-After"] = str(ServiceUnavailable.retry_after)
        return refused(request, response, refusal)


class ArchivedBoardMiddleware(_ExceptionOnlyMiddleware):
    """Every page of an archived board, whichever view was asked, answers with the
    page that says it is archived (board.views._access.BoardArchivedPage)."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BoardArchivedPage):
            return None
        return archived_board_page(request, exception.board, exception.role)
