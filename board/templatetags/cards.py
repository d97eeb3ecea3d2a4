"""`{% card_button task "claim" %}`: a task's action button, on a board's cards and on
the task's page.

The button submits the page's one action form (`#card-action`: in board/_columns.html
and on the task page) to the action's URL, with the task's version as the button's own
value. So a card carries no form, CSRF token or idempotency key of its own: a page of
300 cards stays light, and every button still works as a plain form POST without
JavaScript. A button is named by its action alone: the card or header around it is
labelled by the task's title. Archiving is on the task's page only, not on every card."""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# action -> (label, button style)
CARD_ACTIONS = {
    "claim": ("Claim", "primary"),
    "done": ("Mark done", "primary"),
    "release": ("Release", "plain"),
    "reopen": ("Reopen", "plain"),
    "archive": ("Archive", "plain admin-only"),
}
CARD_ACTION_FORM_ID = "card-action"
CARD_TEMPLATE = "board/_card.html"


def _field(task: Any, name: str) -> Any:
    # A board page's cards are snapshot rows (dicts); a live fragment's is a Task.
    return task[name] if isinstance(task, dict) else getattr(task, name)


@register.simple_tag
def card_button(task: Any, action: str) -> SafeString:
    label, style = CARD_ACTIONS[action]
    return format_html(
        '<button type="submit" form="{}" formaction="{}" name="expected_version" value="{}"'
        ' class="btn btn-{}">{}</button>',
        CARD_ACTION_FORM_ID,
        reverse("task_action", args=(_field(task, "id"), action)),
        _field(task, "version"),
        style,
        label,
    )


# Rendered cards kept per process, by everything they show: a card is rendered once per
# (task, version, look) and a board page of 300 cards is mostly lookups. Nothing goes
# stale, since a key names every value the card shows.
CARD_CACHE_SIZE = 10_000


@register.simple_tag
def board_card(task: dict[str, Any], display: bool = False) -> SafeString:
    """A board page's card for a snapshot row (board.public.task_row_public_state)."""
    owner, epic = task["owner"], task["epic"]
    return _card_html(
        bool(display),
        task["id"],
        task["version"],
        task["title"],
        task["status"],
        task["position"],
        (owner["initials"], owner["name"]) if owner else None,
        task["due_date"],
        epic["name"] if epic else None,
        task["comment_count"],
    )


@functools.lru_cache(maxsize=CARD_CACHE_SIZE)
def _card_html(
    display: bool,
    task_id: int,
    version: int,
    title: str,
    status: str,
    position: int,
    owner: tuple[str, str] | None,
    due_date: str | None,
    epic: str | None,
    comment_count: int,
) -> SafeString:
    task = {
        "id": task_id,
        "version": version,
        "title": title,
        "status": status,
        "position": position,
        "owner": {"initials": owner[0], "name": owner[1]} if owner else None,
        "due_date": due_date,
        "epic": {"name": epic} if epic else None,
        "comment_count": comment_count,
    }
    return mark_safe(render_to_string(CARD_TEMPLATE, {"task": task, "display": display}))
