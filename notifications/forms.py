"""The notification settings form: shape only (board/services/notify.py holds the rules)."""

from __future__ import annotations

from django import forms

from board.forms import RefusableForm
from board.limits import DIGEST_MINUTES_MAX, DIGEST_MINUTES_MIN
from notifications.models import EmailMode


class NotificationSettingsForm(RefusableForm):
    email_mode = forms.ChoiceField(
        choices=EmailMode.choices, widget=forms.RadioSelect, label="Email me"
    )
    digest_minutes = forms.IntegerField(
        min_value=DIGEST_MINUTES_MIN,
        max_value=DIGEST_MINUTES_MAX,
        label="Digest every (minutes)",
        help_text="With a digest: at most one email in this many minutes, with everything new.",
    )
