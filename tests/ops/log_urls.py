"""A board URL whose view logs a line, for tests/ops/test_logs.py."""

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import path

logger = logging.getLogger("tests.ops.probe")


def board_probe(request: HttpRequest, board_id: int) -> HttpResponse:
    logger.warning("probing board %s", board_id)
    return HttpResponse("ok")


urlpatterns = [path("boards/<int:board_id>/probe/", board_probe)]
