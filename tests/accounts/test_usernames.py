from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.selectors import user_by_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_model_validation_refuses_a_username_with_an_at_sign():
    user = User(username="ann@corp.example", email="ann@corp.example")
    user.set_password("a-long-pass-phrase")

    with pytest.raises(ValidationError) as refused:
        user.full_clean()

    assert "username" in refused.value.message_dict


def test_create_user_refuses_a_username_with_an_at_sign():
    with pytest.raises(ValidationError):
        User.objects.create_user("ann@corp.example", "ann@corp.example", "pw")

    assert not User.objects.filter(email="ann@corp.example").exists()


def test_createsuperuser_refuses_a_username_with_an_at_sign(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase")

    with pytest.raises(Exception, match="cannot contain"):
        call_command(
            "createsuperuser",
            interactive=False,
            username="root@corp.example",
            email="root@corp.example",
            verbosity=0,
        )

    assert not User.objects.filter(email="root@corp.example").exists()


def test_the_admin_add_user_form_refuses_a_username_with_an_at_sign(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "ann@corp.example",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert "cannot contain" in response.content.decode()
    assert not User.objects.filter(username="ann@corp.example").exists()


def test_a_value_with_an_at_sign_is_looked_up_by_email_only():
    squatter = UserFactory(email="squatter@example.com")
    User.objects.filter(pk=squatter.pk).update(username="ann@corp.example")

    assert user_by_login("ann@corp.example") is None


def test_a_value_without_an_at_sign_is_looked_up_by_username_only():
    ann = UserFactory(username="ann", email="ann@corp.example")
    UserFactory(username="bob", email="ann@example.com")

    assert user_by_login(" ANN ") == ann
    assert user_by_login("ANN@corp.example") == ann
