"""Idempotent writes: a retry with the same key gets the first answer and changes nothing.

Both doors that take HTTP writes use it. The API takes the key from the
`Idempotency-Key` header (api/writes.py); a page's form carries it in a hidden
`idempotency_key` field, one fresh key per rendered form (`{% idempotency_field %}`),
which makes a double submission harmless without disabling the button
(board/views/_once.py). On POST:

    outcome = idempotent_run(
        user=request.user,
        key=request_idempotency_key(request),
        fingerprint=request_fingerprint(request),
        action=lambda: (303, {"task": task_create(actor=request.user, ...).pk}),
    )
    # outcome.body is the first run's answer, whether or not this one was a replay.

Only a success is remembered. A write that a service refuses (a DomainError) rolls
back together with its key, so a corrected resubmission with the same key runs; so
let refusals propagate out of `action` and catch them around `idempotent_run`. The
same key with a different request (method, path or body) is refused with `invalid`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from board.exceptions import ValidationFailed
from idempotency.models import IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_FORM_FIELD = "idempotency_key"
KEY_MAX_LENGTH = 255
# Visible ASCII: what fits in a header unchanged and what clients generate (UUIDs).
KEY_PATTERN = re.compile(rf"[\x21-\x7e]{{1,{KEY_MAX_LENGTH}}}")
# Form fields that differ between two submissions of the same rendered form.
FORM_FIELDS_IGNORED = frozenset({"csrfmiddlewaretoken", IDEMPOTENCY_FORM_FIELD})


@dataclass(frozen=True)
class Outcome:
    status: int
    body: Any
    replayed: bool = False


def idempotency_key_new() -> str:
    """A fresh key, e.g. for the hidden field of each rendered form."""
    return uuid.uuid4().hex


def idempotency_key_clean(value: Any) -> str | None:
    """The key, None when none was sent, or ValidationFailed when it is malformed."""
    if value is None:
        return None
    if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value):
        raise ValidationFailed(
            fields={
                IDEMPOTENCY_HEADER: f"Use 1 to {KEY_MAX_LENGTH} visible ASCII characters, "
                "e.g. a UUID."
            }
        )
    return value


def request_idempotency_key(request: HttpRequest) -> str | None:
    """The request's key: the header, or the hidden form field.

    A form's key counts per URL it is posted to: one page form serves every card's
    buttons (board/templatetags/cards.py), so a page reached again with Back, whose
    key was spent on one card, still acts on another."""
    value = request.headers.get(IDEMPOTENCY_HEADER)
    if value is not None or request.method != "POST":
        return idempotency_key_clean(value)
    form_key = idempotency_key_clean(request.POST.get(IDEMPOTENCY_FORM_FIELD) or None)
    if form_key is None:
        return None
    path = hashlib.sha256(request.path.encode()).hexdigest()[:16]
    return f"{form_key[: KEY_MAX_LENGTH - 17]}:{path}"


def request_fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path and body. A JSON body counts
    by its content (not its spacing or key order); a form by its fields, without the
    CSRF token and the key, which change every time the form is rendered."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields = {k: v for k, v in request.POST.lists() if k not in FORM_FIELDS_IGNORED}
        body = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    else:
        try:
            body = orjson.dumps(orjson.loads(request.body or b"null"), option=orjson.OPT_SORT_KEYS)
        except orjson.JSONDecodeError:
            body = request.body
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def idempotent_run(
    *,
    user: Any,
    key: str | None,
    fingerprint: str,
    action: Callable[[], tuple[int, Any]],
    key_field: str = IDEMPOTENCY_HEADER,
) -> Outcome:
    """Run `action` (returning a status and a JSON-able body) at most once per key.
    `key_field` is what the door calls the key, for the error that names it.

    The key's row is inserted first, in the transaction that runs the action: a
    concurrent request with the same key waits on the unique constraint until this
    one commits, then reads its answer (or, if this one rolled back, runs itself).
    """
    if key is None:
        status, body = action()
        return Outcome(status=status, body=body)
    with transaction.atomic():
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=_expiry()).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            return _replay(user=user, key=key, fingerprint=fingerprint, key_field=key_field)
        status, body = action()
        record.status_code, record.response = status, body
        record.save(update_fields=["status_code", "response"])
        return Outcome(status=status, body=body)


def _replay(*, user: Any, key: str, fingerprint: str, key_field: str) -> Outcome:
    record = IdempotencyKey.objects.get(user=user, key=key)
    if record.fingerprint != fingerprint:
        raise ValidationFailed(
            f"This {key_field} was already used for a different request.",
            fields={key_field: "Use a new key for a new request."},
        )
    return Outcome(status=record.status_code, body=record.response, replayed=True)


def _expiry() -> datetime:
    return timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_KEY_HOURS)


def idempotency_keys_purge() -> int:
    """Forget the keys too old to answer retries; returns how many were deleted."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=_expiry()).delete()
    return deleted
