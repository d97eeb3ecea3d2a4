"""The system check on SIGNUP_MODE and SIGNUP_DOMAINS (manage.py check, migrate)."""

from __future__ import annotations

import pytest
from django.core.checks import Error, Warning

from accounts.signup import signup_settings_check


def check_ids(settings, mode, domains) -> list[str]:
    settings.SIGNUP_MODE, settings.SIGNUP_DOMAINS = mode, domains
    return [message.id for message in signup_settings_check()]


@pytest.mark.parametrize("mode", ["open", "invite-only"])
def test_a_mode_without_domains_passes(settings, mode):
    assert check_ids(settings, mode, []) == []


def test_domains_with_domains_passes(settings):
    assert check_ids(settings, "domains", ["example.com", "*.example.com"]) == []


def test_an_unknown_mode_is_an_error_naming_the_modes(settings):
    settings.SIGNUP_MODE, settings.SIGNUP_DOMAINS = "invite", []

    [error] = signup_settings_check()

    assert isinstance(error, Error)
    assert error.id == "accounts.E001"
    assert "'invite'" in error.msg
    assert "open, invite-only or domains" in error.hint


def test_domains_without_a_domain_is_an_error(settings):
    assert check_ids(settings, "domains", []) == ["accounts.E002"]


@pytest.mark.parametrize("entry", ["ann@example.com", "com", "*", "*.", "ex ample.com", "a*.b.com"])
def test_an_entry_that_is_no_domain_is_an_error(settings, entry):
    assert check_ids(settings, "domains", ["example.com", entry]) == ["accounts.E003"]


def test_domains_in_another_mode_are_a_warning(settings):
    settings.SIGNUP_MODE, settings.SIGNUP_DOMAINS = "open", ["example.com"]

    [warning] = signup_settings_check()

    assert isinstance(warning, Warning)
    assert warning.id == "accounts.W001"


def test_the_check_is_registered():
    from django.core.checks import registry

    assert signup_settings_check in registry.registry.get_checks()
