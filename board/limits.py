"""How long each text and how big each number may be, in one place.

The models, forms, API schemas, socket protocol and services all read these, so every
door refuses the same input with a field error before the database could.

Descriptions are sized so that one event stays far under the socket's 64 KiB frame:
a task event carries its title, description, epic name and two people's names, and
even if every character took JSON's longest escape (6 bytes, `\\u0001`) it stays
under 40 KiB (tests/test_input_bounds.py checks it).
"""

from __future__ import annotations

from django.conf import settings

TASK_TITLE_MAX_LENGTH = 200
TASK_DESCRIPTION_MAX_LENGTH = 5_000
# Boards, epics and sprints.
NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 2_000
DISPLAY_KEY_NAME_MAX_LENGTH = 100
# A comment's Markdown; its HTML (with links and escapes) stays far under a frame too.
COMMENT_MAX_LENGTH = 5_000
NOTIFICATION_TEXT_MAX_LENGTH = 300
DIGEST_MINUTES_MIN = 5
DIGEST_MINUTES_MAX = 7 * 24 * 60
WORKSPACE_NAME_MAX_LENGTH = 120
WORKSPACE_SLUG_MAX_LENGTH = 120
# Addresses in one "invite by email" form.
INVITE_EMAILS_MAX = 50
INVITE_EXPIRY_DAYS_MAX = 90
INVITE_USES_MAX = 10_000
API_TOKEN_NAME_MAX_LENGTH = 100
# A username or an email address (EmailField's 254).
USER_IDENTIFIER_MAX_LENGTH = 254
# Django stores a hash, so any length fits; far longer ones are only work to hash.
PASSWORD_MAX_LENGTH = 4_096
STATUS_MAX_LENGTH = 20
DATE_MAX_LENGTH = 32

# PositiveIntegerField holds 0..2**31-1 (PostgreSQL's integer).
POSITIVE_INT_MAX = 2**31 - 1
VERSION_MAX = POSITIVE_INT_MAX
MOVE_INDEX_MAX = POSITIVE_INT_MAX
WIP_LIMIT_MAX = 10_000


def too_long_message(max_length: int) -> str:
    return f"Keep it to {max_length:,} characters or fewer."


def body_too_large_message() -> str:
    """What a page or the API says to a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
    return f"The request is too large: the server accepts up to {limit:g} MiB."
