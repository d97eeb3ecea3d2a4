"""manage.py board_import <file> --workspace <slug>: a new board from board_export's
JSON (board/services/board_transfer.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from board.exceptions import DomainError
from board.services.board_transfer import board_import


class Command(BaseCommand):
    help = "Read a board_export file into a new board of a workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The export; - for standard input.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["workspace"]).first()
        if organization is None:
            raise CommandError(f"No workspace has the slug {options['workspace']!r}.")
        path = options["file"]
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            data = orjson.loads(raw)
        except (OSError, orjson.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            board = board_import(data=data, organization=organization)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Imported board {board.pk} ({board.slug}) into {organization.slug}.")
