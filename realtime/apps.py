from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        from realtime import signals  # noqa: F401
        from realtime.daphne_close import daphne_close_codes_install

        daphne_close_codes_install()
