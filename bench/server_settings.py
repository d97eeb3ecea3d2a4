"""Settings of the app's processes in a benchmark: config.settings, with the
per-connection rate limits lifted (one driver connection sends every action) and
plain static storage, so that pages render with DEBUG off without collectstatic."""

import warnings

from config.settings import *  # noqa: F403

REALTIME_RATE_BURST = 1_000_000
REALTIME_RATE_PER_SECOND = 1_000_000
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# No collectstatic for a benchmark: WhiteNoise's warning about STATIC_ROOT is noise.
warnings.filterwarnings("ignore", message="No directory at")
