from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    """Writes that run at most once per key: the API's Idempotency-Key header and the
    pages' hidden form field share it (idempotency/keys.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "idempotency"
    verbose_name = "Idempotent writes"
