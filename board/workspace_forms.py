"""Forms of the workspace pages and the first run: the shape of the input only, the
rules are in the services (board/services/workspaces.py, boards.py, invitations.py)."""

from __future__ import annotations

from django import forms

from accounts.models import WorkspaceRole
from board.forms import RefusableForm, description_field
from board.limits import (
    DESCRIPTION_MAX_LENGTH,
    INVITE_EMAILS_MAX,
    INVITE_EXPIRY_DAYS_MAX,
    INVITE_USES_MAX,
    NAME_MAX_LENGTH,
    WORKSPACE_NAME_MAX_LENGTH,
    WORKSPACE_SLUG_MAX_LENGTH,
)
from board.models import Role
from board.services.sample_board import BoardStart

# Room for INVITE_EMAILS_MAX addresses of the longest length, with separators.
INVITE_EMAILS_TEXT_MAX_LENGTH = INVITE_EMAILS_MAX * 256
WORKSPACE_INVITE_ROLE_CHOICES = [(WorkspaceRole.MEMBER, "Member"), (WorkspaceRole.ADMIN, "Admin")]
WORKSPACE_ROLE_HELP = "Admins also manage members, invitations and boards."


def autofocus(form: forms.Form) -> forms.Form:
    """Focus the first field with an error, else the first field: the page's main form."""
    names = [name for name in form.fields if name in form.errors] or list(form.fields)
    if names:
        form.fields[names[0]].widget.attrs["autofocus"] = True
    return form


class WorkspaceCreateForm(RefusableForm):
    name = forms.CharField(
        max_length=WORKSPACE_NAME_MAX_LENGTH,
        label="Workspace name",
        help_text="Your team or company, e.g. Acme Design.",
    )
    slug = forms.CharField(
        max_length=WORKSPACE_SLUG_MAX_LENGTH,
        required=False,
        label="Address (optional)",
        help_text="The workspace's page is /w/<em>address</em>/: lowercase letters, digits "
        "and hyphens. Leave it empty to make one from the name.",
    )


class BoardCreateForm(RefusableForm):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH, label="Board name", help_text="e.g. Website launch."
    )
    description = description_field(DESCRIPTION_MAX_LENGTH, rows=3)
    start = forms.ChoiceField(
        choices=[
            (BoardStart.EMPTY, "Empty: start with your own tasks"),
            (BoardStart.SAMPLE, "Sample: five example tasks and a WIP limit, to see it work"),
        ],
        initial=BoardStart.EMPTY,
        widget=forms.RadioSelect,
        label="Start with",
    )


class InviteEmailsForm(RefusableForm):
    """Addresses separated by commas, spaces or lines, and the role they get: a
    board's roles for a board's invitation, member or admin for a workspace's."""

    emails = forms.CharField(
        max_length=INVITE_EMAILS_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Email addresses",
        help_text=f"One or more, separated by commas or lines (up to {INVITE_EMAILS_MAX}).",
    )
    role = forms.ChoiceField(choices=WORKSPACE_INVITE_ROLE_CHOICES, help_text=WORKSPACE_ROLE_HELP)

    def __init__(self, *args, for_board: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if for_board:
            self.fields["role"].choices = Role.choices
            self.fields["role"].help_text = "Viewers watch, members work, admins also manage."
        self.fields["role"].initial = Role.MEMBER
        self.fields["emails"].widget.attrs["autocomplete"] = "off"


class InviteLinkForm(RefusableForm):
    role = forms.ChoiceField(
        choices=WORKSPACE_INVITE_ROLE_CHOICES, label="Role", help_text=WORKSPACE_ROLE_HELP
    )
    expires_in_days = forms.IntegerField(
        min_value=1,
        max_value=INVITE_EXPIRY_DAYS_MAX,
        required=False,
        label="Expires after (days)",
        help_text="7 if empty.",
    )
    max_uses = forms.IntegerField(
        min_value=1,
        max_value=INVITE_USES_MAX,
        required=False,
        label="Use limit",
        help_text="No limit if empty.",
    )

    def __init__(self, *args, for_board: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if for_board:
            self.fields["role"].choices = Role.choices
            self.fields["role"].help_text = "Viewers watch, members work, admins also manage."
            self.fields["role"].initial = Role.MEMBER


class WorkspaceSettingsForm(RefusableForm):
    name = forms.CharField(max_length=WORKSPACE_NAME_MAX_LENGTH, label="Workspace name")
    members_can_create_boards = forms.BooleanField(
        required=False,
        label="Members can create boards",
        help_text="Owners and admins always can.",
    )


class MemberRoleForm(RefusableForm):
    role = forms.ChoiceField(choices=WorkspaceRole.choices)
