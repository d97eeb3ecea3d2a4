"""A board socket's rights while it is open (mixed into BoardSocketConsumer).

On an `access.changed` control message for its user (realtime.control), and on its
hub's sweep, a socket checks its rights again (realtime.access) and closes with 4401
(the credential ended) or 4403 (the right to the board ended), or takes its new role:
a JSON socket says so with an `access` message and stays open; a page closes with
4409, and the page reloads to show the board as the new role sees it.
"""

from __future__ import annotations

from typing import Any

from realtime import close_codes
from realtime.access import Verdict, access_verdicts
from realtime.auth import BoardAccess, Principal
from realtime.control import session_digest
from realtime.db_threads import db_run


class AccessWatch:
    """Mixed into BoardSocketConsumer, which provides what is declared here."""

    principal: Principal
    access: BoardAccess
    connection_id: str
    closed: bool

    async def _close_quietly(self, code: int) -> None:
        raise NotImplementedError

    def _spawn(self, coroutine: Any) -> Any:
        raise NotImplementedError

    async def role_changed(self) -> None:
        """The socket's role changed and `self.access` holds the new one."""
        await self._close_quietly(close_codes.ROLE_CHANGED)

    async def access_changed(self, message: dict[str, Any]) -> None:
        user = self.principal.user
        if self.closed or user is None or message.get("user_id") != user.pk:
            return
        ended = message.get("session")
        key = self.principal.session_key
        if ended and key and ended == session_digest(key):
            await self._close_quietly(close_codes.NOT_AUTHENTICATED)
            return
        self._spawn(self.access_recheck())

    async def access_recheck(self) -> None:
        verdicts = await db_run(
            access_verdicts,
            board_id=self.access.board.pk,
            principals={self.connection_id: self.principal},
        )
        await self.access_apply(verdicts[self.connection_id])

    async def access_apply(self, verdict: Verdict) -> None:
        if self.closed:
            return
        if verdict.close_code is not None:
            await self._close_quietly(verdict.close_code)
            return
        if self.principal.user is None:
            return  # a display key has no role to change
        read_only = self.principal.read_only or verdict.read_only
        if verdict.role == self.access.role and read_only == self.access.read_only:
            return
        self.access = BoardAccess(board=self.access.board, role=verdict.role, read_only=read_only)
        await self.role_changed()
