from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"

    def ready(self) -> None:
        import atexit

        from ops.access_log import probe_lines_drop
        from ops.metrics import process_exit_hook

        probe_lines_drop()
        if (hook := process_exit_hook()) is not None:
            atexit.register(hook)
