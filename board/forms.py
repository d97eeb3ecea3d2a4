"""Forms check only the shape of input; the services hold the rules.

Every text field has a `max_length` and every number a range (board/limits.py), which
browsers show and enforce; the services check the same limits for the other doors.
"""

from __future__ import annotations

from django import forms

from board.exceptions import DomainError
from board.limits import (
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


class TextareaField(forms.CharField):
    """Browsers count a line break as one character against a textarea's `maxlength`
    but send it as CRLF; counted as sent, a text the browser allowed would be refused."""

    def to_python(self, value: object) -> str:
        return super().to_python(value).replace("\r\n", "\n")


def description_field(max_length: int, *, rows: int) -> forms.CharField:
    return TextareaField(
        required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def wip_limit_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(min_value=0, max_value=WIP_LIMIT_MAX, required=False, label=label)


class TaskForm(forms.Form):
    title = forms.CharField(max_length=TASK_TITLE_MAX_LENGTH, strip=True)
    description = description_field(TASK_DESCRIPTION_MAX_LENGTH, rows=4)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    epic = forms.ModelChoiceField(queryset=Epic.objects.none(), required=False)
    expected_version = forms.IntegerField(
        min_value=0, max_value=VERSION_MAX, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, board: Board, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["epic"].queryset = Epic.objects.filter(board=board)
        self.fields["title"].widget.attrs.update({"autocomplete": "off"})


class QuickTaskForm(forms.Form):
    """The inline "new task" form at the top of the Unassigned column."""

    title = forms.CharField(max_length=TASK_TITLE_MAX_LENGTH, strip=True)


class EpicForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    description = description_field(DESCRIPTION_MAX_LENGTH, rows=3)


class SprintForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    description = description_field(DESCRIPTION_MAX_LENGTH, rows=3)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class MembershipForm(forms.Form):
    username = forms.CharField(max_length=USER_IDENTIFIER_MAX_LENGTH, label="Username or email")
    role = forms.ChoiceField(choices=Role.choices)


# Services name some fields as the API does; the forms call them otherwise.
_FORM_FIELD_FOR = {"epic_id": "epic", "user": "username"}


def form_add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on the fields it names, else above them."""
    on_fields = {_FORM_FIELD_FOR.get(name, name): text for name, text in error.fields.items()}
    on_fields = {name: text for name, text in on_fields.items() if name in form.fields}
    for name, text in on_fields.items():
        form.add_error(name, text)
    if not on_fields:
        form.add_error(None, error.message)


class BoardSettingsForm(forms.Form):
    wip_limit_unassigned = wip_limit_field("WIP limit: Unassigned")
    wip_limit_in_progress = wip_limit_field("WIP limit: In progress")
    wip_limit_done = wip_limit_field("WIP limit: Done")
    wip_limits_hard = forms.BooleanField(
        required=False,
        label="Hard limits",
        help_text="Hard: a full column refuses more tasks. Soft: its header only turns amber.",
    )


class DisplayKeyForm(forms.Form):
    name = forms.CharField(
        max_length=DISPLAY_KEY_NAME_MAX_LENGTH,
        label="Display name",
        help_text="e.g. Team room TV",
    )
