"""What a board started "with a sample" holds: enough to see claims, WIP limits and
live updates at work, and nothing a team would have to clean up for long."""

from django.db import models


class BoardStart(models.TextChoices):
    EMPTY = "empty", "Empty"
    SAMPLE = "sample", "With a few example tasks"


SAMPLE_WIP_LIMIT = 3

# (title, description, claimed by the board's creator)
SAMPLE_TASKS = (
    ("Claim a task", "Press “Claim”: it moves to In progress with your name on it.", True),
    (
        "Invite your team",
        "Board settings → Invite: by email, or copy a link for the team chat.",
        False,
    ),
    (
        "Open this board in a second window",
        "Change a card in one window and watch the other update without a reload.",
        False,
    ),
    ("Put the board on the wall", "Board settings → Wall display gives a read-only link.", False),
    ("Archive these examples", "When the real work arrives, archive the sample tasks.", False),
)
