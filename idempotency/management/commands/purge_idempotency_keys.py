"""`manage.py purge_idempotency_keys`: forget Idempotency-Keys too old to answer retries.

Expired keys are ignored anyway; run this daily (cron) to keep the table small.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from idempotency.keys import idempotency_keys_purge


class Command(BaseCommand):
    help = "Delete Idempotency-Keys older than API_IDEMPOTENCY_KEY_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_keys_purge()
        self.stdout.write(f"Deleted {deleted} expired idempotency keys.")
