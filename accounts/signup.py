"""Who may register: the operator's SIGNUP_MODE and SIGNUP_DOMAINS (config/settings.py).

- `open`: anyone.
- `invite-only`: only someone holding a usable invitation.
- `domains`: addresses at one of SIGNUP_DOMAINS, or anyone holding a usable invitation.

Domains match in any letter case and exactly: `example.com` admits `ann@example.com`
but not `ann@eu.example.com`. An entry `*.example.com` admits every subdomain of
example.com (not example.com itself: list both for both). International domains match
in either spelling (`bücher.example` or `xn--bcher-kva.example`).

A mode the settings check refuses (see `signup_settings_check`) closes sign-up rather
than opening it, should the app be started without running the checks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.http import HttpRequest

from board.workspace_selectors import invitation_usable

OPEN = "open"
INVITE_ONLY = "invite-only"
DOMAINS = "domains"
MODES = (OPEN, INVITE_ONLY, DOMAINS)

INVITE_ONLY_MESSAGE = (
    "Sign-up here is by invitation only. Ask someone on your team for an invitation link."
)
MISCONFIGURED_MESSAGE = "Sign-up is closed on this Taskboard. Ask its operator."


def _domain_key(domain: str) -> str:
    """One spelling of a domain for comparing: lower case, ASCII (punycode)."""
    domain = domain.strip().lower().rstrip(".")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def email_domain_allowed(email: str, domains: list[str]) -> bool:
    """Whether the address's domain is one of `domains` (see the module's rules)."""
    if "@" not in email:
        return False
    domain = _domain_key(email.rsplit("@", 1)[1])
    for entry in domains:
        entry = entry.strip()
        if entry.startswith("*."):
            if domain.endswith("." + _domain_key(entry[2:])):
                return True
        elif domain == _domain_key(entry):
            return True
    return False


def session_invited(request: HttpRequest) -> bool:
    """Whether the session holds an invitation that can still be accepted: the invite
    page stores its token there before sending a logged-out person to register."""
    token = request.session.get("invitation_token")
    return token is not None and invitation_usable(token=token) is not None


def signup_domains_text() -> str:
    return ", ".join(settings.SIGNUP_DOMAINS)


def signup_email_hint(*, invited: bool) -> str:
    """A line under the email field, in `domains` mode, saying which addresses may register."""
    if settings.SIGNUP_MODE != DOMAINS or invited:
        return ""
    return f"Addresses at {signup_domains_text()} can register."


def signup_closed_message(*, invited: bool) -> str | None:
    """Why nobody may register right now, whatever their address; None when some may."""
    if settings.SIGNUP_MODE not in MODES:
        return MISCONFIGURED_MESSAGE
    if settings.SIGNUP_MODE == INVITE_ONLY and not invited:
        return INVITE_ONLY_MESSAGE
    return None


def signup_refusal(*, email: str, invited: bool) -> str | None:
    """Why this address may not register, in words for the person registering; None
    when it may. `invited`: the session holds a usable invitation."""
    closed = signup_closed_message(invited=invited)
    if closed is not None or invited or settings.SIGNUP_MODE != DOMAINS:
        return closed
    if email_domain_allowed(email, settings.SIGNUP_DOMAINS):
        return None
    return (
        f"Sign-up here is open to addresses at {signup_domains_text()}. "
        "For another address, ask someone on your team for an invitation link."
    )


def _entry_problem(entry: str) -> str | None:
    name = entry[2:] if entry.startswith("*.") else entry
    if not name or "@" in name or "*" in name or "/" in name or " " in name:
        return f"{entry!r} is not a domain: write example.com, or *.example.com for its subdomains."
    if "." not in name.strip("."):
        return f"{entry!r} is a top-level domain, not a domain: write example.com."
    return None


def signup_settings_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Registered in accounts.apps: `manage.py check` and `migrate` fail on a mode
    that would not do what the operator meant."""
    mode, domains = settings.SIGNUP_MODE, settings.SIGNUP_DOMAINS
    if mode not in MODES:
        return [
            Error(
                f"SIGNUP_MODE={mode!r} is not a sign-up mode.",
                hint="Use open, invite-only or domains (docs/configuration.md).",
                id="accounts.E001",
            )
        ]
    if mode == DOMAINS and not domains:
        return [
            Error(
                "SIGNUP_MODE=domains, but SIGNUP_DOMAINS lists no domain: nobody could register.",
                hint="Set SIGNUP_DOMAINS=example.com,*.example.com (comma-separated).",
                id="accounts.E002",
            )
        ]
    problems = [
        Error(problem, hint="SIGNUP_DOMAINS is comma-separated.", id="accounts.E003")
        for problem in map(_entry_problem, domains)
        if problem is not None
    ]
    if domains and mode != DOMAINS:
        problems.append(
            Warning(
                f"SIGNUP_DOMAINS is set but SIGNUP_MODE={mode}: the domains are ignored.",
                hint="Set SIGNUP_MODE=domains to admit only those domains.",
                id="accounts.W001",
            )
        )
    return problems
