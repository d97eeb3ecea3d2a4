"""Forms check only the shape of input; the services hold the rules.

Every text field has a `max_length` and every number a range (board/limits.py), which
browsers show and enforce; the services check the same limits for the other doors.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse

from board.exceptions import DomainError
from board.limits import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    DISPLAY_KEY_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TASK_DESCRIPTION_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
    USER_IDENTIFIER_MAX_LENGTH,
    VERSION_MAX,
    WIP_LIMIT_MAX,
)
from board.models import Board, Epic, Role
from board.refusals import Refusal, refusal_of


class RefusableForm(forms.Form):
    """A form whose submission a service may refuse. The refusal shows on the fields
    it names, else above them, and the page answers with the refusal's HTTP status,
    as the API and the socket do (board/refusals.py)."""

    refusal: Refusal | None = None
    # The form's name for a field the refusal names otherwise (as the API does).
    field_names: dict[str, str] = {}

    def refuse(self, error: DomainError) -> Refusal:
        self.refusal = refusal_of(error)
        named = {
            self.field_names.get(name, name): text for name, text in self.refusal.fields.items()
        }
        on_fields = {name: text for name, text in named.items() if name in self.fields}
        for name, text in on_fields.items():
            self.add_error(name, text)
        if not on_fields:
            self.add_error(None, self.refusal.message)
        return self.refusal

    @property
    def http_status(self) -> int:
        """The page's status: the refusal's, 422 for input the form itself refuses."""
        if self.refusal is not None:
            return self.refusal.status
        return 422 if self.errors else 200


class TextareaField(forms.CharField):
    """Browsers count a line break as one character against a textarea's `maxlength`
    but send it as CRLF; counted as sent, a text the browser allowed would be refused."""

    def to_python(self, value: object) -> str:
        return super().to_python(value).replace("\r\n", "\n")


def description_field(max_length: int, *, rows: int) -> forms.CharField:
    return TextareaField(
        required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def mentions_attrs(board: Board) -> dict[str, str]:
    """Marks a textarea for @mention suggestions (static/js/mentions.js)."""
    return {"data-mentions-url": reverse("mention_suggestions", args=[board.pk])}


def wip_limit_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(min_value=0, max_value=WIP_LIMIT_MAX, required=False, label=label)


class TaskForm(RefusableForm):
    title = forms.CharField(max_length=TASK_TITLE_MAX_LENGTH, strip=True)
    description = description_field(TASK_DESCRIPTION_MAX_LENGTH, rows=4)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    epic = forms.ModelChoiceField(queryset=Epic.objects.none(), required=False)
    expected_version = forms.IntegerField(
        min_value=0, max_value=VERSION_MAX, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, board: Board, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.board = board
        self.fields["epic"].queryset = Epic.objects.filter(board=board)
        self.fields["title"].widget.attrs.update({"autocomplete": "off"})
        self.fields["description"].widget.attrs.update(mentions_attrs(board))


class QuickTaskForm(RefusableForm):
    """The inline "new task" form at the top of the Unassigned column."""

    title = forms.CharField(max_length=TASK_TITLE_MAX_LENGTH, strip=True)


class EpicForm(RefusableForm):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    description = description_field(DESCRIPTION_MAX_LENGTH, rows=3)


class SprintForm(RefusableForm):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    description = description_field(DESCRIPTION_MAX_LENGTH, rows=3)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class MembershipForm(RefusableForm):
    field_names = {"user": "username"}
    username = forms.CharField(max_length=USER_IDENTIFIER_MAX_LENGTH, label="Username or email")
    role = forms.ChoiceField(choices=Role.choices)


class BoardSettingsForm(RefusableForm):
    wip_limit_unassigned = wip_limit_field("WIP limit: Unassigned")
    wip_limit_in_progress = wip_limit_field("WIP limit: In progress")
    wip_limit_done = wip_limit_field("WIP limit: Done")
    wip_limits_hard = forms.BooleanField(
        required=False,
        label="Hard limits",
        help_text="Hard: a full column refuses more tasks. Soft: its header only turns amber.",
    )


class DisplayKeyForm(RefusableForm):
    name = forms.CharField(
        max_length=DISPLAY_KEY_NAME_MAX_LENGTH,
        label="Display name",
        help_text="e.g. Team room TV",
    )


class CommentForm(RefusableForm):
    body = TextareaField(
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a comment."},
    )

    def __init__(self, *args, board: Board, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.update(mentions_attrs(board))


class WatchForm(forms.Form):
    watching = forms.BooleanField(required=False)


class BoardDetailsForm(RefusableForm):
    name = forms.CharField(max_length=NAME_MAX_LENGTH, label="Board name")
    description = description_field(DESCRIPTION_MAX_LENGTH, rows=3)


class BoardDeleteForm(RefusableForm):
    confirm_name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Type the board's name to confirm",
    )

    def __init__(self, *args, board: Board, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["confirm_name"]
        field.help_text = f"Type “{board.name}”. Its tasks, sprints, epics and history go with it."
        field.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
