"""manage.py board_export <board id> [--output FILE]: the board as JSON
(board/services/board_transfer.py)."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from board.exceptions import DomainError
from board.services.board_transfer import board_export


class Command(BaseCommand):
    help = "Write a board (tasks, sprints, epics, members by email, events) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("board_id", type=int)
        parser.add_argument("--output", "-o", help="A file to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = board_export(board_id=options["board_id"])
        except DomainError as error:
            raise CommandError(error.message) from error
        text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
