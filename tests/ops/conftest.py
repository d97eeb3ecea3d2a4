"""The socket and server fixtures of tests/realtime, for the operations tests."""

from tests.realtime.conftest import (  # noqa: F401
    _channel_layer_per_test,
    _close_thread_connections,
    _quick_snapshot,
    connect,
    open_sockets,
    shared_layer,
    start_servers,
)
