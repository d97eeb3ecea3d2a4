"""What a board's hub does on timers, once for all its sockets (mixed into BoardHub):
presence heartbeats, the sweep of its sockets' rights (realtime.access), and the
board heartbeat that delivers what the channel layer lost (realtime.heal)."""

from __future__ import annotations

import logging
from typing import Any

from realtime.access import access_verdicts
from realtime.db_threads import db_run
from realtime.heal import missed_event_messages
from realtime.presence import presence_changed, presence_store

logger = logging.getLogger(__name__)


class HubChores:
    """Mixed into BoardHub, which provides what is declared here."""

    board_id: int
    sockets: dict[str, Any]
    seen_seq: int
    events_since_heartbeat: bool

    async def deliver(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _heartbeat(self) -> None:
        """Deliver what the channel layer lost, then tell JSON sockets the seq, unless
        the events delivered since the last heartbeat told them already: a busy board's
        sockets get no heartbeat burst (one frame to each) on top of its events."""
        told = self.events_since_heartbeat
        self.events_since_heartbeat = False
        try:
            last, missed = await db_run(
                missed_event_messages, board_id=self.board_id, after=self.seen_seq
            )
        except Exception:
            logger.warning("Heartbeat of board %s failed", self.board_id, exc_info=True)
            return
        if missed:
            logger.info(
                "The hub of board %s delivers %s event(s) after seq %s from the log",
                self.board_id,
                len(missed),
                self.seen_seq,
            )
        for message in missed:
            await self.deliver(message)
        if last is not None and not (told and not missed and last == self.seen_seq):
            seq = min(last, self.seen_seq)
            frame = f'{{"type":"heartbeat","seq":{seq}}}'
            await self.deliver({"type": "board.heartbeat", "seq": seq, "json": frame})

    async def _access_sweep(self) -> None:
        sockets = dict(self.sockets)
        if not sockets:
            return
        principals = {conn: socket.principal for conn, socket in sockets.items()}
        try:
            verdicts = await db_run(access_verdicts, board_id=self.board_id, principals=principals)
        except Exception:
            logger.warning("Access sweep of board %s failed", self.board_id, exc_info=True)
            return
        for conn, verdict in verdicts.items():
            await sockets[conn].access_apply(verdict)

    async def _presence_heartbeat(self, *, quiet: bool) -> None:
        entries: dict[str, list[Any]] = {}
        for conn_id, socket in self.sockets.items():
            entry = socket.presence_entry()
            if entry is not None:
                entries[conn_id] = entry
        if not entries:
            return
        try:
            if await presence_store().heartbeat_many(self.board_id, entries):
                await presence_changed(self.board_id)
        except Exception:
            # During a Redis outage the hub has said so once already.
            log = logger.debug if quiet else logger.warning
            log("Presence heartbeat of board %s failed", self.board_id, exc_info=True)
