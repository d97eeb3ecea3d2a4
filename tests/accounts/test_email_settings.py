"""EMAIL_URL configures the mail server in one variable (config/settings.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRINT_EMAIL_SETTINGS = (
    "import json, config.settings as s; print(json.dumps({k: getattr(s, k) for k in dir(s) "
    "if k.startswith('EMAIL_') or k == 'DEFAULT_FROM_EMAIL'}))"
)


def settings_with(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PRINT_EMAIL_SETTINGS],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_an_email_url_sets_the_smtp_settings():
    result = settings_with(
        EMAIL_URL="submission://mailer:p%40ss@smtp.example.com?_default_from_email=tb@example.com"
    )

    email = json.loads(result.stdout)
    assert email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (email["EMAIL_HOST"], email["EMAIL_PORT"], email["EMAIL_USE_TLS"]) == (
        "smtp.example.com",
        587,
        True,
    )
    assert (email["EMAIL_HOST_USER"], email["EMAIL_HOST_PASSWORD"]) == ("mailer", "p@ss")
    assert email["DEFAULT_FROM_EMAIL"] == "tb@example.com"
    assert email["EMAIL_TIMEOUT"] == 10


def test_an_email_url_of_an_unknown_scheme_stops_the_start():
    result = settings_with(EMAIL_URL="smpt://smtp.example.com")

    assert result.returncode != 0
    assert "EMAIL_URL has an unknown scheme" in result.stderr
