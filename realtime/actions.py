"""Run a client's action through the services, exactly as the pages do.

Runs on a database thread (realtime.db_threads). The answer is an `ack` naming the
seq of the event the change produced, or an `error` with the service's code.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

import orjson
from django.db import transaction
from opentelemetry.trace import SpanKind

from board import services
from board.exceptions import DomainError, ServiceUnavailable
from board.models import Task
from board.public import task_public_state
from board.refusals import refusal_of, refusal_of_failure
from board.services.access import board_scope
from board.services.comments import comment_create, comment_delete, comment_update, task_watch
from discussion.models import Comment
from discussion.public import comment_event_state, task_watchers_state
from idempotency.keys import idempotent_run
from idempotency.models import IdempotencyKey
from ops import tracing
from realtime.origin import origin_scope
from realtime.protocol import ClientMessage, error_message, refusal_message

logger = logging.getLogger(__name__)

# Protocol field -> service keyword.
ARGUMENT_NAMES = {"task": "task_id", "epic": "epic_id", "comment": "comment_id"}

# Each action returns the subject of its ack: the task, the comment or the watchers,
# under the key its event uses.
Subject = dict[str, Any]


def _task(task: Task) -> Subject:
    return {"task": task_public_state(task)}


def _claim(actor: Any, board_id: int, **args: Any) -> Subject:
    return _task(services.task_claim(actor=actor, **args))


def _release(actor: Any, board_id: int, **args: Any) -> Subject:
    return _task(services.task_release(actor=actor, **args))


def _set_status(actor: Any, board_id: int, **args: Any) -> Subject:
    return _task(services.task_set_status(actor=actor, **args))


def _create(actor: Any, board_id: int, **args: Any) -> Subject:
    return _task(services.task_create(actor=actor, board_id=board_id, **args))


def _update(actor: Any, board_id: int, **args: Any) -> Subject:
    return _task(services.task_update(actor=actor, **args))


def _move(actor: Any, board_id: int, **args: Any) -> Subject:
    return _task(services.task_move(actor=actor, **args))


# The conversation's actions read what they answer in the transaction of the change,
# under the board lock it took, so that an ack says what its event says.


def _comment_create(actor: Any, board_id: int, **args: Any) -> Subject:
    with transaction.atomic():
        comment = comment_create(actor=actor, **args)
        return {"comment": comment_event_state(comment, comment_count=comment.task.comment_count)}


def _comment_update(actor: Any, board_id: int, **args: Any) -> Subject:
    with transaction.atomic():
        comment = comment_update(actor=actor, **args)
        count = _comment_count(comment.task_id)
        return {"comment": comment_event_state(comment, comment_count=count)}


def _comment_delete(actor: Any, board_id: int, *, comment_id: int) -> Subject:
    with transaction.atomic():
        task_id = Comment.objects.filter(pk=comment_id).values_list("task_id", flat=True).first()
        comment_delete(actor=actor, comment_id=comment_id)
        count = _comment_count(task_id)
        return {"comment": {"id": comment_id, "task": task_id, "comment_count": count}}


def _task_watch(actor: Any, board_id: int, *, task_id: int, watching: bool) -> Subject:
    with transaction.atomic():
        watching = task_watch(actor=actor, task_id=task_id, watching=watching)
        return {"watchers": task_watchers_state(task_id=task_id), "watching": watching}


def _comment_count(task_id: Any) -> int:
    return Task.objects.filter(pk=task_id).values_list("comment_count", flat=True).get()


ACTION_SERVICES: dict[str, Callable[..., Subject]] = {
    "claim": _claim,
    "release": _release,
    "set_status": _set_status,
    "create": _create,
    "update": _update,
    "move": _move,
    "comment_create": _comment_create,
    "comment_update": _comment_update,
    "comment_delete": _comment_delete,
    "task_watch": _task_watch,
}


def action_run(*, actor: Any, board_id: int, origin: str, message: ClientMessage) -> dict:
    """Perform the action; return the `ack` or `error` message for it. With a `key`,
    a retry is answered as the first time (`"replayed": true`) and changes nothing."""
    attributes = {
        tracing.BOARD_ID: board_id,
        "taskboard.action": message.type,
        "taskboard.connection.id": origin,
    }
    # The root of the action's trace: the service's span and the broadcast's are its own.
    with tracing.span(
        f"socket.action {message.type}", kind=SpanKind.SERVER, attributes=attributes
    ) as span:
        reply = _action_answer(actor=actor, board_id=board_id, origin=origin, message=message)
        tracing.outcome_set(span, "ok" if reply["type"] == "ack" else reply["code"])
        return reply


def _action_answer(*, actor: Any, board_id: int, origin: str, message: ClientMessage) -> dict:
    args = {ARGUMENT_NAMES.get(name, name): value for name, value in message.args.items()}
    key = args.pop("key", None)
    try:
        with origin_scope(origin) as scope:
            outcome = idempotent_run(
                user=actor,
                key=key,
                fingerprint=_fingerprint(board_id, message),
                action=lambda: (200, _perform(actor, board_id, message.type, args)),
                key_field="key",
            )
    except DomainError as error:
        return refusal_message(refusal_of(error), ref=message.ref)
    except Exception as error:
        tracing.failure_record(error)
        refusal = refusal_of_failure(error)
        if refusal is not None:
            logger.warning("Action %s: the database did not answer (%s)", message.type, error)
            reply = refusal_message(refusal, ref=message.ref)
            reply["retry_after"] = ServiceUnavailable.retry_after
            return reply
        logger.exception("Action %s failed", message.type)
        return error_message(
            ref=message.ref, code="internal", message="Something went wrong on our side; try again."
        )
    if outcome.replayed:
        return {"type": "ack", "ref": message.ref, **outcome.body, "replayed": True}
    # The seq is known once the event is broadcast, after commit.
    answer = {"seq": scope.seqs[-1] if scope.seqs else None, **outcome.body}
    if key is not None:
        IdempotencyKey.objects.filter(user=actor, key=key).update(response=answer)
    return {"type": "ack", "ref": message.ref, **answer}


def _perform(actor: Any, board_id: int, kind: str, args: dict[str, Any]) -> Subject:
    # A socket acts on its own board only, even if the user belongs to others: another
    # board's task or comment is not found, as one that does not exist.
    with board_scope(board_id=board_id):
        return ACTION_SERVICES[kind](actor, board_id, **args)


def _fingerprint(board_id: int, message: ClientMessage) -> str:
    """What makes two actions "the same" for their key: the board, type and fields."""
    fields = {name: value for name, value in message.args.items() if name != "key"}
    text = orjson.dumps([board_id, message.type, fields], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(b"socket " + text).hexdigest()
