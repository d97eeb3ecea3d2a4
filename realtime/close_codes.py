"""Every close code a board socket sends, and what it tells the client
(docs/protocol.md#close-codes)."""

# Final: the client stops.
NOT_AUTHENTICATED = 4401  # no credential, or the credential ended (token, account, session)
ACCESS_ENDED = 4403  # the right to the board ended (membership removed, display key revoked)
NOT_FOUND = 4404  # unknown board, or not a member
TOO_MANY_SOCKETS = 4429  # REALTIME_SOCKETS_PER_PERSON in this worker
# A page reloads to show the board as its new role sees it.
ROLE_CHANGED = 4409
# The board was archived or deleted; a page reloads to say so.
BOARD_CLOSED = 4410
# The client reconnects and resumes.
SERVICE_RESTART = 1012
TRY_AGAIN_LATER = 1013  # it left too much unread, or this socket failed
