"""SeqStream: what a client may apply is every seq once, in order, with no gap."""

from __future__ import annotations

from realtime.stream import PENDING_LIMIT, SeqStream


def test_frames_before_the_first_sync_wait():
    stream: SeqStream[str] = SeqStream()
    assert stream.push(3, "e3") == []
    assert not stream.synced


def test_sync_drops_what_the_snapshot_covers_and_releases_the_rest():
    stream: SeqStream[str] = SeqStream()
    stream.push(3, "e3")
    stream.push(4, "e4")
    assert stream.sync(3) == ["e4"]
    assert stream.last == 4


def test_in_order_frames_pass_straight_through():
    stream: SeqStream[str] = SeqStream()
    stream.sync(0)
    assert stream.push(1, "e1") == ["e1"]
    assert stream.push(2, "e2") == ["e2"]


def test_duplicates_are_dropped():
    stream: SeqStream[str] = SeqStream()
    stream.sync(5)
    assert stream.push(5, "again") == []
    assert stream.push(4, "older") == []


def test_an_early_frame_waits_for_the_missing_one():
    stream: SeqStream[str] = SeqStream()
    stream.sync(1)
    assert stream.push(3, "e3") == []
    assert stream.gap_from == 1
    assert stream.push(2, "e2") == ["e2", "e3"]
    assert stream.gap_from is None


def test_a_replay_closes_the_gap():
    stream: SeqStream[str] = SeqStream()
    stream.sync(1)
    stream.push(4, "e4")
    assert stream.push(2, "e2") == ["e2"]
    assert stream.push(3, "e3") == ["e3", "e4"]


def test_sync_never_goes_backwards():
    stream: SeqStream[str] = SeqStream()
    stream.sync(10)
    stream.sync(4)
    assert stream.last == 10


def test_too_many_early_frames_overflow():
    stream: SeqStream[str] = SeqStream()
    stream.sync(0)
    for seq in range(2, PENDING_LIMIT + 3):
        stream.push(seq, "e")
    assert stream.overflowing


def test_held_frames_wait_until_ready_is_asked():
    stream: SeqStream[str] = SeqStream()
    stream.sync(1)
    stream.hold(2, "e2")
    stream.hold(1, "old")
    assert stream.last == 1
    assert stream.ready() == ["e2"]
    assert stream.ready() == []
