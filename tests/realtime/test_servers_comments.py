"""Comments end to end on two real server processes sharing PostgreSQL and Redis: a
comment made through one reaches the task's viewers on the other with the card's
count, and a client that missed comments resumes them, in order, from its last seq."""

from __future__ import annotations

import pytest

from tests.realtime.servers import client_open, close_all, synced_client, token

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]


async def test_comments_through_a_reach_b_live_and_on_resume(
    start_servers, board_with_task, alice, bob
):
    board, task = board_with_task
    server_a, server_b = start_servers(2)
    alice_token, bob_token = await token(alice), await token(bob)
    alice_on_a = await synced_client(server_a, board.pk, alice_token)
    bob_on_b = await synced_client(server_b, board.pk, bob_token)
    clients = [alice_on_a, bob_on_b]
    try:
        await alice_on_a.send(
            {"type": "comment_create", "ref": 1, "task": task.pk, "body": "Over to @you"}
        )
        ack = await alice_on_a.next_of("ack")
        live = await bob_on_b.next_of("event")
        assert (live["seq"], live["kind"], live["own"]) == (ack["seq"], "comment.created", False)
        assert live["comment"] == ack["comment"]
        assert (live["comment"]["task"], live["comment"]["comment_count"]) == (task.pk, 1)

        # Bob drops off, misses two comments, and comes back to B from his last seq.
        await bob_on_b.close()
        for n, body in enumerate(["Missed one", "Missed two"], start=2):
            await alice_on_a.send(
                {"type": "comment_create", "ref": n, "task": task.pk, "body": body}
            )
            assert (await alice_on_a.next_of("ack"))["type"] == "ack"
        bob_back = await client_open(server_b, board.pk, bob_token)
        clients.append(bob_back)
        await bob_back.send({"type": "resume", "after": live["seq"]})
        missed = [await bob_back.next() for _ in range(2)]
        assert [m["seq"] for m in missed] == [live["seq"] + 1, live["seq"] + 2]
        assert [(m["kind"], m["comment"]["body"]) for m in missed] == [
            ("comment.created", "Missed one"),
            ("comment.created", "Missed two"),
        ]
        assert [m["comment"]["comment_count"] for m in missed] == [2, 3]
        assert await bob_back.drain(0.5) == []
    finally:
        await close_all(clients)
