"""The email that carries an invitation's link."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from board.models import Invitation
from board.workspace_selectors import invitation_link

logger = logging.getLogger(__name__)


def invitations_mail(*, invitation_ids: list[int], site_url: str) -> list[int]:
    """Mail each invitation its link; return the ids of those sent. A failed send is
    logged and left for the admin's "resend"."""
    sent = []
    invitations = Invitation.objects.filter(pk__in=invitation_ids).select_related(
        "organization", "board", "created_by"
    )
    for invitation in invitations:
        context = {
            "invitation": invitation,
            "inviter": invitation.created_by.display_name if invitation.created_by else "Someone",
            "target": invitation.board.name if invitation.board else invitation.organization.name,
            "url": site_url.rstrip("/") + invitation_link(invitation=invitation),
        }
        subject = f"{context['inviter']} invited you to {context['target']} on Taskboard"
        try:
            send_mail(
                subject,
                render_to_string("email/invitation.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [invitation.email],
            )
        except Exception:
            logger.exception("Could not mail invitation %s", invitation.pk)
            continue
        sent.append(invitation.pk)
    return sent
