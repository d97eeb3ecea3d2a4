"""The suite's own guard (tests/conftest.py): a transaction that a test leaves open on
this thread's connection is rolled back before the next test starts."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from board.models import Board
from tests.conftest import pytest_runtest_setup
from tests.factories import BoardFactory


@pytest.mark.django_db(transaction=True)
def test_a_transaction_left_open_is_rolled_back_before_the_next_test(request):
    transaction.atomic().__enter__()
    BoardFactory()

    with pytest.warns(UserWarning, match="left open by an earlier test"):
        pytest_runtest_setup(request.node)

    assert not connection.in_atomic_block
    assert not Board.objects.exists()
