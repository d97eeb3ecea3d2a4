"""Let daphne send the close codes 1012 (service restart) and 1013 (try again later).

htmx's ws extension reconnects by itself only after 1006, 1012 and 1013, so a board
socket closes with 1012 when the server shuts down and with 1013 when the channel
layer fails. Daphne passes an application's close code to autobahn's `sendClose`,
which accepts only 1000 and 3000-4999 for application use (django/daphne#374,
crossbario/autobahn-python#1642); uvicorn sends both codes as they are. For these
two codes the patched `serverClose` calls autobahn's `sendCloseFrame`, the method
daphne itself uses to send 1011, which writes any code.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

SERVER_CLOSE_CODES = frozenset({1012, 1013})


def daphne_close_codes_install() -> None:
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:
        return
    original = WebSocketProtocol.serverClose
    if getattr(original, "allows_server_codes", False):
        return
    if not hasattr(WebSocketProtocol, "sendCloseFrame"):
        logger.warning("daphne/autobahn changed: close codes 1012/1013 are not patched in")
        return

    def server_close(self: Any, code: int | None = None) -> None:
        if code in SERVER_CLOSE_CODES:
            self.sendCloseFrame(code=code)
        else:
            original(self, code=code)

    server_close.allows_server_codes = True  # type: ignore[attr-defined]
    WebSocketProtocol.serverClose = server_close
