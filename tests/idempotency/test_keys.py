"""The guard both the API (Idempotency-Key header) and the pages (a hidden field per
rendered form) write through; the API's use is in tests/api/test_idempotency.py."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory

from board.exceptions import ValidationFailed
from idempotency.keys import (
    idempotency_key_clean,
    idempotency_key_new,
    idempotent_run,
    request_fingerprint,
    request_idempotency_key,
)
from idempotency.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def test_the_purge_command_runs(board):
    call_command("purge_idempotency_keys")


def test_idempotent_run_without_a_key_just_runs(alice):
    calls = []

    outcome = idempotent_run(
        user=alice, key=None, fingerprint="f", action=lambda: calls.append(1) or (200, {"n": 1})
    )

    assert (outcome.status, outcome.body, outcome.replayed, calls) == (200, {"n": 1}, False, [1])


def test_idempotent_run_runs_the_action_once_per_key(alice):
    calls = []

    def action():
        calls.append(1)
        return 303, {"task": len(calls)}

    first = idempotent_run(user=alice, key="form-1", fingerprint="f", action=action)
    again = idempotent_run(user=alice, key="form-1", fingerprint="f", action=action)

    assert calls == [1]
    assert (again.status, again.body, again.replayed) == (303, {"task": 1}, True)
    assert first.body == again.body


def test_idempotent_run_rolls_back_the_key_with_a_failed_action(alice):
    def refuse():
        raise ValidationFailed(fields={"title": "Give the task a title."})

    with pytest.raises(ValidationFailed):
        idempotent_run(user=alice, key="form-2", fingerprint="f", action=refuse)

    assert not IdempotencyKey.objects.filter(key="form-2").exists()


def test_a_form_fingerprint_ignores_the_csrf_token_and_the_key():
    factory = RequestFactory()
    one = factory.post(
        "/tasks/new/", {"title": "T", "csrfmiddlewaretoken": "a", "idempotency_key": "k"}
    )
    two = factory.post(
        "/tasks/new/", {"title": "T", "csrfmiddlewaretoken": "b", "idempotency_key": "k"}
    )
    other = factory.post("/tasks/new/", {"title": "U", "csrfmiddlewaretoken": "a"})

    assert request_fingerprint(one) == request_fingerprint(two)
    assert request_fingerprint(one) != request_fingerprint(other)


def test_a_form_carries_its_key_in_a_hidden_field_that_counts_per_url():
    def key_at(path: str) -> str | None:
        request = RequestFactory().post(path, {"title": "T", "idempotency_key": "form-3"})
        return request_idempotency_key(request)

    assert key_at("/tasks/1/claim/").startswith("form-3:")
    assert key_at("/tasks/1/claim/") == key_at("/tasks/1/claim/")
    assert key_at("/tasks/1/claim/") != key_at("/tasks/2/claim/")


def test_a_new_key_is_a_valid_key_and_never_the_same():
    first, second = idempotency_key_new(), idempotency_key_new()

    assert idempotency_key_clean(first) == first
    assert first != second


@pytest.mark.django_db(transaction=True)
def test_the_keys_stored_while_the_model_was_the_apis_survive_its_move(alice):
    before = [("api", "0001_initial"), ("idempotency", None)]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_state = executor.loader.project_state(("api", "0001_initial"))
    old_model = old_state.apps.get_model("api", "IdempotencyKey")
    old_model.objects.create(
        user_id=alice.pk, key="from-before", fingerprint="f", status_code=201, response={"id": 1}
    )

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert IdempotencyKey.objects.get(key="from-before").response == {"id": 1}
