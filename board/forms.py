"""Forms check only the shape of input; the services hold the rules."""

from __future__ import annotations

from django import forms

from board.exceptions import DomainError
from board.models import Board, Epic, Role


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    epic = forms.ModelChoiceField(queryset=Epic.objects.none(), required=False)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, board: Board, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["epic"].queryset = Epic.objects.filter(board=board)
        self.fields["title"].widget.attrs.update({"autocomplete": "off", "maxlength": 200})


class QuickTaskForm(forms.Form):
    """The inline "new task" form at the top of the Unassigned column."""

    title = forms.CharField(max_length=200, strip=True)


class EpicForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SprintForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class MembershipForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username or email")
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
    wip_limit_unassigned = forms.IntegerField(
        min_value=0, required=False, label="WIP limit: Unassigned"
    )
    wip_limit_in_progress = forms.IntegerField(
        min_value=0, required=False, label="WIP limit: In progress"
    )
    wip_limit_done = forms.IntegerField(min_value=0, required=False, label="WIP limit: Done")
    wip_limits_hard = forms.BooleanField(
        required=False,
        label="Hard limits",
        help_text="Hard: a full column refuses more tasks. Soft: its header only turns amber.",
    )


class DisplayKeyForm(forms.Form):
    name = forms.CharField(max_length=100, label="Display name", help_text="e.g. Team room TV")
