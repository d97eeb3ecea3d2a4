from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"

    def ready(self) -> None:
        from ops.access_log import probe_lines_drop
        from ops.tracing import tracing_configure

        probe_lines_drop()
        # Once per process: workers and management commands all start Django here.
        tracing_configure()
