"""Schemathesis against the OpenAPI schema, in process (WSGI): no 500s, and every answer
matches the schema (status codes, content types, headers, bodies).

Half the cases use ids that exist, so the fuzzing reaches past the 404s.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import api_token_create
from board.services import epic_create, invitation_link_create, sprint_create, task_create
from board.services.comments import comment_create

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# 7 cases per mode and operation (half of them with known ids) keep the whole run
# under a minute of CI time for the 50-odd operations.
EXAMPLES_PER_OPERATION = 7
PATH_PARAMETER = re.compile(r"{(\w+)}")


@pytest.fixture
def api_schema():
    """The schema, served by a WSGI handler that keeps the test's connection open (as
    django.test.Client does): closing it would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def known_ids(board, alice, admin, bob) -> dict[str, int | str]:
    task = task_create(actor=alice, board_id=board.pk, title="Existing")
    epic = epic_create(actor=alice, board_id=board.pk, name="Existing")
    sprint = sprint_create(
        actor=alice, board_id=board.pk, name="S", start_date="2026-01-05", end_date="2026-01-19"
    )
    invitation = invitation_link_create(actor=admin, board_id=board.pk, role="member")
    comment = comment_create(actor=alice, task_id=task.pk, body="Existing")
    return {
        "board_id": board.pk,
        "task_id": task.pk,
        "epic_id": epic.pk,
        "sprint_id": sprint.pk,
        "slug": board.organization.slug,
        "user_id": bob.pk,
        "invitation_id": invitation.pk,
        "comment_id": comment.pk,
    }


def case_strategy(operation, mode: GenerationMode, known_ids: dict[str, int | str]):
    names = PATH_PARAMETER.findall(operation.path)
    fuzzed = operation.as_strategy(generation_mode=mode)
    if not names:
        return fuzzed
    known = {name: known_ids[name] for name in names}
    return st.one_of(fuzzed, operation.as_strategy(generation_mode=mode, path_parameters=known))


def cases_check(strategy, *, headers: dict[str, str], checks: list) -> None:
    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: CI never flakes on a new seed
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    run()


def test_the_schema_holds_for_generated_requests(api_schema, known_ids, alice, settings):
    settings.API_WRITE_RATE_PER_MINUTE = 0
    auth = {"Authorization": f"Bearer {api_token_create(user=alice, name='fuzz')[1]}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            checks = CONFORMANCE + ([negative_data_rejection] if mode.is_negative else [])
            strategy = case_strategy(operation, mode, known_ids)
            cases_check(strategy, headers=auth, checks=checks)

    assert len(operations) >= 48
