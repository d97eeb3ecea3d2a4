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

from board import services
from board.exceptions import DomainError, NotFound, ServiceUnavailable
from board.models import Task
from board.public import task_public_state
from board.refusals import refusal_of, refusal_of_failure
from idempotency.keys import idempotent_run
from idempotency.models import IdempotencyKey
from realtime.origin import origin_scope
from realtime.protocol import ClientMessage, error_message, refusal_message

logger = logging.getLogger(__name__)

# Protocol field -> service keyword.
ARGUMENT_NAMES = {"task": "task_id", "epic": "epic_id"}


def _claim(actor: Any, board_id: int, **args: Any) -> Task:
    return services.task_claim(actor=actor, **args)


def _release(actor: Any, board_id: int, **args: Any) -> Task:
    return services.task_release(actor=actor, **args)


def _set_status(actor: Any, board_id: int, **args: Any) -> Task:
    return services.task_set_status(actor=actor, **args)


def _create(actor: Any, board_id: int, **args: Any) -> Task:
    return services.task_create(actor=actor, board_id=board_id, **args)


def _update(actor: Any, board_id: int, **args: Any) -> Task:
    return services.task_update(actor=actor, **args)


def _move(actor: Any, board_id: int, **args: Any) -> Task:
    return services.task_move(actor=actor, **args)


ACTION_SERVICES: dict[str, Callable[..., Task]] = {
    "claim": _claim,
    "release": _release,
    "set_status": _set_status,
    "create": _create,
    "update": _update,
    "move": _move,
}


def action_run(*, actor: Any, board_id: int, origin: str, message: ClientMessage) -> dict:
    """Perform the action; return the `ack` or `error` message for it. With a `key`,
    a retry is answered as the first time (`"replayed": true`) and changes nothing."""
    args = {ARGUMENT_NAMES.get(name, name): value for name, value in message.args.items()}
    key = args.pop("key", None)
    try:
        with origin_scope(origin) as scope:
            outcome = idempotent_run(
                user=actor,
                key=key,
                fingerprint=_fingerprint(board_id, message),
                action=lambda: (200, _perform(actor, board_id, message.type, args)),
            )
    except DomainError as error:
        return refusal_message(refusal_of(error), ref=message.ref)
    except Exception as error:
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
    answer = {"seq": scope.seqs[-1] if scope.seqs else None, "task": outcome.body["task"]}
    if key is not None:
        IdempotencyKey.objects.filter(user=actor, key=key).update(response=answer)
    return {"type": "ack", "ref": message.ref, **answer}


def _perform(actor: Any, board_id: int, kind: str, args: dict[str, Any]) -> dict[str, Any]:
    task_id = args.get("task_id")
    # A socket acts on its own board only, even if the user belongs to others. A task
    # that does not exist at all is left to the service, which checks the arguments
    # first, as it does for the pages and the API.
    if task_id is not None and Task.objects.filter(pk=task_id).exclude(board_id=board_id).exists():
        raise NotFound("This task does not exist.")
    task = ACTION_SERVICES[kind](actor, board_id, **args)
    return {"seq": None, "task": task_public_state(task)}


def _fingerprint(board_id: int, message: ClientMessage) -> str:
    """What makes two actions "the same" for their key: the board, type and fields."""
    fields = {name: value for name, value in message.args.items() if name != "key"}
    text = orjson.dumps([board_id, message.type, fields], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(b"socket " + text).hexdigest()
