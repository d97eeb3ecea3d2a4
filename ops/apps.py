from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"

    def ready(self) -> None:
        from ops.access_log import probe_lines_drop

        probe_lines_drop()
