"""`manage.py issue_token <username>`: create an API token and print it.

The token is printed alone on the last line, so scripts can take it with `tail -n 1`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.tokens import api_token_create
from board.exceptions import ValidationFailed


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="issued by manage.py", help="What the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        try:
            token, plaintext = api_token_create(user=user, name=name)
        except ValidationFailed as error:
            raise CommandError("; ".join(error.fields.values()) or error.message) from None
        self.stderr.write(f"Token {token.prefix}… for {user.username}. It will not be shown again.")
        self.stdout.write(plaintext)
