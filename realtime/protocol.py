"""The JSON protocol's shapes: parsing client frames and building server messages.

Only the shape of input is checked here (types, required keys); whether a change is
allowed is the services' business.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from board.limits import (
    COMMENT_MAX_LENGTH,
    DATE_MAX_LENGTH,
    STATUS_MAX_LENGTH,
    TASK_DESCRIPTION_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
    VERSION_MAX,
)
from board.refusals import Refusal
from idempotency.keys import KEY_MAX_LENGTH, KEY_PATTERN

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024
REF_MAX_LENGTH = 100
# No frame the server sends is larger (well under the 1 MiB that clients and servers
# accept by default): a larger snapshot comes in parts (`snapshot_more`).
SNAPSHOT_FRAME_BYTES = 256 * 1024


class ProtocolError(Exception):
    def __init__(
        self, message: str, *, code: str = "invalid", field: str | None = None, ref: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.ref = ref


def _int(value: Any) -> bool:
    # The database's integers are 64-bit; a bigger one cannot name anything.
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


def _id(value: Any) -> bool:
    return _int(value) and value > 0


def _id_or_null(value: Any) -> bool:
    return value is None or _id(value)


def _count(value: Any) -> bool:
    return _int(value) and value >= 0


def _up_to(maximum: int) -> Callable[[Any], bool]:
    """An integer from 0 to `maximum`."""
    return lambda value: _count(value) and value <= maximum


def _text(max_length: int, *, null: bool = False) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return (null and value is None) or (isinstance(value, str) and len(value) <= max_length)

    return check


FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "after": (_count, "Must be a whole number, 0 or more."),
    "task": (_id, "Must be a task id (a positive integer)."),
    "comment": (_id, "Must be a comment id (a positive integer)."),
    "body": (
        _text(COMMENT_MAX_LENGTH),
        f"Must be text of up to {COMMENT_MAX_LENGTH:,} characters.",
    ),
    "watching": (lambda value: isinstance(value, bool), "Must be true or false."),
    "expected_version": (
        _up_to(VERSION_MAX),
        f"Must be a whole number from 0 to {VERSION_MAX:,}.",
    ),
    "status": (_text(STATUS_MAX_LENGTH), "Must be a status name, e.g. DONE."),
    "title": (
        _text(TASK_TITLE_MAX_LENGTH),
        f"Must be text of up to {TASK_TITLE_MAX_LENGTH} characters.",
    ),
    "description": (
        _text(TASK_DESCRIPTION_MAX_LENGTH),
        f"Must be text of up to {TASK_DESCRIPTION_MAX_LENGTH:,} characters.",
    ),
    "due_date": (_text(DATE_MAX_LENGTH, null=True), "Must be a date like 2026-12-31, or null."),
    "epic": (_id_or_null, "Must be an epic id, or null."),
    # Only the type: the service refuses an index out of range, in the same words at
    # every door.
    "index": (_int, "Must be an integer."),
    "editing": (lambda value: isinstance(value, bool), "Must be true or false."),
    # An idempotency key, as the HTTP API's Idempotency-Key: a retried action with the
    # same key is answered as the first time and changes nothing.
    "key": (
        lambda value: isinstance(value, str) and KEY_PATTERN.fullmatch(value) is not None,
        f"Must be 1 to {KEY_MAX_LENGTH} visible ASCII characters, e.g. a UUID.",
    ),
}

# type -> (required fields, optional fields)
MESSAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "resume": (("after",), ()),
    # Not an action: a notice to the others on the board (realtime.editing), no answer.
    "editing": (("task", "editing"), ()),
    "claim": (("task",), ("expected_version", "key")),
    "release": (("task",), ("expected_version", "key")),
    "set_status": (("task", "status"), ("expected_version", "key")),
    "create": (("title",), ("description", "due_date", "epic", "key")),
    "update": (("task",), ("expected_version", "title", "description", "due_date", "epic", "key")),
    "move": (("task", "index"), ("status", "expected_version", "key")),
    "comment_create": (("task", "body"), ("key",)),
    "comment_update": (("comment", "body"), ("key",)),
    "comment_delete": (("comment",), ("key",)),
    "task_watch": (("task", "watching"), ("key",)),
}
ACTIONS = frozenset(MESSAGES) - {"resume", "editing"}


@dataclass
class ClientMessage:
    type: str
    ref: Any = None
    args: dict[str, Any] = field(default_factory=dict)


def frame_parse(text: str | None, data: bytes | None) -> ClientMessage:
    """Decode one WebSocket frame into a ClientMessage, or raise ProtocolError."""
    if text is None:
        raise ProtocolError("Send JSON text frames; binary frames are not accepted.")
    if len(text) > MAX_FRAME_BYTES or (
        len(text) * 4 > MAX_FRAME_BYTES and len(text.encode()) > MAX_FRAME_BYTES
    ):
        raise ProtocolError(f"Frames are limited to {MAX_FRAME_BYTES // 1024} KiB.")
    try:
        content = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ProtocolError("The frame is not valid JSON.") from None
    if not isinstance(content, dict):
        raise ProtocolError("Send a JSON object with a `type`.")
    return message_parse(content)


def message_parse(content: dict[str, Any]) -> ClientMessage:
    kind = content.get("type")
    ref = content.get("ref")
    if ref is not None and not (_text(REF_MAX_LENGTH)(ref) or (_int(ref) and abs(ref) < 2**53)):
        raise ProtocolError(
            f"`ref` must be a string of up to {REF_MAX_LENGTH} characters or an integer.",
            field="ref",
        )
    if not isinstance(kind, str) or kind not in MESSAGES:
        known = ", ".join(sorted(MESSAGES))
        raise ProtocolError(f"Unknown message type; use one of: {known}.", field="type", ref=ref)
    required, optional = MESSAGES[kind]
    if kind in ACTIONS and ref is None:
        raise ProtocolError("Actions need a `ref`, which the answer echoes.", field="ref")
    args: dict[str, Any] = {}
    for name in required + optional:
        if name not in content:
            if name in required:
                raise ProtocolError(f"`{name}` is required.", field=name, ref=ref)
            continue
        check, problem = FIELDS[name]
        if not check(content[name]):
            raise ProtocolError(f"`{name}`: {problem}", field=name, ref=ref)
        args[name] = content[name]
    return ClientMessage(type=kind, ref=ref, args=args)


def message_text(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()


def error_message(
    *,
    ref: Any,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    task: dict[str, Any] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"type": "error", "ref": ref, "code": code, "message": message}
    if fields:
        error["field"] = next(iter(fields))
        error["fields"] = fields
    if task is not None:
        error["task"] = task
    return error


def refusal_message(refusal: Refusal, *, ref: Any) -> dict[str, Any]:
    """A service's refusal, worded as at every door (board/refusals.py)."""
    return error_message(ref=ref, **refusal.wire())


def protocol_error_message(error: ProtocolError) -> dict[str, Any]:
    fields = {error.field: error.message} if error.field else None
    return error_message(ref=error.ref, code=error.code, message=error.message, fields=fields)


class TokenBucket:
    """A per-connection rate limit: `burst` frames at once, `rate` a second after that."""

    def __init__(self, *, burst: float, rate: float) -> None:
        self.burst = burst
        self.rate = rate
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self, cost: float = 1) -> bool:
        """Spend `cost` tokens if there are that many (or, for a cost above the burst,
        a full bucket, so that nothing is refused for ever)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        cost = min(cost, self.burst)
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True
