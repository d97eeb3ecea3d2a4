from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import ApiTokenForm, RegisterForm
from accounts.redirects import safe_next
from accounts.signup import session_invited, signup_closed_message
from accounts.throttle import password_reset_allowed
from accounts.tokens import api_token_create, api_token_revoke
from accounts.verification import (
    VERIFICATION_MAX_AGE,
    Sending,
    Verification,
    email_verify,
    verification_email_send,
)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Sign-up, as SIGNUP_MODE allows (accounts/signup.py); then on to a safe `next`
    (an invitation's page, typically) or the board list."""
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "board_list")
    invited = session_invited(request)
    closed = signup_closed_message(invited=invited)
    if closed is not None:
        status = 403 if request.method == "POST" else 200
        context = {"closed": closed, "next": next_url}
        return render(request, "registration/register.html", context, status=status)
    form = RegisterForm(request.POST or None, invited=invited)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="accounts.backends.UsernameOrEmailBackend")
        sending = verification_email_send(request=request, user=user)
        if sending is Sending.SENT:
            messages.success(
                request,
                f"Welcome! To confirm your email address, open the link we sent to {user.email}.",
            )
        else:
            messages.warning(request, "Welcome! " + _SENDING_PROBLEMS[sending])
        return redirect(next_url or "board_list")
    context = {"form": form, "next": next_url}
    return render(
        request, "registration/register.html", context, status=422 if form.errors else 200
    )


_SENDING_PROBLEMS = {
    Sending.THROTTLED: "Several confirmation emails went to your address in the last hour: "
    "check your spam folder, or ask for another one later.",
    Sending.FAILED: "We could not send you a confirmation email just now; "
    "ask for another one in a few minutes.",
}


@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification email. It works in any browser, logged in or not,
    and logs nobody in."""
    outcome = email_verify(token=token)
    if request.user.is_authenticated:
        request.user.refresh_from_db(fields=["email_verified_at"])
    context: dict[str, Any] = {"outcome": outcome.value, "days": VERIFICATION_MAX_AGE.days}
    ok = outcome in (Verification.VERIFIED, Verification.ALREADY_VERIFIED)
    return render(request, "registration/verify_email.html", context, status=200 if ok else 400)


@require_POST
@login_required
def verification_resend(request: HttpRequest) -> HttpResponse:
    """The banner's "Resend" button; back to the page it was on."""
    user = request.user
    if user.email_verified_at is not None:
        messages.info(request, "Your email address is already confirmed.")
    else:
        sending = verification_email_send(request=request, user=user)
        if sending is Sending.SENT:
            messages.success(request, f"We sent a new link to {user.email}.")
        else:
            messages.error(request, _SENDING_PROBLEMS[sending])
    return redirect(safe_next(request) or "board_list")


class ThrottledPasswordResetView(PasswordResetView):
    """Over the throttle, the same "check your email" page, and no email sent."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if password_reset_allowed(request=self.request, email=form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


@require_http_methods(["GET", "POST"])
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),
    }
    return render(request, "accounts/api_tokens.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, "Token revoked.")
    return redirect("api_tokens")
