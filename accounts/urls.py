from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from accounts.forms import LimitedPasswordChangeForm, LimitedSetPasswordForm, LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("register/", views.register, name="register"),
    path("verify/resend/", views.verification_resend, name="verification_resend"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("password_reset/", views.ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    # Django's own views, with password fields of a bounded length.
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(form_class=LimitedPasswordChangeForm),
        name="password_change",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=LimitedSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("", include("django.contrib.auth.urls")),
]
