"""Form writes run at most once per rendered form (see board/templatetags/idempotency.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from idempotency.keys import idempotent_run, request_fingerprint, request_idempotency_key


def run_once(request: HttpRequest, write: Callable[[], Any]) -> Any:
    """Run `write` unless this form was already submitted; return the first run's
    result (a JSON-able value such as an id). A service refusal propagates and forgets
    the key, so the corrected form can be submitted again."""
    outcome = idempotent_run(
        user=request.user,
        key=request_idempotency_key(request),
        fingerprint=request_fingerprint(request),
        action=lambda: (200, write()),
    )
    return outcome.body
