from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.core.validators import MaxLengthValidator
from django.utils.html import escape

from accounts.models import User
from accounts.signup import signup_email_hint, signup_refusal
from accounts.validators import validate_username_has_no_at
from board.limits import API_TOKEN_NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, USER_IDENTIFIER_MAX_LENGTH


class PasswordLengthMixin:
    """Django's password fields take any length; ours stop at PASSWORD_MAX_LENGTH."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field.widget, forms.PasswordInput):
                field.max_length = PASSWORD_MAX_LENGTH
                field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
                field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)


class LoginForm(PasswordLengthMixin, AuthenticationForm):
    username = forms.CharField(
        label="Username or email",
        max_length=USER_IDENTIFIER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class RegisterForm(PasswordLengthMixin, UserCreationForm):
    """`invited`: the session holds a usable invitation, which admits any address."""

    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    class Meta:
        model = User
        fields = ("username", "email", "first_name", "last_name")

    def __init__(self, *args: Any, invited: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invited = invited
        self.fields["email"].help_text = escape(signup_email_hint(invited=invited))

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        validate_username_has_no_at(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        refusal = signup_refusal(email=email, invited=self.invited)
        if refusal is not None:
            raise forms.ValidationError(refusal)
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with that email already exists.")
        return email


class LimitedPasswordChangeForm(PasswordLengthMixin, PasswordChangeForm):
    pass


class LimitedSetPasswordForm(PasswordLengthMixin, SetPasswordForm):
    pass


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=API_TOKEN_NAME_MAX_LENGTH, label="Token name", help_text="Say what uses it."
    )
